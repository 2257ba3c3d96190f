module attributes {gpu.container_module} {
  gpu.module @k {
    gpu.func @k(%out: memref<?xf32>) kernel {
      gpu.return
    }
  }
  func.func @twice(%out: memref<?xf32>) {
    %c1 = arith.constant 1 : index
    gpu.launch_func @k::@k blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%out : memref<?xf32>)
    gpu.launch_func @k::@k blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%out : memref<?xf32>)
    return
  }
}
// -----
module attributes {gpu.container_module} {
  gpu.module @k {
    gpu.func @k(%out: memref<?xf32>) kernel {
      gpu.return
    }
  }
  func.func @dynamic_block(%out: memref<?xf32>, %n: index) {
    %c1 = arith.constant 1 : index
    gpu.launch_func @k::@k blocks in (%c1, %c1, %c1) threads in (%n, %c1, %c1) args(%out : memref<?xf32>)
    return
  }
}
