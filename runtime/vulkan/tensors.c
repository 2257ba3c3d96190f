/* tensors.c: the device copies of a session's parameters and optimizer state.
 *
 * Each tensor has a host copy (the session's asg_tensor) and a device buffer, and two
 * flags say which is current. Initializing or loading writes the host copies; a call
 * uploads the stale device copies it binds; an `update` result replaces the device
 * buffer (the host copy becomes stale); asg_session_param/state/save read the device
 * copy back only when the host copy is stale. */
#include "vk.h"

#include <stdlib.h>
#include <string.h>

static asg_tensor *host_tensor(asg_session *s, size_t t) {
  return t < s->info->num_params ? &s->params[t] : &s->states[t - s->info->num_params];
}

void asgi_vk_host_wrote_all(asgi_vk *vk) {
  for (size_t t = 0; t < vk->num_tensors; t++) {
    vk->tensors[t].host_valid = true;
    vk->tensors[t].device_valid = false;
  }
}

asg_status asgi_vk_tensor_upload(asgi_vk *vk, asg_session *s, size_t t) {
  asgi_vk_tensor *d = &vk->tensors[t];
  if (d->device_valid) return ASG_OK;
  if (!d->buf && !(d->buf = asgi_vk_pool_get(vk, d->bytes))) {
    asgi_prefix_error("%s '%s': ", t < s->info->num_params ? "parameter" : "state", host_tensor(s, t)->name);
    return ASG_ERR_OUT_OF_MEMORY;
  }
  const void *data = host_tensor(s, t)->data;
  if (d->bytes && d->buf->map) {
    memcpy(d->buf->map, data, (size_t)d->bytes);
  } else if (d->bytes) {
    asg_status st = asgi_vk_record_upload(vk, d->buf, 0, data, d->bytes);
    if (st != ASG_OK) return st;
  }
  d->device_valid = true;
  vk->tensor_uploads++;
  return ASG_OK;
}

/* Whether tensor t must be read back (which = SIZE_MAX: every tensor). */
static bool wanted(const asgi_vk *vk, size_t which, size_t t) {
  return (which == SIZE_MAX || which == t) && !vk->tensors[t].host_valid && vk->tensors[t].buf;
}

asg_status asgi_vk_sync_to_host(asgi_vk *vk, asg_session *s, size_t which, bool will_write) {
  bool copies = false;
  for (size_t t = 0; t < vk->num_tensors; t++) copies |= wanted(vk, which, t) && !vk->tensors[t].buf->map;
  uint64_t *offsets = NULL;
  asgi_vk_buffer **staging = NULL;
  asg_status st = ASG_OK;
  if (copies) {
    /* one command buffer copies every tensor that the host cannot map into staging memory */
    offsets = calloc(vk->num_tensors, sizeof *offsets);
    staging = calloc(vk->num_tensors, sizeof *staging);
    st = offsets && staging ? asgi_vk_call_begin(vk) : asgi_fail(ASG_ERR_OUT_OF_MEMORY, "out of memory");
    for (size_t t = 0; st == ASG_OK && t < vk->num_tensors; t++) {
      if (!wanted(vk, which, t) || vk->tensors[t].buf->map || !vk->tensors[t].bytes) continue;
      st = asgi_vk_staging_get(vk, vk->tensors[t].bytes, &staging[t], &offsets[t]);
      if (st != ASG_OK) break;
      VkBufferCopy region = {0, offsets[t], vk->tensors[t].bytes};
      vk->fn.vkCmdCopyBuffer(vk->cmd, vk->tensors[t].buf->buffer, staging[t]->buffer, 1, &region);
    }
    if (st == ASG_OK) st = asgi_vk_call_submit(vk);
  }
  for (size_t t = 0; st == ASG_OK && t < vk->num_tensors; t++) {
    if (!wanted(vk, which, t)) continue;
    asgi_vk_tensor *d = &vk->tensors[t];
    const unsigned char *src = d->buf->map ? d->buf->map : staging[t] ? staging[t]->map + offsets[t] : NULL;
    if (d->bytes && src) memcpy(host_tensor(s, t)->data, src, (size_t)d->bytes);
    d->host_valid = true;
    vk->tensor_downloads++;
  }
  if (copies) asgi_vk_call_end(vk);
  free(offsets);
  free(staging);
  if (st != ASG_OK) return st;
  for (size_t t = 0; will_write && t < vk->num_tensors; t++)
    if (which == SIZE_MAX || which == t) vk->tensors[t].device_valid = false;
  return ASG_OK;
}
