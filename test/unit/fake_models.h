/* fake_models.h: hand-written models following docs/abi.md, for the session tests. */
#ifndef ASG_TEST_FAKE_MODELS_H
#define ASG_TEST_FAKE_MODELS_H

#include <asg/runtime.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Model "fake": inputs x f32 [batch, 4], y f32 [batch], ids i64 [?];
 *  params bias f32 [4] (constant 0.5), w f32 [4, 3] (xavier_uniform).
 *  Entries: forward(x, bias) -> out = x + bias; echo(x) -> (x itself, a copy);
 *  dup(x) -> two results sharing one malloc'ed buffer; fail(ids) -> status 1 when
 *  an id is outside [0, 10); badstatus() -> status 7 (no check line);
 *  pair(x, y) -> s[b] = sum_j x[b, j] + y[b]; strided(x) -> x^T as a strided view
 *  with an offset; constant() -> a constant global (allocated = 0xdeadbeef);
 *  wrongdim(x) -> a result whose dim disagrees with its declaration. */
extern const asg_model_desc fake_model;

/** Metadata of fake_model (for parser tests). */
extern const char fake_model_metadata[];

/** Model "faketrain" (fake_train_model.c): inputs x f32 [batch, 3], y f32 [batch, 1];
 *  params w f32 [3, 1], b f32 [1]; state optim.w.momentum_buffer [3, 1],
 *  optim.b.momentum_buffer [1], optim.step (i64 scalar). Entries: forward(x, w, b) -> pred;
 *  train_step (MSE loss, SGD lr 0.1 momentum 0.9) -> loss, gnorm and five updates
 *  (status 1 when a target is not finite); swap(w, buffer) -> updates aliasing each
 *  other's argument; badupdate(w) -> an update with the wrong dims. */
extern const asg_model_desc faketrain_model;

/** Model "fakecpu" (fake_cpu_model.c), which uses its asg_cpu_context: input x f32 [n].
 *  Entries: scratch(x) -> y = 2 x computed in the scratch buffer by parallel_for
 *  (status 1 when the buffer is not 64-byte aligned); oom() -> asks for INT64_MAX
 *  scratch bytes and returns status -1; nomem() -> status -1 without asking. */
extern const asg_model_desc fakecpu_model;

/** How many result buffers the fake entries have malloc'ed (ownership checks). */
extern int fake_model_mallocs;

#ifdef __cplusplus
}
#endif

#endif
