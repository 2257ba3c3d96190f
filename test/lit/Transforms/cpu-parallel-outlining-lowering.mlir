// The outlined loops lower to the LLVM dialect with the passes that follow
// asg-cpu-parallel-outlining in the CPU pipeline: the body's address becomes
// llvm.mlir.addressof, the descriptor casts of the captures cancel out, the
// stack buffers of an iteration are freed by a stack save and restore.
// RUN: asg-opt %s --asg-cpu-parallel-outlining=min-work=1000 --convert-scf-to-cf \
// RUN:   --expand-strided-metadata --lower-affine --convert-arith-to-llvm --finalize-memref-to-llvm \
// RUN:   --convert-func-to-llvm --convert-cf-to-llvm --convert-arith-to-llvm \
// RUN:   --reconcile-unrealized-casts | FileCheck %s

// CHECK-NOT:   unrealized_conversion_cast
// CHECK-LABEL: llvm.func @f(
// CHECK:         %[[FN:.*]] = llvm.mlir.addressof @f_par0 : !llvm.ptr
// CHECK:         llvm.call %{{.*}}(%{{.*}}, %[[FN]], %{{.*}}, %{{.*}}) : !llvm.ptr, (!llvm.ptr, !llvm.ptr, !llvm.ptr, i64) -> ()
// CHECK-LABEL: llvm.func @f_par0(%{{.*}}: !llvm.ptr, %{{.*}}: i64, %{{.*}}: i64)
// CHECK:         llvm.load %{{.*}} : !llvm.ptr -> !llvm.struct<(ptr, ptr, i64, array<2 x i64>, array<2 x i64>)>
// CHECK:         %[[STACK:.*]] = llvm.intr.stacksave : !llvm.ptr
// CHECK:         llvm.alloca
// CHECK:         llvm.intr.stackrestore %[[STACK]] : !llvm.ptr
func.func @f(%a: memref<256x64xf32>, %ctx: !llvm.ptr) attributes {asg.cpu_context} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %c64 = arith.constant 64 : index
  %c256 = arith.constant 256 : index
  scf.parallel (%i) = (%c0) to (%c256) step (%c8) {
    %pack = memref.alloca() : memref<64xf32>
    scf.for %k = %c0 to %c64 step %c1 {
      %v = memref.load %a[%i, %k] : memref<256x64xf32>
      memref.store %v, %pack[%k] : memref<64xf32>
    }
    scf.for %k = %c0 to %c64 step %c1 {
      %v = memref.load %pack[%k] : memref<64xf32>
      %w = arith.addf %v, %v : f32
      memref.store %w, %a[%i, %k] : memref<256x64xf32>
    }
    scf.reduce
  }
  return
}
