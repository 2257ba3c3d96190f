// Passes.td: every pass of asgc (names `asg-...`; options are pass options).
#ifndef ASG_TRANSFORMS_PASSES_TD
#define ASG_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def AsgToLinalg : Pass<"asg-to-linalg", "mlir::ModuleOp"> {
  let summary = "Lower asg ops to linalg, tensor, arith and math on tensors";
  let description = [{
    Rewrites every asg op into upstream dialects on tensors, drops dim names
    from the tensor types, and gives each function an extra `i32` status
    result: the number of the first run-time check that failed (ids or
    targets out of range, integer division by zero, dynamic dims that must
    agree), 0 if none. The check messages are recorded in the module
    attribute `asg.checks`. Generated code never traps: a failed check still
    computes with clamped, in-bounds values.
  }];
  let dependentDialects = [
    "mlir::arith::ArithDialect", "mlir::linalg::LinalgDialect",
    "mlir::math::MathDialect", "mlir::tensor::TensorDialect",
    "mlir::scf::SCFDialect", "mlir::func::FuncDialect"
  ];
}

def AsgAutodiff : Pass<"asg-autodiff", "mlir::ModuleOp"> {
  let summary = "Turn func @train_step into forward + gradients + optimizer update";
  let description = [{
    Runs on the asg dialect when the module has an `asg.train` attribute (set
    by the importer with `asgc --train`). `func @train_step` computes the
    loss; this pass appends the reverse-mode gradients of the loss with
    respect to every trainable parameter it depends on (each op's VJP from
    the DifferentiableOp interface; gradients of values with several uses
    are summed; integer values and values that do not depend on a trainable
    parameter get no gradient work), optional global-norm clipping, and the
    optimizer update. The function gains one argument per optimizer state
    tensor and the step count, and returns the loss followed by the new
    parameters and state; the entry metadata records them as `update`s
    (docs/abi.md).
  }];
  let dependentDialects = ["mlir::func::FuncDialect"];
}

def AsgFuse : Pass<"asg-fuse"> {
  let summary = "Fuse elementwise linalg producers into their consumers, without recomputation";
  let description = [{
    Upstream elementwise-op fusion with asgc's control function: a producer
    is fused into a consumer only when it has no other user (so it is not
    duplicated) and the consumer reads it through a permutation of all of its
    loops, so every producer element is still computed exactly once. That
    keeps elementwise chains in one loop nest while an activation or a
    normalization is never pulled into a matmul's or a reduction's loops,
    where it would be recomputed once per output column.
  }];
  let dependentDialects = ["mlir::linalg::LinalgDialect", "mlir::tensor::TensorDialect"];
}

def AsgContractionLoopOrder : Pass<"asg-contraction-loop-order"> {
  let summary = "Put the output's innermost dim innermost in contractions (matmul & co.)";
  let description = [{
    A linalg op with reduction loops whose output's innermost dim is not the
    innermost loop (matmul's (i, j, k)) is generalized and interchanged so
    that dim comes last ((i, k, j)) when an input also streams along it: the
    inner loop then reads and writes contiguous rows and LLVM vectorizes it
    for the target CPU, without reassociating any floating-point sum (each
    output element still adds its terms in order of k).
  }];
  let dependentDialects = ["mlir::linalg::LinalgDialect"];
}

def AsgMathApproximation : Pass<"asg-math-approximation"> {
  let summary = "Replace math ops without a libm-free lowering by polynomial approximations";
  let description = [{
    Wraps upstream `populateMathPolynomialApproximationPatterns`: erf, tanh,
    exp, log and friends become arithmetic, so artifacts need no libm and the
    same code serves the SPIR-V target.
  }];
  let dependentDialects = ["mlir::arith::ArithDialect", "mlir::math::MathDialect",
                           "mlir::vector::VectorDialect"];
}

def AsgExpandCopies : Pass<"asg-expand-copies"> {
  let summary = "Rewrite memref.copy as linalg.copy so no copy needs a runtime library";
  let description = [{
    `finalize-memref-to-llvm` turns strided `memref.copy` into calls to
    `memrefCopy` from MLIR's C runner utils. Artifacts must need nothing but
    libc and libasgrt, so copies become loops instead.
  }];
  let dependentDialects = ["mlir::linalg::LinalgDialect"];
}

def AsgEmitEntryPoints : Pass<"asg-emit-entry-points", "mlir::ModuleOp"> {
  let summary = "Add the uniform C entry points and the model descriptor (LLVM dialect)";
  let description = [{
    Runs on the LLVM dialect. For each entry point `E` with a C interface
    wrapper, adds `void <model>_E(void *const *args, void *results)` that
    calls it (docs/abi.md), the metadata text and the descriptor global
    `<model>_model`, and gives every other symbol internal linkage so several
    models link into one program.
  }];
  let dependentDialects = ["mlir::LLVM::LLVMDialect"];
}

#endif // ASG_TRANSFORMS_PASSES_TD
