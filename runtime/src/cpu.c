/* cpu.c: the CPU context a session lends its model's entry points (docs/abi.md, "ABI 3"):
 * the scratch buffer for intermediates and parallel_for (pool.c). */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

enum { ASGI_SCRATCH_ALIGN = 64 };
/* Requests beyond any 64-bit machine's address space fail without asking malloc. */
#define ASGI_SCRATCH_MAX ((int64_t)1 << 48)

/* ctx->scratch: the session's buffer, grown (never shrunk) to the largest request so far. */
static void *cpu_scratch(void *self, int64_t bytes) {
  asgi_cpu *c = self;
  c->scratch_request = bytes;
  if (bytes < 0 || bytes > ASGI_SCRATCH_MAX || (uint64_t)bytes > SIZE_MAX - ASGI_SCRATCH_ALIGN) {
    c->scratch_failed = true;
    return NULL;
  }
  size_t want = ((size_t)bytes + ASGI_SCRATCH_ALIGN - 1) & ~(size_t)(ASGI_SCRATCH_ALIGN - 1);
  if (want == 0) want = ASGI_SCRATCH_ALIGN;
  if (want > c->scratch_size) {
    /* Called at most once per call: the old contents need not survive. */
    free(c->scratch);
    c->scratch_size = 0;
    c->scratch = aligned_alloc(ASGI_SCRATCH_ALIGN, want);
    if (!c->scratch) {
      c->scratch_failed = true;
      return NULL;
    }
    c->scratch_size = want;
  }
  return c->scratch;
}

static void cpu_parallel_for(void *self, asg_parallel_body body, void *captures, int64_t n) {
  asgi_pool_run(&((asgi_cpu *)self)->pool, body, captures, n);
}

void asgi_cpu_init(asgi_cpu *c, int32_t threads) {
  c->ctx.self = c;
  c->ctx.scratch = cpu_scratch;
  c->ctx.parallel_for = cpu_parallel_for;
  asgi_pool_init(&c->pool, threads);
  c->scratch = NULL;
  c->scratch_size = 0;
  c->scratch_failed = false;
  c->scratch_request = -1;
}

const asg_cpu_context *asgi_cpu_begin_call(asgi_cpu *c) {
  c->scratch_failed = false;
  c->scratch_request = -1;
  return &c->ctx;
}

void asgi_cpu_close(asgi_cpu *c) {
  asgi_pool_close(&c->pool);
  free(c->scratch);
  c->scratch = NULL;
  c->scratch_size = 0;
}

void asgi_session_scratch(const asg_session *s, int64_t *requested, size_t *kept) {
  *requested = s->cpu.scratch_request;
  *kept = s->cpu.scratch_size;
}

bool asgi_session_cpu_stats(const asg_session *s, asgi_cpu_stats *out) {
  memset(out, 0, sizeof *out);
  if (!s || s->vk) return false;
  out->threads = s->cpu.pool.cap;
  out->workers = s->cpu.pool.num_workers;
  out->max_threads_used = s->cpu.pool.max_threads_used;
  out->parallel_loops = s->cpu.pool.loops;
  return true;
}
