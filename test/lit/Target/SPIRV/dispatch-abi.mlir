// asg-gpu-dispatch-abi: an outlined kernel's scalar arguments become push
// constants and its buffers bindings 0..n-1; the host calls the recorder's
// dispatch (field 4) with the kernel index, the buffer handles, the push
// constant words and the grid; constant globals are uploaded (field 3) into
// fresh buffers; the kernel table (binding 2 is the one written) lands in a
// module attribute.
// RUN: asg-opt %s --asg-flatten-kernel-memrefs --gpu-kernel-outlining --asg-gpu-dispatch-abi --canonicalize | FileCheck %s

// CHECK:       module attributes {asg.gpu.kernels = [{buffers = 3 : i32, entry = "forward", module = "forward_kernel", name = "forward_kernel", push_constants = 1 : i32, workgroup_size = array<i32: 64, 1, 1>, written = 4 : i32}]
// CHECK-LABEL: func.func @forward(
// CHECK-SAME:      %[[A:.*]]: memref<?xf32>, %[[B:.*]]: memref<?xf32>, %[[N:.*]]: index, %[[SCALE:.*]]: f32, %[[REC:.*]]: !llvm.ptr) -> memref<?xf32> attributes {asg.gpu.recorder_arg}
// CHECK-DAG:     %[[WORDS:.*]] = llvm.alloca %{{.*}} x i32
// CHECK-DAG:     %[[BUFS:.*]] = llvm.alloca %{{.*}} x !llvm.ptr
// The constant table: a fresh buffer, filled from the host global (16 bytes).
// CHECK:         %[[GLOBAL:.*]] = memref.get_global @table
// CHECK:         %[[COPY:.*]] = memref.alloc() : memref<4xf32>
// CHECK:         %[[UPLOAD_SLOT:.*]] = llvm.getelementptr %[[REC]][0, 3]
// CHECK:         %[[UPLOAD:.*]] = llvm.load %[[UPLOAD_SLOT]]
// CHECK:         llvm.call %[[UPLOAD]](%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}) : !llvm.ptr, (!llvm.ptr, !llvm.ptr, !llvm.ptr, i64) -> ()
// Buffers by binding, then the scale as a push constant word, then the call.
// CHECK:         llvm.store %{{.*}}, %[[BUFS]]
// CHECK:         %[[WORD:.*]] = arith.bitcast %[[SCALE]] : f32 to i32
// CHECK:         llvm.store %[[WORD]], %[[WORDS]]
// CHECK:         %[[GX:.*]] = arith.index_cast %[[N]] : index to i64
// CHECK:         %[[DISPATCH_SLOT:.*]] = llvm.getelementptr %[[REC]][0, 4]
// CHECK:         %[[DISPATCH:.*]] = llvm.load %[[DISPATCH_SLOT]]
// CHECK:         llvm.call %[[DISPATCH]](%{{.*}}, %{{.*}}, %[[BUFS]], %[[WORDS]], %[[GX]], %{{.*}}, %{{.*}}) : !llvm.ptr, (!llvm.ptr, i64, !llvm.ptr, !llvm.ptr, i64, i64, i64) -> ()
// CHECK-NOT:     gpu.launch_func
// CHECK:       gpu.module @forward_kernel
// CHECK:         spirv.GlobalVariable @__push_constant_var__ : !spirv.ptr<!spirv.struct<(!spirv.array<1 x i32, stride=4> [0])>, PushConstant>
// CHECK:         gpu.func @forward_kernel(%{{.*}}: memref<?xf32> {spirv.interface_var_abi = #spirv.interface_var_abi<(0, 0)>}, %{{.*}}: memref<?xf32> {spirv.interface_var_abi = #spirv.interface_var_abi<(0, 1)>}, %{{.*}}: memref<?xf32> {spirv.interface_var_abi = #spirv.interface_var_abi<(0, 2)>}) kernel
// CHECK-SAME:      spirv.entry_point_abi = #spirv.entry_point_abi<workgroup_size = [64, 1, 1]>
// CHECK:           %[[LOADED:.*]] = spirv.Load "PushConstant"
// CHECK:           %[[S:.*]] = arith.bitcast %[[LOADED]] : i32 to f32
// CHECK:           arith.mulf %{{.*}}, %[[S]] : f32
module {
func.func @forward(%a: memref<?xf32>, %b: memref<?xf32>, %n: index, %scale: f32) -> memref<?xf32> {
  %c1 = arith.constant 1 : index
  %c64 = arith.constant 64 : index
  %g = memref.get_global @table : memref<4xf32>
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %n, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c64, %sy = %c1, %sz = %c1) {
    %x = memref.load %a[%bx] : memref<?xf32>
    %t = memref.load %g[%tx] : memref<4xf32>
    %y = arith.mulf %x, %scale : f32
    %z = arith.addf %y, %t : f32
    memref.store %z, %b[%bx] : memref<?xf32>
    gpu.terminator
  }
  return %b : memref<?xf32>
}
memref.global "private" constant @table : memref<4xf32> = dense<[1.0, 2.0, 3.0, 4.0]>
}
