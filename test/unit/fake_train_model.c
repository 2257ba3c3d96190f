/* fake_train_model.c: a hand-written training model following docs/abi.md (Training records),
 * as asgc --train would emit it: linear regression pred = x·w + b with an MSE loss and
 * SGD with momentum (torch.optim.SGD: buf = momentum * buf + grad; p -= lr * buf), lr 0.1,
 * momentum 0.9, computed in C inside the entry function.
 *
 * Linked into the unit tests (faketrain_model) and built as faketrain.so for asg-run
 * (FAKE_EXPORT_ALIAS: also exports asg_shared_model). FAKE_X_DIMS / FAKE_Y_DIMS change the
 * declared input shapes (variants for asg-run's data checks). */
#include "fake_memref.h"

#include <asg/runtime.h>

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#ifndef FAKE_X_DIMS
#define FAKE_X_DIMS "2 batch 3"
#endif
#ifndef FAKE_Y_DIMS
#define FAKE_Y_DIMS "2 batch 1"
#endif

enum { kFeatures = 3 };
static const float kLr = 0.1f, kMomentum = 0.9f;

/* Element (i, j) of a rank-2 f32 argument (any strides). */
static float at2(const memref2 *m, int64_t i, int64_t j) {
  return ((const float *)m->aligned)[m->offset + i * m->strides[0] + j * m->strides[1]];
}

static float at1(const memref1 *m, int64_t i) { return ((const float *)m->aligned)[m->offset + i * m->strides[0]]; }

static memref0 scalar_f32(float v) {
  float *p = malloc(sizeof *p);
  *p = v;
  return (memref0){p, p, 0};
}

/* forward(x [batch, 3], w [3, 1], b [1]) -> pred [batch, 1] */
static void forward(void *const *args, void *results, const asg_cpu_context *cpu) {
  (void)cpu;
  const memref2 *x = args[0], *w = args[1];
  const memref1 *b = args[2];
  struct { memref2 pred; int32_t status; } *r = results;
  int64_t n = x->sizes[0];
  float *p = malloc((size_t)(n ? n : 1) * sizeof *p);
  for (int64_t i = 0; i < n; i++) {
    float acc = at1(b, 0);
    for (int64_t j = 0; j < kFeatures; j++) acc += at2(x, i, j) * at2(w, j, 0);
    p[i] = acc;
  }
  r->pred = (memref2){p, p, 0, {n, 1}, {1, 1}};
  r->status = 0;
}

/* train_step(x [batch, 3], y [batch, 1], w, b, optim.w.momentum_buffer, optim.b.momentum_buffer, optim.step)
 *   -> loss [], update w, update b, gnorm [], update optim.w.momentum_buffer,
 *      update optim.b.momentum_buffer, update optim.step
 * Status 1 (and meaningless results) when a target is not finite. */
static void train_step(void *const *args, void *results, const asg_cpu_context *cpu) {
  (void)cpu;
  const memref2 *x = args[0], *y = args[1], *w = args[2], *mw = args[4];
  const memref1 *b = args[3], *mb = args[5];
  const memref0 *step = args[6];
  struct {
    memref0 loss;
    memref2 w;
    memref1 b;
    memref0 gnorm;
    memref2 mw;
    memref1 mb;
    memref0 step;
    int32_t status;
  } *r = results;
  int64_t n = x->sizes[0];
  int32_t status = 0;
  float loss = 0.0f, gw[kFeatures] = {0, 0, 0}, gb = 0.0f;
  for (int64_t i = 0; i < n; i++) {
    float target = at2(y, i, 0);
    if (!isfinite(target)) {
      status = 1;
      target = 0.0f;
    }
    float pred = at1(b, 0);
    for (int64_t j = 0; j < kFeatures; j++) pred += at2(x, i, j) * at2(w, j, 0);
    float diff = pred - target;
    loss += diff * diff;
    float dpred = 2.0f * diff / (float)n;
    for (int64_t j = 0; j < kFeatures; j++) gw[j] += dpred * at2(x, i, j);
    gb += dpred;
  }
  loss = n ? loss / (float)n : 0.0f;
  float gnorm = gb * gb;
  for (int64_t j = 0; j < kFeatures; j++) gnorm += gw[j] * gw[j];

  /* w is returned with an offset (one spare element first), the others plainly */
  float *wbuf = malloc((kFeatures + 1) * sizeof *wbuf), *mwbuf = malloc(kFeatures * sizeof *mwbuf);
  float *bbuf = malloc(sizeof *bbuf), *mbbuf = malloc(sizeof *mbbuf);
  int64_t *sbuf = malloc(sizeof *sbuf);
  wbuf[0] = -1.0f;
  for (int64_t j = 0; j < kFeatures; j++) {
    mwbuf[j] = kMomentum * at2(mw, j, 0) + gw[j];
    wbuf[1 + j] = at2(w, j, 0) - kLr * mwbuf[j];
  }
  mbbuf[0] = kMomentum * at1(mb, 0) + gb;
  bbuf[0] = at1(b, 0) - kLr * mbbuf[0];
  sbuf[0] = ((const int64_t *)step->aligned)[step->offset] + 1;

  r->loss = scalar_f32(loss);
  r->w = (memref2){wbuf, wbuf, 1, {kFeatures, 1}, {1, 1}};
  r->b = (memref1){bbuf, bbuf, 0, {1}, {1}};
  r->gnorm = scalar_f32(sqrtf(gnorm));
  r->mw = (memref2){mwbuf, mwbuf, 0, {kFeatures, 1}, {1, 1}};
  r->mb = (memref1){mbbuf, mbbuf, 0, {1}, {1}};
  r->step = (memref0){sbuf, sbuf, 0};
  r->status = status;
}

/* swap(w, optim.w.momentum_buffer) -> update w = the buffer, update buffer = w: both results
 * alias the other's argument, so the runtime must stage them before copying. */
static void swap(void *const *args, void *results, const asg_cpu_context *cpu) {
  (void)cpu;
  const memref2 *w = args[0], *mw = args[1];
  struct { memref2 w, mw; int32_t status; } *r = results;
  r->w = *mw;
  r->mw = *w;
  r->status = 0;
}

/* badupdate(w) -> update w with dims [1, 3] instead of [3, 1]: an ABI violation. */
static void badupdate(void *const *args, void *results, const asg_cpu_context *cpu) {
  (void)cpu;
  (void)args;
  struct { memref2 w; int32_t status; } *r = results;
  float *buf = calloc(kFeatures, sizeof *buf);
  r->w = (memref2){buf, buf, 0, {1, kFeatures}, {kFeatures, 1}};
  r->status = 0;
}

static const char kMetadata[] =
    "asg-model 1\n"
    "name faketrain\n"
    "target cpu\n"
    "input x f32 " FAKE_X_DIMS "\n"
    "input y f32 " FAKE_Y_DIMS "\n"
    "param w f32 2 3 1 trainable 1 init uniform low=-0.5 high=0.5\n"
    "param b f32 1 1 trainable 1 init constant value=0.25\n"
    "state optim.w.momentum_buffer f32 2 3 1\n"
    "state optim.b.momentum_buffer f32 1 1\n"
    "state optim.step i64 0\n"
    "entry forward\n"
    "arg input x\n"
    "arg param w\n"
    "arg param b\n"
    "result pred f32 2 batch 1\n"
    "end\n"
    "entry train_step\n"
    "arg input x\n"
    "arg input y\n"
    "arg param w\n"
    "arg param b\n"
    "arg state optim.w.momentum_buffer\n"
    "arg state optim.b.momentum_buffer\n"
    "arg state optim.step\n"
    "result loss f32 0\n"
    "update w f32 2 3 1\n"
    "update b f32 1 1\n"
    "result gnorm f32 0\n"
    "update optim.w.momentum_buffer f32 2 3 1\n"
    "update optim.b.momentum_buffer f32 1 1\n"
    "update optim.step i64 0\n"
    "check 1 'mse_loss' node 'loss': the target is not finite\n"
    "end\n"
    "entry swap\n"
    "arg param w\n"
    "arg state optim.w.momentum_buffer\n"
    "update w f32 2 3 1\n"
    "update optim.w.momentum_buffer f32 2 3 1\n"
    "end\n"
    "entry badupdate\n"
    "arg param w\n"
    "update w f32 2 3 1\n"
    "end\n";

static const asg_entry_fn kEntries[] = {forward, train_step, swap, badupdate};

__attribute__((visibility("default"))) const asg_model_desc faketrain_model = {
    ASG_ABI_VERSION, sizeof kEntries / sizeof kEntries[0], kMetadata, kEntries, 0, NULL};

#ifdef FAKE_EXPORT_ALIAS
extern const asg_model_desc asg_shared_model __attribute__((alias("faketrain_model"), visibility("default")));
#endif
