/* error.c: the thread-local last-error message and status names. */
#include "internal.h"

#include <stdio.h>
#include <string.h>

static _Thread_local char g_error[2048];

asg_status asgi_fail(asg_status status, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(g_error, sizeof g_error, fmt, ap);
  va_end(ap);
  return status;
}

void asgi_prefix_error(const char *fmt, ...) {
  char prefix[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(prefix, sizeof prefix, fmt, ap);
  va_end(ap);
  size_t p = strlen(prefix), n = strlen(g_error);
  if (p + n >= sizeof g_error) n = sizeof g_error - 1 - p; /* p < 1024 < sizeof g_error */
  memmove(g_error + p, g_error, n);
  memcpy(g_error, prefix, p);
  g_error[p + n] = '\0';
}

void asgi_clear_error(void) { g_error[0] = '\0'; }

const char *asg_last_error(void) { return g_error; }

const char *asg_status_name(asg_status status) {
  switch (status) {
  case ASG_OK: return "ok";
  case ASG_ERR_INVALID_ARGUMENT: return "invalid argument";
  case ASG_ERR_IO: return "i/o error";
  case ASG_ERR_FORMAT: return "format error";
  case ASG_ERR_SHAPE: return "shape error";
  case ASG_ERR_RUNTIME_CHECK: return "run-time check failed";
  case ASG_ERR_OUT_OF_MEMORY: return "out of memory";
  case ASG_ERR_NOT_FOUND: return "not found";
  case ASG_ERR_UNSUPPORTED: return "unsupported";
  case ASG_ERR_ABI: return "ABI violation";
  }
  return "unknown status";
}
