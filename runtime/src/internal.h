/* internal.h: declarations shared by the runtime's source files (not installed). */
#ifndef ASG_RUNTIME_INTERNAL_H
#define ASG_RUNTIME_INTERNAL_H

#include "asg/runtime.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "libasgrt assumes a little-endian host"
#endif

#if defined(__GNUC__)
#define ASGI_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define ASGI_PRINTF(f, a)
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* ---- errors (error.c) ---- */

/** Sets the calling thread's last error message and returns `status`. */
asg_status asgi_fail(asg_status status, const char *fmt, ...) ASGI_PRINTF(2, 3);

/** Prefixes the calling thread's last error message with a formatted string. */
void asgi_prefix_error(const char *fmt, ...) ASGI_PRINTF(1, 2);

/** Clears the calling thread's last error message. */
void asgi_clear_error(void);

/* ---- arena allocation (arena.c) ---- */

/** A region from which many small objects are allocated and freed at once. */
typedef struct asgi_arena {
  struct asgi_arena_block *head;
} asgi_arena;

/** Zeroed memory of `size` bytes (8-aligned) or NULL. */
void *asgi_arena_alloc(asgi_arena *a, size_t size);
/** A copy of `n` bytes of `s` plus a NUL, or NULL. */
char *asgi_arena_strndup(asgi_arena *a, const char *s, size_t n);
/** Frees every allocation of the arena. */
void asgi_arena_free(asgi_arena *a);

/* ---- checked arithmetic and helpers (tensor.c) ---- */

/** a * b into *out; false on overflow (operands must be >= 0). */
bool asgi_mul_i64(int64_t a, int64_t b, int64_t *out);
/** Element count of dims (1 for rank 0); -1 on a negative dim or overflow past `limit`. */
int64_t asgi_numel(int32_t rank, const int64_t *dims, int64_t limit);
/** A malloc'ed copy of a string, or NULL. */
char *asgi_strdup(const char *s);
/** Formats dims as "[2, 3]" into buf. */
char *asgi_format_dims(int32_t rank, const int64_t *dims, char *buf, size_t size);

/* ---- files (fileio.c) ---- */

/** Reads a whole file into a malloc'ed buffer (NUL-terminated for convenience). */
asg_status asgi_read_file(const char *path, unsigned char **data, size_t *size);
/** Writes the concatenation of n buffers to a file (created or truncated). */
asg_status asgi_write_file(const char *path, const void *const *parts, const size_t *sizes, size_t n);

/* ---- strict JSON (json.c) ---- */

typedef enum asgi_json_kind {
  ASGI_JSON_NULL,
  ASGI_JSON_BOOL,
  ASGI_JSON_NUMBER,
  ASGI_JSON_STRING,
  ASGI_JSON_ARRAY,
  ASGI_JSON_OBJECT
} asgi_json_kind;

/** A JSON value. Objects and arrays keep their members in order (object member i
 *  has key keys[i]); numbers keep their text; strings are decoded UTF-8 (`len` bytes). */
typedef struct asgi_json {
  asgi_json_kind kind;
  bool boolean;
  const char *text;              /* number text or decoded string (NUL-terminated) */
  size_t len;                    /* string length in bytes */
  size_t count;                  /* members of an array or object */
  struct asgi_json **items;      /* members */
  const char **keys;             /* object keys (decoded, NUL-terminated) */
  size_t *key_lens;              /* their lengths */
} asgi_json;

/** The nesting limit of the JSON parser. */
#define ASGI_JSON_MAX_DEPTH 64

/** Parses exactly one JSON value from text[0..size) (whitespace around it allowed);
 *  duplicate object keys are errors. Memory comes from the arena. The message
 *  names the byte offset of the error. */
asg_status asgi_json_parse(asgi_arena *a, const char *text, size_t size, asgi_json **out);
/** The member `key` of an object, or NULL. */
const asgi_json *asgi_json_get(const asgi_json *obj, const char *key);
/** A JSON number that is a non-negative integer up to 2^63-1 into *out. */
bool asgi_json_u63(const asgi_json *v, int64_t *out);

/* ---- parameter initializers (init.c) ---- */

/** Fills `n` = numel(dims) floats from an initializer, deterministically from
 *  (seed, index). Fails for fan-based kinds with rank < 2. */
asg_status asgi_init_fill(const asg_init *init, int32_t rank, const int64_t *dims, uint64_t seed, uint64_t index,
                          float *out);

/* ---- the thread pool of a session (pool.c) ---- */

/** The most threads a pool uses (the caller included), whatever the option says. */
#define ASGI_POOL_MAX_THREADS 256

/** pthread_create's signature (tests replace it to make thread creation fail). */
typedef int (*asgi_thread_create_fn)(pthread_t *thread, const pthread_attr_t *attr, void *(*start)(void *),
                                     void *arg);

typedef struct asgi_pool {
  int32_t cap;                /* threads a loop may use, the caller included (>= 1) */
  asgi_thread_create_fn create_thread; /* pthread_create */
  bool sync_ready;            /* mu, work and done are initialized */
  bool sync_failed;           /* ... and cannot be: loops run on the caller */
  bool create_failed;         /* pthread_create failed once: no more workers */
  int32_t num_workers;        /* started, joined by asgi_pool_close */
  pthread_t workers[ASGI_POOL_MAX_THREADS - 1];
  pthread_mutex_t mu;
  pthread_cond_t work;        /* a new loop (generation) or quit */
  pthread_cond_t done;        /* the last chunk of the loop finished */
  /* the current loop, under mu */
  uint64_t generation;
  bool quit;
  /* copies of generation (bumped on quit too) and finished that threads poll
     without the mutex while they spin (__atomic builtins) */
  uint64_t spin_generation;
  int64_t spin_finished;
  asg_parallel_body body;
  void *captures;
  int64_t n, chunks, next, finished;
  /* statistics (asg-run --verbose, tests) */
  int32_t max_threads_used;   /* the most threads a loop has used */
  uint64_t loops;             /* loops run on more than one thread */
} asgi_pool;

/** The thread cap for the session option `threads` (0: the online cores). */
int32_t asgi_pool_cap(int32_t threads);
/** Sets up a pool without starting threads. */
void asgi_pool_init(asgi_pool *p, int32_t threads);
/** parallel_for: runs body over chunks covering [0, n) on up to p->cap threads (the
 *  caller included), starting workers on first use; serially when called from inside
 *  a loop body, for the cap 1 and n 1, or when no thread can be started. */
void asgi_pool_run(asgi_pool *p, asg_parallel_body body, void *captures, int64_t n);
/** Joins the workers; the pool can be used again (it starts new ones). */
void asgi_pool_close(asgi_pool *p);

/* ---- the CPU context of a session (cpu.c) ---- */

/** What a session lends the entry points of a CPU model: the context (self = the
 *  asgi_cpu, which must not move), a scratch buffer reused across calls, the threads. */
typedef struct asgi_cpu {
  asg_cpu_context ctx;
  asgi_pool pool;         /* parallel_for */
  void *scratch;          /* 64-byte aligned, scratch_size bytes; NULL when 0 */
  size_t scratch_size;
  bool scratch_failed;    /* this call's scratch request could not be served */
  int64_t scratch_request; /* the bytes this (or the last) call asked for; -1: it did not ask */
} asgi_cpu;

/** Sets up the context in place (allocates nothing). */
void asgi_cpu_init(asgi_cpu *c, int32_t threads);
/** The context for one entry-point call. */
const asg_cpu_context *asgi_cpu_begin_call(asgi_cpu *c);
/** Frees the scratch buffer and joins the threads (the context may be used again). */
void asgi_cpu_close(asgi_cpu *c);

/* ---- sessions (session.c, run.c) ---- */

/** The Vulkan executor of a session (runtime/vulkan/vk.h); NULL on the cpu device. */
typedef struct asgi_vk asgi_vk;

struct asg_session {
  const asg_model_desc *desc;
  asg_model_info *info;
  char *device;
  asgi_cpu cpu;              /* device "cpu": scratch memory and threads of the entry points */
  asgi_vk *vk;               /* device "vulkan[:N]": parameters and state live on the device */
  bool params_ready;
  asg_tensor *params;        /* info->num_params, data owned */
  asg_tensor *states;        /* info->num_states, data owned (zeros until restored) */
  asg_tensor *outputs;       /* last outputs (names borrowed from info) */
  size_t num_outputs;
  void **owned;              /* buffers behind the last outputs, to free */
  size_t num_owned;
  char error[2048];
};

/** Copies the thread's last error into the session when status != ASG_OK; returns status. */
asg_status asgi_session_status(asg_session *s, asg_status status);
/** Frees the last outputs of a session. */
void asgi_session_clear_outputs(asg_session *s);

/* ---- entry-point calls (run.c), shared by the CPU and Vulkan paths ---- */

/** A named-dim binding: name -> size, and where the size came from. */
typedef struct asgi_binding {
  const char *name;
  int64_t size;
  const char *what; /* "input" or "result" */
  const char *from; /* its name */
} asgi_binding;

typedef struct asgi_bindings {
  asgi_binding *b;
  size_t n, cap;
} asgi_bindings;

/** Checks an actual shape against a declared one (`what`: "input", "result" or "update"),
 *  binding named dims; failures have status `kind`. */
asg_status asgi_check_dims(const asg_value_info *v, int32_t rank, const int64_t *dims, asgi_bindings *bs,
                           const char *what, asg_status kind);

/** A result descriptor as read back from the results block (on the Vulkan device: a
 *  view of the host memory the result was read back into). */
typedef struct asgi_result_view {
  void *allocated, *aligned;
  int64_t offset;
  int32_t rank;
  int64_t sizes[ASG_MAX_RANK], strides[ASG_MAX_RANK];
  bool owned; /* the caller must free `allocated` */
} asgi_result_view;

/** Reads a rank-`rank` memref descriptor at w. */
void asgi_read_descriptor(const int64_t *w, int32_t rank, asgi_result_view *r);
/** Whether a view is row-major contiguous. */
bool asgi_view_contiguous(const asgi_result_view *r);

/** One result descriptor of the call: a `result` line or an `update` line, in line order. */
typedef struct asgi_slot {
  const asg_value_info *decl;
  bool is_update;
  size_t index; /* into e->results or e->updates */
} asgi_slot;

/** One call of an entry function: argument descriptors and the results block. */
typedef struct asgi_call {
  void **args;          /* per argument: its descriptor (data pointers: the host tensor's) */
  int64_t *arg_words;
  int64_t *res_words;   /* the result descriptors, then the status (3 spare words) */
  size_t res_bytes;
  size_t nslots;        /* e->num_results + e->num_updates */
  asgi_slot *slots;
  asgi_result_view *views; /* per slot */
  size_t *result_slot;  /* per result: its slot */
  void **staged;        /* per update: a C-order copy of a result the caller does not own, or NULL */
} asgi_call;

/** The tensor bound to argument k: the caller's input, or the session's parameter or state. */
const asg_tensor *asgi_arg_tensor(const asg_session *s, const asg_entry_info *e, const asg_tensor **by_arg,
                                  size_t k);
/** ASG_OK for status 0, else the failed check's message (ASG_ERR_RUNTIME_CHECK). */
asg_status asgi_check_status(const asg_entry_info *e, int32_t status);
/** Checks the update views against their declarations. */
asg_status asgi_check_updates(const asg_entry_info *e, const asgi_call *c, asgi_bindings *bs);
/** Turns the result views into the session's outputs (adopting owned contiguous
 *  buffers, copying the others into C order). */
asg_status asgi_take_results(asg_session *s, const asg_entry_info *e, asgi_call *c, asgi_bindings *bs);

/* ---- Vulkan execution (runtime/vulkan) ---- */

/** Parses a device option: "cpu" (*vulkan false) or "vulkan" / "vulkan:N" (*index N). */
asg_status asgi_parse_device(const char *device, bool *vulkan, uint32_t *index);
/** Loads Vulkan, opens device "vulkan:index" and creates the model's kernels. */
asg_status asgi_vk_open(const asg_model_desc *desc, const asg_model_info *info, uint32_t index, asgi_vk **out);
/** Waits for the device and destroys everything (NULL allowed). */
void asgi_vk_close(asgi_vk *vk);
/** The session's host parameters and states were all written (initialized or loaded):
 *  the next call uploads them. */
void asgi_vk_host_wrote_all(asgi_vk *vk);
/** Makes the host copy of tensor t (params first, then states) current, reading it back
 *  if the device holds a newer value; with `will_write`, the next call uploads it again
 *  (the caller got a writable pointer). */
asg_status asgi_vk_sync_to_host(asgi_vk *vk, asg_session *s, size_t t, bool will_write);
/** Runs entry ei on the device: uploads the inputs, records and submits its work, reads
 *  back the status and results, keeps updates on the device. */
asg_status asgi_vk_run(asg_session *s, size_t ei, const asg_tensor **by_arg, asgi_call *c, asgi_bindings *bs);

/** Device statistics of a session (tests, asg-run --verbose). */
typedef struct asgi_device_stats {
  const char *device_name;    /* the Vulkan device's name */
  uint32_t device_index;      /* N of vulkan:N */
  uint64_t bytes_now;         /* device memory held by the buffer pool */
  uint64_t bytes_peak;        /* its peak */
  uint64_t buffers_created;   /* pool buffers created so far */
  uint64_t buffers_reused;    /* pool requests served by a free buffer */
  uint64_t buffers_mapped;    /* pool buffers the host maps (device memory it can see) */
  uint64_t tensor_uploads;    /* parameter/state tensors sent to the device */
  uint64_t tensor_downloads;  /* parameter/state tensors read back to the host */
  uint64_t last_dispatches;   /* dispatches recorded by the last entry-point call */
  uint64_t last_barriers;     /* compute barriers between them (only where one depends on another) */
} asgi_device_stats;

/** Fills *out for a session on a Vulkan device; false (and *out zeroed) on the cpu. */
bool asgi_session_device_stats(const asg_session *s, asgi_device_stats *out);
/** The scratch memory of a session on the cpu: the bytes its last call asked for
 *  (-1 when it did not ask) and the size of the buffer kept for later calls. */
void asgi_session_scratch(const asg_session *s, int64_t *requested, size_t *kept);

/** Thread statistics of a session on the cpu (asg-run --verbose). */
typedef struct asgi_cpu_stats {
  int32_t threads;          /* the cap: the session option, or the online cores for 0 */
  int32_t workers;          /* worker threads started so far */
  int32_t max_threads_used; /* the most threads one loop has used (0: none ran in parallel) */
  uint64_t parallel_loops;  /* loops run on several threads so far */
} asgi_cpu_stats;

/** Fills *out for a session on the cpu; false (and *out zeroed) on a Vulkan device. */
bool asgi_session_cpu_stats(const asg_session *s, asgi_cpu_stats *out);

#ifdef __cplusplus
}
#endif

#endif /* ASG_RUNTIME_INTERNAL_H */
