// CpuContractions.cpp: asg-cpu-contractions, matmul-like linalg ops on buffers as packed,
// register-blocked vector loops for the CPU (see Passes.td).
#include "compiler/Transforms/LoopBuilders.h"
#include "compiler/Transforms/Passes.h"

#include "mlir/Dialect/Linalg/IR/LinalgInterfaces.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"

using namespace mlir;

namespace asg {
#define GEN_PASS_DEF_ASGCPUCONTRACTIONS
#include "compiler/Transforms/Passes.h.inc"

namespace {

/// C[batch.., rows.., col] += A[batch.., rows.., k] * B[batch.., k, col] in
/// whatever operand layouts the indexing maps say.
struct Contraction {
  linalg::LinalgOp op;
  OpOperand *lhs = nullptr, *rhs = nullptr, *out = nullptr; // A, B, C
  SmallVector<unsigned> batch, rows;                        // loop dims, in loop order
  unsigned col = 0, red = 0;
};

bool isF32Buffer(Value value) {
  auto type = dyn_cast<MemRefType>(value.getType());
  return type && type.getElementType().isF32();
}

bool hasUnitInnerStride(Value buffer) {
  auto type = cast<MemRefType>(buffer.getType());
  SmallVector<int64_t> strides;
  int64_t offset;
  return type.getRank() > 0 && succeeded(getStridesAndOffset(type, strides, offset)) &&
         strides.back() == 1;
}

std::optional<Contraction> matchContraction(linalg::LinalgOp op) {
  if (!op.hasPureBufferSemantics() || op.getNumDpsInits() != 1 || op.getNumDpsInputs() != 2 ||
      op.getNumReductionLoops() != 1 || !linalg::isaContractionOpInterface(op))
    return std::nullopt;
  for (OpOperand &operand : op->getOpOperands())
    if (!isF32Buffer(operand.get()) || !op.getMatchingIndexingMap(&operand).isProjectedPermutation())
      return std::nullopt;
  Contraction c;
  c.op = op;
  c.lhs = op.getDpsInputOperand(0);
  c.rhs = op.getDpsInputOperand(1);
  c.out = op.getDpsInitOperand(0);
  AffineMap a = op.getMatchingIndexingMap(c.lhs), b = op.getMatchingIndexingMap(c.rhs),
            out = op.getMatchingIndexingMap(c.out);
  SmallVector<unsigned> onlyA, onlyB;
  for (auto [d, kind] : llvm::enumerate(op.getIteratorTypesArray())) {
    bool inA = a.isFunctionOfDim(d), inB = b.isFunctionOfDim(d), inOut = out.isFunctionOfDim(d);
    if (kind == utils::IteratorType::reduction) {
      if (!inA || !inB || inOut)
        return std::nullopt;
      c.red = d;
    } else if (!inOut) {
      return std::nullopt;
    } else if (inA && inB) {
      c.batch.push_back(d);
    } else if (inA) {
      onlyA.push_back(d);
    } else if (inB) {
      onlyB.push_back(d);
    } else {
      return std::nullopt; // an output dim no operand uses: a broadcast, not a contraction
    }
  }
  if (out.getNumResults() == 0)
    return std::nullopt;
  unsigned inner = cast<AffineDimExpr>(out.getResults().back()).getPosition();
  if (onlyA.size() == 1 && onlyA[0] == inner) {
    // The output's contiguous dim belongs to the first operand: swap the roles.
    std::swap(c.lhs, c.rhs);
    std::swap(onlyA, onlyB);
  }
  if (onlyB.size() != 1 || onlyB[0] != inner || onlyA.empty() || !hasUnitInnerStride(c.out->get()))
    return std::nullopt;
  c.rows = std::move(onlyA);
  c.col = inner;
  return c;
}

/// The register tile and cache blocks of the generated code.
struct Blocking {
  MLIRContext *context;
  int64_t lanes, tileRows, tileVectors, blockRows, blockDepth;
  int64_t tileCols() const { return lanes * tileVectors; }
};

/// The register tile's buffer: tileRows rows of tileCols floats.
MemRefType tileType(const Blocking &k) {
  return MemRefType::get({k.tileRows * k.tileCols()}, Float32Type::get(k.context));
}

/// The micro-kernels the contractions of the module call:
///   tile[i, :] += sum over s < steps of lhs[lhsOffset + i * rowStride + s * stepStride]
///                                     * rhs[rhsOffset + s * tileCols, +tileCols)
/// where lhs is a packed panel, strides (1, tileRows) (`_packed`, which
/// ignores its rowStride and rowCount arguments), or the first operand in
/// place, strides (rowStride, 1), rows from rowCount on reading its last one
/// (`_rows`)
/// with the tile in tileRows x tileVectors vector registers (each step: the
/// row's vectors loaded once, one broadcast and tileVectors fmas per row).
func::FuncOp buildTileKernel(ModuleOp module, const Blocking &k, bool rowsInPlace) {
  std::string name = "asg_gemm_tile_" + std::to_string(k.tileRows) + "x" +
                     std::to_string(k.tileCols()) + (rowsInPlace ? "_rows" : "_packed");
  if (auto existing = module.lookupSymbol<func::FuncOp>(name))
    return existing;
  ImplicitLocOpBuilder b(module.getLoc(), module.getContext());
  b.setInsertionPointToEnd(module.getBody());
  auto buffer = MemRefType::get({ShapedType::kDynamic}, b.getF32Type());
  auto fn = b.create<func::FuncOp>(
      name, b.getFunctionType({buffer, b.getIndexType(), b.getIndexType(), b.getIndexType(),
                               buffer, b.getIndexType(), b.getIndexType(), tileType(k)},
                              {}));
  fn.setPrivate();
  b.setInsertionPointToStart(fn.addEntryBlock());
  Value lhs = fn.getArgument(0), lhsOffset = fn.getArgument(1), lhsRowCount = fn.getArgument(3),
        rhs = fn.getArgument(4), rhsOffset = fn.getArgument(5), steps = fn.getArgument(6),
        tile = fn.getArgument(7);
  auto vectorType = VectorType::get({k.lanes}, b.getF32Type());
  auto constant = [&](int64_t value) { return b.create<arith::ConstantIndexOp>(value); };
  // Constant strides where the layout fixes them, so that addresses fold.
  Value rowStride = rowsInPlace ? Value(fn.getArgument(2)) : Value(constant(1));
  Value stepStride = constant(rowsInPlace ? 1 : k.tileRows);
  // In place, rows past the operand's last one read that row instead (their
  // sums land in tile rows the caller does not store).
  SmallVector<Value> lhsRows;
  Value lastRow = b.create<arith::SubIOp>(lhsRowCount, constant(1));
  for (int64_t i = 0; i < k.tileRows; ++i) {
    Value row = rowsInPlace ? Value(b.create<arith::MinSIOp>(constant(i), lastRow))
                            : Value(constant(i));
    lhsRows.push_back(b.create<arith::AddIOp>(lhsOffset, b.create<arith::MulIOp>(rowStride, row)));
  }
  SmallVector<Value> accumulators;
  for (int64_t slot = 0; slot < k.tileRows * k.tileCols(); slot += k.lanes)
    accumulators.push_back(b.create<vector::LoadOp>(vectorType, tile, ValueRange{constant(slot)}));
  auto stepsLoop = b.create<scf::ForOp>(
      constant(0), steps, constant(1), accumulators,
      [&](OpBuilder &nested, Location loc, Value step, ValueRange acc) {
        ImplicitLocOpBuilder in(loc, nested);
        auto at = [&](Value base, int64_t width, int64_t offset) {
          Value stride = in.create<arith::MulIOp>(step, in.create<arith::ConstantIndexOp>(width));
          return in.create<arith::AddIOp>(in.create<arith::AddIOp>(base, stride),
                                          in.create<arith::ConstantIndexOp>(offset));
        };
        SmallVector<Value> rowVectors;
        for (int64_t v = 0; v < k.tileVectors; ++v)
          rowVectors.push_back(in.create<vector::LoadOp>(
              vectorType, rhs, ValueRange{at(rhsOffset, k.tileCols(), v * k.lanes)}));
        SmallVector<Value> next;
        for (int64_t i = 0; i < k.tileRows; ++i) {
          Value element = in.create<memref::LoadOp>(
              lhs, ValueRange{in.create<arith::AddIOp>(
                       lhsRows[i], in.create<arith::MulIOp>(step, stepStride))});
          Value splat = in.create<vector::BroadcastOp>(vectorType, element);
          for (int64_t v = 0; v < k.tileVectors; ++v)
            next.push_back(in.create<vector::FMAOp>(splat, rowVectors[v],
                                                    acc[i * k.tileVectors + v]));
        }
        in.create<scf::YieldOp>(next);
      });
  for (auto [i, result] : llvm::enumerate(stepsLoop.getResults()))
    b.create<vector::StoreOp>(result, tile, ValueRange{constant(i * k.lanes)});
  b.create<func::ReturnOp>();
  return fn;
}

/// Writes the loops of one contraction in front of it (then erases it).
class ContractionEmitter {
public:
  ContractionEmitter(Contraction c, const Blocking &blocking, func::FuncOp packedKernel,
                     func::FuncOp rowsKernel)
      : c(std::move(c)), k(blocking), b(this->c.op.getLoc(), this->c.op),
        packedKernel(packedKernel), rowsKernel(rowsKernel) {}

  void emit() {
    SmallVector<Value> sizes = loopSizes(b, b.getLoc(), c.op);
    for (unsigned d : c.batch)
      batchExtents.push_back(sizes[d]);
    for (unsigned d : c.rows)
      rowExtents.push_back(sizes[d]);
    rows = product(b, b.getLoc(), rowExtents);
    cols = sizes[c.col];
    depth = sizes[c.red];
    zero = index(0);
    one = index(1);
    Value batches = product(b, b.getLoc(), batchExtents);
    panels = b.create<arith::CeilDivSIOp>(cols, index(k.tileCols()));
    panelSize = b.create<arith::MulIOp>(depth, index(k.tileCols()));
    Value packedSize =
        b.create<arith::MulIOp>(b.create<arith::MulIOp>(batches, panels), panelSize);
    packedRhs = b.create<memref::AllocOp>(dynamicBuffer(), ValueRange{packedSize},
                                          b.getI64IntegerAttr(64));
    fzero = b.create<arith::ConstantOp>(b.getF32FloatAttr(0));

    b.create<scf::ParallelOp>(
        ValueRange{zero, zero}, ValueRange{batches, panels}, ValueRange{one, one},
        [&](OpBuilder &nested, Location loc, ValueRange ivs) {
          OpBuilder::InsertionGuard guard(b);
          b.setInsertionPoint(nested.getInsertionBlock(), nested.getInsertionPoint());
          packRhsPanel(ivs[0], ivs[1]);
        });
    prepareLhsInPlace();
    Value blocks = b.create<arith::CeilDivSIOp>(rows, index(k.blockRows));
    b.create<scf::ParallelOp>(
        ValueRange{zero, zero}, ValueRange{batches, blocks}, ValueRange{one, one},
        [&](OpBuilder &nested, Location loc, ValueRange ivs) {
          OpBuilder::InsertionGuard guard(b);
          b.setInsertionPoint(nested.getInsertionBlock(), nested.getInsertionPoint());
          // The stack space of the packed block and the tile is given back
          // after each block. (Not memref.alloca_scope: its region must stay one block,
          // which the loops inside it are not once lowered to branches.)
          Value stack = b.create<LLVM::StackSaveOp>(LLVM::LLVMPointerType::get(b.getContext()));
          computeRowBlock(ivs[0], ivs[1]);
          b.create<LLVM::StackRestoreOp>(stack);
        });
    b.create<memref::DeallocOp>(packedRhs);
    c.op->erase();
  }

private:
  Value index(int64_t value) { return b.create<arith::ConstantIndexOp>(value); }
  Value add(Value x, Value y) { return b.create<arith::AddIOp>(x, y); }
  Value mul(Value x, Value y) { return b.create<arith::MulIOp>(x, y); }
  Value below(Value x, Value bound) {
    return b.create<arith::CmpIOp>(arith::CmpIPredicate::slt, x, bound);
  }
  /// min(x, bound - 1): an index kept inside a dim of extent `bound` >= 1.
  Value clampBelow(Value x, Value bound) {
    return b.create<arith::MinSIOp>(x, b.create<arith::SubIOp>(bound, one));
  }

  /// The op's loop indices from its roles' indices.
  SmallVector<Value> loopIndices(ArrayRef<Value> batchIvs, ArrayRef<Value> rowIvs, Value col,
                                 Value red) {
    SmallVector<Value> ivs(c.op.getNumLoops(), zero);
    for (auto [d, iv] : llvm::zip_equal(c.batch, batchIvs))
      ivs[d] = iv;
    for (auto [d, iv] : llvm::zip_equal(c.rows, rowIvs))
      ivs[d] = iv;
    ivs[c.col] = col;
    ivs[c.red] = red;
    return ivs;
  }
  SmallVector<Value> rowIndices(Value row) {
    return delinearize(b, b.getLoc(), row, rowExtents);
  }

  /// Element (row, k) of A or (k, col) of B at the clamped position, zero
  /// outside the op's extent (the padding of a partial panel).
  Value paddedLoad(OpOperand &operand, ArrayRef<Value> ivs, Value inRange) {
    return b.create<arith::SelectOp>(inRange, loadOperand(b, b.getLoc(), c.op, operand, ivs),
                                     fzero);
  }

  /// Whether loop dim `dim` walks the innermost, unit-stride dim of the operand.
  bool isContiguousAlong(OpOperand &operand, unsigned dim) {
    AffineMap map = c.op.getMatchingIndexingMap(&operand);
    return map.getNumResults() > 0 && map.getResults().back() == b.getAffineDimExpr(dim) &&
           hasUnitInnerStride(operand.get());
  }
  VectorType vectorType() { return VectorType::get({k.lanes}, b.getF32Type()); }
  MemRefType dynamicBuffer() { return MemRefType::get({ShapedType::kDynamic}, b.getF32Type()); }
  /// The first `count` lanes (none when count <= 0, all when count >= lanes).
  Value lanesBelow(Value count) {
    return b.create<vector::CreateMaskOp>(VectorType::get({k.lanes}, b.getI1Type()),
                                          ValueRange{count});
  }
  /// One vector of `operand` from its indices `at` on, zero in the lanes
  /// `mask` leaves out (which are not read).
  Value maskedLoad(OpOperand &operand, ArrayRef<Value> at, Value mask) {
    Value zeros = b.create<arith::ConstantOp>(b.getZeroAttr(vectorType()));
    return b.create<vector::MaskedLoadOp>(vectorType(), operand.get(), at, mask, zeros);
  }

  template <typename Body> void loop(Value lower, Value upper, Value step, Body body) {
    auto forOp = b.create<scf::ForOp>(lower, upper, step);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPoint(forOp.getBody()->getTerminator());
    body(forOp.getInductionVar());
  }

  /// Panel `panel` of B for batch `batch`: depth x tileCols floats, row k
  /// holding B[k, panel * tileCols ...] (zero past the last column).
  void packRhsPanel(Value batch, Value panel) {
    SmallVector<Value> batchIvs = delinearize(b, b.getLoc(), batch, batchExtents);
    SmallVector<Value> noRows(c.rows.size(), zero);
    Value base = mul(add(mul(batch, panels), panel), panelSize);
    Value firstCol = mul(panel, index(k.tileCols()));
    loop(zero, depth, one, [&](Value red) {
      Value rowBase = add(base, mul(red, index(k.tileCols())));
      if (isContiguousAlong(*c.rhs, c.col)) {
        // Whole vectors of the row, masked past the last column.
        for (int64_t v = 0; v < k.tileVectors; ++v) {
          Value col = add(firstCol, index(v * k.lanes));
          SmallVector<Value> at = operandIndices(b, b.getLoc(), c.op, *c.rhs,
                                                 loopIndices(batchIvs, noRows, col, red));
          Value vector = maskedLoad(*c.rhs, at, lanesBelow(b.create<arith::SubIOp>(cols, col)));
          b.create<vector::StoreOp>(vector, packedRhs, ValueRange{add(rowBase, index(v * k.lanes))});
        }
        return;
      }
      loop(zero, index(k.tileCols()), one, [&](Value j) {
        Value col = add(firstCol, j);
        Value value = paddedLoad(*c.rhs, loopIndices(batchIvs, noRows, clampBelow(col, cols), red),
                                 below(col, cols));
        b.create<memref::StoreOp>(value, packedRhs, ValueRange{add(rowBase, j)});
      });
    });
  }

  /// Rows [block * blockRows, ...) of C for batch `batch`, in steps of
  /// blockDepth along k: pack the A block (unless A is read in place), then
  /// every register tile.
  void computeRowBlock(Value batch, Value block) {
    batchIvs = delinearize(b, b.getLoc(), batch, batchExtents);
    if (!lhsInPlace) {
      auto packedType = MemRefType::get({k.blockRows * k.blockDepth}, b.getF32Type());
      packedLhs = b.create<memref::AllocaOp>(packedType, b.getI64IntegerAttr(64));
      packedLhsView = b.create<memref::CastOp>(dynamicBuffer(), packedLhs);
    }
    tile = b.create<memref::AllocaOp>(tileType(k), b.getI64IntegerAttr(64));
    Value firstRow = mul(block, index(k.blockRows));
    Value blockRows = b.create<arith::MinSIOp>(index(k.blockRows),
                                               b.create<arith::SubIOp>(rows, firstRow));
    Value rowPanels = b.create<arith::CeilDivSIOp>(blockRows, index(k.tileRows));
    Value batchPanels = mul(batch, panels);
    loop(zero, depth, index(k.blockDepth), [&](Value firstRed) {
      Value steps = b.create<arith::MinSIOp>(index(k.blockDepth),
                                             b.create<arith::SubIOp>(depth, firstRed));
      if (!lhsInPlace)
        packLhsBlock(firstRow, rowPanels, firstRed, steps);
      loop(zero, panels, one, [&](Value panel) {
        Value rhsOffset = add(mul(add(batchPanels, panel), panelSize),
                              mul(firstRed, index(k.tileCols())));
        Value firstCol = mul(panel, index(k.tileCols()));
        loop(zero, rowPanels, one, [&](Value rowPanel) {
          Value tileRow = add(firstRow, mul(rowPanel, index(k.tileRows)));
          if (!lhsInPlace) {
            LhsPanel packed{packedKernel, packedLhsView,
                            mul(mul(rowPanel, index(k.tileRows)), steps), one,
                            index(k.tileRows)};
            return microKernel(tileRow, firstCol, steps, packed, rhsOffset);
          }
          LhsPanel inPlace{rowsKernel, lhsFlat, lhsElement(tileRow, firstRed), lhsRowStride,
                           b.create<arith::SubIOp>(rows, tileRow)};
          microKernel(tileRow, firstCol, steps, inPlace, rhsOffset);
        });
      });
    });
  }

  /// Where the micro-kernel reads a panel of A: the kernel for its layout,
  /// the buffer, the first element, the distance between rows and how many
  /// rows exist from the first on.
  struct LhsPanel {
    func::FuncOp kernel;
    Value buffer, offset, rowStride, rowCount;
  };

  /// The first operand as a flat buffer with its row stride, when it can be
  /// read in place: one row dim and k contiguous.
  void prepareLhsInPlace() {
    lhsInPlace = c.rows.size() == 1 && isContiguousAlong(*c.lhs, c.red);
    if (!lhsInPlace)
      return;
    auto metadata = b.create<memref::ExtractStridedMetadataOp>(c.lhs->get());
    lhsMetadata = metadata;
    AffineMap map = c.op.getMatchingIndexingMap(c.lhs);
    std::optional<unsigned> rowResult = map.getResultPosition(b.getAffineDimExpr(c.rows[0]));
    lhsRowStride = metadata.getStrides()[*rowResult];
    // Elements up to the last one the view can reach.
    Value extent = add(metadata.getOffset(), one);
    for (auto [size, stride] : llvm::zip_equal(metadata.getSizes(), metadata.getStrides()))
      extent = add(extent, mul(b.create<arith::SubIOp>(size, one), stride));
    lhsFlat = b.create<memref::ReinterpretCastOp>(
        dynamicBuffer(), metadata.getBaseBuffer(), OpFoldResult(b.getIndexAttr(0)),
        ArrayRef<OpFoldResult>{extent}, ArrayRef<OpFoldResult>{b.getIndexAttr(1)});
  }
  /// The flat index of A[batch, row, red] (row inside the operand).
  Value lhsElement(Value row, Value red) {
    SmallVector<Value> at =
        operandIndices(b, b.getLoc(), c.op, *c.lhs, loopIndices(batchIvs, {row}, zero, red));
    Value element = lhsMetadata.getOffset();
    for (auto [i, stride] : llvm::zip_equal(at, lhsMetadata.getStrides()))
      element = add(element, mul(i, stride));
    return element;
  }

  /// A[firstRow.., firstRed..] into panels of tileRows rows: panel p holds
  /// `steps` columns of tileRows floats (zero past the last row).
  void packLhsBlock(Value firstRow, Value rowPanels, Value firstRed, Value steps) {
    loop(zero, rowPanels, one, [&](Value rowPanel) {
      Value panelBase = mul(mul(rowPanel, index(k.tileRows)), steps);
      loop(zero, index(k.tileRows), one, [&](Value i) {
        Value row = add(add(firstRow, mul(rowPanel, index(k.tileRows))), i);
        SmallVector<Value> rowIvs = rowIndices(clampBelow(row, rows));
        Value inRange = below(row, rows);
        Value base = add(panelBase, i);
        loop(zero, steps, one, [&](Value step) {
          Value value = paddedLoad(*c.lhs, loopIndices(batchIvs, rowIvs, zero, add(firstRed, step)),
                                   inRange);
          b.create<memref::StoreOp>(value, packedLhs,
                                    ValueRange{add(base, mul(step, index(k.tileRows)))});
        });
      });
    });
  }

  /// C[tileRow + i, firstCol + v * lanes ...] += the packed panels' product
  /// over `steps` steps of k: the C tile is copied into `tile` (masked at
  /// C's edges), the shared tile kernel updates it, and it is copied back.
  void microKernel(Value tileRow, Value firstCol, Value steps, const LhsPanel &lhs,
                   Value rhsOffset) {
    Value colsLeft = b.create<arith::SubIOp>(cols, firstCol);
    SmallVector<Value> colMasks;
    for (int64_t v = 0; v < k.tileVectors; ++v)
      colMasks.push_back(lanesBelow(b.create<arith::SubIOp>(colsLeft, index(v * k.lanes))));
    Value noLanes = b.create<arith::ConstantOp>(b.getZeroAttr(colMasks[0].getType()));
    auto forEachTileVector = [&](auto body) {
      loop(zero, index(k.tileRows), one, [&](Value i) {
        Value row = add(tileRow, i);
        SmallVector<Value> rowIvs = rowIndices(clampBelow(row, rows));
        Value rowInside = below(row, rows);
        for (int64_t v = 0; v < k.tileVectors; ++v) {
          Value mask = b.create<arith::SelectOp>(rowInside, colMasks[v], noLanes);
          SmallVector<Value> at = operandIndices(
              b, b.getLoc(), c.op, *c.out,
              loopIndices(batchIvs, rowIvs, add(firstCol, index(v * k.lanes)), zero));
          Value slot = add(mul(i, index(k.tileCols())), index(v * k.lanes));
          body(at, mask, slot);
        }
      });
    };
    forEachTileVector([&](ArrayRef<Value> at, Value mask, Value slot) {
      Value value = maskedLoad(*c.out, at, mask);
      b.create<vector::StoreOp>(value, tile, ValueRange{slot});
    });
    b.create<func::CallOp>(lhs.kernel, ValueRange{lhs.buffer, lhs.offset, lhs.rowStride,
                                                  lhs.rowCount, packedRhs, rhsOffset, steps,
                                                  tile});
    forEachTileVector([&](ArrayRef<Value> at, Value mask, Value slot) {
      Value value = b.create<vector::LoadOp>(vectorType(), tile, ValueRange{slot});
      b.create<vector::MaskedStoreOp>(c.out->get(), at, mask, value);
    });
  }

  Contraction c;
  const Blocking k;
  ImplicitLocOpBuilder b;
  SmallVector<Value> batchExtents, rowExtents, batchIvs;
  func::FuncOp packedKernel, rowsKernel;
  bool lhsInPlace = false;
  memref::ExtractStridedMetadataOp lhsMetadata;
  Value lhsFlat, lhsRowStride;
  Value rows, cols, depth, zero, one, fzero, panels, panelSize, packedRhs, packedLhs,
      packedLhsView, tile;
};

struct AsgCpuContractionsPass : impl::AsgCpuContractionsBase<AsgCpuContractionsPass> {
  using AsgCpuContractionsBase::AsgCpuContractionsBase;

  void runOnOperation() override {
    if (vectorWidth < 1 || tileRows < 1 || tileVectors < 1 || blockDepth < 1 ||
        blockRows < tileRows || blockRows % tileRows != 0) {
      getOperation().emitError("asg-cpu-contractions: block-rows must be a positive multiple of "
                               "tile-rows, and every size positive");
      return signalPassFailure();
    }
    Blocking blocking{&getContext(), vectorWidth, tileRows, tileVectors, blockRows, blockDepth};
    SmallVector<Contraction> contractions;
    getOperation().walk([&](linalg::LinalgOp op) {
      if (std::optional<Contraction> contraction = matchContraction(op))
        contractions.push_back(*contraction);
    });
    if (contractions.empty())
      return;
    func::FuncOp packedKernel = buildTileKernel(getOperation(), blocking, false);
    func::FuncOp rowsKernel = buildTileKernel(getOperation(), blocking, true);
    for (Contraction &contraction : contractions)
      ContractionEmitter(contraction, blocking, packedKernel, rowsKernel).emit();
  }
};

} // namespace
} // namespace asg
