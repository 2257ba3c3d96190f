/* fileio.c: reading and writing whole files with messages naming the path. */
#include "internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

asg_status asgi_read_file(const char *path, unsigned char **data, size_t *size) {
  *data = NULL;
  *size = 0;
  if (!path) return asgi_fail(ASG_ERR_INVALID_ARGUMENT, "file path is NULL");
  FILE *f = fopen(path, "rb");
  if (!f) return asgi_fail(ASG_ERR_IO, "cannot open '%s': %s", path, strerror(errno));
  struct stat st;
  if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
    fclose(f);
    return asgi_fail(ASG_ERR_IO, "cannot read '%s': not a regular file", path);
  }
  if ((unsigned long long)st.st_size >= (unsigned long long)SIZE_MAX) {
    fclose(f);
    return asgi_fail(ASG_ERR_IO, "cannot read '%s': file too large", path);
  }
  size_t n = (size_t)st.st_size;
  unsigned char *buf = malloc(n + 1);
  if (!buf) {
    fclose(f);
    return asgi_fail(ASG_ERR_OUT_OF_MEMORY, "cannot read '%s': out of memory (%zu bytes)", path, n);
  }
  size_t got = fread(buf, 1, n, f);
  int err = ferror(f);
  fclose(f);
  if (got != n || err) {
    free(buf);
    return asgi_fail(ASG_ERR_IO, "cannot read '%s': short read", path);
  }
  buf[n] = '\0';
  *data = buf;
  *size = n;
  return ASG_OK;
}

asg_status asgi_write_file(const char *path, const void *const *parts, const size_t *sizes, size_t n) {
  if (!path) return asgi_fail(ASG_ERR_INVALID_ARGUMENT, "file path is NULL");
  FILE *f = fopen(path, "wb");
  if (!f) return asgi_fail(ASG_ERR_IO, "cannot create '%s': %s", path, strerror(errno));
  for (size_t i = 0; i < n; i++) {
    if (sizes[i] && fwrite(parts[i], 1, sizes[i], f) != sizes[i]) {
      int e = errno;
      fclose(f);
      return asgi_fail(ASG_ERR_IO, "cannot write '%s': %s", path, strerror(e));
    }
  }
  if (fclose(f) != 0) return asgi_fail(ASG_ERR_IO, "cannot write '%s': %s", path, strerror(errno));
  return ASG_OK;
}
