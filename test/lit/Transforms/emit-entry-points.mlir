// asg-emit-entry-points: the uniform C entry point forwards its third argument (the
// asg_cpu_context of docs/abi.md, ABI 3) to the C-interface function, last.
// RUN: asg-opt %s --split-input-file --verify-diagnostics --asg-emit-entry-points | FileCheck %s

// CHECK:       llvm.func internal @m_forward(%[[ARGS:[^:]*]]: !llvm.ptr, %[[RESULTS:[^:]*]]: !llvm.ptr, %[[CTX:[^:]*]]: !llvm.ptr)
// CHECK:         %[[SLOT:.*]] = llvm.getelementptr %[[ARGS]][0] : (!llvm.ptr) -> !llvm.ptr, !llvm.ptr
// CHECK:         %[[X:.*]] = llvm.load %[[SLOT]] : !llvm.ptr -> !llvm.ptr
// CHECK:         llvm.call @_mlir_ciface_forward(%[[RESULTS]], %[[X]], %[[CTX]])
// CHECK:       llvm.mlir.global external constant @m_model()
// CHECK:         llvm.mlir.constant(3 : i32) : i32
module attributes {asg.cpu_context, asg.model_name = "m", asg.entries = ["forward"],
                   asg.metadata = "asg-model 1\nname m\ntarget cpu\ninput x f32 1 4\n",
                   asg.entry.forward = "arg input x\nresult y f32 1 4\n"} {
  llvm.func @_mlir_ciface_forward(%results: !llvm.ptr, %x: !llvm.ptr, %ctx: !llvm.ptr) {
    llvm.return
  }
}

// -----

// expected-error @below {{asg-emit-entry-points: the entry functions of a CPU module need the asg_cpu_context argument (run asg-cpu-context after bufferization)}}
module attributes {asg.model_name = "m", asg.entries = ["forward"],
                   asg.metadata = "", asg.entry.forward = ""} {
  llvm.func @_mlir_ciface_forward(%results: !llvm.ptr) {
    llvm.return
  }
}
