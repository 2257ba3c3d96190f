/* asg/runtime.h: the public C API of libasgrt, the runtime of models compiled by asgc. */
#ifndef ASG_RUNTIME_H
#define ASG_RUNTIME_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define ASG_API __attribute__((visibility("default")))
#else
#define ASG_API
#endif

/* ------------------------------------------------------------------------- */
/* The artifact ABI (docs/abi.md)                                            */
/* ------------------------------------------------------------------------- */

/** The version of the compiler/runtime binary contract this runtime implements. */
#define ASG_ABI_VERSION 3

/** The largest tensor rank. */
#define ASG_MAX_RANK 8

/** A loop body of generated code: runs iterations [begin, end) of a parallel loop. */
typedef void (*asg_parallel_body)(void *captures, int64_t begin, int64_t end);

/** What the runtime lends an entry point of a CPU model for one call (docs/abi.md). */
typedef struct asg_cpu_context {
  void *self;
  /** Scratch memory for the call's intermediates: at least `bytes` bytes, 64-byte
   *  aligned, valid until the entry returns. Called at most once per call. NULL: out
   *  of memory; the entry then returns at once with status -1 (results unset), which
   *  the runtime reports as ASG_ERR_OUT_OF_MEMORY. */
  void *(*scratch)(void *self, int64_t bytes);
  /** Runs body(captures, b, e) for disjoint chunks [b, e) covering [0, n), possibly on
   *  several threads, and returns when all have finished. Each iteration is
   *  independent, so results do not depend on how [0, n) is split (bitwise identical
   *  for every thread count). */
  void (*parallel_for)(void *self, asg_parallel_body body, void *captures, int64_t n);
} asg_cpu_context;

/** An entry point of a model compiled for the CPU (`target cpu`): args[k] points to
 *  the memref descriptor of argument k; results receives the result descriptors and
 *  an int32_t status; cpu is the runtime's context for this call. */
typedef void (*asg_cpu_entry_fn)(void *const *args, void *results, const asg_cpu_context *cpu);

/** The element type of a descriptor's entry table: CPU entry points (SPIR-V entry
 *  points are stored cast to it). */
typedef asg_cpu_entry_fn asg_entry_fn;

/** The device callbacks through which an entry point of a SPIR-V model (`target
 *  spirv`) records its work; the runtime provides them for one call. Buffer handles
 *  are opaque to generated code; all sizes are in bytes. */
typedef struct asg_gpu_recorder {
  void *self;
  /** A device buffer of at least `bytes` bytes (0 allowed), or NULL when device
   *  memory runs out (the runtime then fails the call after the entry returns). */
  void *(*alloc)(void *self, int64_t bytes);
  /** Ends the life of a buffer from `alloc`: later work of the same call may reuse it. */
  void (*release)(void *self, void *buffer);
  /** Fills the first `bytes` bytes of a buffer from host memory (constant tensors). */
  void (*upload)(void *self, void *buffer, const void *data, int64_t bytes);
  /** Records kernel `kernel` (an index into asg_model_desc.kernels) over a grid of
   *  gx*gy*gz workgroups: buffers[i] is bound at set 0, binding i (the kernel's
   *  num_buffers handles), push_constants are its num_push_constants 32-bit words. */
  void (*dispatch)(void *self, int64_t kernel, void *const *buffers, const int32_t *push_constants, int64_t gx,
                   int64_t gy, int64_t gz);
} asg_gpu_recorder;

/** An entry point of a SPIR-V model: as asg_entry_fn, with buffer handles in place
 *  of data pointers and the status returned in a device buffer (docs/abi.md). */
typedef void (*asg_gpu_entry_fn)(void *const *args, void *results, const asg_gpu_recorder *gpu);

/** One SPIR-V compute kernel of a SPIR-V model. */
typedef struct asg_gpu_kernel {
  const char *name;             /**< its SPIR-V entry point (OpEntryPoint GLCompute) */
  const uint32_t *code;         /**< the SPIR-V module */
  uint64_t code_size;           /**< in bytes (a multiple of 4) */
  uint32_t num_buffers;         /**< storage buffers at set 0, bindings 0..num_buffers-1 */
  uint32_t num_push_constants;  /**< 32-bit push constant words at offset 0 */
  uint32_t workgroup_size[3];   /**< its LocalSize */
  uint32_t written;             /**< bit i set: binding i may be written (bindings >= 32:
                                     always assumed written); the others are only read */
} asg_gpu_kernel;

/** The descriptor a compiled model exports as `<name>_model` (and, in a shared
 *  library, as `asg_shared_model`). */
typedef struct asg_model_desc {
  uint32_t abi_version;          /**< ASG_ABI_VERSION */
  uint32_t num_entries;          /**< entry points, in the order of "entry" lines */
  const char *metadata;          /**< NUL-terminated metadata text (docs/abi.md) */
  const asg_entry_fn *entry_fns; /**< num_entries function pointers (asg_gpu_entry_fn
                                      for `target spirv`, cast to asg_entry_fn) */
  uint64_t num_kernels;          /**< SPIR-V kernels (0 for `target cpu`) */
  const asg_gpu_kernel *kernels; /**< num_kernels kernels, or NULL */
} asg_model_desc;

/* ------------------------------------------------------------------------- */
/* Status, dtypes, tensors                                                   */
/* ------------------------------------------------------------------------- */

/** The result of every runtime call. On failure a message is available from
 *  asg_session_error() (session calls) and asg_last_error() (every call). */
typedef enum asg_status {
  ASG_OK = 0,
  ASG_ERR_INVALID_ARGUMENT = 1, /**< a NULL pointer, a bad option or a misuse of the API */
  ASG_ERR_IO = 2,               /**< a file cannot be opened, read or written */
  ASG_ERR_FORMAT = 3,           /**< a malformed file or metadata text */
  ASG_ERR_SHAPE = 4,            /**< a tensor of the wrong dtype, rank or dims */
  ASG_ERR_RUNTIME_CHECK = 5,    /**< a run-time check of compiled code failed */
  ASG_ERR_OUT_OF_MEMORY = 6,    /**< an allocation failed */
  ASG_ERR_NOT_FOUND = 7,        /**< a symbol, entry point, input or tensor is missing */
  ASG_ERR_UNSUPPORTED = 8,      /**< a device, target or file feature this build lacks */
  ASG_ERR_ABI = 9               /**< a model that breaks the ABI (version, descriptor, results) */
} asg_status;

/** Element types. */
typedef enum asg_dtype { ASG_F32 = 0, ASG_I32 = 1, ASG_I64 = 2 } asg_dtype;

/** A dense, row-major (C order) tensor. The struct never owns its memory unless
 *  a function says so. */
typedef struct asg_tensor {
  const char *name;             /**< tensor name (input/output/param), may be NULL */
  asg_dtype dtype;              /**< element type */
  int32_t rank;                 /**< 0..ASG_MAX_RANK */
  int64_t dims[ASG_MAX_RANK];   /**< sizes of the first `rank` dims */
  void *data;                   /**< elements, C order; may be NULL if there are none */
} asg_tensor;

/** The name of a status ("ok", "invalid argument", ...); never NULL. */
ASG_API const char *asg_status_name(asg_status status);

/** The spelling of a dtype ("f32", "i32", "i64"); "?" for an invalid value. */
ASG_API const char *asg_dtype_name(asg_dtype dtype);

/** The size of one element of a dtype in bytes; 0 for an invalid value. */
ASG_API size_t asg_dtype_size(asg_dtype dtype);

/** The number of elements of a tensor (1 for rank 0); -1 if its rank or dims are
 *  invalid or the count overflows. */
ASG_API int64_t asg_tensor_numel(const asg_tensor *t);

/** Frees the data and the name of a tensor returned by a reading function, and
 *  clears it. NULL is allowed. */
ASG_API void asg_tensor_free(asg_tensor *t);

/** Frees an array of n tensors returned by asg_safetensors_read (their data and
 *  names, then the array). NULL is allowed. */
ASG_API void asg_tensors_free(asg_tensor *tensors, size_t n);

/** The message of the last failed runtime call of the calling thread ("" if none).
 *  Valid until the thread's next failing call. */
ASG_API const char *asg_last_error(void);

/* ------------------------------------------------------------------------- */
/* Model metadata (parsed from asg_model_desc.metadata)                       */
/* ------------------------------------------------------------------------- */

/** One dim of a declared shape. */
typedef struct asg_dim {
  int64_t size;     /**< >= 0: static size; -1: dynamic */
  const char *name; /**< the dim name of a named dynamic dim; NULL otherwise */
} asg_dim;

/** A declared value: model input, parameter or entry-point result. */
typedef struct asg_value_info {
  const char *name;
  asg_dtype dtype;
  int32_t rank;
  asg_dim dims[ASG_MAX_RANK];
} asg_value_info;

/** Parameter initializer kinds (SPEC section 1). */
typedef enum asg_init_kind {
  ASG_INIT_ZEROS = 0,
  ASG_INIT_ONES,
  ASG_INIT_CONSTANT,        /**< value */
  ASG_INIT_NORMAL,          /**< mean, std */
  ASG_INIT_UNIFORM,         /**< low, high */
  ASG_INIT_XAVIER_UNIFORM,  /**< U(+-sqrt(6/(fan_in+fan_out))) */
  ASG_INIT_KAIMING_UNIFORM  /**< a; U(+-sqrt(6/((1+a^2) fan_in))) */
} asg_init_kind;

/** An initializer with every attribute filled in (absent keys take SPEC's defaults). */
typedef struct asg_init {
  asg_init_kind kind;
  double value;     /**< constant */
  double mean, std; /**< normal (0, 1) */
  double low, high; /**< uniform (-1, 1) */
  double a;         /**< kaiming_uniform (sqrt(5)) */
} asg_init;

/** A parameter: its value (always f32, static dims), trainability and initializer. */
typedef struct asg_param_info {
  asg_value_info value;
  int trainable; /**< 0 = frozen */
  asg_init init;
} asg_param_info;

/** What an entry-point argument is bound to. */
typedef enum asg_arg_kind {
  ASG_ARG_INPUT = 0, /**< a model input (asg_model_info.inputs) */
  ASG_ARG_PARAM = 1, /**< a parameter (asg_model_info.params) */
  ASG_ARG_STATE = 2  /**< an optimizer state tensor (asg_model_info.states) */
} asg_arg_kind;

/** An argument of an entry point: a model input, a parameter or a state tensor. */
typedef struct asg_arg_info {
  int is_param;      /**< 1 iff kind == ASG_ARG_PARAM (kept for source compatibility) */
  size_t index;      /**< into inputs, params or states, per kind */
  asg_arg_kind kind; /**< `arg input` / `arg param` / `arg state` */
} asg_arg_info;

/** An `update` result of an entry point: after a successful call the runtime copies
 *  it into the parameter or state tensor it names (docs/abi.md, Training records). */
typedef struct asg_update_info {
  asg_value_info value; /**< the declaration (name = the parameter or state updated; static dims) */
  int is_state;         /**< 0: params[index]; 1: states[index] */
  size_t index;
  size_t position;      /**< its position among the entry's result descriptors (result and update lines, in order) */
} asg_update_info;

/** A run-time check of an entry point: status id and its message. */
typedef struct asg_check_info {
  int32_t id;          /**< >= 1 */
  const char *message;
} asg_check_info;

/** An entry point (`forward`; `train_step` in models compiled with asgc --train). */
typedef struct asg_entry_info {
  const char *name;
  size_t num_args;
  const asg_arg_info *args;
  size_t num_results;            /**< the `result` lines only: what asg_session_run returns */
  const asg_value_info *results;
  size_t num_checks;
  const asg_check_info *checks;
  size_t num_updates;            /**< the `update` lines, in order */
  const asg_update_info *updates;
  /** The `scratch` line: the bytes of scratch memory a call asks for (its
   *  planned intermediates), ASG_SCRATCH_DYNAMIC when that depends on dynamic
   *  dims, 0 without the line (SPIR-V models, or nothing planned). */
  int64_t scratch_bytes;
} asg_entry_info;

/** asg_entry_info.scratch_bytes of `scratch ?`: computed from the dynamic dims at each call. */
#define ASG_SCRATCH_DYNAMIC (-1)

/** The whole metadata of a model. All memory belongs to the asg_model_info. */
typedef struct asg_model_info {
  const char *name;
  const char *target; /**< "cpu" or "spirv" */
  size_t num_inputs;
  const asg_value_info *inputs;
  size_t num_params;
  const asg_param_info *params;
  size_t num_entries;
  const asg_entry_info *entries;
  size_t num_states;             /**< optimizer state (`state` lines; static dims), in order */
  const asg_value_info *states;
} asg_model_info;

/** Parses and validates metadata text (docs/abi.md). On success *out is a new
 *  asg_model_info to free with asg_model_info_free. */
ASG_API asg_status asg_model_info_parse(const char *metadata, asg_model_info **out);

/** Frees a parsed model info. NULL is allowed. */
ASG_API void asg_model_info_free(asg_model_info *info);

/** The entry point called `name`, or NULL. */
ASG_API const asg_entry_info *asg_model_info_entry(const asg_model_info *info, const char *name);

/** Formats a declared shape as "[batch, 784]" into buf (always NUL-terminated;
 *  truncated if too small); returns buf. */
ASG_API char *asg_format_shape(const asg_value_info *v, char *buf, size_t size);

/* ------------------------------------------------------------------------- */
/* Shared-library artifacts                                                  */
/* ------------------------------------------------------------------------- */

/** A compiled model loaded from a shared library (asgc --emit shared). */
typedef struct asg_model asg_model;

/** dlopens `path` and finds its descriptor: `asg_shared_model`, else
 *  `<file stem>_model`. Checks the ABI version and the metadata. On failure
 *  *out is NULL and asg_last_error() says why. */
ASG_API asg_status asg_model_open(const char *path, asg_model **out);

/** Unloads a model; every session created from it must be destroyed first. NULL is allowed. */
ASG_API void asg_model_close(asg_model *model);

/** The descriptor of an open model (valid until asg_model_close). */
ASG_API const asg_model_desc *asg_model_desc_of(const asg_model *model);

/** The parsed metadata of an open model (valid until asg_model_close). */
ASG_API const asg_model_info *asg_model_info_of(const asg_model *model);

/* ------------------------------------------------------------------------- */
/* Sessions                                                                  */
/* ------------------------------------------------------------------------- */

/** Session options; a NULL pointer means the defaults. */
typedef struct asg_session_options {
  const char *device; /**< "cpu" (the default when NULL), "vulkan" or "vulkan:N" (SPIR-V models) */
  int32_t threads;    /**< the most threads a loop uses, the caller included; 0 = the online cores */
} asg_session_options;

/** A model instance: its parameters, its optimizer state and its last outputs.
 *  One thread at a time. */
typedef struct asg_session asg_session;

/** Creates a session from a descriptor (which must outlive it). The parameters
 *  are not set: call asg_session_init_params or asg_session_load before running.
 *  On failure *out is NULL and asg_last_error() says why. */
ASG_API asg_status asg_session_create(const asg_model_desc *desc, const asg_session_options *options,
                                      asg_session **out);

/** Destroys a session and everything it owns (outputs included). NULL is allowed. */
ASG_API void asg_session_destroy(asg_session *s);

/** The message of the session's last failed call ("" if none). */
ASG_API const char *asg_session_error(const asg_session *s);

/** The parsed metadata of the session's model. */
ASG_API const asg_model_info *asg_session_info(const asg_session *s);

/** Sets every parameter from its initializer, deterministically per (seed, parameter
 *  index), and every state tensor to zeros. */
ASG_API asg_status asg_session_init_params(asg_session *s, uint64_t seed);

/** Loads a safetensors file (weights or a checkpoint). Every parameter must be present
 *  with dtype F32 and its shape; a tensor that is neither a parameter nor named
 *  "optim.*" is an error. The "optim.*" tensors restore the optimizer state: if the
 *  model declares state and the file has any "optim.*" tensor, they must be exactly
 *  the declared state tensors (names, dtypes, shapes); if the file has none, the state
 *  is set to zeros; a model without state ignores them. Nothing changes on failure. */
ASG_API asg_status asg_session_load(asg_session *s, const char *path);

/** Saves the parameters (in model order) and then the state tensors (in declaration
 *  order, under their names) to a safetensors file. */
ASG_API asg_status asg_session_save(const asg_session *s, const char *path);

/** The parameter called `name` (session-owned; its elements may be read and written
 *  in place, its dims must not change). Valid until the session is destroyed. */
ASG_API asg_status asg_session_param(asg_session *s, const char *name, const asg_tensor **out);

/** The optimizer state tensor called `name` (e.g. "optim.step"), as asg_session_param. */
ASG_API asg_status asg_session_state(asg_session *s, const char *name, const asg_tensor **out);

/** Runs an entry point. `inputs` are matched by name to the entry's input
 *  arguments and checked (presence, dtype, rank, static dims, named dims);
 *  they are only read. Parameter and state arguments are bound to the session's
 *  tensors. On success *outputs points to *n_outputs tensors named after the
 *  `result` lines, owned by the session and valid until its next asg_session_run
 *  or asg_session_destroy, and each `update` result has been copied into the
 *  parameter or state it names. On failure (a failed run-time check included)
 *  no parameter or state changes. */
ASG_API asg_status asg_session_run(asg_session *s, const char *entry, const asg_tensor *inputs, size_t n_inputs,
                                   const asg_tensor **outputs, size_t *n_outputs);

/* ------------------------------------------------------------------------- */
/* Tensor files                                                              */
/* ------------------------------------------------------------------------- */

/** Reads a NumPy .npy file (little-endian f32/i32/i64, C order). On success *out
 *  owns its data (free with asg_tensor_free); its name is NULL. */
ASG_API asg_status asg_npy_read(const char *path, asg_tensor *out);

/** Parses .npy bytes in memory, as asg_npy_read. */
ASG_API asg_status asg_npy_parse(const void *bytes, size_t size, asg_tensor *out);

/** Writes a tensor as a NumPy .npy file (format 1.0). */
ASG_API asg_status asg_npy_write(const char *path, const asg_tensor *t);

/** Reads a safetensors file holding F32/I32/I64 tensors. On success *tensors is a
 *  new array of *count tensors in file order, each owning its name and data
 *  (free with asg_tensors_free). `__metadata__` is accepted and ignored. */
ASG_API asg_status asg_safetensors_read(const char *path, asg_tensor **tensors, size_t *count);

/** Parses safetensors bytes in memory, as asg_safetensors_read. */
ASG_API asg_status asg_safetensors_parse(const void *bytes, size_t size, asg_tensor **tensors, size_t *count);

/** Writes named tensors (names unique and non-empty) as a safetensors file. */
ASG_API asg_status asg_safetensors_write(const char *path, const asg_tensor *tensors, size_t count);

#ifdef __cplusplus
}
#endif

#endif /* ASG_RUNTIME_H */
