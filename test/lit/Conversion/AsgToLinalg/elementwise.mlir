// RUN: asg-opt %s --asg-to-linalg | FileCheck %s
// RUN: asg-opt %s --asg-to-linalg --canonicalize | FileCheck %s --check-prefix=CANON

// Elementwise ops become one broadcasting linalg.generic each; dim names are
// dropped, every function gets an i32 status result, and the messages of its
// run-time checks are listed in the module attribute asg.checks.<function>.

// CHECK-DAG: #[[ID3:.*]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-DAG: #[[ROW:.*]] = affine_map<(d0, d1, d2) -> (d2)>
// CHECK-DAG: #[[BC1:.*]] = affine_map<(d0, d1, d2) -> (d0, 0, d2)>
// CHECK-DAG: #[[SCALAR:.*]] = affine_map<(d0) -> ()>
// CHECK-DAG: #[[NOLOOPS:.*]] = affine_map<() -> ()>
// CHECK-LABEL: module attributes
// CHECK-SAME: asg.checks.add_row = []
// CHECK-SAME: asg.checks.int_div = ["'div' node 'q': integer division by zero"]
// CHECK-SAME: asg.checks.sub_dynamic = ["'sub' node 'd': the dims of input 2 do not match the other inputs at run time"]

// CHECK-LABEL: func.func @add_row(
// CHECK-SAME: %[[X:.*]]: tensor<?x3x4xf32>, %[[B:.*]]: tensor<4xf32>) -> (tensor<?x3x4xf32>, i32)
// CHECK: %[[DIM:.*]] = tensor.dim %[[X]], %{{.*}} : tensor<?x3x4xf32>
// CHECK: %[[INIT:.*]] = tensor.empty(%[[DIM]]) : tensor<?x3x4xf32>
// CHECK: %[[R:.*]] = linalg.generic {indexing_maps = [#[[ID3]], #[[ROW]], #[[ID3]]], iterator_types = ["parallel", "parallel", "parallel"]}
// CHECK-SAME: ins(%[[X]], %[[B]] : tensor<?x3x4xf32>, tensor<4xf32>) outs(%[[INIT]] : tensor<?x3x4xf32>)
// CHECK: arith.addf
// CHECK: %[[OK:.*]] = arith.constant 0 : i32
// CHECK: return %[[R]], %[[OK]] : tensor<?x3x4xf32>, i32
func.func @add_row(%x: tensor<?x3x4xf32, ["batch", "", ""]>, %b: tensor<4xf32>) -> tensor<?x3x4xf32, ["batch", "", ""]> {
  %0 = asg.add %x, %b : (tensor<?x3x4xf32, ["batch", "", ""]>, tensor<4xf32>) -> tensor<?x3x4xf32, ["batch", "", ""]> loc("hb")
  return %0 : tensor<?x3x4xf32, ["batch", "", ""]>
}

// A static 1 broadcasts (read at index 0); two dynamic dims must agree at run
// time: the second input is replaced by an in-bounds stand-in when they do not.
// CHECK-LABEL: func.func @sub_dynamic(
// CHECK-SAME: %[[X:.*]]: tensor<?x3x4xf32>, %[[Y:.*]]: tensor<?x1x4xf32>)
// CHECK: %[[DX:.*]] = tensor.dim %[[X]]
// CHECK: %[[DY:.*]] = tensor.dim %[[Y]]
// CHECK: %[[BAD:.*]] = arith.cmpi ne, %[[DY]], %[[DX]] : index
// CHECK: %[[STANDIN:.*]] = tensor.empty(%[[DX]]) : tensor<?x1x4xf32>
// CHECK: %[[SAFE:.*]] = arith.select %[[BAD]], %[[STANDIN]], %[[Y]] : tensor<?x1x4xf32>
// CHECK: linalg.generic {indexing_maps = [#[[ID3]], #[[BC1]], #[[ID3]]]
// CHECK-SAME: ins(%[[X]], %[[SAFE]] :
// CHECK: arith.subf
// CHECK: %[[ONE:.*]] = arith.constant 1 : i32
// CHECK: %[[STATUS:.*]] = arith.select %[[BAD]], %[[ONE]], %{{.*}} : i32
// CHECK: return %{{.*}}, %[[STATUS]]
func.func @sub_dynamic(%x: tensor<?x3x4xf32>, %y: tensor<?x1x4xf32>) -> tensor<?x3x4xf32> {
  %0 = asg.sub %x, %y : (tensor<?x3x4xf32>, tensor<?x1x4xf32>) -> tensor<?x3x4xf32> loc("d")
  return %0 : tensor<?x3x4xf32>
}

// Integer division: a zero divisor anywhere fails the check (an any-reduction)
// and the division uses 1 instead, so nothing traps.
// CHECK-LABEL: func.func @int_div(
// CHECK: %[[ANY:.*]] = linalg.generic {indexing_maps = [#{{.*}}, #[[SCALAR]]], iterator_types = ["reduction"]}
// CHECK: arith.cmpi eq
// CHECK: arith.ori
// CHECK: %[[HIT:.*]] = tensor.extract %[[ANY]][] : tensor<i1>
// CHECK: linalg.generic
// CHECK: %[[Z:.*]] = arith.cmpi eq, %[[DEN:.*]], %{{.*}} : i32
// CHECK: %[[DIV:.*]] = arith.select %[[Z]], %{{.*}}, %[[DEN]] : i32
// CHECK: arith.divsi %{{.*}}, %[[DIV]] : i32
// CHECK: arith.select %[[HIT]], %{{.*}}, %{{.*}} : i32
func.func @int_div(%a: tensor<4xi32>, %b: tensor<4xi32>) -> tensor<4xi32> {
  %0 = asg.div %a, %b : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32> loc("q")
  return %0 : tensor<4xi32>
}

// Rank 0 works: a generic with no loops.
// CHECK-LABEL: func.func @scalar(
// CHECK-SAME: %[[A:.*]]: tensor<f32>) -> (tensor<f32>, i32)
// CHECK: %[[E:.*]] = tensor.empty() : tensor<f32>
// CHECK: linalg.generic {indexing_maps = [#[[NOLOOPS]], #[[NOLOOPS]]], iterator_types = []} ins(%[[A]] : tensor<f32>) outs(%[[E]] : tensor<f32>)
// CHECK: math.exp
func.func @scalar(%a: tensor<f32>) -> tensor<f32> {
  %0 = asg.exp %a : (tensor<f32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// NaN-propagating relu and clamp; comparisons give f32 1.0 / 0.0; where
// tests cond != 0.
// CHECK-LABEL: func.func @activations(
// CHECK: arith.maximumf %{{.*}}, %{{.*}} : f32
// CHECK: arith.maximumf
// CHECK: arith.minimumf
// CHECK: %[[GT:.*]] = arith.cmpf ogt
// CHECK: arith.select %[[GT]], %{{.*}}, %{{.*}} : f32
// CHECK: %[[NZ:.*]] = arith.cmpf une
// CHECK: arith.select %[[NZ]], %{{.*}}, %{{.*}} : f32
func.func @activations(%x: tensor<2x3xf32>) -> (tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>) {
  %0 = asg.relu %x : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %1 = asg.clamp %x {max = 1.0 : f64, min = -1.0 : f64} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %2 = asg.greater %x, %0 : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  %3 = asg.where %2, %x, %1 : (tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0, %1, %2, %3 : tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>
}

// Exact gelu uses erf; the tanh form uses tanh.
// CHECK-LABEL: func.func @gelu(
// CHECK: math.erf
// CHECK: math.tanh
func.func @gelu(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %0 = asg.gelu %x : (tensor<4xf32>) -> tensor<4xf32>
  %1 = asg.gelu %x {approximate = "tanh"} : (tensor<4xf32>) -> tensor<4xf32>
  return %0, %1 : tensor<4xf32>, tensor<4xf32>
}

// float -> int saturates and maps NaN to 0; int -> float is sitofp.
// CHECK-LABEL: func.func @casts(
// CHECK: arith.fptosi %{{.*}} : f32 to i32
// CHECK: %[[NAN:.*]] = arith.cmpf uno
// CHECK: arith.select %[[NAN]]
// CHECK: arith.sitofp %{{.*}} : i64 to f32
func.func @casts(%x: tensor<3xf32>, %n: tensor<3xi64>) -> (tensor<3xi32>, tensor<3xf32>) {
  %0 = asg.cast %x {dtype = i32} : (tensor<3xf32>) -> tensor<3xi32>
  %1 = asg.cast %n {dtype = f32} : (tensor<3xi64>) -> tensor<3xf32>
  return %0, %1 : tensor<3xi32>, tensor<3xf32>
}

// Constants become arith.constant.
// CHECK-LABEL: func.func @constant(
// CHECK: arith.constant dense<[1.000000e+00, 2.000000e+00]> : tensor<2xf32>
func.func @constant() -> tensor<2xf32> {
  %0 = asg.constant dense<[1.0, 2.0]> : tensor<2xf32>
  return %0 : tensor<2xf32>
}

// After canonicalization a fully static elementwise op needs no check.
// CANON-LABEL: func.func @add_row(
// CANON-NOT: arith.select
// CANON: return
