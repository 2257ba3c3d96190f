/* run.c: asg_session_run: input checks, memref descriptors, the call, and result ownership. */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

_Static_assert(sizeof(void *) == sizeof(int64_t), "libasgrt needs 64-bit pointers (memref descriptors)");

#define ASG_CONSTANT_MARKER ((void *)(uintptr_t)0xdeadbeef)

static const asgi_binding *find_binding(const asgi_bindings *bs, const char *name) {
  for (size_t i = 0; i < bs->n; i++)
    if (strcmp(bs->b[i].name, name) == 0) return &bs->b[i];
  return NULL;
}

static bool add_binding(asgi_bindings *bs, const char *name, int64_t size, const char *what, const char *from) {
  if (bs->n == bs->cap) {
    size_t nc = bs->cap ? bs->cap * 2 : 16;
    asgi_binding *p = realloc(bs->b, nc * sizeof *p);
    if (!p) return false;
    bs->b = p;
    bs->cap = nc;
  }
  bs->b[bs->n++] = (asgi_binding){name, size, what, from};
  return true;
}

/* Checks an actual shape against a declared one; `what` is "input" or "result". */
asg_status asgi_check_dims(const asg_value_info *v, int32_t rank, const int64_t *dims, asgi_bindings *bs, const char *what,
                             asg_status kind) {
  char shape[256];
  if (rank != v->rank)
    return asgi_fail(kind, "%s '%s': rank is %d, expected %d %s", what, v->name, rank, v->rank,
                     asg_format_shape(v, shape, sizeof shape));
  for (int32_t d = 0; d < rank; d++) {
    const asg_dim *want = &v->dims[d];
    if (dims[d] < 0) return asgi_fail(kind, "%s '%s': dim %d is %lld (negative)", what, v->name, d, (long long)dims[d]);
    if (want->size >= 0 && dims[d] != want->size)
      return asgi_fail(kind, "%s '%s': dim %d is %lld, expected %lld", what, v->name, d, (long long)dims[d],
                       (long long)want->size);
    if (want->name) {
      const asgi_binding *b = find_binding(bs, want->name);
      if (b && b->size != dims[d])
        return asgi_fail(kind, "%s '%s': dim %d ('%s') is %lld, but '%s' is %lld from %s '%s'", what, v->name, d,
                         want->name, (long long)dims[d], want->name, (long long)b->size, b->what, b->from);
      if (!b && !add_binding(bs, want->name, dims[d], what, v->name)) return asgi_fail(ASG_ERR_OUT_OF_MEMORY, "out of memory");
    }
  }
  if (asgi_numel(rank, dims, INT64_MAX / 8) < 0) return asgi_fail(kind, "%s '%s': too many elements", what, v->name);
  return ASG_OK;
}

/* Finds, for each input argument of the entry, the caller's tensor; rejects unknown and repeated names. */
static asg_status match_inputs(const asg_model_info *info, const asg_entry_info *e, const asg_tensor *inputs, size_t n,
                               const asg_tensor **by_arg) {
  for (size_t i = 0; i < n; i++) {
    const char *name = inputs[i].name;
    if (!name) return asgi_fail(ASG_ERR_INVALID_ARGUMENT, "input %zu has no name", i);
    size_t k;
    for (k = 0; k < e->num_args; k++)
      if (e->args[k].kind == ASG_ARG_INPUT && strcmp(info->inputs[e->args[k].index].name, name) == 0) break;
    if (k == e->num_args) return asgi_fail(ASG_ERR_NOT_FOUND, "input '%s' is not taken by entry point '%s'", name, e->name);
    if (by_arg[k]) return asgi_fail(ASG_ERR_INVALID_ARGUMENT, "input '%s' is given twice", name);
    by_arg[k] = &inputs[i];
  }
  return ASG_OK;
}

static asg_status check_inputs(const asg_model_info *info, const asg_entry_info *e, const asg_tensor **by_arg,
                               asgi_bindings *bs) {
  for (size_t k = 0; k < e->num_args; k++) {
    if (e->args[k].kind != ASG_ARG_INPUT) continue;
    const asg_value_info *v = &info->inputs[e->args[k].index];
    const asg_tensor *t = by_arg[k];
    if (!t) return asgi_fail(ASG_ERR_NOT_FOUND, "input '%s' of entry point '%s' is missing", v->name, e->name);
    if (t->dtype != v->dtype)
      return asgi_fail(ASG_ERR_SHAPE, "input '%s': dtype is %s, expected %s", v->name, asg_dtype_name(t->dtype),
                       asg_dtype_name(v->dtype));
    if (t->rank < 0 || t->rank > ASG_MAX_RANK)
      return asgi_fail(ASG_ERR_SHAPE, "input '%s': rank %d is out of range", v->name, (int)t->rank);
    asg_status st = asgi_check_dims(v, t->rank, t->dims, bs, "input", ASG_ERR_SHAPE);
    if (st != ASG_OK) return st;
    if (!t->data && asg_tensor_numel(t) > 0) return asgi_fail(ASG_ERR_INVALID_ARGUMENT, "input '%s': data is NULL", v->name);
  }
  return ASG_OK;
}

/* Writes a row-major memref descriptor for t at w (3 + 2 * rank words). */
static void put_descriptor(int64_t *w, const asg_tensor *t) {
  void *data = t->data;
  memcpy(&w[0], &data, sizeof data);
  memcpy(&w[1], &data, sizeof data);
  w[2] = 0;
  int64_t stride = 1;
  for (int32_t d = t->rank - 1; d >= 0; d--) {
    w[3 + d] = t->dims[d];
    w[3 + t->rank + d] = stride;
    stride *= t->dims[d] > 0 ? t->dims[d] : 1;
  }
}

void asgi_read_descriptor(const int64_t *w, int32_t rank, asgi_result_view *r) {
  memcpy(&r->allocated, &w[0], sizeof r->allocated);
  memcpy(&r->aligned, &w[1], sizeof r->aligned);
  r->offset = w[2];
  r->rank = rank;
  for (int32_t d = 0; d < rank; d++) {
    r->sizes[d] = w[3 + d];
    r->strides[d] = w[3 + rank + d];
  }
}

bool asgi_view_contiguous(const asgi_result_view *r) {
  int64_t stride = 1;
  for (int32_t d = r->rank - 1; d >= 0; d--) {
    if (r->sizes[d] != 1 && r->strides[d] != stride) return false;
    stride *= r->sizes[d];
  }
  return true;
}

/* Copies a strided result into dst (row-major). */
static void strided_copy(const asgi_result_view *r, size_t esize, unsigned char *dst, int64_t numel) {
  const unsigned char *base = (const unsigned char *)r->aligned;
  int64_t idx[ASG_MAX_RANK] = {0};
  for (int64_t i = 0; i < numel; i++) {
    int64_t off = r->offset;
    for (int32_t d = 0; d < r->rank; d++) off += idx[d] * r->strides[d];
    memcpy(dst + (size_t)i * esize, base + off * (int64_t)esize, esize);
    for (int32_t d = r->rank - 1; d >= 0; d--) {
      if (++idx[d] < r->sizes[d]) break;
      idx[d] = 0;
    }
  }
}

static void free_call(asgi_call *c) {
  free(c->args);
  free(c->arg_words);
  free(c->res_words);
  free(c->slots);
  free(c->views);
  free(c->result_slot);
  if (c->staged)
    for (size_t k = 0; k < c->nslots; k++) free(c->staged[k]);
  free(c->staged);
}

/* Orders the results and updates as their lines are (updates know their positions). */
static asg_status make_slots(const asg_entry_info *e, asgi_call *c) {
  size_t n = e->num_results + e->num_updates;
  c->nslots = n;
  c->slots = calloc(n ? n : 1, sizeof *c->slots);
  c->result_slot = calloc(e->num_results ? e->num_results : 1, sizeof *c->result_slot);
  c->staged = calloc(n ? n : 1, sizeof *c->staged);
  if (!c->slots || !c->result_slot || !c->staged) return asgi_fail(ASG_ERR_OUT_OF_MEMORY, "out of memory");
  for (size_t k = 0; k < e->num_updates; k++) {
    size_t p = e->updates[k].position;
    if (p >= n || c->slots[p].decl)
      return asgi_fail(ASG_ERR_INVALID_ARGUMENT, "entry point '%s': update '%s' has an invalid position %zu", e->name,
                       e->updates[k].value.name, p);
    c->slots[p] = (asgi_slot){&e->updates[k].value, true, k};
  }
  size_t j = 0;
  for (size_t p = 0; p < n; p++) {
    if (c->slots[p].decl) continue;
    c->slots[p] = (asgi_slot){&e->results[j], false, j};
    c->result_slot[j++] = p;
  }
  return ASG_OK;
}

/* Marks which results the caller owns (docs/abi.md ownership rule). */
static void classify_results(const asgi_call *c, const asg_entry_info *e, size_t nres) {
  for (size_t j = 0; j < nres; j++) {
    asgi_result_view *r = &c->views[j];
    r->owned = r->allocated != NULL && r->allocated != ASG_CONSTANT_MARKER;
    for (size_t k = 0; r->owned && k < e->num_args; k++) {
      void *data;
      memcpy(&data, c->args[k], sizeof data);
      if (data && data == r->allocated) r->owned = false;
    }
    for (size_t i = 0; r->owned && i < j; i++)
      if (c->views[i].allocated == r->allocated) r->owned = false;
  }
}

static void free_owned(const asgi_call *c, size_t nres) {
  for (size_t j = 0; j < nres; j++)
    if (c->views[j].owned) free(c->views[j].allocated);
}

/* Turns the result descriptors into session outputs (copying where needed). */
asg_status asgi_take_results(asg_session *s, const asg_entry_info *e, asgi_call *c, asgi_bindings *bs) {
  size_t nres = e->num_results;
  s->outputs = calloc(nres ? nres : 1, sizeof *s->outputs);
  s->owned = calloc(nres ? nres : 1, sizeof *s->owned);
  if (!s->outputs || !s->owned) return asgi_fail(ASG_ERR_OUT_OF_MEMORY, "out of memory");
  for (size_t j = 0; j < nres; j++) {
    const asg_value_info *v = &e->results[j];
    asgi_result_view *r = &c->views[c->result_slot[j]];
    asg_status st = asgi_check_dims(v, r->rank, r->sizes, bs, "result", ASG_ERR_ABI);
    if (st != ASG_OK) {
      asgi_prefix_error("entry point '%s' broke the ABI: ", e->name);
      return st;
    }
    int64_t numel = asgi_numel(r->rank, r->sizes, INT64_MAX / 8);
    if (numel > 0 && !r->aligned)
      return asgi_fail(ASG_ERR_ABI, "entry point '%s' broke the ABI: result '%s' has no data", e->name, v->name);
    asg_tensor *t = &s->outputs[j];
    size_t esize = asg_dtype_size(v->dtype);
    t->name = v->name;
    t->dtype = v->dtype;
    t->rank = r->rank;
    memcpy(t->dims, r->sizes, sizeof t->dims);
    if (numel == 0) continue;
    unsigned char *src = (unsigned char *)r->aligned + r->offset * (int64_t)esize;
    if (r->owned && asgi_view_contiguous(r)) {
      t->data = src;
      s->owned[s->num_owned++] = r->allocated;
      r->owned = false; /* now the session's */
      continue;
    }
    unsigned char *dst = malloc((size_t)numel * esize);
    if (!dst) return asgi_fail(ASG_ERR_OUT_OF_MEMORY, "out of memory for result '%s'", v->name);
    s->owned[s->num_owned++] = dst;
    if (asgi_view_contiguous(r)) memcpy(dst, src, (size_t)numel * esize);
    else strided_copy(r, esize, dst, numel);
    t->data = dst;
  }
  s->num_outputs = nres;
  return ASG_OK;
}

/* The tensor bound to argument k: the caller's input, or the session's parameter or state. */
const asg_tensor *asgi_arg_tensor(const asg_session *s, const asg_entry_info *e, const asg_tensor **by_arg, size_t k) {
  switch (e->args[k].kind) {
  case ASG_ARG_PARAM: return &s->params[e->args[k].index];
  case ASG_ARG_STATE: return &s->states[e->args[k].index];
  case ASG_ARG_INPUT: break;
  }
  return by_arg[k];
}

/* Checks the update results (their shapes are static) before anything changes. */
asg_status asgi_check_updates(const asg_entry_info *e, const asgi_call *c, asgi_bindings *bs) {
  for (size_t p = 0; p < c->nslots; p++) {
    if (!c->slots[p].is_update) continue;
    const asg_value_info *v = c->slots[p].decl;
    const asgi_result_view *r = &c->views[p];
    asg_status st = asgi_check_dims(v, r->rank, r->sizes, bs, "update", ASG_ERR_ABI);
    if (st != ASG_OK) {
      asgi_prefix_error("entry point '%s' broke the ABI: ", e->name);
      return st;
    }
    if (asgi_numel(r->rank, r->sizes, INT64_MAX / 8) > 0 && !r->aligned)
      return asgi_fail(ASG_ERR_ABI, "entry point '%s' broke the ABI: update '%s' has no data", e->name, v->name);
  }
  return ASG_OK;
}

/* Copies the updates the caller does not own (they may alias a parameter or state that
 * another update overwrites) into C-order buffers, so that applying them cannot fail. */
static asg_status stage_updates(const asgi_call *c) {
  for (size_t p = 0; p < c->nslots; p++) {
    const asgi_result_view *r = &c->views[p];
    if (!c->slots[p].is_update || r->owned) continue;
    size_t esize = asg_dtype_size(c->slots[p].decl->dtype);
    int64_t numel = asgi_numel(r->rank, r->sizes, INT64_MAX / 8);
    if (numel == 0) continue;
    unsigned char *buf = malloc((size_t)numel * esize);
    if (!buf) return asgi_fail(ASG_ERR_OUT_OF_MEMORY, "out of memory for update '%s'", c->slots[p].decl->name);
    c->staged[p] = buf;
    if (asgi_view_contiguous(r)) memcpy(buf, (const unsigned char *)r->aligned + r->offset * (int64_t)esize, (size_t)numel * esize);
    else strided_copy(r, esize, buf, numel);
  }
  return ASG_OK;
}

/* Copies every update into the parameter or state it names. */
static void apply_updates(asg_session *s, const asg_entry_info *e, const asgi_call *c) {
  for (size_t p = 0; p < c->nslots; p++) {
    if (!c->slots[p].is_update) continue;
    const asg_update_info *u = &e->updates[c->slots[p].index];
    asg_tensor *dst = u->is_state ? &s->states[u->index] : &s->params[u->index];
    const asgi_result_view *r = &c->views[p];
    size_t esize = asg_dtype_size(dst->dtype);
    int64_t numel = asg_tensor_numel(dst);
    if (numel <= 0) continue;
    size_t bytes = (size_t)numel * esize;
    if (c->staged[p]) memcpy(dst->data, c->staged[p], bytes);
    else if (asgi_view_contiguous(r)) memcpy(dst->data, (const unsigned char *)r->aligned + r->offset * (int64_t)esize, bytes);
    else strided_copy(r, esize, dst->data, numel);
  }
}

static asg_status prepare_call(asg_session *s, const asg_entry_info *e, const asg_tensor **by_arg, asgi_call *c) {
  size_t words = 0;
  for (size_t k = 0; k < e->num_args; k++) words += 3 + 2 * (size_t)asgi_arg_tensor(s, e, by_arg, k)->rank;
  asg_status st = make_slots(e, c);
  if (st != ASG_OK) return st;
  size_t res_words = 3; /* the status: an int32_t (cpu) or a rank-0 descriptor (spirv) */
  for (size_t p = 0; p < c->nslots; p++) res_words += 3 + 2 * (size_t)c->slots[p].decl->rank;
  c->args = calloc(e->num_args ? e->num_args : 1, sizeof *c->args);
  c->arg_words = calloc(words ? words : 1, sizeof *c->arg_words);
  c->res_words = calloc(res_words, sizeof *c->res_words);
  c->views = calloc(c->nslots ? c->nslots : 1, sizeof *c->views);
  c->res_bytes = res_words * sizeof(int64_t);
  if (!c->args || !c->arg_words || !c->res_words || !c->views) return asgi_fail(ASG_ERR_OUT_OF_MEMORY, "out of memory");
  size_t w = 0;
  for (size_t k = 0; k < e->num_args; k++) {
    const asg_tensor *t = asgi_arg_tensor(s, e, by_arg, k);
    c->args[k] = &c->arg_words[w];
    put_descriptor(&c->arg_words[w], t);
    w += 3 + 2 * (size_t)t->rank;
  }
  return ASG_OK;
}

/* Status -1 of a CPU entry: the scratch memory it asked for could not be allocated. */
static asg_status out_of_memory(const asg_session *s, const asg_entry_info *e) {
  if (s->cpu.scratch_failed)
    return asgi_fail(ASG_ERR_OUT_OF_MEMORY,
                     "entry point '%s': out of memory: cannot allocate %lld bytes of scratch memory for its "
                     "intermediates",
                     e->name, (long long)s->cpu.scratch_request);
  return asgi_fail(ASG_ERR_OUT_OF_MEMORY, "entry point '%s' ran out of memory (status -1)", e->name);
}

/* Calls a CPU entry function and turns its results into outputs and updates. */
static asg_status run_cpu(asg_session *s, size_t ei, asgi_call *c, asgi_bindings *bs) {
  const asg_entry_info *e = &s->info->entries[ei];
  s->desc->entry_fns[ei]((void *const *)c->args, c->res_words, asgi_cpu_begin_call(&s->cpu));
  size_t w = 0;
  for (size_t p = 0; p < c->nslots; p++) w += 3 + 2 * (size_t)c->slots[p].decl->rank;
  int32_t status;
  memcpy(&status, &c->res_words[w], sizeof status);
  if (status == -1) return out_of_memory(s, e); /* the results are unset */
  w = 0;
  for (size_t p = 0; p < c->nslots; p++) {
    asgi_read_descriptor(&c->res_words[w], c->slots[p].decl->rank, &c->views[p]);
    w += 3 + 2 * (size_t)c->slots[p].decl->rank;
  }
  classify_results(c, e, c->nslots);
  asg_status st = asgi_check_status(e, status);
  if (st == ASG_OK) {
    /* Everything that can fail comes first: after a failure no parameter or state changes. */
    st = asgi_check_updates(e, c, bs);
    if (st == ASG_OK) st = asgi_take_results(s, e, c, bs);
    if (st == ASG_OK) st = stage_updates(c);
    if (st == ASG_OK) apply_updates(s, e, c);
  }
  free_owned(c, c->nslots);
  return st;
}

asg_status asgi_check_status(const asg_entry_info *e, int32_t status) {
  if (status == 0) return ASG_OK;
  for (size_t i = 0; i < e->num_checks; i++)
    if (e->checks[i].id == status) return asgi_fail(ASG_ERR_RUNTIME_CHECK, "%s", e->checks[i].message);
  return asgi_fail(ASG_ERR_ABI, "entry point '%s' returned status %d, which has no check message", e->name,
                   (int)status);
}

static asg_status run_entry(asg_session *s, size_t ei, const asg_tensor *inputs, size_t n_inputs) {
  const asg_model_info *info = s->info;
  const asg_entry_info *e = &info->entries[ei];
  bool uses_params = false;
  for (size_t k = 0; k < e->num_args; k++) uses_params |= e->args[k].kind == ASG_ARG_PARAM;
  for (size_t k = 0; k < e->num_updates; k++) uses_params |= !e->updates[k].is_state;
  if (uses_params && !s->params_ready)
    return asgi_fail(ASG_ERR_INVALID_ARGUMENT,
                     "parameters are not set (call asg_session_init_params or asg_session_load first)");
  const asg_tensor **by_arg = calloc(e->num_args ? e->num_args : 1, sizeof *by_arg);
  asgi_bindings bs = {0};
  asgi_call c = {0};
  asg_status st = by_arg ? ASG_OK : asgi_fail(ASG_ERR_OUT_OF_MEMORY, "out of memory");
  if (st == ASG_OK) st = match_inputs(info, e, inputs, n_inputs, by_arg);
  if (st == ASG_OK) st = check_inputs(info, e, by_arg, &bs);
  if (st == ASG_OK) st = prepare_call(s, e, by_arg, &c);
  if (st == ASG_OK) {
    st = s->vk ? asgi_vk_run(s, ei, by_arg, &c, &bs) : run_cpu(s, ei, &c, &bs);
    if (st != ASG_OK) asgi_session_clear_outputs(s);
  }
  free_call(&c);
  free(bs.b);
  free(by_arg);
  return st;
}

asg_status asg_session_run(asg_session *s, const char *entry, const asg_tensor *inputs, size_t n_inputs,
                           const asg_tensor **outputs, size_t *n_outputs) {
  if (!s) return asgi_fail(ASG_ERR_INVALID_ARGUMENT, "session is NULL");
  asgi_session_clear_outputs(s);
  if (outputs) *outputs = NULL;
  if (n_outputs) *n_outputs = 0;
  if (!entry || !outputs || !n_outputs)
    return asgi_session_status(s, asgi_fail(ASG_ERR_INVALID_ARGUMENT, "entry name or output pointers are NULL"));
  if (!inputs && n_inputs)
    return asgi_session_status(s, asgi_fail(ASG_ERR_INVALID_ARGUMENT, "inputs are NULL but n_inputs is %zu", n_inputs));
  size_t ei;
  for (ei = 0; ei < s->info->num_entries; ei++)
    if (strcmp(s->info->entries[ei].name, entry) == 0) break;
  if (ei == s->info->num_entries)
    return asgi_session_status(
        s, asgi_fail(ASG_ERR_NOT_FOUND, "model '%s' has no entry point '%s'", s->info->name, entry));
  asg_status st = run_entry(s, ei, inputs, n_inputs);
  if (st != ASG_OK) return asgi_session_status(s, st);
  *outputs = s->outputs;
  *n_outputs = s->num_outputs;
  return ASG_OK;
}
