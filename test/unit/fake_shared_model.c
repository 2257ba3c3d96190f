/* fake_shared_model.c: a model built as a shared library, as asgc --emit shared would, for asg-run tests.
 * Built as fakenet.so (FAKE_EXPORT_ALIAS: exports asg_shared_model), stemonly.so (only <stem>_model)
 * and badabi.so (FAKE_ABI_VERSION 1, an old version). */
#include "fake_memref.h"

#include <asg/runtime.h>

#include <stdint.h>
#include <stdlib.h>

#ifndef FAKE_ABI_VERSION
#define FAKE_ABI_VERSION ASG_ABI_VERSION
#endif

#ifndef FAKE_MODEL_SYMBOL
#define FAKE_MODEL_SYMBOL fakenet_model
#endif

/* forward(x [batch, 3], bias [3]) -> y [batch, 3] = x + bias; status 1 if x has a NaN */
static void forward(void *const *args, void *results, const asg_cpu_context *cpu) {
  (void)cpu;
  const memref2 *x = args[0];
  const memref1 *bias = args[1];
  struct { memref2 y; int32_t status; } *r = results;
  int64_t b = x->sizes[0];
  float *o = malloc((size_t)(b * 3) * sizeof(float) + 1);
  const float *xd = x->aligned, *bd = bias->aligned;
  int32_t status = 0;
  for (int64_t i = 0; i < b * 3; i++) {
    if (xd[i] != xd[i]) status = 1;
    o[i] = xd[i] + bd[i % 3];
  }
  r->y = (memref2){o, o, 0, {b, 3}, {3, 1}};
  r->status = status;
}

static const char kMetadata[] =
    "asg-model 1\n"
    "name fakenet\n"
    "target cpu\n"
    "input x f32 2 batch 3\n"
    "param bias f32 1 3 trainable 1 init ones\n"
    "entry forward\n"
    "arg input x\n"
    "arg param bias\n"
    "result y f32 2 batch 3\n"
    "check 1 'add' node 'y': NaN in the input\n"
    "end\n";

static const asg_entry_fn kEntries[] = {forward};

__attribute__((visibility("default"))) const asg_model_desc FAKE_MODEL_SYMBOL = {FAKE_ABI_VERSION, 1, kMetadata, kEntries, 0, NULL};

#ifdef FAKE_EXPORT_ALIAS
extern const asg_model_desc asg_shared_model __attribute__((alias("fakenet_model"), visibility("default")));
#endif
