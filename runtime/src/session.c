/* session.c: session lifetime, parameters (initialize, load, save) and error messages. */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

asg_status asgi_session_status(asg_session *s, asg_status status) {
  if (status != ASG_OK && s) snprintf(s->error, sizeof s->error, "%s", asg_last_error());
  return status;
}

void asgi_session_clear_outputs(asg_session *s) {
  for (size_t i = 0; i < s->num_owned; i++) free(s->owned[i]);
  free(s->owned);
  free(s->outputs);
  s->owned = NULL;
  s->num_owned = 0;
  s->outputs = NULL;
  s->num_outputs = 0;
}

static asg_status validate_desc(const asg_model_desc *desc, asg_model_info **info) {
  if (!desc) return asgi_fail(ASG_ERR_INVALID_ARGUMENT, "model descriptor is NULL");
  if (desc->abi_version != ASG_ABI_VERSION)
    return asgi_fail(ASG_ERR_ABI, "model has ABI version %u, but this runtime implements version %d", desc->abi_version,
                     ASG_ABI_VERSION);
  if (!desc->metadata) return asgi_fail(ASG_ERR_ABI, "model descriptor has no metadata");
  asg_status st = asg_model_info_parse(desc->metadata, info);
  if (st != ASG_OK) return st;
  if ((*info)->num_entries != desc->num_entries) {
    st = asgi_fail(ASG_ERR_ABI, "model descriptor has %u entry functions, but its metadata declares %zu",
                   desc->num_entries, (*info)->num_entries);
  } else if (desc->num_entries && !desc->entry_fns) {
    st = asgi_fail(ASG_ERR_ABI, "model descriptor has no entry function table");
  } else {
    for (uint32_t i = 0; i < desc->num_entries && st == ASG_OK; i++)
      if (!desc->entry_fns[i]) st = asgi_fail(ASG_ERR_ABI, "entry function %u ('%s') is NULL", i, (*info)->entries[i].name);
  }
  if (st != ASG_OK) {
    asg_model_info_free(*info);
    *info = NULL;
  }
  return st;
}

asg_status asgi_parse_device(const char *device, bool *vulkan, uint32_t *index) {
  *vulkan = false;
  *index = 0;
  if (strcmp(device, "cpu") == 0) return ASG_OK;
  if (strncmp(device, "vulkan", 6) != 0)
    return asgi_fail(ASG_ERR_UNSUPPORTED, "unknown device '%s' (expected cpu, vulkan or vulkan:N)", device);
  const char *p = device + 6;
  if (*p == ':') {
    unsigned long long n = 0;
    size_t digits = strspn(p + 1, "0123456789");
    if (digits == 0 || digits > 9 || p[1 + digits] != '\0')
      return asgi_fail(ASG_ERR_INVALID_ARGUMENT, "bad device '%s' (expected vulkan:N, N = 0, 1, ...)", device);
    for (size_t i = 1; i <= digits; i++) n = n * 10 + (unsigned long long)(p[i] - '0');
    *index = (uint32_t)n;
  } else if (*p != '\0') {
    return asgi_fail(ASG_ERR_UNSUPPORTED, "unknown device '%s' (expected cpu, vulkan or vulkan:N)", device);
  }
  *vulkan = true;
  return ASG_OK;
}

/* A model runs where its target says: target cpu on the cpu, target spirv on Vulkan. */
static asg_status check_target(const asg_model_desc *desc, const asg_model_info *info, const char *device,
                               bool vulkan) {
  bool spirv = strcmp(info->target, "spirv") == 0;
  if (!spirv && strcmp(info->target, "cpu") != 0)
    return asgi_fail(ASG_ERR_UNSUPPORTED, "model '%s' was compiled for target '%s', which this build cannot run",
                     info->name, info->target);
  if (!spirv && desc->num_kernels != 0)
    return asgi_fail(ASG_ERR_ABI, "model '%s' (target cpu) has %llu SPIR-V kernels in its descriptor", info->name,
                     (unsigned long long)desc->num_kernels);
  if (spirv && !vulkan)
    return asgi_fail(ASG_ERR_UNSUPPORTED,
                     "model '%s' was compiled for Vulkan devices (target spirv) and cannot run on device '%s': use "
                     "device 'vulkan' (asg-run --device vulkan), or compile the model without --target spirv",
                     info->name, device);
  if (!spirv && vulkan)
    return asgi_fail(ASG_ERR_UNSUPPORTED,
                     "model '%s' was compiled for the cpu (target cpu) and cannot run on device '%s': compile it with "
                     "asgc --target spirv, or use device 'cpu'",
                     info->name, device);
  return ASG_OK;
}

asg_status asg_session_create(const asg_model_desc *desc, const asg_session_options *options, asg_session **out) {
  if (!out) return asgi_fail(ASG_ERR_INVALID_ARGUMENT, "session output pointer is NULL");
  *out = NULL;
  const char *device = options && options->device ? options->device : "cpu";
  bool vulkan;
  uint32_t device_index;
  asg_status st = asgi_parse_device(device, &vulkan, &device_index);
  if (st != ASG_OK) return st;
  if (options && options->threads < 0)
    return asgi_fail(ASG_ERR_INVALID_ARGUMENT, "threads must be >= 0 (0 = all cores), not %d", (int)options->threads);
  asg_model_info *info;
  st = validate_desc(desc, &info);
  if (st != ASG_OK) return st;
  st = check_target(desc, info, device, vulkan);
  if (st != ASG_OK) {
    asg_model_info_free(info);
    return st;
  }
  asg_session *s = calloc(1, sizeof *s);
  if (!s) {
    asg_model_info_free(info);
    return asgi_fail(ASG_ERR_OUT_OF_MEMORY, "out of memory creating a session");
  }
  s->desc = desc;
  s->info = info;
  asgi_cpu_init(&s->cpu, options ? options->threads : 0);
  s->device = asgi_strdup(device);
  s->params = calloc(info->num_params ? info->num_params : 1, sizeof *s->params);
  s->states = calloc(info->num_states ? info->num_states : 1, sizeof *s->states);
  if (!s->device || !s->params || !s->states) {
    asg_session_destroy(s);
    return asgi_fail(ASG_ERR_OUT_OF_MEMORY, "out of memory creating a session");
  }
  for (size_t i = 0; i < info->num_params; i++) {
    const asg_value_info *v = &info->params[i].value;
    asg_tensor *t = &s->params[i];
    t->name = v->name;
    t->dtype = ASG_F32;
    t->rank = v->rank;
    for (int32_t d = 0; d < v->rank; d++) t->dims[d] = v->dims[d].size;
    size_t bytes = (size_t)asg_tensor_numel(t) * sizeof(float);
    t->data = calloc(bytes ? bytes : 1, 1);
    if (!t->data) {
      asg_session_destroy(s);
      return asgi_fail(ASG_ERR_OUT_OF_MEMORY, "out of memory for parameter '%s' (%zu bytes)", v->name, bytes);
    }
  }
  for (size_t i = 0; i < info->num_states; i++) {
    const asg_value_info *v = &info->states[i];
    asg_tensor *t = &s->states[i];
    t->name = v->name;
    t->dtype = v->dtype;
    t->rank = v->rank;
    for (int32_t d = 0; d < v->rank; d++) t->dims[d] = v->dims[d].size;
    size_t bytes = (size_t)asg_tensor_numel(t) * asg_dtype_size(v->dtype);
    t->data = calloc(bytes ? bytes : 1, 1);
    if (!t->data) {
      asg_session_destroy(s);
      return asgi_fail(ASG_ERR_OUT_OF_MEMORY, "out of memory for state '%s' (%zu bytes)", v->name, bytes);
    }
  }
  if (vulkan && (st = asgi_vk_open(desc, info, device_index, &s->vk)) != ASG_OK) {
    asg_session_destroy(s); /* keeps the thread's error message */
    return st;
  }
  *out = s;
  return ASG_OK;
}

void asg_session_destroy(asg_session *s) {
  if (!s) return;
  asgi_vk_close(s->vk);
  asgi_cpu_close(&s->cpu);
  asgi_session_clear_outputs(s);
  if (s->params && s->info)
    for (size_t i = 0; i < s->info->num_params; i++) free(s->params[i].data);
  if (s->states && s->info)
    for (size_t i = 0; i < s->info->num_states; i++) free(s->states[i].data);
  free(s->params);
  free(s->states);
  free(s->device);
  asg_model_info_free(s->info);
  free(s);
}

const char *asg_session_error(const asg_session *s) { return s ? s->error : "session is NULL"; }

const asg_model_info *asg_session_info(const asg_session *s) { return s ? s->info : NULL; }

static size_t tensor_bytes(const asg_tensor *t) { return (size_t)asg_tensor_numel(t) * asg_dtype_size(t->dtype); }

static void zero_states(asg_session *s) {
  for (size_t i = 0; i < s->info->num_states; i++) {
    size_t bytes = tensor_bytes(&s->states[i]);
    if (bytes) memset(s->states[i].data, 0, bytes);
  }
}

asg_status asg_session_init_params(asg_session *s, uint64_t seed) {
  if (!s) return asgi_fail(ASG_ERR_INVALID_ARGUMENT, "session is NULL");
  for (size_t i = 0; i < s->info->num_params; i++) {
    asg_tensor *t = &s->params[i];
    asg_status st = asgi_init_fill(&s->info->params[i].init, t->rank, t->dims, seed, i, t->data);
    if (st != ASG_OK) {
      asgi_prefix_error("parameter '%s': ", t->name);
      s->params_ready = false;
      if (s->vk) asgi_vk_host_wrote_all(s->vk);
      return asgi_session_status(s, st);
    }
  }
  zero_states(s);
  s->params_ready = true;
  if (s->vk) asgi_vk_host_wrote_all(s->vk); /* uploaded by the next run */
  return ASG_OK;
}

static bool same_shape(const asg_tensor *a, const asg_tensor *b) {
  if (a->rank != b->rank) return false;
  for (int32_t d = 0; d < a->rank; d++)
    if (a->dims[d] != b->dims[d]) return false;
  return true;
}

/* Checks one loaded tensor against the session tensor it replaces (`what`: "parameter" or "state"). */
static asg_status check_one(const char *path, const char *what, const asg_tensor *t, const asg_tensor *want) {
  char a[256], b[256];
  if (t->dtype != want->dtype)
    return asgi_fail(ASG_ERR_SHAPE, "%s: %s '%s' has dtype %s, expected %s", path, what, t->name, asg_dtype_name(t->dtype),
                     asg_dtype_name(want->dtype));
  if (!same_shape(t, want))
    return asgi_fail(ASG_ERR_SHAPE, "%s: %s '%s' has shape %s, expected %s", path, what, t->name,
                     asgi_format_dims(t->rank, t->dims, a, sizeof a), asgi_format_dims(want->rank, want->dims, b, sizeof b));
  return ASG_OK;
}

/* Matches the file's tensors to the parameters (which[p]) and, when the model has state and
 * the file has "optim.*" tensors, to the state tensors (which_state[k]); *has_state says so. */
static asg_status check_loaded(const asg_session *s, const char *path, const asg_tensor *ts, size_t n, size_t *which,
                               size_t *which_state, bool *has_state) {
  const asg_model_info *info = s->info;
  *has_state = false;
  for (size_t i = 0; i < n; i++) {
    const asg_tensor *t = &ts[i];
    if (strncmp(t->name, "optim.", 6) == 0) {
      if (info->num_states == 0) continue; /* a checkpoint's state, for a model built without it */
      *has_state = true;
      size_t k;
      for (k = 0; k < info->num_states; k++)
        if (strcmp(info->states[k].name, t->name) == 0) break;
      if (k == info->num_states)
        return asgi_fail(ASG_ERR_NOT_FOUND, "%s: tensor '%s' is not an optimizer state of model '%s'", path, t->name,
                         info->name);
      if (which_state[k] != SIZE_MAX) return asgi_fail(ASG_ERR_FORMAT, "%s: tensor '%s' appears twice", path, t->name);
      which_state[k] = i;
      asg_status st = check_one(path, "state", t, &s->states[k]);
      if (st != ASG_OK) return st;
      continue;
    }
    size_t p;
    for (p = 0; p < info->num_params; p++)
      if (strcmp(info->params[p].value.name, t->name) == 0) break;
    if (p == info->num_params)
      return asgi_fail(ASG_ERR_NOT_FOUND, "%s: tensor '%s' is not a parameter of model '%s'", path, t->name, info->name);
    if (which[p] != SIZE_MAX) return asgi_fail(ASG_ERR_FORMAT, "%s: tensor '%s' appears twice", path, t->name);
    which[p] = i;
    asg_status st = check_one(path, "parameter", t, &s->params[p]);
    if (st != ASG_OK) return st;
  }
  for (size_t p = 0; p < info->num_params; p++)
    if (which[p] == SIZE_MAX)
      return asgi_fail(ASG_ERR_NOT_FOUND, "%s: parameter '%s' is missing", path, info->params[p].value.name);
  for (size_t k = 0; *has_state && k < info->num_states; k++)
    if (which_state[k] == SIZE_MAX)
      return asgi_fail(ASG_ERR_NOT_FOUND, "%s: optimizer state '%s' is missing (the file has other 'optim.*' tensors)",
                       path, info->states[k].name);
  return ASG_OK;
}

asg_status asg_session_load(asg_session *s, const char *path) {
  if (!s) return asgi_fail(ASG_ERR_INVALID_ARGUMENT, "session is NULL");
  if (!path) return asgi_session_status(s, asgi_fail(ASG_ERR_INVALID_ARGUMENT, "weights path is NULL"));
  asg_tensor *ts;
  size_t n;
  asg_status st = asg_safetensors_read(path, &ts, &n);
  if (st != ASG_OK) return asgi_session_status(s, st);
  size_t np = s->info->num_params, ns = s->info->num_states;
  size_t *which = malloc((np + ns + 1) * sizeof *which);
  if (!which) {
    asg_tensors_free(ts, n);
    return asgi_session_status(s, asgi_fail(ASG_ERR_OUT_OF_MEMORY, "out of memory"));
  }
  size_t *which_state = which + np;
  for (size_t i = 0; i < np + ns; i++) which[i] = SIZE_MAX;
  bool has_state;
  st = check_loaded(s, path, ts, n, which, which_state, &has_state);
  if (st == ASG_OK) {
    for (size_t p = 0; p < np; p++) {
      size_t bytes = tensor_bytes(&s->params[p]);
      if (bytes) memcpy(s->params[p].data, ts[which[p]].data, bytes);
    }
    if (has_state) {
      for (size_t k = 0; k < ns; k++) {
        size_t bytes = tensor_bytes(&s->states[k]);
        if (bytes) memcpy(s->states[k].data, ts[which_state[k]].data, bytes);
      }
    } else {
      zero_states(s);
    }
    s->params_ready = true;
    if (s->vk) asgi_vk_host_wrote_all(s->vk); /* uploaded by the next run */
  }
  free(which);
  asg_tensors_free(ts, n);
  return asgi_session_status(s, st);
}

asg_status asg_session_save(const asg_session *s, const char *path) {
  if (!s) return asgi_fail(ASG_ERR_INVALID_ARGUMENT, "session is NULL");
  asg_session *ms = (asg_session *)s; /* only its error message changes */
  if (!s->params_ready)
    return asgi_session_status(ms, asgi_fail(ASG_ERR_INVALID_ARGUMENT,
                                             "parameters are not set (call asg_session_init_params or asg_session_load)"));
  size_t np = s->info->num_params, ns = s->info->num_states;
  if (s->vk) { /* the device may hold newer values than the host copies */
    asg_status st = asgi_vk_sync_to_host(s->vk, ms, SIZE_MAX, false);
    if (st != ASG_OK) return asgi_session_status(ms, st);
  }
  if (ns == 0) return asgi_session_status(ms, asg_safetensors_write(path, s->params, np));
  asg_tensor *all = malloc((np + ns) * sizeof *all);
  if (!all) return asgi_session_status(ms, asgi_fail(ASG_ERR_OUT_OF_MEMORY, "out of memory"));
  if (np) memcpy(all, s->params, np * sizeof *all);
  memcpy(all + np, s->states, ns * sizeof *all);
  asg_status st = asg_safetensors_write(path, all, np + ns);
  free(all);
  return asgi_session_status(ms, st);
}

asg_status asg_session_param(asg_session *s, const char *name, const asg_tensor **out) {
  if (!s) return asgi_fail(ASG_ERR_INVALID_ARGUMENT, "session is NULL");
  if (!name || !out) return asgi_session_status(s, asgi_fail(ASG_ERR_INVALID_ARGUMENT, "name or output pointer is NULL"));
  *out = NULL;
  for (size_t i = 0; i < s->info->num_params; i++) {
    if (strcmp(s->params[i].name, name) == 0) {
      /* on a Vulkan device: read back if stale, and upload again before the next run */
      asg_status st = s->vk ? asgi_vk_sync_to_host(s->vk, s, i, true) : ASG_OK;
      if (st != ASG_OK) return asgi_session_status(s, st);
      *out = &s->params[i];
      return ASG_OK;
    }
  }
  return asgi_session_status(
      s, asgi_fail(ASG_ERR_NOT_FOUND, "model '%s' has no parameter '%s'", s->info->name, name));
}

asg_status asg_session_state(asg_session *s, const char *name, const asg_tensor **out) {
  if (!s) return asgi_fail(ASG_ERR_INVALID_ARGUMENT, "session is NULL");
  if (!name || !out) return asgi_session_status(s, asgi_fail(ASG_ERR_INVALID_ARGUMENT, "name or output pointer is NULL"));
  *out = NULL;
  for (size_t i = 0; i < s->info->num_states; i++) {
    if (strcmp(s->states[i].name, name) == 0) {
      asg_status st = s->vk ? asgi_vk_sync_to_host(s->vk, s, s->info->num_params + i, true) : ASG_OK;
      if (st != ASG_OK) return asgi_session_status(s, st);
      *out = &s->states[i];
      return ASG_OK;
    }
  }
  return asgi_session_status(
      s, asgi_fail(ASG_ERR_NOT_FOUND, "model '%s' has no optimizer state '%s'", s->info->name, name));
}
