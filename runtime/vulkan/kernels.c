/* kernels.c: the model's SPIR-V kernels as compute pipelines (one per asg_gpu_kernel),
 * and the descriptor sets their dispatches bind (from pools reset for every call). */
#include "vk.h"

#include <stdlib.h>
#include <string.h>

enum {
  kSpirvMagic = 0x07230203,
  kOpCapability = 17,
  kOpEntryPoint = 15,
  kCapabilityInt64 = 11,
  kCapabilitySignedZeroInfNanPreserve = 4466,
  kExecutionModelGLCompute = 5,
  kSetsPerPool = 256,
};

/* Checks what the driver would choke on or report badly: the header, the instruction
 * stream, the entry point named by the descriptor, and the Int64 and
 * SignedZeroInfNanPreserve capabilities. */
static asg_status scan_spirv(const asgi_vk *vk, size_t index, const asg_gpu_kernel *k) {
  const char *name = k->name;
  if (!k->code || k->code_size < 20 || k->code_size % 4 != 0)
    return asgi_fail(ASG_ERR_ABI, "kernel %zu ('%s'): its SPIR-V has %llu bytes (a multiple of 4, at least 20, expected)",
                     index, name, (unsigned long long)k->code_size);
  const uint32_t *w = k->code;
  size_t n = (size_t)(k->code_size / 4);
  if (w[0] != kSpirvMagic)
    return asgi_fail(ASG_ERR_ABI, "kernel %zu ('%s'): not SPIR-V (magic number 0x%08x)", index, name, w[0]);
  bool found = false;
  for (size_t i = 5; i < n;) {
    uint32_t count = w[i] >> 16, op = w[i] & 0xffff;
    if (count == 0 || count > n - i)
      return asgi_fail(ASG_ERR_ABI, "kernel %zu ('%s'): malformed SPIR-V at word %zu", index, name, i);
    if (op == kOpCapability && count >= 2 && w[i + 1] == kCapabilityInt64 && !vk->int64)
      return asgi_fail(ASG_ERR_UNSUPPORTED,
                       "kernel %zu ('%s') uses 64-bit integers, but device '%s' lacks shaderInt64 (i64 tensors cannot run "
                       "on it)",
                       index, name, vk->device_name);
    if (op == kOpCapability && count >= 2 && w[i + 1] == kCapabilitySignedZeroInfNanPreserve && !vk->nan_preserve)
      return asgi_fail(ASG_ERR_UNSUPPORTED,
                       "kernel %zu ('%s') keeps NaN, inf and -0 (SignedZeroInfNanPreserve), but device '%s' lacks "
                       "VK_KHR_shader_float_controls with shaderSignedZeroInfNanPreserveFloat32",
                       index, name, vk->device_name);
    if (op == kOpEntryPoint && count >= 4 && w[i + 1] == kExecutionModelGLCompute) {
      size_t max = (size_t)(count - 3) * 4;
      const char *s = (const char *)&w[i + 3];
      if (strnlen(s, max) < max && strcmp(s, name) == 0) found = true;
    }
    i += count;
  }
  if (!found)
    return asgi_fail(ASG_ERR_ABI, "kernel %zu ('%s'): its SPIR-V has no GLCompute entry point '%s'", index, name, name);
  return ASG_OK;
}

static asg_status check_limits(const asgi_vk *vk, size_t index, const asg_gpu_kernel *k) {
  const VkPhysicalDeviceLimits *l = &vk->limits;
  if (k->num_buffers > l->maxPerStageDescriptorStorageBuffers || k->num_buffers > l->maxDescriptorSetStorageBuffers)
    return asgi_fail(ASG_ERR_UNSUPPORTED, "kernel %zu ('%s') binds %u storage buffers, but device '%s' allows %u", index,
                     k->name, k->num_buffers, vk->device_name, l->maxPerStageDescriptorStorageBuffers);
  if ((uint64_t)k->num_push_constants * 4 > l->maxPushConstantsSize)
    return asgi_fail(ASG_ERR_UNSUPPORTED, "kernel %zu ('%s') has %u bytes of push constants, but device '%s' allows %u",
                     index, k->name, k->num_push_constants * 4, vk->device_name, l->maxPushConstantsSize);
  const uint32_t *g = k->workgroup_size;
  uint64_t invocations = (uint64_t)g[0] * g[1] * g[2];
  if (invocations > l->maxComputeWorkGroupInvocations || g[0] > l->maxComputeWorkGroupSize[0] ||
      g[1] > l->maxComputeWorkGroupSize[1] || g[2] > l->maxComputeWorkGroupSize[2])
    return asgi_fail(ASG_ERR_UNSUPPORTED,
                     "kernel %zu ('%s') has workgroups of %ux%ux%u, but device '%s' allows %ux%ux%u and %u invocations",
                     index, k->name, g[0], g[1], g[2], vk->device_name, l->maxComputeWorkGroupSize[0],
                     l->maxComputeWorkGroupSize[1], l->maxComputeWorkGroupSize[2], l->maxComputeWorkGroupInvocations);
  return ASG_OK;
}

static asg_status driver_error(const asgi_vk *vk, size_t index, const char *name, const char *what, VkResult r) {
  asg_status st = r == VK_ERROR_OUT_OF_HOST_MEMORY || r == VK_ERROR_OUT_OF_DEVICE_MEMORY ? ASG_ERR_OUT_OF_MEMORY
                                                                                         : ASG_ERR_UNSUPPORTED;
  return asgi_fail(st, "kernel %zu ('%s'): device '%s' rejected it (%s: %s)", index, name, vk->device_name, what,
                   asgi_vk_result_name(r));
}

static asg_status create_kernel(asgi_vk *vk, size_t index, const asg_gpu_kernel *k, asgi_vk_kernel *out) {
  out->desc = k;
  asg_status st = scan_spirv(vk, index, k);
  if (st == ASG_OK) st = check_limits(vk, index, k);
  if (st != ASG_OK) return st;
  VkShaderModuleCreateInfo mci = {
      .sType = VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO,
      .codeSize = (size_t)k->code_size,
      .pCode = k->code,
  };
  VkResult r = vk->fn.vkCreateShaderModule(vk->device, &mci, NULL, &out->module);
  if (r != VK_SUCCESS) {
    out->module = VK_NULL_HANDLE;
    return driver_error(vk, index, k->name, "vkCreateShaderModule", r);
  }
  VkDescriptorSetLayoutBinding *b = calloc(k->num_buffers ? k->num_buffers : 1, sizeof *b);
  if (!b) return asgi_fail(ASG_ERR_OUT_OF_MEMORY, "out of memory");
  for (uint32_t i = 0; i < k->num_buffers; i++)
    b[i] = (VkDescriptorSetLayoutBinding){i, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 1, VK_SHADER_STAGE_COMPUTE_BIT, NULL};
  VkDescriptorSetLayoutCreateInfo dci = {
      .sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO,
      .bindingCount = k->num_buffers,
      .pBindings = b,
  };
  r = vk->fn.vkCreateDescriptorSetLayout(vk->device, &dci, NULL, &out->set_layout);
  free(b);
  if (r != VK_SUCCESS) {
    out->set_layout = VK_NULL_HANDLE;
    return driver_error(vk, index, k->name, "vkCreateDescriptorSetLayout", r);
  }
  VkPushConstantRange range = {VK_SHADER_STAGE_COMPUTE_BIT, 0, k->num_push_constants * 4};
  VkPipelineLayoutCreateInfo lci = {
      .sType = VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO,
      .setLayoutCount = 1,
      .pSetLayouts = &out->set_layout,
      .pushConstantRangeCount = k->num_push_constants ? 1 : 0,
      .pPushConstantRanges = k->num_push_constants ? &range : NULL,
  };
  r = vk->fn.vkCreatePipelineLayout(vk->device, &lci, NULL, &out->layout);
  if (r != VK_SUCCESS) {
    out->layout = VK_NULL_HANDLE;
    return driver_error(vk, index, k->name, "vkCreatePipelineLayout", r);
  }
  VkComputePipelineCreateInfo pci = {
      .sType = VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO,
      .stage =
          {
              .sType = VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO,
              .stage = VK_SHADER_STAGE_COMPUTE_BIT,
              .module = out->module,
              .pName = k->name,
          },
      .layout = out->layout,
  };
  r = vk->fn.vkCreateComputePipelines(vk->device, VK_NULL_HANDLE, 1, &pci, NULL, &out->pipeline);
  if (r != VK_SUCCESS) {
    out->pipeline = VK_NULL_HANDLE;
    return driver_error(vk, index, k->name, "vkCreateComputePipelines", r);
  }
  return ASG_OK;
}

asg_status asgi_vk_kernels_create(asgi_vk *vk, const asg_model_desc *desc) {
  if (desc->num_kernels && !desc->kernels) return asgi_fail(ASG_ERR_ABI, "model descriptor has no kernel table");
  if (desc->num_kernels > (uint64_t)1 << 24)
    return asgi_fail(ASG_ERR_ABI, "model descriptor has %llu kernels", (unsigned long long)desc->num_kernels);
  size_t n = (size_t)desc->num_kernels;
  vk->kernels = calloc(n ? n : 1, sizeof *vk->kernels);
  if (!vk->kernels) return asgi_fail(ASG_ERR_OUT_OF_MEMORY, "out of memory");
  vk->num_kernels = n;
  for (size_t i = 0; i < n; i++) {
    const asg_gpu_kernel *k = &desc->kernels[i];
    if (!k->name) return asgi_fail(ASG_ERR_ABI, "kernel %zu has no name", i);
    asg_status st = create_kernel(vk, i, k, &vk->kernels[i]);
    if (st != ASG_OK) return st;
    if (k->num_buffers > vk->max_bindings) vk->max_bindings = k->num_buffers;
  }
  return ASG_OK;
}

void asgi_vk_kernels_destroy(asgi_vk *vk) {
  for (size_t i = 0; i < vk->num_kernels; i++) {
    asgi_vk_kernel *k = &vk->kernels[i];
    if (k->pipeline) vk->fn.vkDestroyPipeline(vk->device, k->pipeline, NULL);
    if (k->layout) vk->fn.vkDestroyPipelineLayout(vk->device, k->layout, NULL);
    if (k->set_layout) vk->fn.vkDestroyDescriptorSetLayout(vk->device, k->set_layout, NULL);
    if (k->module) vk->fn.vkDestroyShaderModule(vk->device, k->module, NULL);
  }
  free(vk->kernels);
  vk->kernels = NULL;
  vk->num_kernels = 0;
  for (size_t i = 0; i < vk->num_descriptor_pools; i++)
    vk->fn.vkDestroyDescriptorPool(vk->device, vk->descriptor_pools[i], NULL);
  free(vk->descriptor_pools);
  vk->descriptor_pools = NULL;
  vk->num_descriptor_pools = 0;
}

static asg_status add_descriptor_pool(asgi_vk *vk) {
  VkDescriptorPool *p = realloc(vk->descriptor_pools, (vk->num_descriptor_pools + 1) * sizeof *p);
  if (!p) return asgi_fail(ASG_ERR_OUT_OF_MEMORY, "out of memory");
  vk->descriptor_pools = p;
  VkDescriptorPoolSize size = {VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, kSetsPerPool * (vk->max_bindings ? vk->max_bindings : 1)};
  VkDescriptorPoolCreateInfo ci = {
      .sType = VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO,
      .maxSets = kSetsPerPool,
      .poolSizeCount = 1,
      .pPoolSizes = &size,
  };
  VkResult r = vk->fn.vkCreateDescriptorPool(vk->device, &ci, NULL, &p[vk->num_descriptor_pools]);
  if (r != VK_SUCCESS)
    return asgi_fail(ASG_ERR_OUT_OF_MEMORY, "cannot create a descriptor pool on '%s' (vkCreateDescriptorPool: %s)",
                     vk->device_name, asgi_vk_result_name(r));
  vk->num_descriptor_pools++;
  return ASG_OK;
}

asg_status asgi_vk_descriptor_set(asgi_vk *vk, size_t k, VkDescriptorSet *out) {
  for (;;) {
    bool fresh = vk->cur_descriptor_pool == vk->num_descriptor_pools;
    if (fresh) {
      asg_status st = add_descriptor_pool(vk);
      if (st != ASG_OK) return st;
    }
    VkDescriptorSetAllocateInfo ai = {
        .sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO,
        .descriptorPool = vk->descriptor_pools[vk->cur_descriptor_pool],
        .descriptorSetCount = 1,
        .pSetLayouts = &vk->kernels[k].set_layout,
    };
    VkResult r = vk->fn.vkAllocateDescriptorSets(vk->device, &ai, out);
    if (r == VK_SUCCESS) return ASG_OK;
    if (fresh || (r != VK_ERROR_OUT_OF_POOL_MEMORY && r != VK_ERROR_FRAGMENTED_POOL))
      return asgi_fail(ASG_ERR_OUT_OF_MEMORY, "cannot allocate a descriptor set on '%s' (vkAllocateDescriptorSets: %s)",
                       vk->device_name, asgi_vk_result_name(r));
    vk->cur_descriptor_pool++; /* this one is full: the next one, or a new one */
  }
}

void asgi_vk_descriptor_pools_reset(asgi_vk *vk) {
  for (size_t i = 0; i < vk->num_descriptor_pools && i <= vk->cur_descriptor_pool; i++)
    vk->fn.vkResetDescriptorPool(vk->device, vk->descriptor_pools[i], 0);
  vk->cur_descriptor_pool = 0;
}
