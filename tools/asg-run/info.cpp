// info.cpp: asg-run --info, printing a model's descriptor.
#include "options.h"

#include <asg/runtime.h>

#include <cstdio>
#include <string>

namespace asgrun {
namespace {

std::string shape(const asg_value_info &v) {
  char buf[512];
  return asg_format_shape(&v, buf, sizeof buf);
}

std::string value(const asg_value_info &v) { return std::string(v.name) + " " + asg_dtype_name(v.dtype) + " " + shape(v); }

std::string initText(const asg_init &init) {
  char buf[128];
  switch (init.kind) {
  case ASG_INIT_ZEROS: return "zeros";
  case ASG_INIT_ONES: return "ones";
  case ASG_INIT_CONSTANT: std::snprintf(buf, sizeof buf, "constant value=%.9g", init.value); return buf;
  case ASG_INIT_NORMAL: std::snprintf(buf, sizeof buf, "normal mean=%.9g std=%.9g", init.mean, init.std); return buf;
  case ASG_INIT_UNIFORM: std::snprintf(buf, sizeof buf, "uniform low=%.9g high=%.9g", init.low, init.high); return buf;
  case ASG_INIT_XAVIER_UNIFORM: return "xavier_uniform";
  case ASG_INIT_KAIMING_UNIFORM: std::snprintf(buf, sizeof buf, "kaiming_uniform a=%.9g", init.a); return buf;
  }
  return "?";
}

}  // namespace

void printInfo(const asg_model_info &info) {
  std::printf("model %s\n", info.name);
  std::printf("target %s\n", info.target);
  std::printf("inputs:\n");
  for (size_t i = 0; i < info.num_inputs; i++) std::printf("  %s\n", value(info.inputs[i]).c_str());
  const asg_entry_info *fwd = asg_model_info_entry(&info, "forward");
  if (fwd) {
    std::printf("outputs:\n");
    for (size_t i = 0; i < fwd->num_results; i++) std::printf("  %s\n", value(fwd->results[i]).c_str());
  }
  long long total = 0;
  for (size_t i = 0; i < info.num_params; i++) {
    long long n = 1;
    for (int32_t d = 0; d < info.params[i].value.rank; d++) n *= info.params[i].value.dims[d].size;
    total += n;
  }
  std::printf("params: %zu tensors, %lld values\n", info.num_params, total);
  for (size_t i = 0; i < info.num_params; i++) {
    const asg_param_info &p = info.params[i];
    std::printf("  %s init %s%s\n", value(p.value).c_str(), initText(p.init).c_str(), p.trainable ? "" : " (frozen)");
  }
  if (info.num_states > 0) {
    long long values = 0;
    for (size_t i = 0; i < info.num_states; i++) {
      long long n = 1;
      for (int32_t d = 0; d < info.states[i].rank; d++) n *= info.states[i].dims[d].size;
      values += n;
    }
    std::printf("optimizer state: %zu tensors, %lld values\n", info.num_states, values);
    for (size_t i = 0; i < info.num_states; i++) std::printf("  %s\n", value(info.states[i]).c_str());
  }
  std::printf("entry points:\n");
  for (size_t i = 0; i < info.num_entries; i++) {
    const asg_entry_info &e = info.entries[i];
    std::string args, results, updates;
    for (size_t k = 0; k < e.num_args; k++) {
      const asg_arg_info &a = e.args[k];
      const char *name = a.kind == ASG_ARG_PARAM   ? info.params[a.index].value.name
                         : a.kind == ASG_ARG_STATE ? info.states[a.index].name
                                                   : info.inputs[a.index].name;
      args += (k ? ", " : "") + std::string(name);
    }
    for (size_t k = 0; k < e.num_results; k++) results += (k ? ", " : "") + value(e.results[k]);
    for (size_t k = 0; k < e.num_updates; k++) updates += (k ? ", " : "") + std::string(e.updates[k].value.name);
    std::printf("  %s(%s) -> (%s)", e.name, args.c_str(), results.c_str());
    if (e.num_updates) std::printf(" updates %s", updates.c_str());
    std::printf("\n");
  }
}

}  // namespace asgrun
