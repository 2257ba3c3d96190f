/* memory.c: device buffers. A pool of storage buffers by power-of-two size class (at
 * least 256 bytes) keeps released buffers for later allocations, within a call (dead
 * intermediates) and across calls; host-visible staging buffers carry uploads and
 * readback for devices whose fast memory the host cannot map. */
#include "vk.h"

#include <stdlib.h>
#include <string.h>

static const VkBufferUsageFlags kUsage =
    VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | VK_BUFFER_USAGE_TRANSFER_SRC_BIT | VK_BUFFER_USAGE_TRANSFER_DST_BIT;

static const VkMemoryPropertyFlags kMappable = VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT;

/* The first memory type allowed by `bits` that has all of `flags`, or -1. Vulkan lists
 * the types of a device from the fastest, so the first match is the one to use. */
static int find_type(const asgi_vk *vk, uint32_t bits, VkMemoryPropertyFlags flags) {
  for (uint32_t i = 0; i < vk->memory.memoryTypeCount; i++)
    if ((bits & (1u << i)) && (vk->memory.memoryTypes[i].propertyFlags & flags) == flags) return (int)i;
  return -1;
}

/* Device buffers: the first device-local type (any type if there is none). Staging
 * buffers: host-visible and coherent, cached if possible (readback). */
static int pick_type(const asgi_vk *vk, uint32_t bits, bool staging) {
  int t;
  if (staging) {
    t = find_type(vk, bits, kMappable | VK_MEMORY_PROPERTY_HOST_CACHED_BIT);
    return t >= 0 ? t : find_type(vk, bits, kMappable);
  }
  t = find_type(vk, bits, VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT);
  return t >= 0 ? t : find_type(vk, bits, 0);
}

static uint64_t heap_size(const asgi_vk *vk, int type) {
  return vk->memory.memoryHeaps[vk->memory.memoryTypes[type].heapIndex].size;
}

/* Creates a buffer of `size` bytes with its own memory; on failure NULL and *why says
 * which call failed (VK_ERROR_OUT_OF_DEVICE_MEMORY also for sizes past the limits). */
static asgi_vk_buffer *create_buffer(asgi_vk *vk, uint64_t size, bool staging, VkResult *why, const char **call) {
  asgi_vk_buffer *b = calloc(1, sizeof *b);
  if (!b) {
    *why = VK_ERROR_OUT_OF_HOST_MEMORY;
    *call = "malloc";
    return NULL;
  }
  b->size = size;
  b->size_class = -1;
  VkBufferCreateInfo bci = {
      .sType = VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO,
      .size = size,
      .usage = kUsage,
      .sharingMode = VK_SHARING_MODE_EXCLUSIVE,
  };
  *call = "vkCreateBuffer";
  VkResult r = vk->fn.vkCreateBuffer(vk->device, &bci, NULL, &b->buffer);
  if (r != VK_SUCCESS) b->buffer = VK_NULL_HANDLE;
  int type = -1;
  VkMemoryRequirements req = {0};
  if (r == VK_SUCCESS) {
    vk->fn.vkGetBufferMemoryRequirements(vk->device, b->buffer, &req);
    type = pick_type(vk, req.memoryTypeBits, staging);
    *call = "vkAllocateMemory";
    if (type < 0) {
      r = VK_ERROR_FEATURE_NOT_PRESENT;
      *call = "no suitable memory type";
    } else if (req.size > vk->max_allocation || req.size > heap_size(vk, type)) {
      r = VK_ERROR_OUT_OF_DEVICE_MEMORY; /* past the limits: not worth asking the driver */
    }
  }
  if (r == VK_SUCCESS) {
    VkMemoryAllocateInfo mai = {
        .sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO,
        .allocationSize = req.size,
        .memoryTypeIndex = (uint32_t)type,
    };
    r = vk->fn.vkAllocateMemory(vk->device, &mai, NULL, &b->memory);
    if (r != VK_SUCCESS) b->memory = VK_NULL_HANDLE;
  }
  if (r == VK_SUCCESS) {
    *call = "vkBindBufferMemory";
    r = vk->fn.vkBindBufferMemory(vk->device, b->buffer, b->memory, 0);
  }
  bool mappable = (vk->memory.memoryTypes[type >= 0 ? type : 0].propertyFlags & kMappable) == kMappable;
  if (r == VK_SUCCESS && mappable && (staging || !vk->force_staging)) {
    void *p = NULL;
    *call = "vkMapMemory";
    r = vk->fn.vkMapMemory(vk->device, b->memory, 0, VK_WHOLE_SIZE, 0, &p);
    b->map = p;
  }
  if (r != VK_SUCCESS) {
    *why = r;
    asgi_vk_buffer_destroy(vk, b);
    return NULL;
  }
  return b;
}

void asgi_vk_buffer_destroy(asgi_vk *vk, asgi_vk_buffer *b) {
  if (!b) return;
  if (b->map) vk->fn.vkUnmapMemory(vk->device, b->memory);
  if (b->buffer) vk->fn.vkDestroyBuffer(vk->device, b->buffer, NULL);
  if (b->memory) vk->fn.vkFreeMemory(vk->device, b->memory, NULL);
  free(b);
}

/* The size class of `bytes`: the smallest k with 256 << k >= bytes, or -1 if too big. */
static int size_class(uint64_t bytes) {
  for (int k = 0; k < ASGI_VK_NUM_CLASSES; k++)
    if (bytes <= ((uint64_t)ASGI_VK_MIN_BUFFER << k)) return k;
  return -1;
}

static void destroy_pooled(asgi_vk *vk, asgi_vk_buffer *b) {
  vk->pool.bytes_now -= b->size;
  asgi_vk_buffer_destroy(vk, b);
}

void asgi_vk_pool_trim(asgi_vk *vk) {
  for (int k = 0; k < ASGI_VK_NUM_CLASSES; k++) {
    while (vk->pool.free_lists[k]) {
      asgi_vk_buffer *b = vk->pool.free_lists[k];
      vk->pool.free_lists[k] = b->next_free;
      destroy_pooled(vk, b);
    }
  }
}

asgi_vk_buffer *asgi_vk_pool_get(asgi_vk *vk, uint64_t bytes) {
  int k = size_class(bytes);
  if (bytes > vk->limits.maxStorageBufferRange || k < 0) {
    asgi_fail(ASG_ERR_OUT_OF_MEMORY,
              "out of device memory: a buffer of %llu bytes is larger than the largest storage buffer of '%s' "
              "(maxStorageBufferRange %u bytes)",
              (unsigned long long)bytes, vk->device_name, vk->limits.maxStorageBufferRange);
    return NULL;
  }
  asgi_vk_buffer *b = vk->pool.free_lists[k];
  if (b) {
    vk->pool.free_lists[k] = b->next_free;
    b->next_free = NULL;
    vk->pool.buffers_reused++;
    vk->pool.bytes_in_use += b->size;
    return b;
  }
  /* A size class past the allocation limits gets a buffer of the exact size, which is
   * destroyed when it comes back. */
  uint64_t size = (uint64_t)ASGI_VK_MIN_BUFFER << k;
  bool exact = size > vk->max_allocation;
  if (exact) size = (bytes + 255) & ~(uint64_t)255;
  VkResult why = VK_SUCCESS;
  const char *call = "";
  b = create_buffer(vk, size, false, &why, &call);
  if (!b && (why == VK_ERROR_OUT_OF_DEVICE_MEMORY || why == VK_ERROR_OUT_OF_HOST_MEMORY)) {
    asgi_vk_pool_trim(vk); /* give the free buffers back to the driver and try again */
    b = create_buffer(vk, size, false, &why, &call);
  }
  if (!b) {
    asgi_fail(ASG_ERR_OUT_OF_MEMORY,
              "out of device memory: cannot allocate a buffer of %llu bytes on '%s' (%s: %s; the session holds %llu "
              "bytes of device buffers)",
              (unsigned long long)bytes, vk->device_name, call, asgi_vk_result_name(why),
              (unsigned long long)vk->pool.bytes_now);
    return NULL;
  }
  b->size_class = exact ? -2 : k;
  vk->pool.buffers_created++;
  if (b->map) vk->pool.buffers_mapped++;
  vk->pool.bytes_now += b->size;
  vk->pool.bytes_in_use += b->size;
  if (vk->pool.bytes_now > vk->pool.bytes_peak) vk->pool.bytes_peak = vk->pool.bytes_now;
  return b;
}

void asgi_vk_pool_put(asgi_vk *vk, asgi_vk_buffer *b) {
  if (!b) return;
  vk->pool.bytes_in_use -= b->size;
  if (b->size_class < 0) {
    destroy_pooled(vk, b);
    return;
  }
  b->next_free = vk->pool.free_lists[b->size_class];
  vk->pool.free_lists[b->size_class] = b;
}

asg_status asgi_vk_staging_get(asgi_vk *vk, uint64_t bytes, asgi_vk_buffer **buf, uint64_t *offset) {
  asgi_vk_staging *sg = &vk->staging;
  uint64_t need = bytes ? bytes : 1;
  while (sg->cur < sg->num_chunks) {
    asgi_vk_buffer *c = sg->chunks[sg->cur];
    uint64_t at = (sg->used + 15) & ~(uint64_t)15;
    if (at <= c->size && c->size - at >= need) {
      *buf = c;
      *offset = at;
      sg->used = at + need;
      return ASG_OK;
    }
    sg->cur++;
    sg->used = 0;
  }
  if (sg->num_chunks == sg->cap_chunks) {
    size_t nc = sg->cap_chunks ? 2 * sg->cap_chunks : 8;
    asgi_vk_buffer **p = realloc(sg->chunks, nc * sizeof *p);
    if (!p) return asgi_fail(ASG_ERR_OUT_OF_MEMORY, "out of memory");
    sg->chunks = p;
    sg->cap_chunks = nc;
  }
  uint64_t size = (uint64_t)1 << 20;
  if (sg->num_chunks && sg->chunks[sg->num_chunks - 1]->size * 2 > size) size = sg->chunks[sg->num_chunks - 1]->size * 2;
  if (need > size) size = (need + 4095) & ~(uint64_t)4095;
  VkResult why = VK_SUCCESS;
  const char *call = "";
  asgi_vk_buffer *c = create_buffer(vk, size, true, &why, &call);
  if (!c && size > need) c = create_buffer(vk, size = (need + 4095) & ~(uint64_t)4095, true, &why, &call);
  if (!c || !c->map) {
    asgi_vk_buffer_destroy(vk, c);
    return asgi_fail(ASG_ERR_OUT_OF_MEMORY,
                     "out of device memory: cannot allocate a host-visible staging buffer of %llu bytes on '%s' (%s: %s)",
                     (unsigned long long)size, vk->device_name, call, c ? "not mappable" : asgi_vk_result_name(why));
  }
  sg->chunks[sg->num_chunks++] = c;
  sg->cur = sg->num_chunks - 1;
  *buf = c;
  *offset = 0;
  sg->used = need;
  return ASG_OK;
}

void asgi_vk_staging_reset(asgi_vk *vk) {
  vk->staging.cur = 0;
  vk->staging.used = 0;
}

void asgi_vk_staging_destroy(asgi_vk *vk) {
  for (size_t i = 0; i < vk->staging.num_chunks; i++) asgi_vk_buffer_destroy(vk, vk->staging.chunks[i]);
  free(vk->staging.chunks);
  memset(&vk->staging, 0, sizeof vk->staging);
}
