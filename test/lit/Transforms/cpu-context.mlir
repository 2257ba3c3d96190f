// asg-cpu-context: each entry function named in asg.entries gets the runtime's
// asg_cpu_context as a trailing !llvm.ptr argument; other functions do not.
// RUN: asg-opt %s --split-input-file --verify-diagnostics --asg-cpu-context | FileCheck %s

// CHECK-LABEL: module attributes {asg.cpu_context, asg.entries = ["forward", "train_step"]}
// CHECK:       func.func @forward(%{{.*}}: memref<4xf32>, %{{.*}}: !llvm.ptr) -> (memref<4xf32>, i32) attributes {asg.cpu_context, llvm.emit_c_interface}
// CHECK:       func.func @train_step(%{{.*}}: !llvm.ptr) -> i32 attributes {asg.cpu_context, llvm.emit_c_interface}
// CHECK:       func.func private @helper(%{{.*}}: memref<4xf32>) {
module attributes {asg.entries = ["forward", "train_step"]} {
  func.func @forward(%x: memref<4xf32>) -> (memref<4xf32>, i32) attributes {llvm.emit_c_interface} {
    %c0 = arith.constant 0 : i32
    func.call @helper(%x) : (memref<4xf32>) -> ()
    return %x, %c0 : memref<4xf32>, i32
  }
  func.func @train_step() -> i32 attributes {llvm.emit_c_interface} {
    %c0 = arith.constant 0 : i32
    return %c0 : i32
  }
  func.func private @helper(%x: memref<4xf32>) {
    return
  }
}

// -----

// expected-error @below {{asg-cpu-context needs the module attribute asg.entries (set by the importer)}}
module {
}

// -----

// expected-error @below {{entry point 'forward' has no function body}}
module attributes {asg.entries = ["forward"]} {
  func.func private @forward(%x: memref<4xf32>)
}
