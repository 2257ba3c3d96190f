// KernelBuilder.h: pieces shared by the passes that write GPU kernels (gpu.launch) for
// loops and linalg ops: launches, index arithmetic, linalg bodies inside kernels.
#ifndef ASG_COMPILER_CONVERSION_LOOPSTOGPU_KERNELBUILDER_H
#define ASG_COMPILER_CONVERSION_LOOPSTOGPU_KERNELBUILDER_H

#include "compiler/Transforms/LoopBuilders.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"

namespace asg {

/// Vulkan guarantees at least 65535 workgroups per grid dimension.
constexpr int64_t kMaxWorkgroups = 65535;

/// A gpu.launch of `groups` x 1 x 1 workgroups of `threads` x 1 x 1 threads
/// with an empty body ending in gpu.terminator; `b` is left inside the body.
mlir::gpu::LaunchOp createLaunch(mlir::OpBuilder &b, mlir::Location loc, mlir::Value groups,
                                 mlir::Value threads);

/// A launch of 1-D workgroups of `threads` threads, one thread per item of
/// `items` (at most 65535 workgroups), and its grid-stride loop over the
/// items; `b` is left inside the loop. Returns the item index.
mlir::Value launchPerItem(mlir::OpBuilder &b, mlir::Location loc, mlir::Value items,
                          int64_t threads);

/// min(ceil(work / perGroup), 65535): workgroups for a grid-stride loop.
mlir::Value gridFor(mlir::OpBuilder &b, mlir::Location loc, mlir::Value work, int64_t perGroup);

/// Clones the body of `op` (block arguments already mapped in `mapping`)
/// except its terminator and the ops in `skip`; `linalg.index d` becomes ivs[d].
void cloneBody(mlir::OpBuilder &b, mlir::linalg::GenericOp op, mlir::IRMapping &mapping,
               mlir::ValueRange ivs, llvm::ArrayRef<mlir::Operation *> skip = {});

/// The linalg.fill that initializes `init` (an output buffer of `op`) when
/// nothing reads or writes that buffer between the two: a kernel that
/// writes every output element can start from the fill's value instead and
/// the fill can go.
mlir::linalg::FillOp initializingFill(mlir::linalg::LinalgOp op, mlir::OpOperand &init);

} // namespace asg

#endif // ASG_COMPILER_CONVERSION_LOOPSTOGPU_KERNELBUILDER_H
