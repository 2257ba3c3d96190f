/* recorder.c: one entry-point call on the device. The asg_gpu_recorder callbacks record
 * the entry's work into the session's command buffer (dispatches separated by full
 * compute barriers, uploads through staging memory) and keep a table of the call's
 * buffer handles, so that every use of a handle is checked and released buffers go
 * back to the pool at once (docs/abi.md: a released buffer is dead for every later
 * dispatch of the call, and the barriers keep the order). */
#include "vk.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Remembers the first failure of the recording (the thread's last error); later
 * recorder calls become no-ops. */
static void record_failure(asgi_vk *vk, asg_status st) {
  asgi_vk_call *c = &vk->call;
  if (c->status != ASG_OK) return;
  c->status = st;
  snprintf(c->message, sizeof c->message, "%s", asg_last_error());
}

static void *add_handle(asgi_vk *vk, asgi_vk_buffer *b, uint64_t bytes, asgi_vk_handle_state state, bool keep) {
  asgi_vk_call *c = &vk->call;
  if (c->num_handles == c->cap_handles) {
    size_t nc = c->cap_handles ? 2 * c->cap_handles : 64;
    asgi_vk_handle *p = realloc(c->handles, nc * sizeof *p);
    if (!p) return NULL;
    c->handles = p;
    c->cap_handles = nc;
  }
  c->handles[c->num_handles++] = (asgi_vk_handle){b, bytes, state, keep};
  return (void *)(uintptr_t)c->num_handles;
}

asgi_vk_handle *asgi_vk_call_lookup(asgi_vk *vk, const void *handle) {
  uintptr_t v = (uintptr_t)handle;
  if (v == 0 || v > vk->call.num_handles) return NULL;
  return &vk->call.handles[v - 1];
}

void *asgi_vk_call_bind(asgi_vk *vk, asgi_vk_buffer *b, uint64_t bytes, bool pooled) {
  return add_handle(vk, b, bytes, ASGI_VK_ARG, !pooled);
}

/* The buffer behind a handle the entry passes to `what`, or NULL (a failure recorded). */
static asgi_vk_handle *use_handle(asgi_vk *vk, void *handle, const char *what, bool writable) {
  asgi_vk_handle *h = asgi_vk_call_lookup(vk, handle);
  const char *why = !h                               ? "an unknown buffer handle"
                    : h->state == ASGI_VK_RELEASED   ? "a released buffer"
                    : writable && h->state == ASGI_VK_ARG ? "an argument buffer (arguments are read-only)"
                                                     : NULL;
  if (!why) return h;
  record_failure(vk, asgi_fail(ASG_ERR_ABI, "%s of %s (handle %p)", what, why, handle));
  return NULL;
}

static void *rec_alloc(void *self, int64_t bytes) {
  asgi_vk *vk = self;
  if (vk->call.status != ASG_OK) return NULL;
  if (bytes < 0) {
    record_failure(vk, asgi_fail(ASG_ERR_ABI, "alloc of %lld bytes", (long long)bytes));
    return NULL;
  }
  asgi_vk_buffer *b = asgi_vk_pool_get(vk, (uint64_t)bytes);
  if (!b) {
    record_failure(vk, ASG_ERR_OUT_OF_MEMORY);
    return NULL;
  }
  void *h = add_handle(vk, b, (uint64_t)bytes, ASGI_VK_LIVE, false);
  if (!h) {
    asgi_vk_pool_put(vk, b);
    record_failure(vk, asgi_fail(ASG_ERR_OUT_OF_MEMORY, "out of memory"));
  }
  return h;
}

static void rec_release(void *self, void *buffer) {
  asgi_vk *vk = self;
  if (vk->call.status != ASG_OK) return;
  asgi_vk_handle *h = use_handle(vk, buffer, "release", true);
  if (!h) return;
  asgi_vk_pool_put(vk, h->buf); /* later allocations of this call may reuse it */
  h->buf = NULL;
  h->state = ASGI_VK_RELEASED;
}

static void rec_upload(void *self, void *buffer, const void *data, int64_t bytes) {
  asgi_vk *vk = self;
  if (vk->call.status != ASG_OK) return;
  asgi_vk_handle *h = use_handle(vk, buffer, "upload", true);
  if (!h) return;
  if (bytes < 0 || (uint64_t)bytes > h->bytes || (bytes > 0 && !data)) {
    record_failure(vk, asgi_fail(ASG_ERR_ABI, "upload of %lld bytes%s into a buffer of %llu bytes", (long long)bytes,
                                 data ? "" : " from NULL", (unsigned long long)h->bytes));
    return;
  }
  if (bytes == 0) return;
  asg_status st = asgi_vk_record_upload(vk, h->buf, 0, data, (uint64_t)bytes);
  if (st != ASG_OK) record_failure(vk, st);
}

static void compute_barrier(asgi_vk *vk) {
  VkMemoryBarrier mb = {
      .sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER,
      .srcAccessMask = VK_ACCESS_SHADER_WRITE_BIT,
      /* later dispatches read and write, later copies read results and overwrite reused
       * buffers, the host reads mapped results */
      .dstAccessMask = VK_ACCESS_SHADER_READ_BIT | VK_ACCESS_SHADER_WRITE_BIT | VK_ACCESS_TRANSFER_READ_BIT |
                       VK_ACCESS_TRANSFER_WRITE_BIT | VK_ACCESS_HOST_READ_BIT,
  };
  vk->fn.vkCmdPipelineBarrier(vk->cmd, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT,
                              VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT | VK_PIPELINE_STAGE_TRANSFER_BIT |
                                  VK_PIPELINE_STAGE_HOST_BIT,
                              0, 1, &mb, 0, NULL, 0, NULL);
  vk->call.barriers++;
  vk->call.num_accessed = vk->call.num_written = 0;
}

void asgi_vk_flush_dispatches(asgi_vk *vk) {
  if (vk->call.num_accessed) compute_barrier(vk);
}

static bool contains(asgi_vk_buffer *const *set, size_t n, const asgi_vk_buffer *b) {
  for (size_t i = 0; i < n; i++)
    if (set[i] == b) return true;
  return false;
}

static bool add_to(asgi_vk_buffer ***set, size_t *n, size_t *cap, asgi_vk_buffer *b) {
  if (contains(*set, *n, b)) return true;
  if (*n == *cap) {
    size_t nc = *cap ? 2 * *cap : 32;
    asgi_vk_buffer **p = realloc(*set, nc * sizeof *p);
    if (!p) return false;
    *set = p;
    *cap = nc;
  }
  (*set)[(*n)++] = b;
  return true;
}

/* A barrier before a dispatch only where it depends on one since the last barrier:
 * it touches a buffer written since (read after write, write after write), or writes
 * one accessed since (write after read; released buffers come back from the pool). */
static bool order_dispatch(asgi_vk *vk, const asg_gpu_kernel *k, asgi_vk_handle *const *hs) {
  asgi_vk_call *c = &vk->call;
  bool hazard = false;
  for (uint32_t i = 0; i < k->num_buffers && !hazard; i++) {
    bool writes = i >= 32 || (k->written >> i & 1u);
    hazard = contains(c->written, c->num_written, hs[i]->buf) ||
             (writes && contains(c->accessed, c->num_accessed, hs[i]->buf));
  }
  if (hazard) compute_barrier(vk);
  for (uint32_t i = 0; i < k->num_buffers; i++) {
    bool writes = i >= 32 || (k->written >> i & 1u);
    if (!add_to(&c->accessed, &c->num_accessed, &c->cap_accessed, hs[i]->buf) ||
        (writes && !add_to(&c->written, &c->num_written, &c->cap_written, hs[i]->buf)))
      return false;
  }
  return true;
}

void asgi_vk_record_transfer_barrier(asgi_vk *vk) {
  VkMemoryBarrier mb = {
      .sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER,
      .srcAccessMask = VK_ACCESS_TRANSFER_WRITE_BIT,
      .dstAccessMask = VK_ACCESS_SHADER_READ_BIT | VK_ACCESS_SHADER_WRITE_BIT | VK_ACCESS_TRANSFER_READ_BIT |
                       VK_ACCESS_TRANSFER_WRITE_BIT,
  };
  vk->fn.vkCmdPipelineBarrier(vk->cmd, VK_PIPELINE_STAGE_TRANSFER_BIT,
                              VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT | VK_PIPELINE_STAGE_TRANSFER_BIT, 0, 1, &mb, 0, NULL,
                              0, NULL);
}

/* Checks a dispatch; false (a failure recorded) if it breaks the ABI or the limits. */
static bool check_dispatch(asgi_vk *vk, int64_t kernel, void *const *buffers, const int32_t *push, const int64_t g[3],
                           asgi_vk_handle **hs) {
  if (kernel < 0 || (uint64_t)kernel >= vk->num_kernels) {
    record_failure(vk, asgi_fail(ASG_ERR_ABI, "dispatch of kernel %lld, but the model has %zu kernels", (long long)kernel,
                                 vk->num_kernels));
    return false;
  }
  const asg_gpu_kernel *k = vk->kernels[kernel].desc;
  char what[320];
  snprintf(what, sizeof what, "dispatch of kernel %lld ('%s')", (long long)kernel, k->name);
  for (int d = 0; d < 3; d++) {
    if (g[d] < 0 || (uint64_t)g[d] > vk->limits.maxComputeWorkGroupCount[d]) {
      record_failure(vk, asgi_fail(g[d] < 0 ? ASG_ERR_ABI : ASG_ERR_UNSUPPORTED,
                                   "%s: %lld workgroups along %c, but device '%s' allows 0 to %u", what, (long long)g[d],
                                   "xyz"[d], vk->device_name, vk->limits.maxComputeWorkGroupCount[d]));
      return false;
    }
  }
  if (k->num_push_constants && !push) {
    record_failure(vk, asgi_fail(ASG_ERR_ABI, "%s: no push constants (it takes %u)", what, k->num_push_constants));
    return false;
  }
  if (k->num_buffers && !buffers) {
    record_failure(vk, asgi_fail(ASG_ERR_ABI, "%s: no buffers (it binds %u)", what, k->num_buffers));
    return false;
  }
  for (uint32_t i = 0; i < k->num_buffers; i++) {
    char w[400];
    snprintf(w, sizeof w, "%s, binding %u,", what, i);
    if (!(hs[i] = use_handle(vk, buffers[i], w, false))) return false;
  }
  return true;
}

static void rec_dispatch(void *self, int64_t kernel, void *const *buffers, const int32_t *push, int64_t gx, int64_t gy,
                         int64_t gz) {
  asgi_vk *vk = self;
  if (vk->call.status != ASG_OK) return;
  enum { kMaxOnStack = 32 };
  asgi_vk_handle *stack_hs[kMaxOnStack];
  VkDescriptorBufferInfo stack_infos[kMaxOnStack];
  asgi_vk_handle **hs = stack_hs;
  VkDescriptorBufferInfo *infos = stack_infos;
  uint32_t nb = kernel >= 0 && (uint64_t)kernel < vk->num_kernels ? vk->kernels[kernel].desc->num_buffers : 0;
  if (nb > kMaxOnStack) {
    hs = malloc(nb * sizeof *hs);
    infos = malloc(nb * sizeof *infos);
    if (!hs || !infos) {
      record_failure(vk, asgi_fail(ASG_ERR_OUT_OF_MEMORY, "out of memory"));
      goto done;
    }
  }
  const int64_t g[3] = {gx, gy, gz};
  if (!check_dispatch(vk, kernel, buffers, push, g, hs)) goto done;
  if (gx == 0 || gy == 0 || gz == 0) goto done; /* an empty grid: nothing to run */
  const asgi_vk_kernel *k = &vk->kernels[kernel];
  if (!order_dispatch(vk, k->desc, hs)) {
    record_failure(vk, asgi_fail(ASG_ERR_OUT_OF_MEMORY, "out of memory"));
    goto done;
  }
  if (nb) {
    VkDescriptorSet set;
    asg_status st = asgi_vk_descriptor_set(vk, (size_t)kernel, &set);
    if (st != ASG_OK) {
      record_failure(vk, st);
      goto done;
    }
    for (uint32_t i = 0; i < nb; i++) {
      uint64_t range = hs[i]->buf->size < vk->limits.maxStorageBufferRange ? hs[i]->buf->size
                                                                           : vk->limits.maxStorageBufferRange;
      infos[i] = (VkDescriptorBufferInfo){hs[i]->buf->buffer, 0, range};
    }
    VkWriteDescriptorSet write = {
        .sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET,
        .dstSet = set,
        .dstBinding = 0,
        .descriptorCount = nb,
        .descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER,
        .pBufferInfo = infos,
    };
    vk->fn.vkUpdateDescriptorSets(vk->device, 1, &write, 0, NULL);
    if (vk->call.bound != k->pipeline) {
      vk->fn.vkCmdBindPipeline(vk->cmd, VK_PIPELINE_BIND_POINT_COMPUTE, k->pipeline);
      vk->call.bound = k->pipeline;
    }
    vk->fn.vkCmdBindDescriptorSets(vk->cmd, VK_PIPELINE_BIND_POINT_COMPUTE, k->layout, 0, 1, &set, 0, NULL);
  } else if (vk->call.bound != k->pipeline) {
    vk->fn.vkCmdBindPipeline(vk->cmd, VK_PIPELINE_BIND_POINT_COMPUTE, k->pipeline);
    vk->call.bound = k->pipeline;
  }
  if (k->desc->num_push_constants)
    vk->fn.vkCmdPushConstants(vk->cmd, k->layout, VK_SHADER_STAGE_COMPUTE_BIT, 0, k->desc->num_push_constants * 4, push);
  vk->fn.vkCmdDispatch(vk->cmd, (uint32_t)gx, (uint32_t)gy, (uint32_t)gz);
  vk->call.dispatches++;
done:
  if (hs != stack_hs) free(hs);
  if (infos != stack_infos) free(infos);
}

const asg_gpu_recorder *asgi_vk_call_recorder(asgi_vk *vk) {
  vk->call.recorder = (asg_gpu_recorder){vk, rec_alloc, rec_release, rec_upload, rec_dispatch};
  return &vk->call.recorder;
}

asg_status asgi_vk_record_upload(asgi_vk *vk, asgi_vk_buffer *buf, uint64_t dst_offset, const void *data,
                                 uint64_t bytes) {
  asgi_vk_buffer *sb;
  uint64_t off;
  asg_status st = asgi_vk_staging_get(vk, bytes, &sb, &off);
  if (st != ASG_OK) return st;
  memcpy(sb->map + off, data, (size_t)bytes);
  asgi_vk_flush_dispatches(vk); /* the buffer may be a reused one that dispatches still use */
  VkBufferCopy region = {off, dst_offset, bytes};
  vk->fn.vkCmdCopyBuffer(vk->cmd, sb->buffer, buf->buffer, 1, &region);
  asgi_vk_record_transfer_barrier(vk);
  return ASG_OK;
}

asg_status asgi_vk_call_begin(asgi_vk *vk) {
  if (vk->lost)
    return asgi_fail(ASG_ERR_UNSUPPORTED, "device '%s' was lost in an earlier call; create a new session",
                     vk->device_name);
  asgi_vk_call *c = &vk->call;
  c->num_handles = 0;
  c->status = ASG_OK;
  c->message[0] = '\0';
  c->bound = VK_NULL_HANDLE;
  c->dispatches = 0;
  c->barriers = 0;
  c->num_accessed = c->num_written = 0;
  asgi_vk_staging_reset(vk);
  asgi_vk_descriptor_pools_reset(vk);
  VkCommandBufferBeginInfo bi = {
      .sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO,
      .flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT,
  };
  VkResult r = vk->fn.vkBeginCommandBuffer(vk->cmd, &bi);
  if (r != VK_SUCCESS)
    return asgi_fail(ASG_ERR_OUT_OF_MEMORY, "cannot record commands on '%s' (vkBeginCommandBuffer: %s)",
                     vk->device_name, asgi_vk_result_name(r));
  c->recording = true;
  return ASG_OK;
}

asg_status asgi_vk_call_submit(asgi_vk *vk) {
  /* make the device's writes visible to the host reads after the fence */
  VkMemoryBarrier mb = {
      .sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER,
      .srcAccessMask = VK_ACCESS_SHADER_WRITE_BIT | VK_ACCESS_TRANSFER_WRITE_BIT,
      .dstAccessMask = VK_ACCESS_HOST_READ_BIT,
  };
  vk->fn.vkCmdPipelineBarrier(vk->cmd, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT | VK_PIPELINE_STAGE_TRANSFER_BIT,
                              VK_PIPELINE_STAGE_HOST_BIT, 0, 1, &mb, 0, NULL, 0, NULL);
  vk->call.recording = false;
  VkResult r = vk->fn.vkEndCommandBuffer(vk->cmd);
  const char *what = "vkEndCommandBuffer";
  if (r == VK_SUCCESS) {
    VkSubmitInfo si = {.sType = VK_STRUCTURE_TYPE_SUBMIT_INFO, .commandBufferCount = 1, .pCommandBuffers = &vk->cmd};
    what = "vkQueueSubmit";
    r = vk->fn.vkQueueSubmit(vk->queue, 1, &si, vk->fence);
    if (r == VK_SUCCESS) {
      what = "vkWaitForFences";
      r = vk->fn.vkWaitForFences(vk->device, 1, &vk->fence, VK_TRUE, UINT64_MAX);
      vk->fn.vkResetFences(vk->device, 1, &vk->fence);
    }
  }
  if (r == VK_SUCCESS) return ASG_OK;
  if (r == VK_ERROR_DEVICE_LOST) vk->lost = true;
  else vk->fn.vkDeviceWaitIdle(vk->device);
  return asgi_fail(r == VK_ERROR_OUT_OF_DEVICE_MEMORY || r == VK_ERROR_OUT_OF_HOST_MEMORY ? ASG_ERR_OUT_OF_MEMORY
                                                                                           : ASG_ERR_UNSUPPORTED,
                   "running the work on device '%s' failed (%s: %s)", vk->device_name, what, asgi_vk_result_name(r));
}

void asgi_vk_call_end(asgi_vk *vk) {
  asgi_vk_call *c = &vk->call;
  if (c->recording) {
    vk->fn.vkResetCommandBuffer(vk->cmd, 0);
    c->recording = false;
  }
  for (size_t i = 0; i < c->num_handles; i++) {
    asgi_vk_handle *h = &c->handles[i];
    if (h->state != ASGI_VK_RELEASED && !h->keep) asgi_vk_pool_put(vk, h->buf);
  }
  c->num_handles = 0;
}
