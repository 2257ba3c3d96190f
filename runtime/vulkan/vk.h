/* vk.h: the internal interface of the Vulkan executor (the sources in runtime/vulkan); not installed.
 *
 * The session code (runtime/src) sees only the functions declared in internal.h
 * ("Vulkan execution"); this header adds the Vulkan types. libvulkan is never linked:
 * loader.c dlopens it and fills a function table (VK_NO_PROTOTYPES). */
#ifndef ASG_RUNTIME_VULKAN_VK_H
#define ASG_RUNTIME_VULKAN_VK_H

#define VK_NO_PROTOTYPES
#include <vulkan/vulkan.h>

#include "internal.h"

/* ---- the function table (loader.c) ---- */

/* Functions looked up with vkGetInstanceProcAddr(NULL, ...). */
#define ASGI_VK_GLOBAL_FNS(X) X(vkCreateInstance)

/* Functions looked up with vkGetInstanceProcAddr(instance, ...). */
#define ASGI_VK_INSTANCE_FNS(X)                                                                                        \
  X(vkDestroyInstance)                                                                                                 \
  X(vkEnumeratePhysicalDevices)                                                                                        \
  X(vkGetPhysicalDeviceProperties)                                                                                     \
  X(vkGetPhysicalDeviceProperties2)                                                                                    \
  X(vkGetPhysicalDeviceFeatures)                                                                                       \
  X(vkEnumerateDeviceExtensionProperties)                                                                              \
  X(vkGetPhysicalDeviceQueueFamilyProperties)                                                                          \
  X(vkGetPhysicalDeviceMemoryProperties)                                                                               \
  X(vkCreateDevice)                                                                                                    \
  X(vkGetDeviceProcAddr)

/* Functions looked up with vkGetDeviceProcAddr(device, ...). */
#define ASGI_VK_DEVICE_FNS(X)                                                                                          \
  X(vkDestroyDevice)                                                                                                   \
  X(vkGetDeviceQueue)                                                                                                  \
  X(vkDeviceWaitIdle)                                                                                                  \
  X(vkCreateBuffer)                                                                                                    \
  X(vkDestroyBuffer)                                                                                                   \
  X(vkGetBufferMemoryRequirements)                                                                                     \
  X(vkAllocateMemory)                                                                                                  \
  X(vkFreeMemory)                                                                                                      \
  X(vkBindBufferMemory)                                                                                                \
  X(vkMapMemory)                                                                                                       \
  X(vkUnmapMemory)                                                                                                     \
  X(vkCreateShaderModule)                                                                                              \
  X(vkDestroyShaderModule)                                                                                             \
  X(vkCreateDescriptorSetLayout)                                                                                       \
  X(vkDestroyDescriptorSetLayout)                                                                                      \
  X(vkCreatePipelineLayout)                                                                                            \
  X(vkDestroyPipelineLayout)                                                                                           \
  X(vkCreateComputePipelines)                                                                                          \
  X(vkDestroyPipeline)                                                                                                 \
  X(vkCreateDescriptorPool)                                                                                            \
  X(vkDestroyDescriptorPool)                                                                                           \
  X(vkResetDescriptorPool)                                                                                             \
  X(vkAllocateDescriptorSets)                                                                                          \
  X(vkUpdateDescriptorSets)                                                                                            \
  X(vkCreateCommandPool)                                                                                               \
  X(vkDestroyCommandPool)                                                                                              \
  X(vkAllocateCommandBuffers)                                                                                          \
  X(vkResetCommandBuffer)                                                                                              \
  X(vkBeginCommandBuffer)                                                                                              \
  X(vkEndCommandBuffer)                                                                                                \
  X(vkCmdBindPipeline)                                                                                                 \
  X(vkCmdBindDescriptorSets)                                                                                           \
  X(vkCmdPushConstants)                                                                                                \
  X(vkCmdDispatch)                                                                                                     \
  X(vkCmdPipelineBarrier)                                                                                              \
  X(vkCmdCopyBuffer)                                                                                                   \
  X(vkQueueSubmit)                                                                                                     \
  X(vkCreateFence)                                                                                                     \
  X(vkDestroyFence)                                                                                                    \
  X(vkResetFences)                                                                                                     \
  X(vkWaitForFences)

#define ASGI_VK_DECLARE_FN(name) PFN_##name name;

typedef struct asgi_vk_fns {
  PFN_vkGetInstanceProcAddr vkGetInstanceProcAddr;
  PFN_vkEnumerateInstanceVersion vkEnumerateInstanceVersion; /* NULL with a Vulkan 1.0 loader */
  ASGI_VK_GLOBAL_FNS(ASGI_VK_DECLARE_FN)
  ASGI_VK_INSTANCE_FNS(ASGI_VK_DECLARE_FN)
  ASGI_VK_DEVICE_FNS(ASGI_VK_DECLARE_FN)
} asgi_vk_fns;

/** The library dlopen()ed when ASG_VULKAN_LIBRARY is not set. */
#define ASGI_VK_DEFAULT_LIBRARY "libvulkan.so.1"

/** Gives vk the Vulkan instance and its function table: the process's shared instance
 *  (made from the first library loaded: ASG_VULKAN_LIBRARY or libvulkan.so.1, kept until
 *  exit), or a private one when ASG_VULKAN_LIBRARY names another library. */
asg_status asgi_vk_instance_acquire(asgi_vk *vk);
/** Destroys vk's instance if it is private (after its device). */
void asgi_vk_instance_release(asgi_vk *vk);
/** Looks up the instance-level functions (after vkCreateInstance). */
asg_status asgi_vk_load_instance_fns(asgi_vk_fns *fn, VkInstance instance);
/** Looks up the device-level functions (after vkCreateDevice). */
asg_status asgi_vk_load_device_fns(asgi_vk_fns *fn, VkDevice device);
/** "VK_ERROR_OUT_OF_DEVICE_MEMORY", ... */
const char *asgi_vk_result_name(VkResult r);

/* ---- device memory (memory.c) ---- */

/** One VkBuffer with its own VkDeviceMemory. */
typedef struct asgi_vk_buffer {
  VkBuffer buffer;
  VkDeviceMemory memory;
  uint64_t size;      /* its capacity in bytes: the size class for pool buffers */
  unsigned char *map; /* persistently mapped (host-visible and coherent), or NULL */
  int size_class;     /* pool buffers: log2(size); -1 for staging buffers */
  struct asgi_vk_buffer *next_free;
} asgi_vk_buffer;

/** The smallest pool buffer (size class 0). */
#define ASGI_VK_MIN_BUFFER 256
/** Size classes: 256 << k bytes for k < ASGI_VK_NUM_CLASSES. */
#define ASGI_VK_NUM_CLASSES 48

/** Device buffers by size class, reused across dead intermediates and across calls. */
typedef struct asgi_vk_pool {
  asgi_vk_buffer *free_lists[ASGI_VK_NUM_CLASSES];
  uint64_t bytes_now;        /* capacity of every pool buffer that exists (in use or free) */
  uint64_t bytes_peak;
  uint64_t bytes_in_use;     /* handed out and not yet returned */
  uint64_t buffers_created;
  uint64_t buffers_reused;   /* requests served from a free list */
  uint64_t buffers_mapped;   /* created buffers the host maps directly */
} asgi_vk_pool;

/** Host-visible buffers for uploads and readback, handed out by a bump pointer that
 *  is reset for every command buffer (their contents live until the next reset). */
typedef struct asgi_vk_staging {
  asgi_vk_buffer **chunks;
  size_t num_chunks, cap_chunks;
  size_t cur;    /* the chunk being filled */
  uint64_t used; /* bytes used of chunk cur */
} asgi_vk_staging;

/* ---- kernels (kernels.c) ---- */

typedef struct asgi_vk_kernel {
  const asg_gpu_kernel *desc;
  VkShaderModule module;
  VkDescriptorSetLayout set_layout;
  VkPipelineLayout layout;
  VkPipeline pipeline;
} asgi_vk_kernel;

/* ---- one entry-point call (recorder.c) ---- */

typedef enum asgi_vk_handle_state {
  ASGI_VK_ARG = 1,      /* an argument: a session tensor or an uploaded input */
  ASGI_VK_LIVE = 2,     /* returned by alloc and not released */
  ASGI_VK_RELEASED = 3, /* released: its buffer went back to the pool */
} asgi_vk_handle_state;

/** What a buffer handle of the current call stands for. Handles are small integers
 *  (index + 1) into the call's table, so every use can be checked. */
typedef struct asgi_vk_handle {
  asgi_vk_buffer *buf;
  uint64_t bytes; /* asked for (alloc) or the tensor's size (arguments) */
  asgi_vk_handle_state state;
  bool keep;      /* adopted by the session (an update) or owned elsewhere: not returned to the pool */
} asgi_vk_handle;

typedef struct asgi_vk_call {
  asgi_vk_handle *handles;
  size_t num_handles, cap_handles;
  asg_status status;      /* the first failure of the recording (ASG_OK while none) */
  char message[1024];     /* its message */
  VkPipeline bound;       /* the pipeline bound last, or VK_NULL_HANDLE */
  uint64_t dispatches;    /* recorded */
  uint64_t barriers;      /* compute barriers recorded */
  /* Buffers dispatched on since the last compute barrier: every one accessed,
   * and those written (a later dispatch touching them needs a barrier first). */
  asgi_vk_buffer **accessed, **written;
  size_t num_accessed, num_written, cap_accessed, cap_written;
  bool recording;         /* the command buffer is in the recording state */
  asg_gpu_recorder recorder;
} asgi_vk_call;

/* ---- the whole executor of a session ---- */

/** A device copy of a parameter or state tensor (index: params first, then states). */
typedef struct asgi_vk_tensor {
  asgi_vk_buffer *buf; /* NULL until first uploaded */
  uint64_t bytes;
  bool host_valid;     /* the session's host tensor holds the current value */
  bool device_valid;   /* buf holds the current value */
} asgi_vk_tensor;

struct asgi_vk {
  asgi_vk_fns fn;
  void *lib;                    /* the library of a private instance, else NULL */
  VkInstance instance;
  bool private_instance;        /* destroyed with the session (not the shared one) */
  VkPhysicalDevice phys;
  VkDevice device;
  VkQueue queue;
  uint32_t queue_family;
  uint32_t device_index;        /* N of "vulkan:N" */
  char device_name[VK_MAX_PHYSICAL_DEVICE_NAME_SIZE];
  VkPhysicalDeviceLimits limits;
  VkPhysicalDeviceMemoryProperties memory;
  uint64_t max_allocation;      /* maxMemoryAllocationSize */
  bool int64;                   /* shaderInt64 is enabled */
  bool nan_preserve;            /* VK_KHR_shader_float_controls enabled, with
                                   shaderSignedZeroInfNanPreserveFloat32 */
  bool force_staging;           /* ASG_VULKAN_STAGING: never map device buffers */
  bool lost;                    /* a submission failed: every later call fails */
  VkCommandPool command_pool;
  VkCommandBuffer cmd;
  VkFence fence;

  asgi_vk_kernel *kernels;
  size_t num_kernels;
  uint32_t max_bindings;        /* the most buffers of one kernel */
  VkDescriptorPool *descriptor_pools;
  size_t num_descriptor_pools, cur_descriptor_pool;

  asgi_vk_pool pool;
  asgi_vk_staging staging;
  asgi_vk_call call;

  asgi_vk_tensor *tensors;      /* num_params + num_states */
  size_t num_tensors;
  uint64_t tensor_uploads, tensor_downloads;
  uint64_t last_dispatches, last_barriers; /* of the last entry-point call */
};

/* device.c */
/** Creates the instance and the logical device "vulkan:index" (index into the physical
 *  devices that have a compute queue and Vulkan 1.1), its queue, command buffer and fence. */
asg_status asgi_vk_device_open(asgi_vk *vk, uint32_t index);
/** Destroys what asgi_vk_device_open created (after everything made from the device). */
void asgi_vk_device_close(asgi_vk *vk);

/* memory.c */
/** A pool buffer of at least `bytes` bytes (a free one of its size class if any). On
 *  failure NULL and the thread's last error says why (out of device memory, limits). */
asgi_vk_buffer *asgi_vk_pool_get(asgi_vk *vk, uint64_t bytes);
/** Returns a pool buffer to its free list (NULL allowed). */
void asgi_vk_pool_put(asgi_vk *vk, asgi_vk_buffer *b);
/** Destroys every free pool buffer (the device must be idle). */
void asgi_vk_pool_trim(asgi_vk *vk);
/** Host-visible staging memory for `bytes` bytes (16-aligned) until the next reset:
 *  *buf and *offset say where; *buf's map + *offset is the host address. */
asg_status asgi_vk_staging_get(asgi_vk *vk, uint64_t bytes, asgi_vk_buffer **buf, uint64_t *offset);
/** Makes all staging memory free again (the device must be idle). */
void asgi_vk_staging_reset(asgi_vk *vk);
/** Destroys the staging buffers. */
void asgi_vk_staging_destroy(asgi_vk *vk);
/** Destroys one buffer (pool or staging) and frees its memory. */
void asgi_vk_buffer_destroy(asgi_vk *vk, asgi_vk_buffer *b);

/* kernels.c */
/** Creates a compute pipeline per kernel of the descriptor. */
asg_status asgi_vk_kernels_create(asgi_vk *vk, const asg_model_desc *desc);
/** Destroys the pipelines, layouts and shader modules. */
void asgi_vk_kernels_destroy(asgi_vk *vk);
/** A descriptor set for kernel k from the call's descriptor pools (reset per call). */
asg_status asgi_vk_descriptor_set(asgi_vk *vk, size_t k, VkDescriptorSet *out);
/** Frees every descriptor set of the last call (the device must be idle). */
void asgi_vk_descriptor_pools_reset(asgi_vk *vk);

/* recorder.c */
/** Starts a call: resets the handle table, the staging memory and the descriptor
 *  pools, and begins the command buffer. */
asg_status asgi_vk_call_begin(asgi_vk *vk);
/** A new ASGI_VK_ARG handle for a buffer (the session keeps owning it unless `pooled`). */
void *asgi_vk_call_bind(asgi_vk *vk, asgi_vk_buffer *b, uint64_t bytes, bool pooled);
/** The table entry of a handle of the current call, or NULL. */
asgi_vk_handle *asgi_vk_call_lookup(asgi_vk *vk, const void *handle);
/** The recorder passed to the entry function. */
const asg_gpu_recorder *asgi_vk_call_recorder(asgi_vk *vk);
/** Records a copy of host data into buf at dst_offset (through staging memory; the
 *  data is copied now), followed by a barrier before later transfers and dispatches. */
asg_status asgi_vk_record_upload(asgi_vk *vk, asgi_vk_buffer *buf, uint64_t dst_offset, const void *data,
                                 uint64_t bytes);
/** Records a barrier after transfers (before later transfers, dispatches and host reads). */
void asgi_vk_record_transfer_barrier(asgi_vk *vk);
/** Ends the command buffer, submits it and waits for it. */
asg_status asgi_vk_call_submit(asgi_vk *vk);
/** Ends a call: returns every buffer it allocated and did not keep to the pool. */
void asgi_vk_call_end(asgi_vk *vk);
/** Orders everything dispatched so far before what comes next (transfers, the
 *  host): a compute barrier if any dispatch ran since the last one. */
void asgi_vk_flush_dispatches(asgi_vk *vk);

/* tensors.c */
/** Makes the device copy of tensor t current inside a call (a mapped copy now, else a
 *  recorded upload), creating its buffer the first time. */
asg_status asgi_vk_tensor_upload(asgi_vk *vk, asg_session *s, size_t t);

#endif /* ASG_RUNTIME_VULKAN_VK_H */
