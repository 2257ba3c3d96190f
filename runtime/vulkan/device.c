/* device.c: the choice of a physical device ("vulkan:N"), the logical device with one
 * compute queue, and the command buffer and fence of the session. */
#include "vk.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The first queue family with compute, or UINT32_MAX. */
static uint32_t compute_family(asgi_vk *vk, VkPhysicalDevice pd) {
  uint32_t n = 0;
  vk->fn.vkGetPhysicalDeviceQueueFamilyProperties(pd, &n, NULL);
  VkQueueFamilyProperties *q = calloc(n ? n : 1, sizeof *q);
  if (!q) return UINT32_MAX;
  vk->fn.vkGetPhysicalDeviceQueueFamilyProperties(pd, &n, q);
  uint32_t found = UINT32_MAX;
  for (uint32_t i = 0; i < n && found == UINT32_MAX; i++)
    if ((q[i].queueFlags & VK_QUEUE_COMPUTE_BIT) && q[i].queueCount > 0) found = i;
  free(q);
  return found;
}

/* The error for an index past the usable devices: how many there are, and their names. */
static asg_status no_such_device(asgi_vk *vk, uint32_t index, VkPhysicalDevice *usable, uint32_t count,
                                 uint32_t total) {
  if (count == 0)
    return asgi_fail(ASG_ERR_UNSUPPORTED,
                     "no Vulkan device with compute support and Vulkan 1.1 was found (%u Vulkan device%s in all)", total,
                     total == 1 ? "" : "s");
  char list[1536] = "";
  size_t len = 0;
  for (uint32_t i = 0; i < count && len < sizeof list; i++) {
    VkPhysicalDeviceProperties p;
    vk->fn.vkGetPhysicalDeviceProperties(usable[i], &p);
    int w = snprintf(list + len, sizeof list - len, "%svulkan:%u '%s'", i ? ", " : "", i, p.deviceName);
    if (w < 0) break;
    len += (size_t)w;
  }
  return asgi_fail(ASG_ERR_NOT_FOUND, "device 'vulkan:%u' does not exist: there %s %u Vulkan device%s: %s", index,
                   count == 1 ? "is" : "are", count, count == 1 ? "" : "s", list);
}

static asg_status pick_device(asgi_vk *vk, uint32_t index) {
  uint32_t total = 0;
  VkResult r = vk->fn.vkEnumeratePhysicalDevices(vk->instance, &total, NULL);
  if (r != VK_SUCCESS)
    return asgi_fail(ASG_ERR_UNSUPPORTED, "cannot list the Vulkan devices (vkEnumeratePhysicalDevices: %s)",
                     asgi_vk_result_name(r));
  VkPhysicalDevice *all = calloc(total ? total : 1, sizeof *all);
  VkPhysicalDevice *usable = calloc(total ? total : 1, sizeof *usable);
  if (!all || !usable) {
    free(all);
    free(usable);
    return asgi_fail(ASG_ERR_OUT_OF_MEMORY, "out of memory");
  }
  r = vk->fn.vkEnumeratePhysicalDevices(vk->instance, &total, all);
  uint32_t count = 0;
  for (uint32_t i = 0; r >= 0 && i < total; i++) {
    VkPhysicalDeviceProperties p;
    vk->fn.vkGetPhysicalDeviceProperties(all[i], &p);
    if (p.apiVersion >= VK_API_VERSION_1_1 && compute_family(vk, all[i]) != UINT32_MAX) usable[count++] = all[i];
  }
  asg_status st = ASG_OK;
  if (r < 0)
    st = asgi_fail(ASG_ERR_UNSUPPORTED, "cannot list the Vulkan devices (vkEnumeratePhysicalDevices: %s)",
                   asgi_vk_result_name(r));
  else if (index >= count)
    st = no_such_device(vk, index, usable, count, total);
  else
    vk->phys = usable[index];
  free(all);
  free(usable);
  return st;
}

static void read_properties(asgi_vk *vk) {
  VkPhysicalDeviceMaintenance3Properties m3 = {.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_MAINTENANCE_3_PROPERTIES};
  VkPhysicalDeviceProperties2 p2 = {.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2, .pNext = &m3};
  vk->fn.vkGetPhysicalDeviceProperties2(vk->phys, &p2);
  snprintf(vk->device_name, sizeof vk->device_name, "%s", p2.properties.deviceName);
  vk->limits = p2.properties.limits;
  vk->max_allocation = m3.maxMemoryAllocationSize ? m3.maxMemoryAllocationSize : UINT64_MAX;
  vk->fn.vkGetPhysicalDeviceMemoryProperties(vk->phys, &vk->memory);
}

/* Whether the device offers extension `name`. */
static bool has_extension(asgi_vk *vk, const char *name) {
  uint32_t count = 0;
  if (vk->fn.vkEnumerateDeviceExtensionProperties(vk->phys, NULL, &count, NULL) != VK_SUCCESS || count == 0)
    return false;
  VkExtensionProperties *all = calloc(count, sizeof *all);
  bool found = false;
  if (all && vk->fn.vkEnumerateDeviceExtensionProperties(vk->phys, NULL, &count, all) >= 0)
    for (uint32_t i = 0; i < count && !found; i++) found = strcmp(all[i].extensionName, name) == 0;
  free(all);
  return found;
}

/* Kernels declare SignedZeroInfNanPreserve (float controls) so that NaN, inf and
 * -0 survive the driver's compiler (docs/spirv.md). */
static bool preserves_nan(asgi_vk *vk) {
  if (!has_extension(vk, VK_KHR_SHADER_FLOAT_CONTROLS_EXTENSION_NAME)) return false;
  VkPhysicalDeviceFloatControlsPropertiesKHR fc = {.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FLOAT_CONTROLS_PROPERTIES_KHR};
  VkPhysicalDeviceProperties2 p2 = {.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2, .pNext = &fc};
  vk->fn.vkGetPhysicalDeviceProperties2(vk->phys, &p2);
  return fc.shaderSignedZeroInfNanPreserveFloat32 == VK_TRUE;
}

static asg_status create_device(asgi_vk *vk) {
  VkPhysicalDeviceFeatures have, want = {0};
  vk->fn.vkGetPhysicalDeviceFeatures(vk->phys, &have);
  want.shaderInt64 = have.shaderInt64;
  vk->int64 = have.shaderInt64 == VK_TRUE;
  vk->nan_preserve = preserves_nan(vk);
  const char *extensions[] = {VK_KHR_SHADER_FLOAT_CONTROLS_EXTENSION_NAME};
  float priority = 1.0f;
  VkDeviceQueueCreateInfo q = {
      .sType = VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO,
      .queueFamilyIndex = vk->queue_family,
      .queueCount = 1,
      .pQueuePriorities = &priority,
  };
  VkDeviceCreateInfo ci = {
      .sType = VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO,
      .queueCreateInfoCount = 1,
      .pQueueCreateInfos = &q,
      .enabledExtensionCount = vk->nan_preserve ? 1 : 0,
      .ppEnabledExtensionNames = extensions,
      .pEnabledFeatures = &want,
  };
  VkResult r = vk->fn.vkCreateDevice(vk->phys, &ci, NULL, &vk->device);
  if (r != VK_SUCCESS) {
    vk->device = VK_NULL_HANDLE;
    return asgi_fail(ASG_ERR_UNSUPPORTED, "cannot open Vulkan device 'vulkan:%u' ('%s'): vkCreateDevice: %s",
                     vk->device_index, vk->device_name, asgi_vk_result_name(r));
  }
  asg_status st = asgi_vk_load_device_fns(&vk->fn, vk->device);
  if (st != ASG_OK) return st;
  vk->fn.vkGetDeviceQueue(vk->device, vk->queue_family, 0, &vk->queue);
  return ASG_OK;
}

static asg_status create_commands(asgi_vk *vk) {
  VkCommandPoolCreateInfo pci = {
      .sType = VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO,
      .flags = VK_COMMAND_POOL_CREATE_RESET_COMMAND_BUFFER_BIT,
      .queueFamilyIndex = vk->queue_family,
  };
  VkResult r = vk->fn.vkCreateCommandPool(vk->device, &pci, NULL, &vk->command_pool);
  if (r == VK_SUCCESS) {
    VkCommandBufferAllocateInfo ai = {
        .sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO,
        .commandPool = vk->command_pool,
        .level = VK_COMMAND_BUFFER_LEVEL_PRIMARY,
        .commandBufferCount = 1,
    };
    r = vk->fn.vkAllocateCommandBuffers(vk->device, &ai, &vk->cmd);
  } else {
    vk->command_pool = VK_NULL_HANDLE;
  }
  if (r == VK_SUCCESS) {
    VkFenceCreateInfo fci = {.sType = VK_STRUCTURE_TYPE_FENCE_CREATE_INFO};
    r = vk->fn.vkCreateFence(vk->device, &fci, NULL, &vk->fence);
    if (r != VK_SUCCESS) vk->fence = VK_NULL_HANDLE;
  }
  if (r != VK_SUCCESS)
    return asgi_fail(r == VK_ERROR_OUT_OF_DEVICE_MEMORY || r == VK_ERROR_OUT_OF_HOST_MEMORY ? ASG_ERR_OUT_OF_MEMORY
                                                                                             : ASG_ERR_UNSUPPORTED,
                     "cannot create a command buffer on '%s': %s", vk->device_name, asgi_vk_result_name(r));
  return ASG_OK;
}

asg_status asgi_vk_device_open(asgi_vk *vk, uint32_t index) {
  vk->device_index = index;
  const char *staging = getenv("ASG_VULKAN_STAGING");
  vk->force_staging = staging && *staging && strcmp(staging, "0") != 0;
  asg_status st = asgi_vk_instance_acquire(vk);
  if (st == ASG_OK) st = pick_device(vk, index);
  if (st == ASG_OK) {
    read_properties(vk);
    vk->queue_family = compute_family(vk, vk->phys);
    st = create_device(vk);
  }
  if (st == ASG_OK) st = create_commands(vk);
  return st;
}

void asgi_vk_device_close(asgi_vk *vk) {
  if (vk->device) {
    if (vk->fence) vk->fn.vkDestroyFence(vk->device, vk->fence, NULL);
    if (vk->command_pool) vk->fn.vkDestroyCommandPool(vk->device, vk->command_pool, NULL);
    vk->fn.vkDestroyDevice(vk->device, NULL);
  }
  asgi_vk_instance_release(vk);
  vk->device = VK_NULL_HANDLE;
}
