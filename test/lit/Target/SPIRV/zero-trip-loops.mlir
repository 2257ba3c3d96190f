// asg-kernels-to-spirv: the result of a loop that may run no iteration is the
// loop's initial value (scf.for semantics), selected explicitly, because the
// SPIR-V loop only writes the variable that carries it inside its body.
// RUN: asg-opt %s --asg-kernels-to-spirv | FileCheck %s

// CHECK-LABEL: spirv.func @sum
// CHECK:         %[[INIT:.*]] = spirv.Constant 2.000000e+00 : f32
// CHECK:         %[[ACC:.*]] = spirv.Variable : !spirv.ptr<f32, Function>
// CHECK:         spirv.mlir.loop
// CHECK:         spirv.mlir.merge
// CHECK:         %[[LAST:.*]] = spirv.Load "Function" %[[ACC]] : f32
// CHECK:         %[[RAN:.*]] = spirv.SGreaterThan %[[N:.*]], %cst0_i32 : i32
// CHECK:         %[[R:.*]] = spirv.Select %[[RAN]], %[[LAST]], %[[INIT]] : i1, f32
// CHECK:         spirv.Store "StorageBuffer" %{{.*}}, %[[R]] : f32
module attributes {gpu.container_module} {
  gpu.module @k {
    gpu.func @sum(%out: memref<?xf32> {spirv.interface_var_abi = #spirv.interface_var_abi<(0, 0)>}) kernel attributes {spirv.entry_point_abi = #spirv.entry_point_abi<workgroup_size = [1, 1, 1]>} {
      %c0 = arith.constant 0 : index
      %c1 = arith.constant 1 : index
      %init = arith.constant 2.0 : f32
      %n = gpu.thread_id x
      %r = scf.for %i = %c0 to %n step %c1 iter_args(%acc = %init) -> (f32) {
        %v = memref.load %out[%i] : memref<?xf32>
        %s = arith.addf %acc, %v : f32
        scf.yield %s : f32
      }
      memref.store %r, %out[%c0] : memref<?xf32>
      gpu.return
    }
  }
}
