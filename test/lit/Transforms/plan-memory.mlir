// asg-plan-memory: the intermediates of a function in one arena; a buffer
// whose lifetime has ended gives its memory to later ones.
// RUN: asg-opt %s --split-input-file --asg-plan-memory | FileCheck %s

// Static shapes: everything folds to constants. %a dies at the second copy,
// so %c (256 bytes) takes its slot; %b lives on (1024 bytes at 1024). The
// returned buffer stays a heap buffer (the runtime adopts it).
// CHECK: module attributes {asg.arena.static_reuse = {buffers = 3 : i64, bytes = 2048 : i64, dynamic_buffers = 0 : i64, static_buffer_bytes = 2304 : i64}}
// CHECK-LABEL: func.func @static_reuse(
// CHECK-DAG:     %[[C0:.*]] = arith.constant 0 : index
// CHECK-DAG:     %[[C1024:.*]] = arith.constant 1024 : index
// CHECK-DAG:     %[[C2048:.*]] = arith.constant 2048 : index
// CHECK:         %[[ARENA:.*]] = memref.alloc(%[[C2048]]) {alignment = 64 : i64, asg.arena} : memref<?xi8>
// CHECK:         %[[A:.*]] = memref.view %[[ARENA]][%[[C0]]][] : memref<?xi8> to memref<256xf32>
// CHECK:         %[[B:.*]] = memref.view %[[ARENA]][%[[C1024]]][] : memref<?xi8> to memref<256xf32>
// CHECK:         %[[C:.*]] = memref.view %[[ARENA]][%[[C0]]][] : memref<?xi8> to memref<4x8xi64>
// CHECK:         memref.collapse_shape %[[C]]
// CHECK:         %[[R:.*]] = memref.alloc() {alignment = 64 : i64} : memref<256xf32>
// CHECK-NOT:     memref.dealloc %[[A]]
// CHECK:         memref.dealloc %[[ARENA]] : memref<?xi8>
// CHECK-NEXT:    return %[[R]]
func.func @static_reuse(%x: memref<256xf32>) -> (memref<256xf32>, i32) {
  %c0 = arith.constant 0 : i32
  %a = memref.alloc() {alignment = 64 : i64} : memref<256xf32>
  linalg.copy ins(%x : memref<256xf32>) outs(%a : memref<256xf32>)
  %b = memref.alloc() {alignment = 64 : i64} : memref<256xf32>
  linalg.copy ins(%a : memref<256xf32>) outs(%b : memref<256xf32>)
  %c = memref.alloc() {alignment = 64 : i64} : memref<4x8xi64>
  %cs = memref.collapse_shape %c [[0, 1]] : memref<4x8xi64> into memref<32xi64>
  %i = arith.constant 3 : index
  %v = memref.load %cs[%i] : memref<32xi64>
  memref.store %v, %cs[%i] : memref<32xi64>
  %r = memref.alloc() {alignment = 64 : i64} : memref<256xf32>
  linalg.copy ins(%b : memref<256xf32>) outs(%r : memref<256xf32>)
  memref.dealloc %a : memref<256xf32>
  memref.dealloc %b : memref<256xf32>
  memref.dealloc %c : memref<4x8xi64>
  return %r, %c0 : memref<256xf32>, i32
}

// -----

// Dynamic sizes are computed at the entry from the arguments' dims. All
// three buffers are multiples of the batch N (64N, 4N and 128N bytes), so
// they are packed in units of N: %d (128) at 0, %a (64, dead before %d is
// born) at 0 too, %b (4, live with both) at 128N; the arena is 132N rounded
// up to 64.
// CHECK: module attributes {asg.arena.dynamic = {buffers = 3 : i64, bytes = -1 : i64, dynamic_buffers = 3 : i64, static_buffer_bytes = 0 : i64}}
// CHECK-LABEL: func.func @dynamic(
// CHECK-SAME:      %[[X:.*]]: memref<?x16xf32>
// CHECK:         %[[N:.*]] = memref.dim %[[X]], %{{.*}} : memref<?x16xf32>
// CHECK:         %[[ZERO:.*]] = arith.constant 0 : index
// CHECK:         %[[C128:.*]] = arith.constant 128 : index
// CHECK:         %[[B_OFFSET:.*]] = arith.muli %[[N]], %[[C128]] : index
// CHECK:         %[[C132:.*]] = arith.constant 132 : index
// CHECK:         %[[UNITS:.*]] = arith.muli %[[N]], %[[C132]] : index
// CHECK:         %[[PADDED:.*]] = arith.addi %[[UNITS]], %{{.*}} : index
// CHECK:         %[[TOTAL:.*]] = arith.andi %[[PADDED]], %{{.*}} : index
// CHECK:         %[[ARENA:.*]] = memref.alloc(%[[TOTAL]]) {alignment = 64 : i64, asg.arena} : memref<?xi8>
// CHECK:         memref.view %[[ARENA]][%[[ZERO]]][%{{.*}}] : memref<?xi8> to memref<?x16xf32>
// CHECK:         memref.view %[[ARENA]][%[[B_OFFSET]]][%{{.*}}] : memref<?xi8> to memref<?xf32>
// CHECK:         memref.view %[[ARENA]][%{{.*}}][%{{.*}}] : memref<?xi8> to memref<?x32xi32>
// CHECK-NOT:     memref.alloc
// CHECK:         memref.dealloc %[[ARENA]]
func.func @dynamic(%x: memref<?x16xf32>) -> i32 {
  %c0 = arith.constant 0 : index
  %s = arith.constant 0 : i32
  %n = memref.dim %x, %c0 : memref<?x16xf32>
  %a = memref.alloc(%n) {alignment = 64 : i64} : memref<?x16xf32>
  linalg.copy ins(%x : memref<?x16xf32>) outs(%a : memref<?x16xf32>)
  %b = memref.alloc(%n) {alignment = 64 : i64} : memref<?xf32>
  linalg.reduce ins(%a : memref<?x16xf32>) outs(%b : memref<?xf32>) dimensions = [1]
    (%in: f32, %acc: f32) {
      %sum = arith.addf %in, %acc : f32
      linalg.yield %sum : f32
    }
  %d = memref.alloc(%n) {alignment = 64 : i64} : memref<?x32xi32>
  %i = arith.constant 1 : index
  %v = memref.load %d[%c0, %i] : memref<?x32xi32>
  memref.store %v, %d[%c0, %c0] : memref<?x32xi32>
  %w = memref.load %b[%c0] : memref<?xf32>
  memref.store %w, %b[%i] : memref<?xf32>
  memref.dealloc %a : memref<?x16xf32>
  memref.dealloc %b : memref<?xf32>
  memref.dealloc %d : memref<?x32xi32>
  return %s : i32
}

// -----

// Loops: %outer is used inside the loop, so it lives to the end of the loop;
// %inner is allocated and freed in each iteration and lives within it; %t
// (born after %inner's last use in the same iteration) shares %inner's slot;
// %after shares %outer's slot once the loop is done.
// CHECK: module attributes {asg.arena.loops = {buffers = 4 : i64, bytes = 768 : i64
// CHECK-LABEL: func.func @loops(
// CHECK-DAG:     %[[C0:.*]] = arith.constant 0 : index
// CHECK-DAG:     %[[C512:.*]] = arith.constant 512 : index
// CHECK:         %[[ARENA:.*]] = memref.alloc(%{{.*}}) {alignment = 64 : i64, asg.arena}
// CHECK:         memref.view %[[ARENA]][%[[C0]]][] : memref<?xi8> to memref<128xf32>
// CHECK:         scf.for
// CHECK:           memref.view %[[ARENA]][%[[C512]]][] : memref<?xi8> to memref<64xf32>
// CHECK:           memref.view %[[ARENA]][%[[C512]]][] : memref<?xi8> to memref<16xf32>
// CHECK-NOT:       memref.dealloc
// CHECK:         }
// CHECK:         memref.view %[[ARENA]][%[[C0]]][] : memref<?xi8> to memref<128xf32>
// CHECK-NOT:     memref.dealloc %{{.*}} : memref<
// CHECK:         memref.dealloc %[[ARENA]]
func.func @loops(%x: memref<64xf32>) -> i32 {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %s = arith.constant 0 : i32
  %f = arith.constant 1.0 : f32
  %outer = memref.alloc() : memref<128xf32>
  linalg.fill ins(%f : f32) outs(%outer : memref<128xf32>)
  scf.for %i = %c0 to %c4 step %c1 {
    %inner = memref.alloc() : memref<64xf32>
    linalg.copy ins(%x : memref<64xf32>) outs(%inner : memref<64xf32>)
    %v = memref.load %inner[%i] : memref<64xf32>
    memref.store %v, %outer[%i] : memref<128xf32>
    %t = memref.alloc() : memref<16xf32>
    memref.store %v, %t[%i] : memref<16xf32>
    memref.dealloc %inner : memref<64xf32>
    memref.dealloc %t : memref<16xf32>
  }
  %after = memref.alloc() : memref<128xf32>
  linalg.fill ins(%f : f32) outs(%after : memref<128xf32>)
  memref.dealloc %outer : memref<128xf32>
  memref.dealloc %after : memref<128xf32>
  return %s : i32
}

// -----

// What stays a heap buffer: a returned one, one passed to a call, one
// yielded by a loop, one freed conditionally, one allocated in a parallel
// loop, one whose size needs a load, one never freed, one that asks for more
// alignment than the arena's 64 bytes. No arena then.
// CHECK: module attributes {asg.arena.escapes = {buffers = 0 : i64, bytes = 0 : i64, dynamic_buffers = 0 : i64, static_buffer_bytes = 0 : i64}}
// CHECK-LABEL: func.func @escapes(
// CHECK-NOT:     memref.view
// CHECK-COUNT-8: memref.alloc
// CHECK-NOT:     memref.alloc
func.func private @keep(memref<8xf32>)
func.func @escapes(%x: memref<8xf32>, %n: memref<index>, %cond: i1) -> (memref<8xf32>, i32) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %s = arith.constant 0 : i32
  %zero = arith.constant 0.0 : f32
  %returned = memref.alloc() : memref<8xf32>
  linalg.copy ins(%x : memref<8xf32>) outs(%returned : memref<8xf32>)
  %called = memref.alloc() : memref<8xf32>
  func.call @keep(%called) : (memref<8xf32>) -> ()
  memref.dealloc %called : memref<8xf32>
  %init = memref.alloc() : memref<8xf32>
  %yielded = scf.for %i = %c0 to %c2 step %c1 iter_args(%it = %init) -> memref<8xf32> {
    scf.yield %it : memref<8xf32>
  }
  memref.dealloc %yielded : memref<8xf32>
  %conditional = memref.alloc() : memref<8xf32>
  linalg.copy ins(%x : memref<8xf32>) outs(%conditional : memref<8xf32>)
  scf.if %cond {
    memref.dealloc %conditional : memref<8xf32>
  }
  scf.parallel (%i) = (%c0) to (%c2) step (%c1) {
    %private = memref.alloc() : memref<8xf32>
    linalg.copy ins(%x : memref<8xf32>) outs(%private : memref<8xf32>)
    memref.dealloc %private : memref<8xf32>
    scf.reduce
  }
  %size = memref.load %n[] : memref<index>
  %loaded = memref.alloc(%size) : memref<?xf32>
  linalg.fill ins(%zero : f32) outs(%loaded : memref<?xf32>)
  memref.dealloc %loaded : memref<?xf32>
  %leaked = memref.alloc() : memref<8xf32>
  linalg.copy ins(%x : memref<8xf32>) outs(%leaked : memref<8xf32>)
  %aligned = memref.alloc() {alignment = 128 : i64} : memref<8xf32>
  linalg.copy ins(%x : memref<8xf32>) outs(%aligned : memref<8xf32>)
  memref.dealloc %aligned : memref<8xf32>
  return %returned, %s : memref<8xf32>, i32
}

// -----

// A select between two buffers (a dim check's stand-in) may be either: both
// stay live until its last use, so they get different slots; %late, born
// after that, reuses one.
// CHECK: module attributes {asg.arena.select = {buffers = 3 : i64, bytes = 128 : i64
// CHECK-LABEL: func.func @select(
// CHECK-DAG:     %[[C0:.*]] = arith.constant 0 : index
// CHECK-DAG:     %[[C64:.*]] = arith.constant 64 : index
// CHECK:         %[[A:.*]] = memref.view %{{.*}}[%[[C0]]][] : memref<?xi8> to memref<16xf32>
// CHECK:         %[[B:.*]] = memref.view %{{.*}}[%[[C64]]][] : memref<?xi8> to memref<16xf32>
// CHECK:         %[[S:.*]] = arith.select %{{.*}}, %[[A]], %[[B]] : memref<16xf32>
// CHECK:         linalg.copy ins(%[[S]] : memref<16xf32>)
// CHECK:         memref.view %{{.*}}[%[[C0]]][] : memref<?xi8> to memref<16xf32>
func.func @select(%x: memref<16xf32>, %cond: i1) -> (memref<16xf32>, i32) {
  %s = arith.constant 0 : i32
  %a = memref.alloc() : memref<16xf32>
  linalg.copy ins(%x : memref<16xf32>) outs(%a : memref<16xf32>)
  %b = memref.alloc() : memref<16xf32>
  linalg.copy ins(%x : memref<16xf32>) outs(%b : memref<16xf32>)
  %sel = arith.select %cond, %a, %b : memref<16xf32>
  %r = memref.alloc() : memref<16xf32>
  linalg.copy ins(%sel : memref<16xf32>) outs(%r : memref<16xf32>)
  %late = memref.alloc() : memref<16xf32>
  linalg.copy ins(%r : memref<16xf32>) outs(%late : memref<16xf32>)
  linalg.copy ins(%late : memref<16xf32>) outs(%r : memref<16xf32>)
  memref.dealloc %a : memref<16xf32>
  memref.dealloc %b : memref<16xf32>
  memref.dealloc %late : memref<16xf32>
  return %r, %s : memref<16xf32>, i32
}

// -----

// Buffers sized by different dynamic dims cannot be packed in one unit: when
// slots are smaller (by the estimate), buffers with disjoint lifetimes share
// a slot of the larger one's size (arith.maxui), each size rounded up to 64.
// CHECK-LABEL: func.func @slots(
// CHECK-SAME:      %[[X:[^:]*]]: memref<?xf32>, %[[Y:[^:]*]]: memref<?xf32>
// CHECK:         %[[N:.*]] = memref.dim %[[X]]
// CHECK:         %[[M:.*]] = memref.dim %[[Y]]
// CHECK:         %[[A:.*]] = arith.andi
// CHECK:         %[[B:.*]] = arith.andi
// CHECK:         %[[SLOT:.*]] = arith.maxui %[[A]], %[[B]] : index
// CHECK:         memref.alloc(%[[SLOT]]) {alignment = 64 : i64, asg.arena} : memref<?xi8>
func.func @slots(%x: memref<?xf32>, %y: memref<?xf32>) -> i32 {
  %c0 = arith.constant 0 : index
  %s = arith.constant 0 : i32
  %n = memref.dim %x, %c0 : memref<?xf32>
  %m = memref.dim %y, %c0 : memref<?xf32>
  %a = memref.alloc(%n) : memref<?xf32>
  linalg.copy ins(%x : memref<?xf32>) outs(%a : memref<?xf32>)
  %b = memref.alloc(%m) : memref<?xf32>
  linalg.copy ins(%y : memref<?xf32>) outs(%b : memref<?xf32>)
  memref.dealloc %a : memref<?xf32>
  memref.dealloc %b : memref<?xf32>
  return %s : i32
}

// -----

// A size read from a buffer made inside the function is recomputed at the
// entry from how that buffer is made: a select of two buffers (a dim check's
// stand-in) gives a select of their dims, a collapse_shape the product of the
// collapsed dims, an alloc its size operand. So %t is planned too.
// CHECK: module attributes {asg.arena.dims = {buffers = 3 : i64, bytes = -1 : i64
// CHECK-LABEL: func.func @dims(
// CHECK-SAME:      %[[X:[^:]*]]: memref<?x4xf32>, %[[M:[^:]*]]: index, %[[C:[^:]*]]: i1
// CHECK:         %[[N:.*]] = memref.dim %[[X]], %{{.*}} : memref<?x4xf32>
// CHECK:         %[[N4:.*]] = arith.muli %[[N]], %{{.*}} : index
// CHECK:         %[[PICK:.*]] = arith.select %[[C]], %[[M]], %[[N4]] : index
// CHECK:         memref.alloc(%{{.*}}) {alignment = 64 : i64, asg.arena} : memref<?xi8>
// CHECK-COUNT-3: memref.view
// CHECK-NOT:     memref.alloc
func.func @dims(%x: memref<?x4xf32>, %m: index, %c: i1) -> i32 {
  %c0 = arith.constant 0 : index
  %s = arith.constant 0 : i32
  %f = arith.constant 1.0 : f32
  %n = memref.dim %x, %c0 : memref<?x4xf32>
  %a = memref.alloc(%n) : memref<?x4xf32>
  linalg.copy ins(%x : memref<?x4xf32>) outs(%a : memref<?x4xf32>)
  %flat = memref.collapse_shape %a [[0, 1]] : memref<?x4xf32> into memref<?xf32>
  %standin = memref.alloc(%m) : memref<?xf32>
  linalg.fill ins(%f : f32) outs(%standin : memref<?xf32>)
  %pick = arith.select %c, %standin, %flat : memref<?xf32>
  %len = memref.dim %pick, %c0 : memref<?xf32>
  %t = memref.alloc(%len) : memref<?xf32>
  linalg.copy ins(%pick : memref<?xf32>) outs(%t : memref<?xf32>)
  memref.dealloc %a : memref<?x4xf32>
  memref.dealloc %standin : memref<?xf32>
  memref.dealloc %t : memref<?xf32>
  return %s : i32
}
