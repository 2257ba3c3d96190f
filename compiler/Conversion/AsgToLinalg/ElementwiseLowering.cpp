// ElementwiseLowering.cpp: asg elementwise ops (binary, unary, activations, compare,
// where, cast, constant) -> linalg.generic with arith/math bodies.
#include "compiler/Conversion/AsgToLinalg/LoweringUtils.h"

#include "dialect/AsgOps.h"

#include "mlir/Dialect/Math/IR/Math.h"

#include <cmath>
#include <limits>

using namespace mlir;

namespace asg {
namespace {

using Body = std::function<Value(OpBuilder &, Location, ValueRange)>;

bool isFloat(Value v) { return llvm::isa<FloatType>(v.getType()); }

Value fconst(OpBuilder &b, Location loc, double v) {
  return b.create<arith::ConstantOp>(loc, b.getF32FloatAttr(static_cast<float>(v)));
}

/// Lowers any elementwise asg op whose scalar body `bodyFor(op)` returns.
template <typename OpTy>
struct ElementwisePattern : AsgLoweringPattern<OpTy> {
  using BodyFactory = std::function<Body(OpTy, Type /*result element*/, RuntimeChecks &,
                                         OpBuilder &, Location, ValueRange /*operands*/)>;
  ElementwisePattern(const TypeConverter &tc, MLIRContext *ctx, RuntimeChecks &checks,
                     BodyFactory factory)
      : AsgLoweringPattern<OpTy>(tc, ctx, checks), factory(std::move(factory)) {}

  LogicalResult matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    RankedTensorType type = this->resultType(op);
    Location loc = op.getLoc();
    Body body = factory(op, type.getElementType(), this->checks, rewriter, loc,
                        adaptor.getOperands());
    Value result = buildBroadcastElementwise(rewriter, loc, type, adaptor.getOperands(),
                                             this->checks, describeNode(op), body);
    rewriter.replaceOp(op, result);
    return success();
  }
  BodyFactory factory;
};

/// Registers a pattern whose body ignores the op and only maps scalars.
template <typename OpTy>
void addScalar(RewritePatternSet &patterns, const TypeConverter &tc, RuntimeChecks &checks,
               std::function<Value(OpBuilder &, Location, ValueRange, Type)> fn) {
  patterns.add<ElementwisePattern<OpTy>>(
      tc, patterns.getContext(), checks,
      [fn](OpTy, Type elem, RuntimeChecks &, OpBuilder &, Location, ValueRange) -> Body {
        return [fn, elem](OpBuilder &b, Location loc, ValueRange args) {
          return fn(b, loc, args, elem);
        };
      });
}

template <typename OpTy>
void addOp(RewritePatternSet &patterns, const TypeConverter &tc, RuntimeChecks &checks,
           typename ElementwisePattern<OpTy>::BodyFactory factory) {
  patterns.add<ElementwisePattern<OpTy>>(tc, patterns.getContext(), checks, std::move(factory));
}

Value sigmoid(OpBuilder &b, Location loc, Value x) {
  Value one = fconst(b, loc, 1.0);
  Value e = b.create<math::ExpOp>(loc, b.create<arith::NegFOp>(loc, x));
  return b.create<arith::DivFOp>(loc, one, b.create<arith::AddFOp>(loc, one, e));
}

Value boolToF32(OpBuilder &b, Location loc, Value bit) {
  return b.create<arith::SelectOp>(loc, bit, fconst(b, loc, 1.0), fconst(b, loc, 0.0));
}

/// float -> int truncating toward zero, saturating, NaN -> 0 (SPEC `cast`).
Value floatToInt(OpBuilder &b, Location loc, Value x, IntegerType to) {
  unsigned bits = to.getWidth();
  double limit = std::ldexp(1.0, bits - 1); // 2^(bits-1), exact in f32
  Value lo = fconst(b, loc, -limit), hi = fconst(b, loc, limit);
  // The largest f32 below 2^(bits-1) converts without overflow.
  Value below = fconst(b, loc, std::nextafter(static_cast<float>(limit), 0.0f));
  Value clamped = b.create<arith::MinimumFOp>(loc, b.create<arith::MaximumFOp>(loc, x, lo), below);
  Value r = b.create<arith::FPToSIOp>(loc, to, clamped);
  Value maxInt = b.create<arith::ConstantOp>(
      loc, b.getIntegerAttr(to, APInt::getSignedMaxValue(bits)));
  Value tooBig = b.create<arith::CmpFOp>(loc, arith::CmpFPredicate::OGE, x, hi);
  r = b.create<arith::SelectOp>(loc, tooBig, maxInt, r);
  Value isNan = b.create<arith::CmpFOp>(loc, arith::CmpFPredicate::UNO, x, x);
  Value zero = b.create<arith::ConstantOp>(loc, b.getIntegerAttr(to, 0));
  return b.create<arith::SelectOp>(loc, isNan, zero, r);
}

Value convertScalar(OpBuilder &b, Location loc, Value x, Type to) {
  Type from = x.getType();
  if (from == to)
    return x;
  if (isFloat(x))
    return floatToInt(b, loc, x, llvm::cast<IntegerType>(to));
  if (llvm::isa<FloatType>(to))
    return b.create<arith::SIToFPOp>(loc, to, x);
  if (from.getIntOrFloatBitWidth() < to.getIntOrFloatBitWidth())
    return b.create<arith::ExtSIOp>(loc, to, x);
  return b.create<arith::TruncIOp>(loc, to, x);
}

/// Integer division truncating toward zero; a zero divisor fails a run-time
/// check and divides by 1 instead.
Body integerDivision(DivOp op, RuntimeChecks &checks, OpBuilder &b, Location loc,
                     ValueRange operands) {
  Value anyZero = reduceAny(b, loc, operands[1], [](OpBuilder &nb, Location nl, Value d) {
    Value zero = nb.create<arith::ConstantOp>(nl, nb.getIntegerAttr(d.getType(), 0));
    return nb.create<arith::CmpIOp>(nl, arith::CmpIPredicate::eq, d, zero).getResult();
  });
  checks.add(anyZero, describeNode(op) + ": integer division by zero");
  return [](OpBuilder &nb, Location nl, ValueRange args) -> Value {
    Type t = args[1].getType();
    Value zero = nb.create<arith::ConstantOp>(nl, nb.getIntegerAttr(t, 0));
    Value one = nb.create<arith::ConstantOp>(nl, nb.getIntegerAttr(t, 1));
    Value isZero = nb.create<arith::CmpIOp>(nl, arith::CmpIPredicate::eq, args[1], zero);
    Value divisor = nb.create<arith::SelectOp>(nl, isZero, one, args[1]);
    return nb.create<arith::DivSIOp>(nl, args[0], divisor);
  };
}

template <typename FloatOp, typename IntOp>
std::function<Value(OpBuilder &, Location, ValueRange, Type)> arith2() {
  return [](OpBuilder &b, Location loc, ValueRange a, Type) -> Value {
    if (isFloat(a[0]))
      return b.create<FloatOp>(loc, a[0], a[1]);
    return b.create<IntOp>(loc, a[0], a[1]);
  };
}

template <typename OpTy>
void addComparison(RewritePatternSet &p, const TypeConverter &tc, RuntimeChecks &c,
                   arith::CmpFPredicate fp, arith::CmpIPredicate ip) {
  addScalar<OpTy>(p, tc, c, [fp, ip](OpBuilder &b, Location loc, ValueRange a, Type) {
    Value bit = isFloat(a[0]) ? b.create<arith::CmpFOp>(loc, fp, a[0], a[1]).getResult()
                              : b.create<arith::CmpIOp>(loc, ip, a[0], a[1]).getResult();
    return boolToF32(b, loc, bit);
  });
}

/// Splat constants above this many elements are filled at run time.
constexpr int64_t kMaxSplatGlobalElements = 64;

struct ConstantLowering : AsgLoweringPattern<ConstantOp> {
  using AsgLoweringPattern::AsgLoweringPattern;
  LogicalResult matchAndRewrite(ConstantOp op, OpAdaptor,
                                ConversionPatternRewriter &rewriter) const override {
    auto value = llvm::dyn_cast<DenseElementsAttr>(op.getValue());
    if (!value)
      return rewriter.notifyMatchFailure(op, "value is not dense elements");
    // A large splat becomes a fill, so no huge global is ever materialized.
    if (value.isSplat() && value.getNumElements() > kMaxSplatGlobalElements) {
      Value scalar = rewriter.create<arith::ConstantOp>(
          op.getLoc(), cast<TypedAttr>(value.getSplatValue<Attribute>()));
      rewriter.replaceOp(op, filledTensor(rewriter, op.getLoc(), cast<RankedTensorType>(value.getType()), {}, scalar));
      return success();
    }
    rewriter.replaceOpWithNewOp<arith::ConstantOp>(op, value);
    return success();
  }
};

} // namespace

void populateElementwiseLoweringPatterns(const TypeConverter &tc, RewritePatternSet &p,
                                         RuntimeChecks &c) {
  using A = ValueRange;
  addScalar<AddOp>(p, tc, c, arith2<arith::AddFOp, arith::AddIOp>());
  addScalar<SubOp>(p, tc, c, arith2<arith::SubFOp, arith::SubIOp>());
  addScalar<MulOp>(p, tc, c, arith2<arith::MulFOp, arith::MulIOp>());
  addScalar<MaximumOp>(p, tc, c, arith2<arith::MaximumFOp, arith::MaxSIOp>());
  addScalar<MinimumOp>(p, tc, c, arith2<arith::MinimumFOp, arith::MinSIOp>());
  addOp<DivOp>(p, tc, c, [](DivOp op, Type elem, RuntimeChecks &checks, OpBuilder &b,
                            Location loc, ValueRange operands) -> Body {
    if (!llvm::isa<FloatType>(elem))
      return integerDivision(op, checks, b, loc, operands);
    return [](OpBuilder &nb, Location nl, A a) -> Value {
      return nb.create<arith::DivFOp>(nl, a[0], a[1]);
    };
  });
  addScalar<PowOp>(p, tc, c, [](OpBuilder &b, Location loc, A a, Type) -> Value {
    return b.create<math::PowFOp>(loc, a[0], a[1]);
  });
  addComparison<GreaterOp>(p, tc, c, arith::CmpFPredicate::OGT, arith::CmpIPredicate::sgt);
  addComparison<LessOp>(p, tc, c, arith::CmpFPredicate::OLT, arith::CmpIPredicate::slt);
  addComparison<EqualOp>(p, tc, c, arith::CmpFPredicate::OEQ, arith::CmpIPredicate::eq);
  addScalar<WhereOp>(p, tc, c, [](OpBuilder &b, Location loc, A a, Type) -> Value {
    Value bit;
    if (isFloat(a[0]))
      bit = b.create<arith::CmpFOp>(loc, arith::CmpFPredicate::UNE, a[0], fconst(b, loc, 0.0));
    else
      bit = b.create<arith::CmpIOp>(
          loc, arith::CmpIPredicate::ne, a[0],
          b.create<arith::ConstantOp>(loc, b.getIntegerAttr(a[0].getType(), 0)));
    return b.create<arith::SelectOp>(loc, bit, a[1], a[2]);
  });

  addScalar<NegOp>(p, tc, c, [](OpBuilder &b, Location loc, A a, Type t) -> Value {
    if (isFloat(a[0]))
      return b.create<arith::NegFOp>(loc, a[0]);
    return b.create<arith::SubIOp>(loc, b.create<arith::ConstantOp>(loc, b.getIntegerAttr(t, 0)),
                                   a[0]);
  });
  addScalar<AbsOp>(p, tc, c, [](OpBuilder &b, Location loc, A a, Type) -> Value {
    if (isFloat(a[0]))
      return b.create<math::AbsFOp>(loc, a[0]);
    return b.create<math::AbsIOp>(loc, a[0]);
  });
  addScalar<ExpOp>(p, tc, c, [](OpBuilder &b, Location loc, A a, Type) -> Value {
    return b.create<math::ExpOp>(loc, a[0]);
  });
  addScalar<LogOp>(p, tc, c, [](OpBuilder &b, Location loc, A a, Type) -> Value {
    return b.create<math::LogOp>(loc, a[0]);
  });
  addScalar<SqrtOp>(p, tc, c, [](OpBuilder &b, Location loc, A a, Type) -> Value {
    return b.create<math::SqrtOp>(loc, a[0]);
  });
  addScalar<RsqrtOp>(p, tc, c, [](OpBuilder &b, Location loc, A a, Type) -> Value {
    return b.create<arith::DivFOp>(loc, fconst(b, loc, 1.0), b.create<math::SqrtOp>(loc, a[0]));
  });
  addScalar<TanhOp>(p, tc, c, [](OpBuilder &b, Location loc, A a, Type) -> Value {
    return b.create<math::TanhOp>(loc, a[0]);
  });
  addScalar<SigmoidOp>(p, tc, c, [](OpBuilder &b, Location loc, A a, Type) -> Value {
    return sigmoid(b, loc, a[0]);
  });
  addScalar<ReluOp>(p, tc, c, [](OpBuilder &b, Location loc, A a, Type) -> Value {
    return b.create<arith::MaximumFOp>(loc, a[0], fconst(b, loc, 0.0));
  });
  addScalar<SiluOp>(p, tc, c, [](OpBuilder &b, Location loc, A a, Type) -> Value {
    return b.create<arith::MulFOp>(loc, a[0], sigmoid(b, loc, a[0]));
  });
  addScalar<SoftplusOp>(p, tc, c, [](OpBuilder &b, Location loc, A a, Type) -> Value {
    // torch.nn.functional.softplus: x above the threshold 20 is returned as is.
    Value soft = b.create<math::Log1pOp>(loc, b.create<math::ExpOp>(loc, a[0]));
    Value big = b.create<arith::CmpFOp>(loc, arith::CmpFPredicate::OGT, a[0], fconst(b, loc, 20));
    return b.create<arith::SelectOp>(loc, big, a[0], soft);
  });
  addOp<GeluOp>(p, tc, c, [](GeluOp op, Type, RuntimeChecks &, OpBuilder &, Location,
                             ValueRange) -> Body {
    bool tanhForm = op.getApproximate() == "tanh";
    return [tanhForm](OpBuilder &b, Location loc, A a) -> Value {
      Value x = a[0], half = fconst(b, loc, 0.5), one = fconst(b, loc, 1.0);
      Value inner;
      if (tanhForm) {
        Value x3 = b.create<arith::MulFOp>(loc, x, b.create<arith::MulFOp>(loc, x, x));
        Value poly = b.create<arith::AddFOp>(
            loc, x, b.create<arith::MulFOp>(loc, fconst(b, loc, 0.044715), x3));
        inner = b.create<math::TanhOp>(
            loc, b.create<arith::MulFOp>(loc, fconst(b, loc, std::sqrt(2.0 / M_PI)), poly));
      } else {
        inner = b.create<math::ErfOp>(loc, b.create<arith::MulFOp>(loc, x, fconst(b, loc, M_SQRT1_2)));
      }
      Value scaled = b.create<arith::MulFOp>(loc, half, x);
      return b.create<arith::MulFOp>(loc, scaled, b.create<arith::AddFOp>(loc, one, inner));
    };
  });
  addOp<LeakyReluOp>(p, tc, c, [](LeakyReluOp op, Type, RuntimeChecks &, OpBuilder &, Location,
                                  ValueRange) -> Body {
    double alpha = op.getAlpha().convertToDouble();
    return [alpha](OpBuilder &b, Location loc, A a) -> Value {
      Value pos = b.create<arith::CmpFOp>(loc, arith::CmpFPredicate::OGT, a[0], fconst(b, loc, 0));
      Value neg = b.create<arith::MulFOp>(loc, a[0], fconst(b, loc, alpha));
      return b.create<arith::SelectOp>(loc, pos, a[0], neg);
    };
  });
  addOp<EluOp>(p, tc, c, [](EluOp op, Type, RuntimeChecks &, OpBuilder &, Location,
                            ValueRange) -> Body {
    double alpha = op.getAlpha().convertToDouble();
    return [alpha](OpBuilder &b, Location loc, A a) -> Value {
      Value pos = b.create<arith::CmpFOp>(loc, arith::CmpFPredicate::OGT, a[0], fconst(b, loc, 0));
      Value neg = b.create<arith::MulFOp>(loc, fconst(b, loc, alpha),
                                          b.create<math::ExpM1Op>(loc, a[0]));
      return b.create<arith::SelectOp>(loc, pos, a[0], neg);
    };
  });
  addOp<ClampOp>(p, tc, c, [](ClampOp op, Type, RuntimeChecks &, OpBuilder &, Location,
                              ValueRange) -> Body {
    std::optional<double> lo, hi;
    if (auto v = op.getMin())
      lo = v->convertToDouble();
    if (auto v = op.getMax())
      hi = v->convertToDouble();
    return [lo, hi](OpBuilder &b, Location loc, A a) -> Value {
      Value x = a[0];
      if (lo)
        x = b.create<arith::MaximumFOp>(loc, x, fconst(b, loc, *lo));
      if (hi)
        x = b.create<arith::MinimumFOp>(loc, x, fconst(b, loc, *hi));
      return x;
    };
  });
  addScalar<CastOp>(p, tc, c, [](OpBuilder &b, Location loc, A a, Type to) -> Value {
    return convertScalar(b, loc, a[0], to);
  });
  p.add<ConstantLowering>(tc, p.getContext(), c);
}

} // namespace asg
