# AsgModel.cmake: asg_add_model(), compile a JSON ASG model into an object and a C header
# inside a CMake build (what a user embedding asgc's output writes).
#
#   asg_add_model(TARGET <lib> MODEL <model.json> [NAME <c-name>] [ASGC <path>] [FLAGS ...])
#
# creates a static library target <lib> holding the model's object, with the
# generated header's folder as its include directory and libasgrt linked.
function(asg_add_model)
  cmake_parse_arguments(ARG "" "TARGET;MODEL;NAME;ASGC" "FLAGS" ${ARGN})
  if(NOT ARG_ASGC)
    set(ARG_ASGC $<TARGET_FILE:asgc>)
  endif()
  get_filename_component(model "${ARG_MODEL}" ABSOLUTE)
  get_filename_component(stem "${model}" NAME_WE)
  set(name_flags)
  if(ARG_NAME)
    set(stem ${ARG_NAME})
    set(name_flags --name ${ARG_NAME})
  endif()
  set(dir ${CMAKE_CURRENT_BINARY_DIR}/${ARG_TARGET})
  set(object ${dir}/${stem}.o)
  set(header ${dir}/${stem}.h)
  add_custom_command(
    OUTPUT ${object} ${header}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${dir}
    COMMAND ${ARG_ASGC} ${model} ${name_flags} ${ARG_FLAGS} -o ${object}
    COMMAND ${ARG_ASGC} ${model} ${name_flags} --emit header -o ${header}
    DEPENDS ${model} $<$<TARGET_EXISTS:asgc>:asgc>
    COMMENT "asgc ${stem}"
    VERBATIM)
  add_library(${ARG_TARGET} STATIC ${object} ${header})
  set_target_properties(${ARG_TARGET} PROPERTIES LINKER_LANGUAGE C)
  target_include_directories(${ARG_TARGET} PUBLIC ${dir})
  target_link_libraries(${ARG_TARGET} PUBLIC asgrt)
endfunction()
