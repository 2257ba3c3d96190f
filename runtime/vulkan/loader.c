/* loader.c: loads the Vulkan loader library at run time, fills the function table, and
 * keeps the process's Vulkan instance.
 *
 * libasgrt never links libvulkan: a program that only uses the cpu device runs where
 * there is no Vulkan at all. ASG_VULKAN_LIBRARY names another library (tests use it
 * to check the error when Vulkan is missing).
 *
 * The instance made from the first library loaded is shared by every session and kept
 * until the process exits (each session has its own logical device). Creating it loads
 * the drivers, which is slow, and destroying it would unload them: Mesa's drivers keep
 * some memory in globals that LeakSanitizer then reports as leaked. */
#include "vk.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

static asg_status load_library(const char *name, asgi_vk_fns *fn, void **lib) {
  dlerror();
  *lib = dlopen(name, RTLD_NOW | RTLD_LOCAL);
  if (!*lib) {
    const char *why = dlerror();
    return asgi_fail(ASG_ERR_UNSUPPORTED,
                     "cannot load Vulkan: %s (install the Vulkan loader libvulkan1 and a driver, e.g. Mesa's "
                     "lavapipe from mesa-vulkan-drivers, or use device 'cpu' with a model compiled without "
                     "--target spirv)",
                     why ? why : name);
  }
  /* POSIX: a data pointer converted to a function pointer, as dlsym requires. */
  *(void **)&fn->vkGetInstanceProcAddr = dlsym(*lib, "vkGetInstanceProcAddr");
  if (!fn->vkGetInstanceProcAddr)
    return asgi_fail(ASG_ERR_UNSUPPORTED, "cannot load Vulkan: '%s' has no vkGetInstanceProcAddr", name);
  fn->vkEnumerateInstanceVersion =
      (PFN_vkEnumerateInstanceVersion)fn->vkGetInstanceProcAddr(VK_NULL_HANDLE, "vkEnumerateInstanceVersion");
#define ASGI_VK_LOAD_GLOBAL(f)                                                                                         \
  fn->f = (PFN_##f)fn->vkGetInstanceProcAddr(VK_NULL_HANDLE, #f);                                                      \
  if (!fn->f) return asgi_fail(ASG_ERR_UNSUPPORTED, "cannot load Vulkan: the loader '%s' lacks %s", name, #f);
  ASGI_VK_GLOBAL_FNS(ASGI_VK_LOAD_GLOBAL)
#undef ASGI_VK_LOAD_GLOBAL
  return ASG_OK;
}

static asg_status create_instance(asgi_vk_fns *fn, VkInstance *instance) {
  uint32_t version = VK_API_VERSION_1_0;
  if (fn->vkEnumerateInstanceVersion && fn->vkEnumerateInstanceVersion(&version) != VK_SUCCESS)
    version = VK_API_VERSION_1_0;
  if (version < VK_API_VERSION_1_1)
    return asgi_fail(ASG_ERR_UNSUPPORTED, "the Vulkan loader supports only Vulkan %u.%u; 1.1 or newer is needed",
                     VK_API_VERSION_MAJOR(version), VK_API_VERSION_MINOR(version));
  VkApplicationInfo app = {
      .sType = VK_STRUCTURE_TYPE_APPLICATION_INFO,
      .pApplicationName = "libasgrt",
      .pEngineName = "asgc",
      .apiVersion = VK_API_VERSION_1_1,
  };
  VkInstanceCreateInfo ci = {.sType = VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO, .pApplicationInfo = &app};
  VkResult r = fn->vkCreateInstance(&ci, NULL, instance);
  if (r != VK_SUCCESS) *instance = VK_NULL_HANDLE;
  if (r == VK_ERROR_INCOMPATIBLE_DRIVER)
    return asgi_fail(ASG_ERR_UNSUPPORTED,
                     "no Vulkan driver is installed (vkCreateInstance: VK_ERROR_INCOMPATIBLE_DRIVER); install one, "
                     "e.g. Mesa's lavapipe (mesa-vulkan-drivers), a CPU device");
  if (r != VK_SUCCESS)
    return asgi_fail(ASG_ERR_UNSUPPORTED, "cannot create a Vulkan instance (vkCreateInstance: %s)",
                     asgi_vk_result_name(r));
  return asgi_vk_load_instance_fns(fn, *instance);
}

/* The shared instance: the library it came from, its handle and functions. */
static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
  char *library;
  void *lib;
  VkInstance instance;
  asgi_vk_fns fn;
} g_shared;

static void destroy_private(asgi_vk_fns *fn, VkInstance instance, void *lib) {
  if (instance && fn->vkDestroyInstance) fn->vkDestroyInstance(instance, NULL);
  if (lib) dlclose(lib);
}

asg_status asgi_vk_instance_acquire(asgi_vk *vk) {
  const char *name = getenv("ASG_VULKAN_LIBRARY");
  if (!name || !*name) name = ASGI_VK_DEFAULT_LIBRARY;
  pthread_mutex_lock(&g_lock);
  if (g_shared.library && strcmp(g_shared.library, name) == 0) {
    vk->fn = g_shared.fn;
    vk->instance = g_shared.instance;
    vk->private_instance = false;
    pthread_mutex_unlock(&g_lock);
    return ASG_OK;
  }
  asgi_vk_fns fn = {0};
  void *lib = NULL;
  VkInstance instance = VK_NULL_HANDLE;
  asg_status st = load_library(name, &fn, &lib);
  if (st == ASG_OK) st = create_instance(&fn, &instance);
  char *copy = st == ASG_OK && !g_shared.library ? asgi_strdup(name) : NULL;
  if (st != ASG_OK) {
    destroy_private(&fn, instance, lib);
  } else if (copy) { /* the first one: kept for the process */
    g_shared.library = copy;
    g_shared.lib = lib;
    g_shared.instance = instance;
    g_shared.fn = fn;
  } else { /* ASG_VULKAN_LIBRARY changed: this session's own, destroyed with it */
    vk->lib = lib;
    vk->private_instance = true;
  }
  pthread_mutex_unlock(&g_lock);
  if (st == ASG_OK) {
    vk->fn = fn;
    vk->instance = instance;
  }
  return st;
}

void asgi_vk_instance_release(asgi_vk *vk) {
  if (vk->private_instance) destroy_private(&vk->fn, vk->instance, vk->lib);
  vk->instance = VK_NULL_HANDLE;
  vk->lib = NULL;
}

asg_status asgi_vk_load_instance_fns(asgi_vk_fns *fn, VkInstance instance) {
#define ASGI_VK_LOAD_INSTANCE(f)                                                                                       \
  fn->f = (PFN_##f)fn->vkGetInstanceProcAddr(instance, #f);                                                            \
  if (!fn->f) return asgi_fail(ASG_ERR_UNSUPPORTED, "the Vulkan instance lacks %s (Vulkan 1.1 is needed)", #f);
  ASGI_VK_INSTANCE_FNS(ASGI_VK_LOAD_INSTANCE)
#undef ASGI_VK_LOAD_INSTANCE
  return ASG_OK;
}

asg_status asgi_vk_load_device_fns(asgi_vk_fns *fn, VkDevice device) {
#define ASGI_VK_LOAD_DEVICE(f)                                                                                         \
  fn->f = (PFN_##f)fn->vkGetDeviceProcAddr(device, #f);                                                                \
  if (!fn->f) return asgi_fail(ASG_ERR_UNSUPPORTED, "the Vulkan device lacks %s", #f);
  ASGI_VK_DEVICE_FNS(ASGI_VK_LOAD_DEVICE)
#undef ASGI_VK_LOAD_DEVICE
  return ASG_OK;
}

const char *asgi_vk_result_name(VkResult r) {
  switch (r) {
#define ASGI_VK_RESULT(x)                                                                                              \
  case x: return #x;
    ASGI_VK_RESULT(VK_SUCCESS)
    ASGI_VK_RESULT(VK_NOT_READY)
    ASGI_VK_RESULT(VK_TIMEOUT)
    ASGI_VK_RESULT(VK_INCOMPLETE)
    ASGI_VK_RESULT(VK_ERROR_OUT_OF_HOST_MEMORY)
    ASGI_VK_RESULT(VK_ERROR_OUT_OF_DEVICE_MEMORY)
    ASGI_VK_RESULT(VK_ERROR_INITIALIZATION_FAILED)
    ASGI_VK_RESULT(VK_ERROR_DEVICE_LOST)
    ASGI_VK_RESULT(VK_ERROR_MEMORY_MAP_FAILED)
    ASGI_VK_RESULT(VK_ERROR_LAYER_NOT_PRESENT)
    ASGI_VK_RESULT(VK_ERROR_EXTENSION_NOT_PRESENT)
    ASGI_VK_RESULT(VK_ERROR_FEATURE_NOT_PRESENT)
    ASGI_VK_RESULT(VK_ERROR_INCOMPATIBLE_DRIVER)
    ASGI_VK_RESULT(VK_ERROR_TOO_MANY_OBJECTS)
    ASGI_VK_RESULT(VK_ERROR_FORMAT_NOT_SUPPORTED)
    ASGI_VK_RESULT(VK_ERROR_FRAGMENTED_POOL)
    ASGI_VK_RESULT(VK_ERROR_OUT_OF_POOL_MEMORY)
    ASGI_VK_RESULT(VK_ERROR_INVALID_SHADER_NV)
    ASGI_VK_RESULT(VK_ERROR_UNKNOWN)
#undef ASGI_VK_RESULT
  default: return "VkResult error";
  }
}
