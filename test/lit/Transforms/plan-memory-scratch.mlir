// asg-plan-memory on entry functions with the CPU context (asg-cpu-context's
// trailing !llvm.ptr): the arena is ctx->scratch(ctx->self, bytes); when that
// is NULL the function returns status -1 with null result descriptors.
// RUN: asg-opt %s --split-input-file --asg-plan-memory --verify-diagnostics | FileCheck %s

// CHECK-LABEL: func.func @forward(
// CHECK-SAME:      %[[X:.*]]: memref<?x16xf32>, %[[CTX:.*]]: !llvm.ptr)
// CHECK:         %[[N:.*]] = memref.dim %[[X]]
// CHECK:         %[[BYTES:.*]] = arith.andi
// CHECK:         %[[SELF_FIELD:.*]] = llvm.getelementptr %[[CTX]][0] : (!llvm.ptr) -> !llvm.ptr, !llvm.ptr
// CHECK:         %[[SELF:.*]] = llvm.load %[[SELF_FIELD]] : !llvm.ptr -> !llvm.ptr
// CHECK:         %[[FN_FIELD:.*]] = llvm.getelementptr %[[CTX]][1] : (!llvm.ptr) -> !llvm.ptr, !llvm.ptr
// CHECK:         %[[FN:.*]] = llvm.load %[[FN_FIELD]] : !llvm.ptr -> !llvm.ptr
// CHECK:         %[[SIZE:.*]] = arith.index_cast %[[BYTES]] : index to i64
// CHECK:         %[[P:.*]] = llvm.call %[[FN]](%[[SELF]], %[[SIZE]]) : !llvm.ptr, (!llvm.ptr, i64) -> !llvm.ptr
// CHECK:         llvm.insertvalue %[[P]], %{{.*}}[0]
// CHECK:         llvm.insertvalue %[[P]], %{{.*}}[1]
// CHECK:         llvm.insertvalue %[[SIZE]], %{{.*}}[3, 0]
// CHECK:         builtin.unrealized_conversion_cast %{{.*}} : !llvm.struct<(ptr, ptr, i64, array<1 x i64>, array<1 x i64>)> to memref<?xi8>
// CHECK:         %[[NULL:.*]] = llvm.mlir.zero : !llvm.ptr
// CHECK:         %[[FAILED:.*]] = llvm.icmp "eq" %[[P]], %[[NULL]] : !llvm.ptr
// CHECK:         cf.cond_br %[[FAILED]], ^[[OOM:.*]], ^[[BODY:.*]]
// CHECK:       ^[[OOM]]:
// CHECK:         %[[ZERO:.*]] = llvm.mlir.zero : !llvm.struct<(ptr, ptr, i64, array<2 x i64>, array<2 x i64>)>
// CHECK:         %[[NULL_RESULT:.*]] = builtin.unrealized_conversion_cast %[[ZERO]] : {{.*}} to memref<?x16xf32>
// CHECK:         %[[MINUS1:.*]] = arith.constant -1 : i32
// CHECK:         return %[[NULL_RESULT]], %[[MINUS1]] : memref<?x16xf32>, i32
// Each offset's part of the arena through an opaque pointer (so LLVM sees
// distinct objects and vectorizes loops over them).
// CHECK:       ^[[BODY]]:
// CHECK:         %[[ADDRESS:.*]] = llvm.getelementptr %[[P]][%{{.*}}] : (!llvm.ptr, i64) -> !llvm.ptr, i8
// CHECK:         %[[OPAQUE:.*]] = llvm.inline_asm "", "=r,0" %[[ADDRESS]] : (!llvm.ptr) -> !llvm.ptr
// CHECK:         llvm.insertvalue %[[OPAQUE]], %{{.*}}[0]
// CHECK:         llvm.insertvalue %[[OPAQUE]], %{{.*}}[1]
// CHECK:         %[[PART:.*]] = builtin.unrealized_conversion_cast %{{.*}} to memref<?xi8>
// CHECK:         memref.view %[[PART]][%{{.*}}][%{{.*}}] : memref<?xi8> to memref<?x16xf32>
// CHECK:         %[[R:.*]] = memref.alloc(%{{.*}}) : memref<?x16xf32>
// CHECK-NOT:     memref.dealloc
// CHECK:         return %[[R]], %{{.*}} : memref<?x16xf32>, i32
func.func @forward(%x: memref<?x16xf32>, %ctx: !llvm.ptr) -> (memref<?x16xf32>, i32) attributes {asg.cpu_context} {
  %c0 = arith.constant 0 : index
  %s = arith.constant 0 : i32
  %n = memref.dim %x, %c0 : memref<?x16xf32>
  %t = memref.alloc(%n) : memref<?x16xf32>
  linalg.copy ins(%x : memref<?x16xf32>) outs(%t : memref<?x16xf32>)
  %r = memref.alloc(%n) : memref<?x16xf32>
  linalg.copy ins(%t : memref<?x16xf32>) outs(%r : memref<?x16xf32>)
  memref.dealloc %t : memref<?x16xf32>
  return %r, %s : memref<?x16xf32>, i32
}

// -----

// A function without intermediates asks for no scratch memory.
// CHECK: module attributes {asg.arena.copy = {buffers = 0 : i64, bytes = 0 : i64
// CHECK-LABEL: func.func @copy(
// CHECK-NOT:     llvm.call
func.func @copy(%x: memref<4xf32>, %ctx: !llvm.ptr) -> (memref<4xf32>, i32) attributes {asg.cpu_context} {
  %s = arith.constant 0 : i32
  %r = memref.alloc() : memref<4xf32>
  linalg.copy ins(%x : memref<4xf32>) outs(%r : memref<4xf32>)
  return %r, %s : memref<4xf32>, i32
}

// -----

// expected-error @+1 {{asg-plan-memory: an entry function with the CPU context must return memrefs and then the i32 status}}
func.func @no_status(%x: memref<4xf32>, %ctx: !llvm.ptr) -> memref<4xf32> attributes {asg.cpu_context} {
  %t = memref.alloc() : memref<4xf32>
  linalg.copy ins(%x : memref<4xf32>) outs(%t : memref<4xf32>)
  %r = memref.alloc() : memref<4xf32>
  linalg.copy ins(%t : memref<4xf32>) outs(%r : memref<4xf32>)
  memref.dealloc %t : memref<4xf32>
  return %r : memref<4xf32>
}
