/* internal.h: declarations shared by the runtime's source files (not installed). */
#ifndef ASG_RUNTIME_INTERNAL_H
#define ASG_RUNTIME_INTERNAL_H

#include "asg/runtime.h"

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

/* ---- sessions (session.c, run.c) ---- */

struct asg_session {
  const asg_model_desc *desc;
  asg_model_info *info;
  char *device;
  int32_t threads;
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

#ifdef __cplusplus
}
#endif

#endif /* ASG_RUNTIME_INTERNAL_H */
