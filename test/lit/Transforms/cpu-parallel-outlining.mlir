// asg-cpu-parallel-outlining: the outermost scf.parallel loops of CPU entry
// functions (marked asg.cpu_context) with enough work become a call of
// ctx->parallel_for(ctx->self, @<entry>_par<K>, captures, n); the body is
// outlined, its values from above packed into an llvm.alloca'd struct.
// RUN: asg-opt %s --split-input-file --verify-diagnostics --asg-cpu-parallel-outlining=min-work=1000 | FileCheck %s

// A static 2-D elementwise loop: 64 rows of 2 blocks of 256 columns, n = 128.
// The captures: both memrefs as descriptors, the scalar as is.
// CHECK-LABEL: func.func @rows(
// CHECK-SAME:      %[[A:[^:]*]]: memref<64x512xf32>, %[[B:[^:]*]]: memref<64x512xf32>, %[[S:[^:]*]]: f32, %[[CTX:[^:]*]]: !llvm.ptr)
// CHECK:         %[[CAP:.*]] = llvm.alloca %{{.*}} x !llvm.struct<(struct<(ptr, ptr, i64, array<2 x i64>, array<2 x i64>)>, f32, struct<(ptr, ptr, i64, array<2 x i64>, array<2 x i64>)>)>
// CHECK:         %[[N:.*]] = arith.constant 128 : index
// CHECK:         %[[DA:.*]] = builtin.unrealized_conversion_cast %[[A]] : memref<64x512xf32> to !llvm.struct
// CHECK:         %[[F0:.*]] = llvm.getelementptr %[[CAP]][0, 0]
// CHECK:         llvm.store %[[DA]], %[[F0]]
// CHECK:         %[[F1:.*]] = llvm.getelementptr %[[CAP]][0, 1]
// CHECK:         llvm.store %[[S]], %[[F1]] : f32, !llvm.ptr
// CHECK:         %[[DB:.*]] = builtin.unrealized_conversion_cast %[[B]]
// CHECK:         llvm.store %[[DB]]
// CHECK:         %[[N64:.*]] = arith.index_cast %[[N]] : index to i64
// CHECK:         %[[FN:.*]] = constant @rows_par0 : (!llvm.ptr, i64, i64) -> ()
// CHECK:         %[[FNP:.*]] = builtin.unrealized_conversion_cast %[[FN]] : (!llvm.ptr, i64, i64) -> () to !llvm.ptr
// CHECK:         %[[PFA:.*]] = llvm.getelementptr %[[CTX]][0, 2] : (!llvm.ptr) -> !llvm.ptr, !llvm.struct<(ptr, ptr, ptr)>
// CHECK:         %[[PF:.*]] = llvm.load %[[PFA]] : !llvm.ptr -> !llvm.ptr
// CHECK:         %[[SELFA:.*]] = llvm.getelementptr %[[CTX]][0, 0]
// CHECK:         %[[SELF:.*]] = llvm.load %[[SELFA]] : !llvm.ptr -> !llvm.ptr
// CHECK:         llvm.call %[[PF]](%[[SELF]], %[[FNP]], %[[CAP]], %[[N64]]) : !llvm.ptr, (!llvm.ptr, !llvm.ptr, !llvm.ptr, i64) -> ()
// CHECK-NOT:     scf.parallel
// CHECK:         return
// CHECK:       func.func private @rows_par0(%[[P:.*]]: !llvm.ptr, %[[BEGIN:.*]]: i64, %[[END:.*]]: i64) {
// CHECK-DAG:     %[[BI:.*]] = arith.index_cast %[[BEGIN]] : i64 to index
// CHECK-DAG:     %[[EI:.*]] = arith.index_cast %[[END]] : i64 to index
// CHECK:         %[[NONEMPTY:.*]] = arith.cmpi ult, %[[BI]], %[[EI]] : index
// CHECK:         scf.if %[[NONEMPTY]] {
// CHECK:           %[[LA:.*]] = llvm.load %{{.*}} : !llvm.ptr -> !llvm.struct<(ptr, ptr, i64, array<2 x i64>, array<2 x i64>)>
// CHECK:           %[[MA:.*]] = builtin.unrealized_conversion_cast %[[LA]] : {{.*}} to memref<64x512xf32>
// CHECK:           %[[LS:.*]] = llvm.load %{{.*}} : !llvm.ptr -> f32
// CHECK:           %[[MB:.*]] = builtin.unrealized_conversion_cast %{{.*}} to memref<64x512xf32>
// CHECK-DAG:       %[[C2:.*]] = arith.constant 2 : index
// CHECK-DAG:       %[[C256:.*]] = arith.constant 256 : index
// CHECK-DAG:       %[[C512:.*]] = arith.constant 512 : index
// CHECK:           %[[FIRST:.*]] = arith.divui %[[BI]], %[[C2]] : index
// CHECK:           scf.for %[[ROW:.*]] = %[[FIRST]] to %{{.*}} step
// CHECK:             %[[START:.*]] = arith.muli %[[ROW]], %[[C2]] : index
// CHECK:             %[[LO:.*]] = arith.maxui %[[BI]], %[[START]] : index
// CHECK:             %[[HI:.*]] = arith.minui %[[EI]], %{{.*}} : index
// CHECK:             %[[JB:.*]] = arith.muli %{{.*}}, %[[C256]] : index
// CHECK:             %[[JE:.*]] = arith.minui %{{.*}}, %[[C512]] : index
// CHECK:             scf.for %[[COL:.*]] = %[[JB]] to %[[JE]] step
// CHECK:               %[[X:.*]] = memref.load %[[MA]]
// CHECK:               %[[Y:.*]] = arith.mulf %[[X]], %[[LS]] : f32
// CHECK:               memref.store %[[Y]], %[[MB]]
// CHECK:         return
func.func @rows(%a: memref<64x512xf32>, %b: memref<64x512xf32>, %s: f32, %ctx: !llvm.ptr) attributes {asg.cpu_context} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c64 = arith.constant 64 : index
  %c512 = arith.constant 512 : index
  scf.parallel (%i, %j) = (%c0, %c0) to (%c64, %c512) step (%c1, %c1) {
    %x = memref.load %a[%i, %j] : memref<64x512xf32>
    %y = arith.mulf %x, %s : f32
    memref.store %y, %b[%i, %j] : memref<64x512xf32>
    scf.reduce
  }
  return
}

// Rows shorter than a block: parallel_for's iterations are whole rows (n = 512)
// and the innermost loop keeps its static bounds.
// CHECK-LABEL: func.func @short_rows(
// CHECK:         arith.constant 512 : index
// CHECK-NEXT:    %[[N:.*]] = arith.constant 512 : index
// CHECK:         %[[N64:.*]] = arith.index_cast %[[N]] : index to i64
// CHECK:         llvm.call %{{.*}}(%{{.*}}, %{{.*}}, %{{.*}}, %[[N64]])
// CHECK:       func.func private @short_rows_par0(
// CHECK-DAG:     %[[BI:.*]] = arith.index_cast %{{.*}} : i64 to index
// CHECK-DAG:     %[[EI:.*]] = arith.index_cast %{{.*}} : i64 to index
// CHECK-DAG:     %[[C128:.*]] = arith.constant 128 : index
// CHECK:         scf.for %[[ROW:.*]] = %[[BI]] to %[[EI]] step
// CHECK-NOT:       arith.divui
// CHECK:           %[[C0:.*]] = arith.constant 0 : index
// CHECK:           scf.for %{{.*}} = %[[C0]] to %[[C128]] step
// CHECK:             arith.negf
func.func @short_rows(%a: memref<512x128xf32>, %ctx: !llvm.ptr) attributes {asg.cpu_context} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c128 = arith.constant 128 : index
  %c512 = arith.constant 512 : index
  scf.parallel (%i, %j) = (%c0, %c0) to (%c512, %c128) step (%c1, %c1) {
    %x = memref.load %a[%i, %j] : memref<512x128xf32>
    %y = arith.negf %x : f32
    memref.store %y, %a[%i, %j] : memref<512x128xf32>
    scf.reduce
  }
  return
}

// Too little work (16 iterations of 2 ops): the loop stays.
// CHECK-LABEL: func.func @tiny(
// CHECK-NOT:     llvm.call
// CHECK:         scf.parallel
// CHECK-NOT:     func.func private @tiny_par
func.func @tiny(%a: memref<4x4xf32>, %ctx: !llvm.ptr) attributes {asg.cpu_context} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %one = arith.constant 1.0 : f32
  scf.parallel (%i, %j) = (%c0, %c0) to (%c4, %c4) step (%c1, %c1) {
    memref.store %one, %a[%i, %j] : memref<4x4xf32>
    scf.reduce
  }
  return
}

// A trip count known at run time: the captures are stored once; parallel_for
// only when n (in blocks of 256) reaches the threshold, else the body
// function called directly for all of [0, n) on the calling thread (one copy
// of the loop's code). The trip count and the block count travel as i64.
// CHECK-LABEL: func.func @dynamic(
// CHECK-SAME:      %[[A:[^:]*]]: memref<?xf32>, %[[CTX:[^:]*]]: !llvm.ptr)
// CHECK:         %[[CAP:.*]] = llvm.alloca %{{.*}} x !llvm.struct<(struct<(ptr, ptr, i64, array<1 x i64>, array<1 x i64>)>, i64, i64)>
// CHECK:         %[[DIM:.*]] = memref.dim %[[A]]
// CHECK:         %[[BLOCK:.*]] = arith.constant 256 : index
// CHECK:         %[[BLOCKS:.*]] = arith.divui %{{.*}}, %[[BLOCK]] : index
// CHECK:         llvm.store %{{.*}} : !llvm.struct<(ptr, ptr, i64, array<1 x i64>, array<1 x i64>)>, !llvm.ptr
// CHECK:         llvm.store %{{.*}} : i64, !llvm.ptr
// CHECK:         %[[BLOCKS64:.*]] = arith.index_cast %[[BLOCKS]] : index to i64
// CHECK:         llvm.store %[[BLOCKS64]]
// CHECK:         %[[N64:.*]] = arith.index_cast %[[BLOCKS]] : index to i64
// CHECK:         %[[LARGE:.*]] = arith.cmpi uge, %[[BLOCKS]], %{{.*}} : index
// CHECK:         scf.if %[[LARGE]] {
// CHECK:           %[[FN:.*]] = func.constant @dynamic_par0
// CHECK:           llvm.call %{{.*}}(%{{.*}}, %{{.*}}, %[[CAP]], %[[N64]])
// CHECK:         } else {
// CHECK-NEXT:      %[[ZERO:.*]] = arith.constant 0 : i64
// CHECK-NEXT:      func.call @dynamic_par0(%[[CAP]], %[[ZERO]], %[[N64]])
// CHECK-NEXT:    }
// CHECK-NOT:     scf.parallel
// CHECK:       func.func private @dynamic_par0(
// CHECK:         scf.for
// CHECK:           arith.addf
func.func @dynamic(%a: memref<?xf32>, %ctx: !llvm.ptr) attributes {asg.cpu_context} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %n = memref.dim %a, %c0 : memref<?xf32>
  scf.parallel (%i) = (%c0) to (%n) step (%c1) {
    %x = memref.load %a[%i] : memref<?xf32>
    %y = arith.addf %x, %x : f32
    memref.store %y, %a[%i] : memref<?xf32>
    scf.reduce
  }
  return
}

// A loop over row blocks whose body has loops, a stack buffer and vector ops
// (as packed matmuls have): one parallel_for iteration per row block (n = 32),
// the body moved as is, between a stack save and restore (each iteration
// frees its stack buffer); the index from above travels as i64.
// CHECK-LABEL: func.func @blocked(
// CHECK:         %[[COLS:.*]] = memref.dim
// CHECK:         %[[N:.*]] = arith.constant 32 : index
// CHECK:         %[[COLS64:.*]] = arith.index_cast %[[COLS]] : index to i64
// CHECK:         llvm.store %[[COLS64]]
// CHECK:         %[[N64:.*]] = arith.index_cast %[[N]] : index to i64
// CHECK:         llvm.call %{{.*}}(%{{.*}}, %{{.*}}, %{{.*}}, %[[N64]])
// CHECK:       func.func private @blocked_par0(
// CHECK:         %[[LC:.*]] = llvm.load %{{.*}} : !llvm.ptr -> i64
// CHECK:         %[[LCOLS:.*]] = arith.index_cast %[[LC]] : i64 to index
// CHECK:         scf.for %[[IB:.*]] = %{{.*}} to %{{.*}} step
// CHECK:           %[[OFF:.*]] = arith.muli %[[IB]], %{{.*}} : index
// CHECK:           %[[I:.*]] = arith.addi %{{.*}}, %[[OFF]] : index
// CHECK:           %[[STACK:.*]] = llvm.intr.stacksave : !llvm.ptr
// CHECK:           %[[PACK:.*]] = memref.alloca() : memref<8x64xf32>
// CHECK:           vector.transfer_read
// CHECK:           vector.transfer_write %{{.*}}, %[[PACK]]
// CHECK:           scf.for %{{.*}} = %{{.*}} to %[[LCOLS]] step
// CHECK:             scf.for {{.*}} iter_args
// CHECK:           llvm.intr.stackrestore %[[STACK]] : !llvm.ptr
func.func @blocked(%a: memref<256x64xf32>, %b: memref<64x?xf32>, %c: memref<256x?xf32>, %ctx: !llvm.ptr) attributes {asg.cpu_context} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %c64 = arith.constant 64 : index
  %c256 = arith.constant 256 : index
  %zero = arith.constant 0.0 : f32
  %cols = memref.dim %b, %c1 : memref<64x?xf32>
  scf.parallel (%i) = (%c0) to (%c256) step (%c8) {
    %pack = memref.alloca() : memref<8x64xf32>
    scf.for %r = %c0 to %c8 step %c1 {
      %row = arith.addi %i, %r : index
      scf.for %k = %c0 to %c64 step %c8 {
        %v = vector.transfer_read %a[%row, %k], %zero : memref<256x64xf32>, vector<8xf32>
        vector.transfer_write %v, %pack[%r, %k] : vector<8xf32>, memref<8x64xf32>
      }
    }
    scf.for %j = %c0 to %cols step %c1 {
      scf.for %r = %c0 to %c8 step %c1 {
        %row = arith.addi %i, %r : index
        %acc0 = memref.load %c[%row, %j] : memref<256x?xf32>
        %acc = scf.for %k = %c0 to %c64 step %c1 iter_args(%s = %acc0) -> f32 {
          %p = memref.load %pack[%r, %k] : memref<8x64xf32>
          %q = memref.load %b[%k, %j] : memref<64x?xf32>
          %m = arith.mulf %p, %q : f32
          %t = arith.addf %s, %m : f32
          scf.yield %t : f32
        }
        memref.store %acc, %c[%row, %j] : memref<256x?xf32>
      }
    }
    scf.reduce
  }
  return
}

// A parallel loop inside a sequential one (a reduction outside) stays.
// CHECK-LABEL: func.func @nested(
// CHECK-NOT:     llvm.call
// CHECK:         scf.for
// CHECK-NEXT:      scf.parallel
func.func @nested(%a: memref<128x128xf32>, %ctx: !llvm.ptr) attributes {asg.cpu_context} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c128 = arith.constant 128 : index
  scf.for %k = %c0 to %c128 step %c1 {
    scf.parallel (%j) = (%c0) to (%c128) step (%c1) {
      %x = memref.load %a[%k, %j] : memref<128x128xf32>
      %y = arith.addf %x, %x : f32
      memref.store %y, %a[%k, %j] : memref<128x128xf32>
      scf.reduce
    }
  }
  return
}

// Functions without the context are not entry points: untouched.
// CHECK-LABEL: func.func @not_an_entry(
// CHECK-NOT:     llvm.call
// CHECK:         scf.parallel
func.func @not_an_entry(%a: memref<128x128xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c128 = arith.constant 128 : index
  %one = arith.constant 1.0 : f32
  scf.parallel (%i, %j) = (%c0, %c0) to (%c128, %c128) step (%c1, %c1) {
    memref.store %one, %a[%i, %j] : memref<128x128xf32>
    scf.reduce
  }
  return
}

// -----

// expected-error @below {{asg-cpu-parallel-outlining: entry function 'forward' is marked asg.cpu_context but its last argument is not an !llvm.ptr}}
func.func @forward(%a: memref<4xf32>) attributes {asg.cpu_context} {
  return
}
