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

    A `linalg.transpose` read by a contraction (the transposed weights and
    activations of the backward matmuls) is folded into the contraction's
    indexing map instead: it computes nothing, and the contraction's code
    reads any operand layout.
  }];
  let dependentDialects = ["mlir::linalg::LinalgDialect", "mlir::tensor::TensorDialect"];
}

def AsgPrivateFills : Pass<"asg-private-fills"> {
  let summary = "Give each op that accumulates into a filled tensor its own linalg.fill";
  let description = [{
    CSE merges equal fills (the zeros that several matmuls and reductions
    start from) into one tensor; one-shot bufferization then fills one buffer
    and copies it for every other user. A fill per user (cloned just before
    it) is bufferized in place instead: a fill is cheaper than a copy, and on
    the GPU the kernels fold the fill into the op that follows it.
  }];
  let dependentDialects = ["mlir::linalg::LinalgDialect"];
}

def AsgReassociateSums : Pass<"asg-reassociate-sums"> {
  let summary = "Mark the accumulating addf of linalg reductions reassociable";
  let description = [{
    A reduction whose body yields `out + x` gets the `reassoc` fast-math flag
    on that addf, and nothing else (no-NaN/no-Inf stay off, so NaN and Inf
    propagate as before). LLVM can then vectorize and interleave the sum
    along the loop: several partial sums combined at the end, in an order
    fixed by the generated code, so results stay identical from run to run
    and for any number of threads; they differ from a sequential sum only by
    rounding. (Matmul-like ops are asg-cpu-contractions' and keep the order
    of k.)
  }];
  let dependentDialects = ["mlir::arith::ArithDialect"];
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

def AsgCpuContractions : Pass<"asg-cpu-contractions", "mlir::ModuleOp"> {
  let summary = "Matmul-like linalg ops on buffers as packed, register-blocked vector loops for the CPU";
  let description = [{
    Runs on f32 contractions on buffers (named or generic linalg ops): one
    reduction dim k, exactly one dim n that only the second operand and the
    output use, which must be the output's innermost dim (else the operands
    swap roles), any number of row dims that only the first operand and the
    output use (flattened into one row index m) and batch dims that all three
    use. Any operand layout the indexing maps allow; the output's innermost
    stride must be 1.

    The op becomes the classic packed GEMM:
      1. an `scf.parallel` over (batch, n-panels) packs the second operand into
         panels of `nr` = vector-width x vectors-per-row columns, zero padded;
      2. an `scf.parallel` over (batch, blocks of `mc` rows) then, for each
         block of `kc` steps of k, packs the rows into an `memref.alloca` in
         panels of `mr` rows (zero padded; the stack is saved and restored
         around each row block) -- or, when the first operand has one row
         dim and a contiguous k, reads it in place (rows past its end read
         its last row) -- and walks the block in
         `mr` x `nr` tiles: the tile is copied from the output into a small
         stack buffer (masked at the output's edges), the module's
         micro-kernel function for that layout of A
         (`asg_gemm_tile_<mr>x<nr>_packed` or `_rows`, shared by every
         contraction) keeps it in `mr` x vectors-per-row vector registers and
         adds one `vector.fma` of a broadcast row element and a panel vector
         per (row, vector) and k step, and the tile is copied back.
    Every output element still sums its products in order of k, starting from
    its value in the output, exactly like the loops of the op (so results
    are identical for any split of the parallel loops among threads).
  }];
  let options = [
    Option<"vectorWidth", "vector-width", "int64_t", /*default=*/"16",
           "f32 lanes of the target's vector registers (16: AVX-512, 8: AVX2, 4: SSE/NEON)">,
    Option<"tileRows", "tile-rows", "int64_t", /*default=*/"6",
           "Rows of the micro-kernel's register tile (mr)">,
    Option<"tileVectors", "tile-vectors", "int64_t", /*default=*/"4",
           "Vectors per row of the micro-kernel's register tile (nr = vector-width x this)">,
    Option<"blockRows", "block-rows", "int64_t", /*default=*/"48",
           "Rows per packed block of the first operand (mc, a multiple of tile-rows)">,
    Option<"blockDepth", "block-depth", "int64_t", /*default=*/"128",
           "Steps of k per packed block (kc)">
  ];
  let dependentDialects = ["mlir::scf::SCFDialect", "mlir::memref::MemRefDialect",
                           "mlir::vector::VectorDialect", "mlir::affine::AffineDialect",
                           "mlir::LLVM::LLVMDialect"];
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

def AsgCpuContext : Pass<"asg-cpu-context", "mlir::ModuleOp"> {
  let summary = "Give each CPU entry function the runtime's asg_cpu_context as a last argument";
  let description = [{
    Runs on memrefs, after bufferization. Each function named in the module
    attribute `asg.entries` gets a trailing `!llvm.ptr` argument: the
    `const asg_cpu_context *` the runtime passes to every call (docs/abi.md,
    "ABI 3"), through which later passes reach scratch memory and
    `parallel_for` (loading its fields with llvm.getelementptr/llvm.load).
    The functions and the module are marked `asg.cpu_context`, which
    asg-emit-entry-points requires of CPU modules. Functions already marked
    are left alone.
  }];
  let dependentDialects = ["mlir::LLVM::LLVMDialect"];
}

def AsgPlanMemory : Pass<"asg-plan-memory", "mlir::ModuleOp"> {
  let summary = "Place each function's intermediate buffers in one arena, reusing dead ones' memory";
  let description = [{
    Runs on bufferized functions after the deallocation pipeline (plain
    `memref.dealloc`s). Every `memref.alloc` that does not escape (results
    are returned and stay heap buffers the runtime adopts), is freed by one
    unconditional `memref.dealloc` in its block and whose size the function
    can compute at its entry (through dims of selects, collapse and expand
    shapes of its buffers) becomes a `memref.view` into one arena, and its
    dealloc goes. Lifetimes run from the alloc to the last use (through
    views) in program order; a use inside a loop keeps the buffer live for
    the whole loop, and buffers inside sequential loops (scf.for/while/if)
    are live within one iteration, never inside parallel regions.
    Two layouts, the smaller by an estimate (exact for static shapes):
    offset packing of each group of buffers with the same dynamic sizes
    (largest first, at the lowest 64-byte-aligned offset, in units of the
    group's factor, free of every buffer live at the same time), or greedy
    interval colouring into slots of the largest occupant's size
    (`arith.maxui` of sizes computed from the dynamic dims). The arena's
    size is a constant when every planned buffer has a static shape.
    An entry function with the CPU context (`asg.cpu_context`, after
    asg-cpu-context) gets the arena from `ctx->scratch(ctx->self, bytes)` at
    its entry and returns status -1 with null results when that yields NULL
    (docs/abi.md, "ABI 3"), each offset of it through an opaque pointer
    (an empty inline asm) so that LLVM treats the buffers as distinct
    objects and still vectorizes; any other function allocates it with one
    `memref.alloc {asg.arena}` freed before each return. The module
    attribute `asg.arena.<function>` records the arena's size (-1: dynamic)
    and the buffers planned (compiler/Transforms/Arena.h), for the
    descriptor's `scratch` record and `asgc --stats`.
  }];
  let dependentDialects = [
    "mlir::arith::ArithDialect", "mlir::memref::MemRefDialect",
    "mlir::cf::ControlFlowDialect", "mlir::LLVM::LLVMDialect"
  ];
}

def AsgCpuParallelOutlining : Pass<"asg-cpu-parallel-outlining", "mlir::ModuleOp"> {
  let summary = "Run the outermost scf.parallel loops of CPU entry functions through parallel_for";
  let description = [{
    Runs after asg-cpu-context on loops (convert-linalg-to-parallel-loops:
    every parallel iterator of a linalg op is an scf.parallel dim, every
    reduction an scf.for inside it). Each scf.parallel of an entry function
    that is not inside another loop and has enough work (its iterations times
    the ops of one iteration, nested loops counted per trip, at least
    `min-work`) is outlined:

    - its dims are linearized into one iteration count n (row-major): the
      rows of the outer dims times blocks of the innermost dim (1 iteration
      when the body has loops, else 256, so that chunks start where a
      vectorized loop on one thread would have its vector body: each
      element is computed by the same instructions for any split);
    - its body becomes `func.func private @<entry>_par<K>(%captures: !llvm.ptr,
      %begin: i64, %end: i64)`, which walks the blocks [begin, end) row by
      row (the innermost loop stays a plain loop) and delinearizes the outer
      indices once per row;
    - every value the body uses from above (memrefs as their LLVM descriptor
      struct through `builtin.unrealized_conversion_cast`, indices as i64,
      scalars, pointers, 1-D vectors) is stored into an `llvm.alloca`'d
      struct; constants are rematerialized in the body instead;
    - the loop is replaced by `ctx->parallel_for(ctx->self, @body, captures,
      n)` through the entry's asg_cpu_context argument. With trip counts that
      only run time knows, an `scf.if` calls the body function directly for
      all of [0, n), on the calling thread, when n is below the threshold
      (one copy of the loop's code, not two).

    Loops with less work, loops nested in other loops, loops with reductions
    (results) and loops that use a value the struct cannot carry stay as they
    are. Every iteration computes exactly what it did in the loop (reductions
    stay in order inside it), so results are bitwise identical for every
    thread count.
  }];
  let options = [
    Option<"minWork", "min-work", "int64_t", /*default=*/"1 << 17",
           "The least iterations x ops per iteration worth sharing among threads">
  ];
  let dependentDialects = [
    "mlir::LLVM::LLVMDialect", "mlir::arith::ArithDialect", "mlir::func::FuncDialect",
    "mlir::scf::SCFDialect"
  ];
}

def AsgEmitEntryPoints : Pass<"asg-emit-entry-points", "mlir::ModuleOp"> {
  let summary = "Add the uniform C entry points and the model descriptor (LLVM dialect)";
  let description = [{
    Runs on the LLVM dialect. For each entry point `E` with a C interface
    wrapper, adds `void <model>_E(void *const *args, void *results, ctx)`
    that calls it, forwarding `ctx` (the `asg_cpu_context` of a CPU model,
    the `asg_gpu_recorder` of a SPIR-V one; docs/abi.md), the metadata text
    and the descriptor global `<model>_model`, and gives every other symbol
    internal linkage so several models link into one program.
  }];
  let dependentDialects = ["mlir::LLVM::LLVMDialect"];
}

//===----------------------------------------------------------------------===//
// The SPIR-V target (docs/pipeline.md, "SPIR-V"): loops -> GPU kernels -> SPIR-V.
//===----------------------------------------------------------------------===//

def AsgStatusToTensor : Pass<"asg-status-to-tensor", "mlir::ModuleOp"> {
  let summary = "Compute each function's i32 status in a 0-d tensor (for device code)";
  let description = [{
    Runs after asg-to-linalg. The status result is built on the host from
    scalars, some of them `tensor.extract`ed from data-dependent checks. On a
    GPU the host never sees data, so the status becomes a `tensor<i32>`
    computed by a 0-d linalg.generic whose inputs are the extracted 0-d
    tensors; host-only scalars (dim checks) are captured from above.
  }];
  let dependentDialects = ["mlir::linalg::LinalgDialect", "mlir::tensor::TensorDialect"];
}

def AsgParallelDimsOutermost : Pass<"asg-parallel-dims-outermost"> {
  let summary = "Interchange linalg ops so every parallel loop is outside every reduction loop";
  let description = [{
    Generalizes named linalg ops and interchanges their loops so that the
    parallel dims come first, in their original order, then the reduction
    dims. `convert-linalg-to-parallel-loops` then yields one `scf.parallel`
    over all parallel dims with the reductions as `scf.for` inside: one GPU
    kernel per op, each thread owning its output elements (no atomics, the
    same summation order as on the CPU).
  }];
  let dependentDialects = ["mlir::linalg::LinalgDialect"];
}

def AsgGpuTiledContractions : Pass<"asg-gpu-tiled-contractions", "mlir::func::FuncOp"> {
  let summary = "Matmul-like linalg ops as GPU kernels with operand tiles in workgroup memory";
  let description = [{
    Runs on linalg ops on buffers (named contractions are generalized). A contraction
    with one reduction dim k, a dim i only the first operand uses and a dim j
    only the second uses (batch dims are the rest; any operand layout)
    becomes a gpu.launch: one workgroup of tile-size x tile-size threads per
    output tile of (2 tile-size)^2 elements, stepping along k by `tile-size`;
    each step copies a tile of both operands into workgroup memory (clamped
    loads, zero padding), then every thread folds its 2x2 output elements in
    registers with the op's own body, starting from the output's value and
    adding in order of k like the CPU code (or from
    the value of a linalg.fill of the output just before, which goes).
  }];
  let options = [
    Option<"tileSize", "tile-size", "int64_t", /*default=*/"16",
           "Threads along each edge of a workgroup (each computes 2x2 outputs)">
  ];
  let dependentDialects = ["mlir::gpu::GPUDialect", "mlir::scf::SCFDialect",
                           "mlir::memref::MemRefDialect", "mlir::affine::AffineDialect"];
}

def AsgGpuWorkgroupReductions : Pass<"asg-gpu-workgroup-reductions", "mlir::func::FuncOp"> {
  let summary = "Long linalg reductions as kernels where a workgroup reduces each output element";
  let description = [{
    Runs on linalg ops on buffers. A reduction whose single output is
    `out = combiner(out, value)` (add, mul, max, min, and, or, xor, integer
    or float) and whose reduction is long (dynamic, or at least `min-length`
    elements) becomes a gpu.launch: one workgroup per output element
    (grid-stride over the outputs), each thread folding a strided share of
    the reduction from the combiner's neutral element, the partials combined
    in a tree in workgroup memory, and thread 0 folding the total into the
    output (or into the value of a linalg.fill of the output just before,
    which goes). This reassociates the reduction (like every GPU reduction);
    contractions (matmul & co.) are left to their own tiled kernels, short
    reductions to one thread per output.
  }];
  let options = [
    Option<"workgroupSize", "workgroup-size", "int64_t", /*default=*/"128",
           "Threads per workgroup (a power of two)">,
    Option<"minLength", "min-length", "int64_t", /*default=*/"32",
           "Shortest static reduction worth a workgroup">
  ];
  let dependentDialects = ["mlir::gpu::GPUDialect", "mlir::scf::SCFDialect",
                           "mlir::memref::MemRefDialect", "mlir::affine::AffineDialect"];
}

def AsgMapParallelLoopsToGpu : Pass<"asg-map-parallel-loops-to-gpu", "mlir::func::FuncOp"> {
  let summary = "Turn top-level scf.parallel loops into gpu.launch, the rest of the data work into 1-thread launches";
  let description = [{
    Each top-level `scf.parallel` becomes a `gpu.launch` of 1-D workgroups of
    `workgroup-size` threads: its iteration space is linearized (the last dim
    fastest, so neighbouring threads touch neighbouring elements) and walked
    with a grid-stride loop over at most 65535 workgroups. Nested
    `scf.parallel` loops become `scf.for`. Host code that still reads or writes
    buffers (0-d ops, full reductions to a scalar) is grouped into launches
    of one thread, so the host never touches device memory.
  }];
  let options = [
    Option<"workgroupSize", "workgroup-size", "int64_t", /*default=*/"64",
           "Threads per workgroup of the mapped loops">
  ];
  let dependentDialects = ["mlir::gpu::GPUDialect", "mlir::scf::SCFDialect",
                           "mlir::arith::ArithDialect"];
}

def AsgFlattenKernelMemrefs : Pass<"asg-flatten-kernel-memrefs", "mlir::func::FuncOp"> {
  let summary = "Give gpu.launch bodies only 1-D identity memrefs with explicit index arithmetic";
  let description = [{
    SPIR-V storage buffers are 1-D runtime arrays, and memrefs with dynamic
    dims, offsets or strides do not convert. For every memref a launch body
    uses from above, the host takes its base buffer as `memref<?xT>` and
    the body computes `offset + sum(index_i * stride_i)` itself, from
    offsets, sizes and strides captured as scalars (static ones as constants).
    Constants and integer casts are then sunk into the launch, so kernels
    take only run-time index, i1 and 32-bit scalars.
  }];
  let dependentDialects = ["mlir::memref::MemRefDialect", "mlir::arith::ArithDialect"];
}

def AsgGpuDispatchAbi : Pass<"asg-gpu-dispatch-abi", "mlir::ModuleOp"> {
  let summary = "Bind outlined kernels to the runtime: buffers, push constants, dispatch calls";
  let description = [{
    Runs after `gpu-kernel-outlining`. Each kernel's scalar arguments become
    32-bit push constants and its memref arguments storage buffers (set 0,
    binding = position); the workgroup size becomes its
    `spirv.entry_point_abi`. On the host, each function gets a trailing
    `!llvm.ptr` argument (the runtime's `asg_gpu_recorder`), every
    `gpu.launch_func` becomes a `dispatch` call through it, and every
    `memref.get_global` becomes a fresh buffer filled by `upload`. The kernel
    table (name, buffers, push constants, workgroup size, the mask of the
    bindings it writes) is recorded in the module attribute `asg.gpu.kernels`.
  }];
  let dependentDialects = ["mlir::LLVM::LLVMDialect", "mlir::spirv::SPIRVDialect",
                           "mlir::memref::MemRefDialect"];
}

def AsgKernelsToSpirv : Pass<"asg-kernels-to-spirv", "mlir::ModuleOp"> {
  let summary = "Convert the gpu.module of outlined kernels to a spirv.module";
  let description = [{
    Upstream GPU, SCF, arith, math, memref and control-flow to SPIR-V patterns
    under the module's `spirv.target_env` (Vulkan 1.1, Shader + Int64), with
    push constant loads (from asg-gpu-dispatch-abi) left in place. Loop
    results become `lb < ub ? result : init` first: the SCF patterns leave
    the results of a loop that runs no iteration undefined.
  }];
  let dependentDialects = ["mlir::spirv::SPIRVDialect"];
}

def AsgSerializeKernels : Pass<"asg-serialize-kernels", "mlir::ModuleOp"> {
  let summary = "Serialize and validate each kernel's SPIR-V module and embed it in the host module";
  let description = [{
    Every spirv.module becomes SPIR-V words (one module per kernel), checked
    with the SPIRV-Tools validator for Vulkan 1.1 (a failure is an internal
    error carrying the validator's message), and stored as the module
    attribute `asg.gpu.spirv` (one dense i32 array per kernel, in kernel
    order) for asg-emit-entry-points and `asgc --emit spirv`. The GPU and
    SPIR-V modules are then erased.
  }];
}

def AsgGpuHostCalls : Pass<"asg-gpu-host-calls", "mlir::ModuleOp"> {
  let summary = "Route the host code's malloc and free to the runtime's device allocator";
  let description = [{
    Runs on the LLVM dialect. In functions with a recorder argument (from
    asg-gpu-dispatch-abi), `malloc` and `free` calls become the recorder's
    `alloc` and `release`: every buffer of the host code lives on the device.
  }];
  let dependentDialects = ["mlir::LLVM::LLVMDialect"];
}

#endif // ASG_TRANSFORMS_PASSES_TD
