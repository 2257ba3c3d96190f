/* pool.c: the thread pool behind asg_cpu_context.parallel_for (docs/runtime.md, "Threads").
 * Workers are created lazily by the first parallel loop that can use them; between loops
 * they spin for a short while, then wait on a condition variable. The calling thread takes
 * chunks too, and spins the same way before it waits for the last chunk. */
#include "internal.h"

#include <sched.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

/* Set while a thread runs loop iterations: a parallel_for from inside one runs serially. */
static _Thread_local bool t_in_parallel;

/* Chunks per participating thread: a thread that is descheduled (more threads than
 * cores) delays the loop by a smaller piece. */
enum { ASGI_CHUNKS_PER_THREAD = 4 };

/* How long a thread polls before it sleeps: a train step runs ~130 loops a few tens of
 * microseconds apart, and waking a sleeping thread costs about as much as a small loop
 * (docs/runtime.md, "Threads"). */
enum { ASGI_SPIN_NS = 200000 };

static int64_t now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

/* A polling thread yields its core: when it shares one with the thread that does the
 * work (more threads than cores, or the scheduler has not spread them yet), that thread
 * runs instead of the poll. */
static inline void cpu_relax(void) { sched_yield(); }

/* Polls *value (without the mutex) until it changes or ASGI_SPIN_NS pass. */
static void spin_u64(const uint64_t *value, uint64_t unchanged) {
  int64_t deadline = now_ns() + ASGI_SPIN_NS;
  for (int i = 1; __atomic_load_n(value, __ATOMIC_ACQUIRE) == unchanged; i++)
    if ((i & 255) == 0 && now_ns() > deadline) return;
    else cpu_relax();
}
/* Polls *value (without the mutex) until it reaches target or ASGI_SPIN_NS pass. */
static void spin_i64_below(const int64_t *value, int64_t target) {
  int64_t deadline = now_ns() + ASGI_SPIN_NS;
  for (int i = 1; __atomic_load_n(value, __ATOMIC_ACQUIRE) < target; i++)
    if ((i & 255) == 0 && now_ns() > deadline) return;
    else cpu_relax();
}

int32_t asgi_pool_cap(int32_t threads) {
  if (threads > 0) return threads > ASGI_POOL_MAX_THREADS ? ASGI_POOL_MAX_THREADS : threads;
  long n = sysconf(_SC_NPROCESSORS_ONLN);
  return n < 1 ? 1 : n > ASGI_POOL_MAX_THREADS ? ASGI_POOL_MAX_THREADS : (int32_t)n;
}

/* Where chunk k of n iterations in `chunks` near-equal contiguous chunks starts. */
static int64_t chunk_begin(int64_t k, int64_t n, int64_t chunks) {
  int64_t q = n / chunks, r = n % chunks;
  return k * q + (k < r ? k : r);
}

/* Claims and runs chunks of the current loop until none is left; called with the
 * mutex held, returns with it held. */
static void run_chunks(asgi_pool *p) {
  while (p->next < p->chunks) {
    int64_t k = p->next++;
    asg_parallel_body body = p->body;
    void *captures = p->captures;
    int64_t n = p->n, chunks = p->chunks;
    pthread_mutex_unlock(&p->mu);
    body(captures, chunk_begin(k, n, chunks), chunk_begin(k + 1, n, chunks));
    pthread_mutex_lock(&p->mu);
    __atomic_store_n(&p->spin_finished, ++p->finished, __ATOMIC_RELEASE);
    if (p->finished == p->chunks) pthread_cond_signal(&p->done);
  }
}

static void *worker_main(void *arg) {
  asgi_pool *p = arg;
  t_in_parallel = true;
  pthread_mutex_lock(&p->mu);
  uint64_t seen = p->generation;
  for (;;) {
    if (!p->quit && seen == p->generation) {
      pthread_mutex_unlock(&p->mu);
      spin_u64(&p->spin_generation, seen);
      pthread_mutex_lock(&p->mu);
    }
    while (!p->quit && seen == p->generation) pthread_cond_wait(&p->work, &p->mu);
    if (p->quit) break;
    seen = p->generation;
    run_chunks(p);
  }
  pthread_mutex_unlock(&p->mu);
  return NULL;
}

void asgi_pool_init(asgi_pool *p, int32_t threads) {
  *p = (asgi_pool){0};
  p->cap = asgi_pool_cap(threads);
  p->create_thread = pthread_create;
}

/* Creates workers until `want` exist; pthread failures leave fewer (never an error). */
static void grow(asgi_pool *p, int32_t want) {
  if (!p->sync_ready) {
    if (p->sync_failed) return;
    if (pthread_mutex_init(&p->mu, NULL) != 0) {
      p->sync_failed = true;
      return;
    }
    if (pthread_cond_init(&p->work, NULL) != 0) {
      pthread_mutex_destroy(&p->mu);
      p->sync_failed = true;
      return;
    }
    if (pthread_cond_init(&p->done, NULL) != 0) {
      pthread_cond_destroy(&p->work);
      pthread_mutex_destroy(&p->mu);
      p->sync_failed = true;
      return;
    }
    p->sync_ready = true;
  }
  while (p->num_workers < want && !p->create_failed) {
    if (p->create_thread(&p->workers[p->num_workers], NULL, worker_main, p) != 0) {
      p->create_failed = true; /* run with the workers there are from now on */
      break;
    }
    p->num_workers++;
  }
}

void asgi_pool_run(asgi_pool *p, asg_parallel_body body, void *captures, int64_t n) {
  if (n <= 0) return;
  int32_t want = p->cap - 1; /* the caller is one of the threads */
  if ((int64_t)want > n - 1) want = (int32_t)(n - 1); /* never more threads than iterations */
  if (t_in_parallel || want <= 0) {
    body(captures, 0, n);
    return;
  }
  if (p->num_workers < want) grow(p, want);
  if (!p->sync_ready || p->num_workers == 0) {
    body(captures, 0, n);
    return;
  }
  int32_t threads = 1 + (p->num_workers < want ? p->num_workers : want);
  int64_t chunks = (int64_t)threads * ASGI_CHUNKS_PER_THREAD;
  if (chunks > n) chunks = n;
  if (threads > p->max_threads_used) p->max_threads_used = threads;
  p->loops++;
  pthread_mutex_lock(&p->mu);
  p->body = body;
  p->captures = captures;
  p->n = n;
  p->chunks = chunks;
  p->next = 0;
  p->finished = 0;
  __atomic_store_n(&p->spin_finished, 0, __ATOMIC_RELEASE);
  p->generation++;
  __atomic_store_n(&p->spin_generation, p->generation, __ATOMIC_RELEASE);
  pthread_cond_broadcast(&p->work);
  t_in_parallel = true;
  run_chunks(p);
  t_in_parallel = false;
  if (p->finished < p->chunks) {
    pthread_mutex_unlock(&p->mu);
    spin_i64_below(&p->spin_finished, chunks);
    pthread_mutex_lock(&p->mu);
  }
  while (p->finished < p->chunks) pthread_cond_wait(&p->done, &p->mu);
  p->body = NULL;
  p->captures = NULL;
  pthread_mutex_unlock(&p->mu);
}

void asgi_pool_close(asgi_pool *p) {
  if (p->sync_ready) {
    pthread_mutex_lock(&p->mu);
    p->quit = true;
    __atomic_store_n(&p->spin_generation, p->generation + 1, __ATOMIC_RELEASE);
    pthread_cond_broadcast(&p->work);
    pthread_mutex_unlock(&p->mu);
    for (int32_t i = 0; i < p->num_workers; i++) pthread_join(p->workers[i], NULL);
    pthread_cond_destroy(&p->done);
    pthread_cond_destroy(&p->work);
    pthread_mutex_destroy(&p->mu);
  }
  int32_t cap = p->cap;
  asgi_thread_create_fn create = p->create_thread;
  asgi_pool_init(p, cap);
  p->create_thread = create;
}
