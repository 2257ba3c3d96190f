/* fake_spirv_model.c: a hand-written SPIR-V model following docs/abi.md ("The SPIR-V
 * target"), as asgc --target spirv would emit it: host entry functions that record
 * their work through the asg_gpu_recorder, and kernels assembled at build time from
 * the .spvasm files in test/unit/spirv (fake_spirv_kernels.h).
 *
 * Linked into the unit tests (fakegpu_model) and built as fakegpu.so for asg-run
 * (FAKE_EXPORT_ALIAS: also exports asg_shared_model). */
#include "fake_spirv_kernels.h"
#include "fake_memref.h"

#include <asg/runtime.h>

#include <stdint.h>
#include <string.h>

/* Kernel indices (kKernels below). */
enum { kAddBias, kCheckNan, kAxpy, kSum, kIncI64, kNumKernels };

static int64_t groups(int64_t n, int64_t size) { return (n + size - 1) / size; }

static int32_t f32_bits(float f) {
  int32_t i;
  memcpy(&i, &f, sizeof i);
  return i;
}

/* A fresh i32 status buffer holding 0. */
static memref0 new_status(const asg_gpu_recorder *g) {
  void *s = g->alloc(g->self, 4);
  const int32_t zero = 0;
  g->upload(g->self, s, &zero, 4);
  return (memref0){s, s, 0};
}

/* out = a + alpha * b over n elements, written from out[dst_offset]. */
static void axpy(const asg_gpu_recorder *g, void *a, void *b, void *out, int64_t n, int64_t dst_offset, float alpha) {
  void *bufs[3] = {a, b, out};
  int32_t pc[3] = {(int32_t)n, (int32_t)dst_offset, f32_bits(alpha)};
  g->dispatch(g->self, kAxpy, bufs, pc, groups(n, 64), 1, 1);
}

/* forward(x [batch, 4], bias [4]) -> out [batch, 4] = x + bias; status 1 if x has a NaN */
static void forward(void *const *args, void *results, const asg_gpu_recorder *g) {
  const memref2 *x = args[0];
  const memref1 *bias = args[1];
  struct { memref2 out; memref0 status; } *r = results;
  int64_t n = x->sizes[0] * 4;
  r->status = new_status(g);
  void *check_bufs[2] = {x->aligned, r->status.aligned};
  int32_t check_pc[2] = {(int32_t)n, 1};
  g->dispatch(g->self, kCheckNan, check_bufs, check_pc, groups(n, 64), 1, 1);
  void *out = g->alloc(g->self, n * 4);
  void *bufs[3] = {x->aligned, bias->aligned, out};
  int32_t pc[2] = {(int32_t)n, 4};
  g->dispatch(g->self, kAddBias, bufs, pc, groups(n, 64), 1, 1);
  r->out = (memref2){out, out, 0, {x->sizes[0], 4}, {4, 1}};
}

/* chain(x) -> y = 4x as ((x + x) + x) + x, releasing each intermediate once dead: the
 * third buffer can reuse the first. */
static void chain(void *const *args, void *results, const asg_gpu_recorder *g) {
  const memref2 *x = args[0];
  struct { memref2 y; memref0 status; } *r = results;
  int64_t n = x->sizes[0] * 4;
  r->status = new_status(g);
  void *t1 = g->alloc(g->self, n * 4);
  axpy(g, x->aligned, x->aligned, t1, n, 0, 1.0f);
  void *t2 = g->alloc(g->self, n * 4);
  axpy(g, t1, x->aligned, t2, n, 0, 1.0f);
  g->release(g->self, t1);
  void *t3 = g->alloc(g->self, n * 4);
  axpy(g, t2, x->aligned, t3, n, 0, 1.0f);
  g->release(g->self, t2);
  r->y = (memref2){t3, t3, 0, {x->sizes[0], 4}, {4, 1}};
}

/* train_step(x, bias, optim.bias.momentum_buffer, optim.step) with g = x[0, :]:
 *   m' = g + 0.9 m;  bias' = bias - 0.1 m';  loss = sum(bias');  step' = step + 1
 * -> loss, update bias, update m, update step; status 1 if x has a NaN. */
static void train_step(void *const *args, void *results, const asg_gpu_recorder *gpu) {
  const memref2 *x = args[0];
  const memref1 *bias = args[1], *m = args[2];
  const memref0 *step = args[3];
  struct { memref0 loss; memref1 bias, m; memref0 step, status; } *r = results;
  int64_t n = x->sizes[0] * 4, k = n < 4 ? n : 4;
  r->status = new_status(gpu);
  void *check_bufs[2] = {x->aligned, r->status.aligned};
  int32_t check_pc[2] = {(int32_t)n, 1};
  gpu->dispatch(gpu->self, kCheckNan, check_bufs, check_pc, groups(n, 64), 1, 1);
  void *m2 = gpu->alloc(gpu->self, 16), *b2 = gpu->alloc(gpu->self, 16);
  axpy(gpu, x->aligned, m->aligned, m2, k, 0, 0.9f);
  axpy(gpu, bias->aligned, m2, b2, 4, 0, -0.1f);
  void *loss = gpu->alloc(gpu->self, 4);
  void *sum_bufs[2] = {b2, loss};
  int32_t sum_pc[1] = {4};
  gpu->dispatch(gpu->self, kSum, sum_bufs, sum_pc, 1, 1, 1);
  void *step2 = gpu->alloc(gpu->self, 8);
  void *inc_bufs[2] = {step->aligned, step2};
  gpu->dispatch(gpu->self, kIncI64, inc_bufs, NULL, 1, 1, 1);
  r->loss = (memref0){loss, loss, 0};
  r->bias = (memref1){b2, b2, 0, {4}, {1}};
  r->m = (memref1){m2, m2, 0, {4}, {1}};
  r->step = (memref0){step2, step2, 0};
}

/* swap(bias, optim.bias.momentum_buffer) -> update bias = the buffer, update buffer = bias:
 * each update is the other's argument, so the runtime must copy both before replacing. */
static void swap(void *const *args, void *results, const asg_gpu_recorder *g) {
  const memref1 *bias = args[0], *m = args[1];
  struct { memref1 bias, m; memref0 status; } *r = results;
  r->status = new_status(g);
  r->bias = *m;
  r->m = *bias;
}

/* transpose(x [batch, 4]) -> t [4, batch] = x^T, a strided view (offset 1) of a copy of x */
static void transpose(void *const *args, void *results, const asg_gpu_recorder *g) {
  const memref2 *x = args[0];
  struct { memref2 t; memref0 status; } *r = results;
  int64_t b = x->sizes[0], n = b * 4;
  r->status = new_status(g);
  void *buf = g->alloc(g->self, (n + 1) * 4);
  axpy(g, x->aligned, x->aligned, buf, n, 1, 0.0f);
  r->t = (memref2){buf, buf, 1, {4, b}, {1, 4}};
}

/* echo(x) -> (x itself, x again): results aliasing an argument and an earlier result */
static void echo(void *const *args, void *results, const asg_gpu_recorder *g) {
  const memref2 *x = args[0];
  struct { memref2 same, again; memref0 status; } *r = results;
  r->status = new_status(g);
  r->same = *x;
  r->again = *x;
}

/* huge() -> an alloc the device cannot satisfy; the rest of the recording goes on with NULL */
static void huge(void *const *args, void *results, const asg_gpu_recorder *g) {
  (void)args;
  struct { memref1 h; memref0 status; } *r = results;
  void *h = g->alloc(g->self, (int64_t)1 << 40);
  void *status = g->alloc(g->self, 4);
  axpy(g, h, h, h, 4, 0, 1.0f);
  r->h = (memref1){h, h, 0, {4}, {1}};
  r->status = (memref0){status, status, 0};
}

/* badkernel() -> a dispatch of a kernel the model does not have */
static void badkernel(void *const *args, void *results, const asg_gpu_recorder *g) {
  (void)args;
  struct { memref0 status; } *r = results;
  r->status = new_status(g);
  g->dispatch(g->self, 99, NULL, NULL, 1, 1, 1);
}

/* badresult() -> a result viewing more elements than its buffer has */
static void badresult(void *const *args, void *results, const asg_gpu_recorder *g) {
  (void)args;
  struct { memref1 r; memref0 status; } *r = results;
  r->status = new_status(g);
  void *buf = g->alloc(g->self, 8);
  r->r = (memref1){buf, buf, 0, {4}, {1}};
}

/* useafter() -> a dispatch binding a buffer released before */
static void useafter(void *const *args, void *results, const asg_gpu_recorder *g) {
  (void)args;
  struct { memref0 status; } *r = results;
  r->status = new_status(g);
  void *buf = g->alloc(g->self, 16);
  g->release(g->self, buf);
  axpy(g, buf, buf, buf, 4, 0, 1.0f);
}

static const char kMetadata[] =
    "asg-model 1\n"
    "name fakegpu\n"
    "target spirv\n"
    "input x f32 2 batch 4\n"
    "param bias f32 1 4 trainable 1 init constant value=0.5\n"
    "state optim.bias.momentum_buffer f32 1 4\n"
    "state optim.step i64 0\n"
    "entry forward\n"
    "arg input x\n"
    "arg param bias\n"
    "result out f32 2 batch 4\n"
    "check 1 'add' node 'out': NaN in the input\n"
    "end\n"
    "entry train_step\n"
    "arg input x\n"
    "arg param bias\n"
    "arg state optim.bias.momentum_buffer\n"
    "arg state optim.step\n"
    "result loss f32 0\n"
    "update bias f32 1 4\n"
    "update optim.bias.momentum_buffer f32 1 4\n"
    "update optim.step i64 0\n"
    "check 1 'mse_loss' node 'loss': NaN in the input\n"
    "end\n"
    "entry chain\n"
    "arg input x\n"
    "result y f32 2 batch 4\n"
    "end\n"
    "entry swap\n"
    "arg param bias\n"
    "arg state optim.bias.momentum_buffer\n"
    "update bias f32 1 4\n"
    "update optim.bias.momentum_buffer f32 1 4\n"
    "end\n"
    "entry transpose\n"
    "arg input x\n"
    "result t f32 2 4 batch\n"
    "end\n"
    "entry echo\n"
    "arg input x\n"
    "result same f32 2 batch 4\n"
    "result again f32 2 batch 4\n"
    "end\n"
    "entry huge\n"
    "result h f32 1 4\n"
    "end\n"
    "entry badkernel\n"
    "end\n"
    "entry badresult\n"
    "result r f32 1 4\n"
    "end\n"
    "entry useafter\n"
    "end\n";

/* SPIR-V entry functions are stored cast to asg_entry_fn (runtime.h). */
#define GPU_ENTRY(f) (asg_entry_fn)(void (*)(void))(f)

static const asg_entry_fn kEntries[] = {
    GPU_ENTRY(forward), GPU_ENTRY(train_step), GPU_ENTRY(chain),     GPU_ENTRY(swap),      GPU_ENTRY(transpose),
    GPU_ENTRY(echo),    GPU_ENTRY(huge),       GPU_ENTRY(badkernel), GPU_ENTRY(badresult), GPU_ENTRY(useafter),
};

static const asg_gpu_kernel kKernels[kNumKernels] = {
    /* the last field: the bindings each kernel writes (its output) */
    [kAddBias] = {"add_bias", fake_spv_add_bias, sizeof fake_spv_add_bias, 3, 2, {64, 1, 1}, 1u << 2},
    [kCheckNan] = {"check_nan", fake_spv_check_nan, sizeof fake_spv_check_nan, 2, 2, {64, 1, 1}, 1u << 1},
    [kAxpy] = {"axpy", fake_spv_axpy, sizeof fake_spv_axpy, 3, 3, {64, 1, 1}, 1u << 2},
    [kSum] = {"sum", fake_spv_sum, sizeof fake_spv_sum, 2, 1, {1, 1, 1}, 1u << 1},
    [kIncI64] = {"inc_i64", fake_spv_inc_i64, sizeof fake_spv_inc_i64, 2, 0, {1, 1, 1}, 1u << 1},
};

__attribute__((visibility("default"))) const asg_model_desc fakegpu_model = {
    ASG_ABI_VERSION, sizeof kEntries / sizeof kEntries[0], kMetadata, kEntries, kNumKernels, kKernels};

#ifdef FAKE_EXPORT_ALIAS
extern const asg_model_desc asg_shared_model __attribute__((alias("fakegpu_model"), visibility("default")));
#endif
