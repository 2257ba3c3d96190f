/* fake_models.c: a hand-written model in C that follows docs/abi.md (descriptor and entries). */
#include "fake_models.h"
#include "fake_memref.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int fake_model_mallocs = 0;

static void *fake_malloc(size_t n) {
  fake_model_mallocs++;
  return malloc(n ? n : 1);
}

static void set2(memref2 *m, void *alloc, void *aligned, int64_t off, int64_t d0, int64_t d1, int64_t s0, int64_t s1) {
  m->allocated = alloc;
  m->aligned = aligned;
  m->offset = off;
  m->sizes[0] = d0;
  m->sizes[1] = d1;
  m->strides[0] = s0;
  m->strides[1] = s1;
}

/* forward(x [b,4], bias [4]) -> out [b,4] = x + bias */
static void fwd(void *const *args, void *results, const asg_cpu_context *cpu) {
  (void)cpu;
  const memref2 *x = args[0];
  const memref1 *bias = args[1];
  struct { memref2 out; int32_t status; } *r = results;
  int64_t b = x->sizes[0];
  float *o = fake_malloc((size_t)(b * 4) * sizeof(float));
  const float *xd = (const float *)x->aligned + x->offset;
  const float *bd = (const float *)bias->aligned + bias->offset;
  for (int64_t i = 0; i < b; i++)
    for (int64_t j = 0; j < 4; j++) o[i * 4 + j] = xd[i * x->strides[0] + j * x->strides[1]] + bd[j * bias->strides[0]];
  set2(&r->out, o, o, 0, b, 4, 4, 1);
  r->status = 0;
}

/* echo(x) -> (x itself: aliases the argument, a malloc'ed copy) */
static void echo(void *const *args, void *results, const asg_cpu_context *cpu) {
  (void)cpu;
  const memref2 *x = args[0];
  struct { memref2 same, copy; int32_t status; } *r = results;
  r->same = *x;
  size_t n = (size_t)(x->sizes[0] * x->sizes[1]) * sizeof(float);
  float *c = fake_malloc(n);
  if (n) memcpy(c, x->aligned, n);
  set2(&r->copy, c, c, 0, x->sizes[0], x->sizes[1], x->sizes[1], 1);
  r->status = 0;
}

/* dup(x) -> two results sharing one malloc'ed buffer (the second must be copied, freed once) */
static void dup(void *const *args, void *results, const asg_cpu_context *cpu) {
  (void)cpu;
  const memref2 *x = args[0];
  struct { memref2 a, b; int32_t status; } *r = results;
  size_t n = (size_t)(x->sizes[0] * x->sizes[1]) * sizeof(float);
  float *c = fake_malloc(n);
  if (n) memcpy(c, x->aligned, n);
  set2(&r->a, c, c, 0, x->sizes[0], x->sizes[1], x->sizes[1], 1);
  r->b = r->a;
  r->status = 0;
}

/* fail(ids [?]) -> r = ids clamped; status 1 if an id is outside [0, 10) */
static void fail(void *const *args, void *results, const asg_cpu_context *cpu) {
  (void)cpu;
  const memref1 *ids = args[0];
  struct { memref1 r; int32_t status; } *res = results;
  int64_t n = ids->sizes[0];
  int64_t *o = fake_malloc((size_t)n * sizeof(int64_t));
  const int64_t *id = (const int64_t *)ids->aligned + ids->offset;
  int32_t status = 0;
  for (int64_t i = 0; i < n; i++) {
    int64_t v = id[i * ids->strides[0]];
    if (v < 0 || v >= 10) status = 1;
    o[i] = v < 0 ? 0 : v >= 10 ? 9 : v;
  }
  res->r.allocated = o;
  res->r.aligned = o;
  res->r.offset = 0;
  res->r.sizes[0] = n;
  res->r.strides[0] = 1;
  res->status = status;
}

/* badstatus() -> status 7, which has no check line */
static void badstatus(void *const *args, void *results, const asg_cpu_context *cpu) {
  (void)cpu;
  (void)args;
  struct { int32_t status; } *r = results;
  r->status = 7;
}

/* pair(x [b,4], y [b]) -> s [b] */
static void pair(void *const *args, void *results, const asg_cpu_context *cpu) {
  (void)cpu;
  const memref2 *x = args[0];
  const memref1 *y = args[1];
  struct { memref1 s; int32_t status; } *r = results;
  int64_t b = x->sizes[0];
  float *o = fake_malloc((size_t)b * sizeof(float));
  for (int64_t i = 0; i < b; i++) {
    float acc = ((const float *)y->aligned)[i];
    for (int64_t j = 0; j < 4; j++) acc += ((const float *)x->aligned)[i * 4 + j];
    o[i] = acc;
  }
  r->s.allocated = o;
  r->s.aligned = o;
  r->s.offset = 0;
  r->s.sizes[0] = b;
  r->s.strides[0] = 1;
  r->status = 0;
}

/* strided(x [b,4]) -> t [4,b] = x^T, returned as a strided view (offset 1) of a copy of x */
static void strided(void *const *args, void *results, const asg_cpu_context *cpu) {
  (void)cpu;
  const memref2 *x = args[0];
  struct { memref2 t; int32_t status; } *r = results;
  int64_t b = x->sizes[0];
  float *buf = fake_malloc((size_t)(b * 4 + 1) * sizeof(float));
  buf[0] = -1.0f;
  memcpy(buf + 1, x->aligned, (size_t)(b * 4) * sizeof(float));
  set2(&r->t, buf, buf, 1, 4, b, 1, 4);
  r->status = 0;
}

static const float kConstant[3] = {1.0f, 2.0f, 3.0f};

/* constant() -> c [3], a constant global */
static void constant(void *const *args, void *results, const asg_cpu_context *cpu) {
  (void)cpu;
  (void)args;
  struct { memref1 c; int32_t status; } *r = results;
  r->c.allocated = (void *)(uintptr_t)0xdeadbeef;
  r->c.aligned = (void *)kConstant;
  r->c.offset = 0;
  r->c.sizes[0] = 3;
  r->c.strides[0] = 1;
  r->status = 0;
}

/* wrongdim(x [b,4]) -> declared [batch, 4] but returns [b, 5] */
static void wrongdim(void *const *args, void *results, const asg_cpu_context *cpu) {
  (void)cpu;
  const memref2 *x = args[0];
  struct { memref2 out; int32_t status; } *r = results;
  int64_t b = x->sizes[0];
  float *o = fake_malloc((size_t)(b * 5) * sizeof(float));
  set2(&r->out, o, o, 0, b, 5, 5, 1);
  r->status = 0;
}

const char fake_model_metadata[] =
    "asg-model 1\n"
    "name fake\n"
    "target cpu\n"
    "input x f32 2 batch 4\n"
    "input y f32 1 batch\n"
    "input ids i64 1 ?\n"
    "param bias f32 1 4 trainable 1 init constant value=0.5\n"
    "param w f32 2 4 3 trainable 0 init xavier_uniform\n"
    "entry forward\n"
    "arg input x\n"
    "arg param bias\n"
    "result out f32 2 batch 4\n"
    "end\n"
    "entry echo\n"
    "arg input x\n"
    "result same f32 2 batch 4\n"
    "result copy f32 2 batch 4\n"
    "end\n"
    "entry dup\n"
    "arg input x\n"
    "result a f32 2 batch 4\n"
    "result b f32 2 batch 4\n"
    "end\n"
    "entry fail\n"
    "arg input ids\n"
    "result r i64 1 ?\n"
    "check 1 'embedding' node 'e': id out of range [0, 10)\n"
    "end\n"
    "entry badstatus\n"
    "end\n"
    "entry pair\n"
    "arg input x\n"
    "arg input y\n"
    "result s f32 1 batch\n"
    "end\n"
    "entry strided\n"
    "arg input x\n"
    "result t f32 2 4 batch\n"
    "end\n"
    "entry constant\n"
    "result c f32 1 3\n"
    "end\n"
    "entry wrongdim\n"
    "arg input x\n"
    "result out f32 2 batch 4\n"
    "end\n";

static const asg_entry_fn kEntries[] = {fwd, echo, dup, fail, badstatus, pair, strided, constant, wrongdim};

const asg_model_desc fake_model = {ASG_ABI_VERSION, sizeof kEntries / sizeof kEntries[0], fake_model_metadata, kEntries, 0,
                                   NULL};
