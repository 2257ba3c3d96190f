// asg-emit-entry-points: each entry's `scratch` line (docs/abi.md) from the
// plan of asg-plan-memory: its arena's bytes, `?` when they depend on dynamic
// dims, no line without a plan.
// RUN: asg-opt %s --asg-emit-entry-points | FileCheck %s

// CHECK: llvm.mlir.global internal constant @__asg_metadata("asg-model 1\0Aname m\0Atarget cpu\0Ainput x f32 1 n\0Aentry forward\0Aarg input x\0Aresult y f32 1 n\0Ascratch 2048\0Aend\0Aentry train_step\0Aarg input x\0Aresult loss f32 0\0Ascratch ?\0Aend\0Aentry other\0Aarg input x\0Aresult y f32 1 n\0Aend\0A\00")
module attributes {asg.cpu_context, asg.model_name = "m", asg.entries = ["forward", "train_step", "other"],
                   asg.metadata = "asg-model 1\nname m\ntarget cpu\ninput x f32 1 n\n",
                   asg.entry.forward = "arg input x\nresult y f32 1 n\n",
                   asg.entry.train_step = "arg input x\nresult loss f32 0\n",
                   asg.entry.other = "arg input x\nresult y f32 1 n\n",
                   asg.arena.forward = {bytes = 2048 : i64, buffers = 3 : i64, dynamic_buffers = 0 : i64, static_buffer_bytes = 2304 : i64},
                   asg.arena.train_step = {bytes = -1 : i64, buffers = 9 : i64, dynamic_buffers = 4 : i64, static_buffer_bytes = 1024 : i64}} {
  llvm.func @_mlir_ciface_forward(%results: !llvm.ptr, %x: !llvm.ptr, %ctx: !llvm.ptr) {
    llvm.return
  }
  llvm.func @_mlir_ciface_train_step(%results: !llvm.ptr, %x: !llvm.ptr, %ctx: !llvm.ptr) {
    llvm.return
  }
  llvm.func @_mlir_ciface_other(%results: !llvm.ptr, %x: !llvm.ptr, %ctx: !llvm.ptr) {
    llvm.return
  }
}
