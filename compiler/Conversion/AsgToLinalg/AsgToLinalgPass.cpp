// AsgToLinalgPass.cpp: the asg-to-linalg pass: applies the lowering patterns per function
// and turns the recorded run-time checks into the function's i32 status result.
#include "compiler/Conversion/AsgToLinalg/LoweringUtils.h"
#include "compiler/Transforms/Passes.h"
#include "dialect/AsgDialect.h"

#include "mlir/Dialect/Func/Transforms/FuncConversions.h"
#include "mlir/Transforms/DialectConversion.h"

using namespace mlir;

namespace asg {
#define GEN_PASS_DEF_ASGTOLINALG
#include "compiler/Transforms/Passes.h.inc"

namespace {

/// Appends `status` (first failed check number, else 0) to every return of
/// `fn` and to its type.
void addStatusResult(func::FuncOp fn, const RuntimeChecks &checks) {
  OpBuilder b(fn.getContext());
  fn.walk([&](func::ReturnOp ret) {
    b.setInsertionPoint(ret);
    Location loc = ret.getLoc();
    Value status = b.create<arith::ConstantIntOp>(loc, 0, 32);
    // Walk backwards so the first failed check wins.
    for (size_t i = checks.all().size(); i-- > 0;) {
      Value number = b.create<arith::ConstantIntOp>(loc, static_cast<int64_t>(i + 1), 32);
      status = b.create<arith::SelectOp>(loc, checks.all()[i].failed, number, status);
    }
    ret.getOperandsMutable().append(status);
  });
  SmallVector<Type> results(fn.getResultTypes());
  results.push_back(IntegerType::get(fn.getContext(), 32));
  fn.setType(FunctionType::get(fn.getContext(), fn.getArgumentTypes(), results));
}

struct AsgToLinalgPass : impl::AsgToLinalgBase<AsgToLinalgPass> {
  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    ModuleOp module = getOperation();
    AsgTypeConverter converter;

    ConversionTarget target(*ctx);
    target.addIllegalDialect<AsgDialect>();
    target.addLegalDialect<arith::ArithDialect, linalg::LinalgDialect, math::MathDialect,
                           tensor::TensorDialect, scf::SCFDialect>();
    target.addDynamicallyLegalOp<func::FuncOp>([&](func::FuncOp op) {
      return converter.isSignatureLegal(op.getFunctionType()) && converter.isLegal(&op.getBody());
    });
    target.addDynamicallyLegalOp<func::ReturnOp>(
        [&](func::ReturnOp op) { return converter.isLegal(op); });

    for (auto fn : llvm::to_vector(module.getOps<func::FuncOp>())) {
      RuntimeChecks checks;
      RewritePatternSet patterns(ctx);
      populateAsgToLinalgPatterns(converter, patterns, checks);
      populateFunctionOpInterfaceTypeConversionPattern<func::FuncOp>(patterns, converter);
      populateReturnOpTypeConversionPattern(patterns, converter);
      if (failed(applyFullConversion(fn, target, std::move(patterns))))
        return signalPassFailure();
      addStatusResult(fn, checks);
      SmallVector<Attribute> messages;
      for (const RuntimeChecks::Check &check : checks.all())
        messages.push_back(StringAttr::get(ctx, check.message));
      module->setAttr(("asg.checks." + fn.getSymName()).str(), ArrayAttr::get(ctx, messages));
    }
  }
};

} // namespace
} // namespace asg
