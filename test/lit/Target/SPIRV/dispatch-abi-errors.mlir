// asg-gpu-dispatch-abi refuses kernels that do not fit the Vulkan ABI it
// targets: more scalar arguments than Vulkan's guaranteed 128 bytes of push
// constants, and scalars wider than a 32-bit word.
// RUN: not asg-opt %s --split-input-file --asg-gpu-dispatch-abi -o /dev/null 2>&1 | FileCheck %s

// CHECK: error: kernel needs 33 push constant words; the limit is 32
module attributes {gpu.container_module} {
  gpu.module @many {
    gpu.func @many(%out: memref<?xf32>, %a0: index, %a1: index, %a2: index, %a3: index, %a4: index, %a5: index, %a6: index, %a7: index, %a8: index, %a9: index, %a10: index, %a11: index, %a12: index, %a13: index, %a14: index, %a15: index, %a16: index, %a17: index, %a18: index, %a19: index, %a20: index, %a21: index, %a22: index, %a23: index, %a24: index, %a25: index, %a26: index, %a27: index, %a28: index, %a29: index, %a30: index, %a31: index, %a32: index) kernel {
      gpu.return
    }
  }
  func.func @forward(%out: memref<?xf32>, %n: index) {
    %c1 = arith.constant 1 : index
    gpu.launch_func @many::@many blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1)
        args(%out : memref<?xf32>, %n : index, %n : index, %n : index, %n : index, %n : index, %n : index, %n : index, %n : index, %n : index, %n : index, %n : index, %n : index, %n : index, %n : index, %n : index, %n : index, %n : index, %n : index, %n : index, %n : index, %n : index, %n : index, %n : index, %n : index, %n : index, %n : index, %n : index, %n : index, %n : index, %n : index, %n : index, %n : index, %n : index)
    return
  }
}

// -----

// CHECK: error: kernel argument 1 of type 'i64' does not fit a 32-bit push constant
module attributes {gpu.container_module} {
  gpu.module @wide {
    gpu.func @wide(%out: memref<?xi64>, %v: i64) kernel {
      gpu.return
    }
  }
  func.func @forward(%out: memref<?xi64>, %v: i64) {
    %c1 = arith.constant 1 : index
    gpu.launch_func @wide::@wide blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1)
        args(%out : memref<?xi64>, %v : i64)
    return
  }
}
