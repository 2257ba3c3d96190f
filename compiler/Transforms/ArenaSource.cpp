// ArenaSource.cpp: the arena of a function from the CPU context's scratch memory, or from
// the heap (see ArenaSource.h).
#include "compiler/Transforms/ArenaSource.h"

#include "compiler/Transforms/Arena.h"
#include "compiler/Transforms/CpuAbi.h"

#include "mlir/Conversion/LLVMCommon/TypeConverter.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"

using namespace mlir;

namespace asg {
namespace {

MemRefType arenaType(MLIRContext *ctx) {
  return MemRefType::get({ShapedType::kDynamic}, IntegerType::get(ctx, 8));
}

Value heapArena(OpBuilder &b, func::FuncOp fn, Value bytes) {
  Location loc = fn.getLoc();
  auto arena = b.create<memref::AllocOp>(loc, arenaType(b.getContext()), ValueRange{bytes},
                                         b.getI64IntegerAttr(kArenaAlignment));
  arena->setAttr(kArenaAttr, b.getUnitAttr());
  fn.walk([&](func::ReturnOp ret) {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPoint(ret);
    b.create<memref::DeallocOp>(loc, arena);
  });
  return arena;
}

/// `field` of the asg_cpu_context at `ctx` (all fields are pointers).
Value loadContextField(OpBuilder &b, Location loc, Value ctx, int32_t field) {
  auto ptr = LLVM::LLVMPointerType::get(b.getContext());
  Value address = b.create<LLVM::GEPOp>(loc, ptr, ptr, ctx, ArrayRef<LLVM::GEPArg>{field});
  return b.create<LLVM::LoadOp>(loc, ptr, address);
}

/// A memref of `type` whose descriptor is `descriptor` (an LLVM struct);
/// reconcile-unrealized-casts removes the cast once memrefs are lowered.
Value asMemRef(OpBuilder &b, Location loc, Value descriptor, Type type) {
  return b.create<UnrealizedConversionCastOp>(loc, type, descriptor).getResult(0);
}

Arena scratchArena(OpBuilder &b, func::FuncOp fn, Value bytes) {
  MLIRContext *ctx = b.getContext();
  Location loc = fn.getLoc();
  ArrayRef<Type> results = fn.getFunctionType().getResults();
  if (results.empty() || results.back() != b.getI32Type() ||
      !llvm::all_of(results.drop_back(), [](Type t) { return isa<MemRefType>(t); })) {
    fn.emitError("asg-plan-memory: an entry function with the CPU context must return memrefs "
                 "and then the i32 status");
    return {};
  }
  LLVMTypeConverter converter(ctx);
  auto ptr = LLVM::LLVMPointerType::get(ctx);
  Type i64 = b.getI64Type();

  // p = ctx->scratch(ctx->self, bytes)
  Value context = fn.getArguments().back();
  Value self = loadContextField(b, loc, context, kCpuContextSelf);
  Value scratch = loadContextField(b, loc, context, kCpuContextScratch);
  Value size = b.create<arith::IndexCastOp>(loc, i64, bytes);
  auto calleeType = LLVM::LLVMFunctionType::get(ptr, {ptr, i64});
  Value p = b.create<LLVM::CallOp>(loc, calleeType, ValueRange{scratch, self, size}).getResult();

  // The descriptor {p, p, 0, [bytes], [1]} of memref<?xi8>.
  MemRefType type = arenaType(ctx);
  Type descriptorType = converter.convertType(type);
  Value descriptor = b.create<LLVM::UndefOp>(loc, descriptorType);
  auto insert = [&](Value v, ArrayRef<int64_t> position) {
    descriptor = b.create<LLVM::InsertValueOp>(loc, descriptor, v, position);
  };
  insert(p, {0});
  insert(p, {1});
  insert(b.create<LLVM::ConstantOp>(loc, i64, b.getI64IntegerAttr(0)), {2});
  insert(size, {3, 0});
  insert(b.create<LLVM::ConstantOp>(loc, i64, b.getI64IntegerAttr(1)), {4, 0});
  Value arena = asMemRef(b, loc, descriptor, type);

  // NULL: return at once with status -1 and null result descriptors.
  Value null = b.create<LLVM::ZeroOp>(loc, ptr);
  Value failed = b.create<LLVM::ICmpOp>(loc, LLVM::ICmpPredicate::eq, p, null);
  Block *entry = b.getInsertionBlock();
  Block *body = entry->splitBlock(b.getInsertionPoint());
  Block *outOfMemory = b.createBlock(body);
  SmallVector<Value> values;
  for (Type result : results.drop_back())
    values.push_back(
        asMemRef(b, loc, b.create<LLVM::ZeroOp>(loc, converter.convertType(result)), result));
  values.push_back(b.create<arith::ConstantIntOp>(loc, -1, 32));
  b.create<func::ReturnOp>(loc, values);
  b.setInsertionPointToEnd(entry);
  b.create<cf::CondBranchOp>(loc, failed, outOfMemory, body);
  b.setInsertionPointToStart(body);
  return {arena, p};
}

} // namespace

Arena createArena(OpBuilder &b, func::FuncOp fn, Value bytes) {
  if (fn->hasAttr(kCpuContextAttr))
    return scratchArena(b, fn, bytes);
  return {heapArena(b, fn, bytes), nullptr};
}

Value arenaPart(OpBuilder &b, Location loc, Value pointer, Value offset, Value bytes) {
  MLIRContext *ctx = b.getContext();
  auto ptr = LLVM::LLVMPointerType::get(ctx);
  Type i64 = b.getI64Type();
  Value shift = b.create<arith::IndexCastOp>(loc, i64, offset);
  Value address = b.create<LLVM::GEPOp>(loc, ptr, b.getI8Type(), pointer, ValueRange{shift});
  Value opaque = b.create<LLVM::InlineAsmOp>(loc, ptr, ValueRange{address}, "", "=r,0",
                                             /*has_side_effects=*/false,
                                             /*is_align_stack=*/false, LLVM::AsmDialectAttr(),
                                             ArrayAttr())
                     .getResult(0);
  MemRefType type = arenaType(ctx);
  Value descriptor = b.create<LLVM::UndefOp>(loc, LLVMTypeConverter(ctx).convertType(type));
  auto insert = [&](Value v, ArrayRef<int64_t> position) {
    descriptor = b.create<LLVM::InsertValueOp>(loc, descriptor, v, position);
  };
  insert(opaque, {0});
  insert(opaque, {1});
  insert(b.create<LLVM::ConstantOp>(loc, i64, b.getI64IntegerAttr(0)), {2});
  insert(b.create<arith::IndexCastOp>(loc, i64, bytes), {3, 0});
  insert(b.create<LLVM::ConstantOp>(loc, i64, b.getI64IntegerAttr(1)), {4, 0});
  return asMemRef(b, loc, descriptor, type);
}

} // namespace asg
