/* model.c: loading compiled models from shared libraries (asg_model_open). */
#include "internal.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct asg_model {
  void *handle;
  const asg_model_desc *desc;
  asg_model_info *info;
};

/* "<stem>_model" for a path like "dir/mlp.so" or "dir/mlp.cpu.so" (stem "mlp"). */
static char *fallback_symbol(const char *path) {
  const char *base = strrchr(path, '/');
  base = base ? base + 1 : path;
  size_t n = strcspn(base, ".");
  char *sym = malloc(n + sizeof "_model");
  if (!sym) return NULL;
  memcpy(sym, base, n);
  memcpy(sym + n, "_model", sizeof "_model");
  return sym;
}

static asg_status find_desc(asg_model *m, const char *path) {
  m->desc = dlsym(m->handle, "asg_shared_model");
  if (m->desc) return ASG_OK;
  char *sym = fallback_symbol(path);
  if (!sym) return asgi_fail(ASG_ERR_OUT_OF_MEMORY, "out of memory");
  m->desc = dlsym(m->handle, sym);
  asg_status st = m->desc ? ASG_OK
                          : asgi_fail(ASG_ERR_NOT_FOUND, "%s: no model descriptor (neither 'asg_shared_model' nor '%s')",
                                      path, sym);
  free(sym);
  return st;
}

static asg_status check_desc(asg_model *m, const char *path) {
  const asg_model_desc *d = m->desc;
  if (d->abi_version != ASG_ABI_VERSION)
    return asgi_fail(ASG_ERR_ABI, "%s: model has ABI version %u, but this runtime implements version %d", path,
                     d->abi_version, ASG_ABI_VERSION);
  if (!d->metadata || strncmp(d->metadata, "asg-model ", 10) != 0)
    return asgi_fail(ASG_ERR_ABI, "%s: the model descriptor has no 'asg-model' metadata", path);
  asg_status st = asg_model_info_parse(d->metadata, &m->info);
  if (st != ASG_OK) {
    asgi_prefix_error("%s: ", path);
    return st;
  }
  if (m->info->num_entries != d->num_entries || (d->num_entries && !d->entry_fns))
    return asgi_fail(ASG_ERR_ABI, "%s: the descriptor has %u entry functions, but its metadata declares %zu", path,
                     d->num_entries, m->info->num_entries);
  return ASG_OK;
}

asg_status asg_model_open(const char *path, asg_model **out) {
  if (!out) return asgi_fail(ASG_ERR_INVALID_ARGUMENT, "model output pointer is NULL");
  *out = NULL;
  if (!path || !*path) return asgi_fail(ASG_ERR_INVALID_ARGUMENT, "model path is empty");
  asg_model *m = calloc(1, sizeof *m);
  char *local = NULL;
  if (!m) return asgi_fail(ASG_ERR_OUT_OF_MEMORY, "out of memory");
  if (!strchr(path, '/')) { /* dlopen would search the library path, not the current folder */
    local = malloc(strlen(path) + 3);
    if (!local) {
      free(m);
      return asgi_fail(ASG_ERR_OUT_OF_MEMORY, "out of memory");
    }
    strcpy(local, "./");
    strcat(local, path);
  }
  dlerror();
  m->handle = dlopen(local ? local : path, RTLD_NOW | RTLD_LOCAL);
  free(local);
  if (!m->handle) {
    const char *why = dlerror();
    free(m);
    return asgi_fail(ASG_ERR_IO, "cannot load model '%s': %s", path, why ? why : "unknown dlopen error");
  }
  asg_status st = find_desc(m, path);
  if (st == ASG_OK) st = check_desc(m, path);
  if (st != ASG_OK) {
    asg_model_close(m);
    return st;
  }
  *out = m;
  return ASG_OK;
}

void asg_model_close(asg_model *model) {
  if (!model) return;
  asg_model_info_free(model->info);
  if (model->handle) dlclose(model->handle);
  free(model);
}

const asg_model_desc *asg_model_desc_of(const asg_model *model) { return model ? model->desc : NULL; }

const asg_model_info *asg_model_info_of(const asg_model *model) { return model ? model->info : NULL; }
