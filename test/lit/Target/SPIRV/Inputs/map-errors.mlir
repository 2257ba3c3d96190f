func.func @reduce(%a: memref<4xf32>) -> f32 {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %zero = arith.constant 0.0 : f32
  %r = scf.parallel (%i) = (%c0) to (%c4) step (%c1) init (%zero) -> f32 {
    %v = memref.load %a[%i] : memref<4xf32>
    scf.reduce(%v : f32) {
    ^bb0(%x: f32, %y: f32):
      %s = arith.addf %x, %y : f32
      scf.reduce.return %s : f32
    }
  }
  return %r : f32
}
// -----
func.func @host_reads(%a: memref<f32>) -> f32 {
  %v = memref.load %a[] : memref<f32>
  return %v : f32
}
// -----
func.func @blocks(%a: memref<f32>) {
  cf.br ^bb1
^bb1:
  return
}
