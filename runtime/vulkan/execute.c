/* execute.c: a session's Vulkan executor: opening and closing it, and one entry-point
 * call (docs/abi.md, "The SPIR-V target"):
 *
 *   begin the command buffer -> bind the arguments (inputs uploaded, parameters and
 *   state already on the device) -> the entry function records its work through the
 *   recorder -> check the result descriptors -> record copies of the status and the
 *   `result` lines to host-visible memory, and of updates that cannot be adopted into
 *   fresh buffers -> submit and wait -> status, outputs, updates.
 *
 * Nothing changes in the session unless the status is 0 and every result is valid. */
#include "vk.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

asg_status asgi_vk_open(const asg_model_desc *desc, const asg_model_info *info, uint32_t index, asgi_vk **out) {
  *out = NULL;
  asgi_vk *vk = calloc(1, sizeof *vk);
  if (!vk) return asgi_fail(ASG_ERR_OUT_OF_MEMORY, "out of memory");
  size_t np = info->num_params, n = np + info->num_states;
  vk->tensors = calloc(n ? n : 1, sizeof *vk->tensors);
  vk->num_tensors = n;
  asg_status st = vk->tensors ? asgi_vk_device_open(vk, index) : asgi_fail(ASG_ERR_OUT_OF_MEMORY, "out of memory");
  if (st == ASG_OK) st = asgi_vk_kernels_create(vk, desc);
  if (st != ASG_OK) {
    asgi_vk_close(vk);
    return st;
  }
  for (size_t t = 0; t < n; t++) {
    const asg_value_info *v = t < np ? &info->params[t].value : &info->states[t - np];
    uint64_t numel = 1;
    for (int32_t d = 0; d < v->rank; d++) numel *= (uint64_t)v->dims[d].size; /* static, checked by the parser */
    vk->tensors[t].bytes = numel * asg_dtype_size(v->dtype);
  }
  asgi_vk_host_wrote_all(vk);
  *out = vk;
  return ASG_OK;
}

void asgi_vk_close(asgi_vk *vk) {
  if (!vk) return;
  if (vk->device) {
    vk->fn.vkDeviceWaitIdle(vk->device);
    asgi_vk_call_end(vk);
    for (size_t t = 0; t < vk->num_tensors; t++) asgi_vk_pool_put(vk, vk->tensors[t].buf);
    asgi_vk_pool_trim(vk);
    asgi_vk_staging_destroy(vk);
    asgi_vk_kernels_destroy(vk);
  }
  free(vk->call.handles);
  free(vk->call.accessed);
  free(vk->call.written);
  free(vk->tensors);
  asgi_vk_device_close(vk);
  free(vk);
}

bool asgi_session_device_stats(const asg_session *s, asgi_device_stats *out) {
  memset(out, 0, sizeof *out);
  if (!s || !s->vk) return false;
  const asgi_vk *vk = s->vk;
  out->device_name = vk->device_name;
  out->device_index = vk->device_index;
  out->bytes_now = vk->pool.bytes_now;
  out->bytes_peak = vk->pool.bytes_peak;
  out->buffers_created = vk->pool.buffers_created;
  out->buffers_reused = vk->pool.buffers_reused;
  out->buffers_mapped = vk->pool.buffers_mapped;
  out->tensor_uploads = vk->tensor_uploads;
  out->tensor_downloads = vk->tensor_downloads;
  out->last_dispatches = vk->last_dispatches;
  out->last_barriers = vk->last_barriers;
  return true;
}

/* ---- arguments ---- */

static void set_handle(void *descriptor, void *handle) {
  memcpy(descriptor, &handle, sizeof handle);                                  /* allocated */
  memcpy((unsigned char *)descriptor + sizeof handle, &handle, sizeof handle); /* aligned */
}

/* Gives every argument descriptor a buffer handle: inputs are uploaded into pool
 * buffers, parameters and state are bound to their device copies. */
static asg_status bind_args(asg_session *s, const asg_entry_info *e, const asg_tensor **by_arg, asgi_call *c) {
  asgi_vk *vk = s->vk;
  for (size_t k = 0; k < e->num_args; k++) {
    const asg_arg_info *a = &e->args[k];
    const asg_tensor *t = asgi_arg_tensor(s, e, by_arg, k);
    uint64_t bytes = (uint64_t)asg_tensor_numel(t) * asg_dtype_size(t->dtype);
    void *h;
    if (a->kind == ASG_ARG_INPUT) {
      asgi_vk_buffer *b = asgi_vk_pool_get(vk, bytes);
      if (!b) {
        asgi_prefix_error("input '%s': ", s->info->inputs[a->index].name);
        return ASG_ERR_OUT_OF_MEMORY;
      }
      if (!(h = asgi_vk_call_bind(vk, b, bytes, true))) {
        asgi_vk_pool_put(vk, b);
        return asgi_fail(ASG_ERR_OUT_OF_MEMORY, "out of memory");
      }
      if (bytes && b->map) {
        memcpy(b->map, t->data, (size_t)bytes);
      } else if (bytes) {
        asg_status st = asgi_vk_record_upload(vk, b, 0, t->data, bytes);
        if (st != ASG_OK) return st;
      }
    } else {
      size_t ti = a->kind == ASG_ARG_STATE ? s->info->num_params + a->index : a->index;
      asg_status st = asgi_vk_tensor_upload(vk, s, ti);
      if (st != ASG_OK) return st;
      if (!(h = asgi_vk_call_bind(vk, vk->tensors[ti].buf, bytes, false)))
        return asgi_fail(ASG_ERR_OUT_OF_MEMORY, "out of memory");
    }
    set_handle(c->args[k], h);
  }
  return ASG_OK;
}

/* ---- results ---- */

/* What happens to each result descriptor (slot) after the entry returned. */
typedef struct slot_plan {
  asgi_vk_handle *h;      /* the buffer it views (NULL when it has no elements) */
  int64_t numel;
  asgi_vk_buffer *staged; /* `result` read back through staging memory: where */
  uint64_t staged_at;
  bool adopt;             /* `update`: its buffer becomes the tensor's device copy */
  asgi_vk_buffer *fresh;  /* `update`: a copy made on the device, or NULL */
} slot_plan;

static const char *slot_kind(const asgi_slot *sl) { return sl->is_update ? "update" : "result"; }

/* The elements [*lo, *hi] a view touches; false on overflow. */
static bool view_span(const asgi_result_view *v, int64_t *lo, int64_t *hi) {
  int64_t a = v->offset, b = v->offset;
  for (int32_t d = 0; d < v->rank; d++) {
    int64_t ext;
    if (__builtin_mul_overflow(v->sizes[d] - 1, v->strides[d], &ext)) return false;
    if (ext < 0 ? __builtin_add_overflow(a, ext, &a) : __builtin_add_overflow(b, ext, &b)) return false;
  }
  *lo = a;
  *hi = b;
  return true;
}

/* Checks one result or update descriptor: its dims against the declaration, and that
 * it views elements inside a live buffer of the call. */
static asg_status check_slot(asgi_vk *vk, const asg_entry_info *e, const asgi_slot *sl, const asgi_result_view *v,
                             asgi_bindings *bs, slot_plan *plan) {
  const char *name = sl->decl->name;
  asg_status st = asgi_check_dims(sl->decl, v->rank, v->sizes, bs, slot_kind(sl), ASG_ERR_ABI);
  if (st != ASG_OK) {
    asgi_prefix_error("entry point '%s' broke the ABI: ", e->name);
    return st;
  }
  plan->numel = asgi_numel(v->rank, v->sizes, INT64_MAX / 8);
  if (plan->numel == 0) return ASG_OK;
  asgi_vk_handle *h = asgi_vk_call_lookup(vk, v->aligned);
  if (!h || h->state == ASGI_VK_RELEASED)
    return asgi_fail(ASG_ERR_ABI, "entry point '%s' broke the ABI: %s '%s' is %s (handle %p)", e->name, slot_kind(sl),
                     name, h ? "a released buffer" : "not a buffer of the call", v->aligned);
  int64_t lo, hi, end;
  int64_t esize = (int64_t)asg_dtype_size(sl->decl->dtype);
  if (!view_span(v, &lo, &hi) || lo < 0 || __builtin_mul_overflow(hi + 1, esize, &end) || (uint64_t)end > h->bytes)
    return asgi_fail(ASG_ERR_ABI,
                     "entry point '%s' broke the ABI: %s '%s' (offset %lld) lies outside its buffer of %llu bytes",
                     e->name, slot_kind(sl), name, (long long)v->offset, (unsigned long long)h->bytes);
  plan->h = h;
  return ASG_OK;
}

/* Records a copy of a (possibly strided) view of `src` into `dst` at dst_off in C order:
 * one region per contiguous run of elements. */
static asg_status record_gather(asgi_vk *vk, const asgi_result_view *v, size_t esize, int64_t numel, VkBuffer src,
                                VkBuffer dst, uint64_t dst_off) {
  int32_t k = v->rank;
  int64_t run = 1;
  while (k > 0 && (v->sizes[k - 1] == 1 || v->strides[k - 1] == run)) run *= v->sizes[--k];
  int64_t n = numel / run;
  if (n > UINT32_MAX) return asgi_fail(ASG_ERR_UNSUPPORTED, "a result with %lld separate runs of elements", (long long)n);
  VkBufferCopy *regions = malloc((size_t)n * sizeof *regions);
  if (!regions) return asgi_fail(ASG_ERR_OUT_OF_MEMORY, "out of memory");
  int64_t idx[ASG_MAX_RANK] = {0};
  for (int64_t i = 0; i < n; i++) {
    int64_t el = v->offset;
    for (int32_t d = 0; d < k; d++) el += idx[d] * v->strides[d];
    regions[i] = (VkBufferCopy){(uint64_t)el * esize, dst_off + (uint64_t)(i * run) * esize, (uint64_t)run * esize};
    for (int32_t d = k - 1; d >= 0; d--) {
      if (++idx[d] < v->sizes[d]) break;
      idx[d] = 0;
    }
  }
  vk->fn.vkCmdCopyBuffer(vk->cmd, src, dst, (uint32_t)n, regions);
  free(regions);
  return ASG_OK;
}

static bool row_major_from_zero(const asgi_result_view *v) { return v->offset == 0 && asgi_view_contiguous(v); }

/* Records what reads the results back and what turns updates into device copies. */
static asg_status record_copies(asgi_vk *vk, const asgi_call *c, slot_plan *plans) {
  for (size_t p = 0; p < c->nslots; p++) {
    slot_plan *pl = &plans[p];
    const asgi_result_view *v = &c->views[p];
    size_t esize = asg_dtype_size(c->slots[p].decl->dtype);
    if (!pl->h) continue;
    asg_status st = ASG_OK;
    if (!c->slots[p].is_update) {
      if (pl->h->buf->map) continue; /* read through the mapping after the fence */
      st = asgi_vk_staging_get(vk, (uint64_t)pl->numel * esize, &pl->staged, &pl->staged_at);
      if (st == ASG_OK) st = record_gather(vk, v, esize, pl->numel, pl->h->buf->buffer, pl->staged->buffer, pl->staged_at);
      if (st != ASG_OK) return st;
      continue;
    }
    /* An update adopts a buffer the entry allocated (once), viewed whole from its start;
     * anything else (an argument, a buffer already adopted, a strided view) is copied. */
    bool taken = false;
    for (size_t q = 0; q < p; q++) taken |= plans[q].adopt && plans[q].h == pl->h;
    if (pl->h->state == ASGI_VK_LIVE && !taken && row_major_from_zero(v)) {
      pl->adopt = true;
      continue;
    }
    pl->fresh = asgi_vk_pool_get(vk, (uint64_t)pl->numel * esize);
    if (!pl->fresh) {
      asgi_prefix_error("update '%s': ", c->slots[p].decl->name);
      return ASG_ERR_OUT_OF_MEMORY;
    }
    st = record_gather(vk, v, esize, pl->numel, pl->h->buf->buffer, pl->fresh->buffer, 0);
    if (st != ASG_OK) return st;
  }
  return ASG_OK;
}

/* Points the result views at host memory holding their elements (the mapped buffer or
 * the staging copy), for asgi_take_results to copy into the session's outputs. */
static void host_views(const asgi_call *c, const slot_plan *plans) {
  for (size_t p = 0; p < c->nslots; p++) {
    if (c->slots[p].is_update) continue;
    asgi_result_view *v = &c->views[p];
    const slot_plan *pl = &plans[p];
    v->owned = false;
    if (!pl->h) {
      v->allocated = v->aligned = NULL;
      continue;
    }
    if (!pl->staged) {
      v->allocated = v->aligned = pl->h->buf->map;
      continue;
    }
    v->allocated = v->aligned = pl->staged->map + pl->staged_at;
    v->offset = 0;
    int64_t stride = 1;
    for (int32_t d = v->rank - 1; d >= 0; d--) {
      v->strides[d] = stride;
      stride *= v->sizes[d];
    }
  }
}

/* Replaces the device copies of the updated parameters and states. */
static void apply_updates(asg_session *s, const asg_entry_info *e, const asgi_call *c, slot_plan *plans) {
  asgi_vk *vk = s->vk;
  for (size_t p = 0; p < c->nslots; p++) {
    if (!c->slots[p].is_update) continue;
    const asg_update_info *u = &e->updates[c->slots[p].index];
    asgi_vk_tensor *d = &vk->tensors[u->is_state ? s->info->num_params + u->index : u->index];
    slot_plan *pl = &plans[p];
    asgi_vk_buffer *b = pl->adopt ? pl->h->buf : pl->fresh;
    if (!b) continue; /* no elements: nothing to change */
    if (pl->adopt) pl->h->keep = true;
    pl->fresh = NULL;
    asgi_vk_pool_put(vk, d->buf);
    d->buf = b;
    d->device_valid = true;
    d->host_valid = false;
  }
}

/* The status descriptor after the result descriptors: a rank-0 memref of an i32 buffer. */
static asg_status status_location(asgi_vk *vk, const asg_entry_info *e, const int64_t *w, asgi_vk_handle **h,
                                  uint64_t *at) {
  void *handle;
  memcpy(&handle, &w[1], sizeof handle);
  int64_t offset = w[2];
  *h = asgi_vk_call_lookup(vk, handle);
  if (!*h || (*h)->state == ASGI_VK_RELEASED || offset < 0 || offset > INT64_MAX / 4 ||
      (uint64_t)(offset + 1) * 4 > (*h)->bytes)
    return asgi_fail(ASG_ERR_ABI, "entry point '%s' broke the ABI: its status descriptor (handle %p, offset %lld) is "
                     "not an i32 element of a buffer of the call", e->name, handle, (long long)offset);
  *at = (uint64_t)offset * 4;
  return ASG_OK;
}

asg_status asgi_vk_run(asg_session *s, size_t ei, const asg_tensor **by_arg, asgi_call *c, asgi_bindings *bs) {
  asgi_vk *vk = s->vk;
  const asg_entry_info *e = &s->info->entries[ei];
  slot_plan *plans = calloc(c->nslots ? c->nslots : 1, sizeof *plans);
  if (!plans) return asgi_fail(ASG_ERR_OUT_OF_MEMORY, "out of memory");
  asg_status st = asgi_vk_call_begin(vk);
  if (st == ASG_OK) st = bind_args(s, e, by_arg, c);
  if (st == ASG_OK) {
    /* the descriptor stores SPIR-V entry functions cast to asg_entry_fn (runtime.h) */
    asg_gpu_entry_fn fn = (asg_gpu_entry_fn)(void (*)(void))s->desc->entry_fns[ei];
    fn((void *const *)c->args, c->res_words, asgi_vk_call_recorder(vk));
    asgi_vk_flush_dispatches(vk); /* the copies of the results and the status come after */
    vk->last_dispatches = vk->call.dispatches;
    vk->last_barriers = vk->call.barriers;
    if (vk->call.status != ASG_OK)
      st = vk->call.status == ASG_ERR_ABI
               ? asgi_fail(ASG_ERR_ABI, "entry point '%s' broke the ABI: %s", e->name, vk->call.message)
               : asgi_fail(vk->call.status, "entry point '%s': %s", e->name, vk->call.message);
  }
  /* The status says whether a check failed, which outranks what is wrong with the results
   * (as on the cpu): problems with the results are kept in `late` until it is known. */
  asg_status late = ASG_OK;
  char late_message[1024] = "";
  asgi_vk_handle *status_h = NULL;
  uint64_t status_at = 0;
  asgi_vk_buffer *status_staged = NULL;
  if (st == ASG_OK) {
    size_t w = 0;
    for (size_t p = 0; p < c->nslots; p++) {
      asgi_read_descriptor(&c->res_words[w], c->slots[p].decl->rank, &c->views[p]);
      w += 3 + 2 * (size_t)c->slots[p].decl->rank;
    }
    st = status_location(vk, e, &c->res_words[w], &status_h, &status_at);
    for (size_t p = 0; st == ASG_OK && late == ASG_OK && p < c->nslots; p++)
      late = check_slot(vk, e, &c->slots[p], &c->views[p], bs, &plans[p]);
    if (late == ASG_OK && st == ASG_OK) late = record_copies(vk, c, plans);
    if (late != ASG_OK) snprintf(late_message, sizeof late_message, "%s", asg_last_error());
  }
  if (st == ASG_OK && !status_h->buf->map) {
    uint64_t at;
    st = asgi_vk_staging_get(vk, 4, &status_staged, &at);
    if (st == ASG_OK) {
      VkBufferCopy region = {status_at, at, 4};
      vk->fn.vkCmdCopyBuffer(vk->cmd, status_h->buf->buffer, status_staged->buffer, 1, &region);
      status_at = at;
    }
  }
  if (st == ASG_OK) st = asgi_vk_call_submit(vk);
  if (st == ASG_OK) {
    int32_t status;
    memcpy(&status, (status_staged ? status_staged->map : status_h->buf->map) + status_at, sizeof status);
    st = asgi_check_status(e, status);
  }
  if (st == ASG_OK && late != ASG_OK) st = asgi_fail(late, "%s", late_message);
  if (st == ASG_OK) {
    host_views(c, plans);
    st = asgi_take_results(s, e, c, bs);
  }
  if (st == ASG_OK) apply_updates(s, e, c, plans);
  for (size_t p = 0; p < c->nslots; p++) asgi_vk_pool_put(vk, plans[p].fresh);
  asgi_vk_call_end(vk);
  free(plans);
  return st;
}
