/* tensor.c: dtype helpers, element counts, tensor freeing and shape formatting. */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *asg_dtype_name(asg_dtype dtype) {
  switch (dtype) {
  case ASG_F32: return "f32";
  case ASG_I32: return "i32";
  case ASG_I64: return "i64";
  }
  return "?";
}

size_t asg_dtype_size(asg_dtype dtype) {
  switch (dtype) {
  case ASG_F32: return 4;
  case ASG_I32: return 4;
  case ASG_I64: return 8;
  }
  return 0;
}

bool asgi_mul_i64(int64_t a, int64_t b, int64_t *out) {
  if (a < 0 || b < 0) return false;
  if (a != 0 && b > INT64_MAX / a) return false;
  *out = a * b;
  return true;
}

int64_t asgi_numel(int32_t rank, const int64_t *dims, int64_t limit) {
  if (rank < 0 || rank > ASG_MAX_RANK) return -1;
  int64_t n = 1;
  bool zero = false;
  for (int32_t i = 0; i < rank; i++) {
    if (dims[i] < 0) return -1;
    if (dims[i] == 0) zero = true;
  }
  if (zero) return 0;
  for (int32_t i = 0; i < rank; i++)
    if (!asgi_mul_i64(n, dims[i], &n) || n > limit) return -1;
  return n;
}

int64_t asg_tensor_numel(const asg_tensor *t) {
  if (!t) return -1;
  return asgi_numel(t->rank, t->dims, INT64_MAX);
}

char *asgi_strdup(const char *s) {
  size_t n = strlen(s) + 1;
  char *p = malloc(n);
  if (p) memcpy(p, s, n);
  return p;
}

void asg_tensor_free(asg_tensor *t) {
  if (!t) return;
  free(t->data);
  free((char *)t->name);
  memset(t, 0, sizeof *t);
}

void asg_tensors_free(asg_tensor *tensors, size_t n) {
  if (!tensors) return;
  for (size_t i = 0; i < n; i++) asg_tensor_free(&tensors[i]);
  free(tensors);
}

/* Appends formatted text to buf at *pos, truncating safely. */
static void append(char *buf, size_t size, size_t *pos, const char *s) {
  size_t n = strlen(s);
  if (*pos >= size) return;
  size_t room = size - 1 - *pos;
  if (n > room) n = room;
  memcpy(buf + *pos, s, n);
  *pos += n;
  buf[*pos] = '\0';
}

char *asgi_format_dims(int32_t rank, const int64_t *dims, char *buf, size_t size) {
  if (!buf || size == 0) return buf;
  size_t pos = 0;
  buf[0] = '\0';
  append(buf, size, &pos, "[");
  for (int32_t i = 0; i < rank && i < ASG_MAX_RANK; i++) {
    char num[32];
    snprintf(num, sizeof num, "%s%lld", i ? ", " : "", (long long)dims[i]);
    append(buf, size, &pos, num);
  }
  append(buf, size, &pos, "]");
  return buf;
}

char *asg_format_shape(const asg_value_info *v, char *buf, size_t size) {
  if (!buf || size == 0) return buf;
  size_t pos = 0;
  buf[0] = '\0';
  if (!v) return buf;
  append(buf, size, &pos, "[");
  for (int32_t i = 0; i < v->rank && i < ASG_MAX_RANK; i++) {
    if (i) append(buf, size, &pos, ", ");
    if (v->dims[i].name) {
      append(buf, size, &pos, v->dims[i].name);
    } else if (v->dims[i].size < 0) {
      append(buf, size, &pos, "?");
    } else {
      char num[32];
      snprintf(num, sizeof num, "%lld", (long long)v->dims[i].size);
      append(buf, size, &pos, num);
    }
  }
  append(buf, size, &pos, "]");
  return buf;
}
