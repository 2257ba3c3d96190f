/* safetensors.c: strict reading and writing of safetensors files (F32/I32/I64). */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { kMaxHeaderBytes = 100 * 1024 * 1024 };

typedef struct entry {
  const char *name;
  asg_dtype dtype;
  int32_t rank;
  int64_t dims[ASG_MAX_RANK];
  int64_t begin, end;
} entry;

static asg_status parse_dtype(const char *name, const asgi_json *v, asg_dtype *out) {
  if (!v || v->kind != ASGI_JSON_STRING) return asgi_fail(ASG_ERR_FORMAT, "tensor '%s': 'dtype' is missing or not a string", name);
  if (strcmp(v->text, "F32") == 0) *out = ASG_F32;
  else if (strcmp(v->text, "I32") == 0) *out = ASG_I32;
  else if (strcmp(v->text, "I64") == 0) *out = ASG_I64;
  else return asgi_fail(ASG_ERR_UNSUPPORTED, "tensor '%s': unsupported dtype '%s' (only F32, I32, I64)", name, v->text);
  return ASG_OK;
}

static asg_status parse_entry(const char *name, const asgi_json *v, size_t data_len, entry *e) {
  e->name = name;
  if (name[0] == '\0') return asgi_fail(ASG_ERR_FORMAT, "a tensor has an empty name");
  if (v->kind != ASGI_JSON_OBJECT) return asgi_fail(ASG_ERR_FORMAT, "tensor '%s': not a JSON object", name);
  for (size_t i = 0; i < v->count; i++) {
    const char *k = v->keys[i];
    if (strcmp(k, "dtype") != 0 && strcmp(k, "shape") != 0 && strcmp(k, "data_offsets") != 0)
      return asgi_fail(ASG_ERR_FORMAT, "tensor '%s': unknown key '%s'", name, k);
  }
  asg_status st = parse_dtype(name, asgi_json_get(v, "dtype"), &e->dtype);
  if (st != ASG_OK) return st;
  const asgi_json *shape = asgi_json_get(v, "shape");
  if (!shape || shape->kind != ASGI_JSON_ARRAY) return asgi_fail(ASG_ERR_FORMAT, "tensor '%s': 'shape' is missing or not an array", name);
  if (shape->count > ASG_MAX_RANK) return asgi_fail(ASG_ERR_UNSUPPORTED, "tensor '%s': rank %zu is above %d", name, shape->count, ASG_MAX_RANK);
  e->rank = (int32_t)shape->count;
  for (size_t i = 0; i < shape->count; i++)
    if (!asgi_json_u63(shape->items[i], &e->dims[i]))
      return asgi_fail(ASG_ERR_FORMAT, "tensor '%s': dim %zu is not a non-negative integer", name, i);
  const asgi_json *off = asgi_json_get(v, "data_offsets");
  if (!off || off->kind != ASGI_JSON_ARRAY || off->count != 2 || !asgi_json_u63(off->items[0], &e->begin) ||
      !asgi_json_u63(off->items[1], &e->end))
    return asgi_fail(ASG_ERR_FORMAT, "tensor '%s': 'data_offsets' is not an array of two non-negative integers", name);
  if (e->begin > e->end || (uint64_t)e->end > (uint64_t)data_len)
    return asgi_fail(ASG_ERR_FORMAT, "tensor '%s': data_offsets [%lld, %lld] out of range (data section is %zu bytes)",
                     name, (long long)e->begin, (long long)e->end, data_len);
  int64_t numel = asgi_numel(e->rank, e->dims, INT64_MAX / 8);
  if (numel < 0) return asgi_fail(ASG_ERR_FORMAT, "tensor '%s': element count overflows", name);
  int64_t want = numel * (int64_t)asg_dtype_size(e->dtype);
  if (e->end - e->begin != want)
    return asgi_fail(ASG_ERR_FORMAT, "tensor '%s': data_offsets span %lld bytes, but its dtype and shape need %lld",
                     name, (long long)(e->end - e->begin), (long long)want);
  return ASG_OK;
}

static asg_status check_metadata(const asgi_json *v) {
  if (v->kind != ASGI_JSON_OBJECT) return asgi_fail(ASG_ERR_FORMAT, "'__metadata__' is not an object");
  for (size_t i = 0; i < v->count; i++)
    if (v->items[i]->kind != ASGI_JSON_STRING)
      return asgi_fail(ASG_ERR_FORMAT, "'__metadata__' value of '%s' is not a string", v->keys[i]);
  return ASG_OK;
}

static int cmp_entry(const entry *a, const entry *b) {
  if (a->begin != b->begin) return a->begin < b->begin ? -1 : 1;
  if (a->end != b->end) return a->end < b->end ? -1 : 1;
  return 0;
}

/* Sorts an index array by data offsets (a stable merge sort; tmp holds n entries). */
static void sort_idx(size_t *idx, size_t *tmp, size_t n, const entry *es) {
  if (n < 2) return;
  size_t h = n / 2;
  sort_idx(idx, tmp, h, es);
  sort_idx(idx + h, tmp, n - h, es);
  size_t i = 0, j = h, k = 0;
  while (i < h && j < n) tmp[k++] = cmp_entry(&es[idx[j]], &es[idx[i]]) < 0 ? idx[j++] : idx[i++];
  while (i < h) tmp[k++] = idx[i++];
  while (j < n) tmp[k++] = idx[j++];
  memcpy(idx, tmp, n * sizeof *idx);
}

static asg_status check_layout(const entry *es, size_t n, size_t data_len) {
  if (n == 0) {
    if (data_len) return asgi_fail(ASG_ERR_FORMAT, "%zu data bytes are not covered by any tensor", data_len);
    return ASG_OK;
  }
  size_t *idx = malloc(2 * n * sizeof *idx);
  if (!idx) return asgi_fail(ASG_ERR_OUT_OF_MEMORY, "out of memory");
  for (size_t i = 0; i < n; i++) idx[i] = i;
  sort_idx(idx, idx + n, n, es);
  int64_t prev = 0;
  const char *prev_name = NULL;
  asg_status st = ASG_OK;
  for (size_t i = 0; i < n && st == ASG_OK; i++) {
    const entry *e = &es[idx[i]];
    if (e->begin < prev)
      st = asgi_fail(ASG_ERR_FORMAT, "tensor '%s' (bytes %lld..%lld) overlaps tensor '%s'", e->name,
                     (long long)e->begin, (long long)e->end, prev_name);
    else if (e->begin > prev)
      st = asgi_fail(ASG_ERR_FORMAT, "bytes %lld..%lld of the data section belong to no tensor", (long long)prev,
                     (long long)e->begin);
    prev = e->end;
    prev_name = e->name;
  }
  if (st == ASG_OK && (uint64_t)prev != (uint64_t)data_len)
    st = asgi_fail(ASG_ERR_FORMAT, "bytes %lld..%zu of the data section belong to no tensor", (long long)prev, data_len);
  free(idx);
  return st;
}

static asg_status parse_tensors(asgi_arena *arena, const unsigned char *b, size_t size, asg_tensor **tensors,
                                size_t *count) {
  if (size < 8) return asgi_fail(ASG_ERR_FORMAT, "truncated safetensors file (%zu bytes, no header length)", size);
  uint64_t hlen = 0;
  for (int i = 7; i >= 0; i--) hlen = hlen << 8 | b[i];
  if (hlen > size - 8)
    return asgi_fail(ASG_ERR_FORMAT, "header length %llu exceeds the file size (%zu bytes)", (unsigned long long)hlen, size);
  if (hlen > kMaxHeaderBytes) return asgi_fail(ASG_ERR_FORMAT, "header length %llu is too large", (unsigned long long)hlen);
  asgi_json *root;
  asg_status st = asgi_json_parse(arena, (const char *)b + 8, (size_t)hlen, &root);
  if (st != ASG_OK) {
    asgi_prefix_error("bad header: ");
    return st;
  }
  if (root->kind != ASGI_JSON_OBJECT) return asgi_fail(ASG_ERR_FORMAT, "bad header: not a JSON object");
  const unsigned char *data = b + 8 + hlen;
  size_t data_len = size - 8 - (size_t)hlen;
  entry *es = asgi_arena_alloc(arena, (root->count + 1) * sizeof *es);
  if (!es) return asgi_fail(ASG_ERR_OUT_OF_MEMORY, "out of memory");
  size_t n = 0;
  for (size_t i = 0; i < root->count; i++) {
    if (strcmp(root->keys[i], "__metadata__") == 0) {
      if ((st = check_metadata(root->items[i])) != ASG_OK) return st;
      continue;
    }
    if (strlen(root->keys[i]) != root->key_lens[i]) return asgi_fail(ASG_ERR_FORMAT, "a tensor name contains NUL");
    if ((st = parse_entry(root->keys[i], root->items[i], data_len, &es[n])) != ASG_OK) return st;
    n++;
  }
  if ((st = check_layout(es, n, data_len)) != ASG_OK) return st;
  asg_tensor *ts = calloc(n ? n : 1, sizeof *ts);
  if (!ts) return asgi_fail(ASG_ERR_OUT_OF_MEMORY, "out of memory");
  for (size_t i = 0; i < n; i++) {
    size_t bytes = (size_t)(es[i].end - es[i].begin);
    ts[i].dtype = es[i].dtype;
    ts[i].rank = es[i].rank;
    memcpy(ts[i].dims, es[i].dims, sizeof ts[i].dims);
    ts[i].name = asgi_strdup(es[i].name);
    ts[i].data = malloc(bytes ? bytes : 1);
    if (!ts[i].name || !ts[i].data) {
      asg_tensors_free(ts, i + 1);
      return asgi_fail(ASG_ERR_OUT_OF_MEMORY, "out of memory (%zu bytes)", bytes);
    }
    if (bytes) memcpy(ts[i].data, data + es[i].begin, bytes);
  }
  *tensors = ts;
  *count = n;
  return ASG_OK;
}

asg_status asg_safetensors_parse(const void *bytes, size_t size, asg_tensor **tensors, size_t *count) {
  if (!tensors || !count) return asgi_fail(ASG_ERR_INVALID_ARGUMENT, "safetensors: output pointers are NULL");
  *tensors = NULL;
  *count = 0;
  if (!bytes && size) return asgi_fail(ASG_ERR_INVALID_ARGUMENT, "safetensors: bytes are NULL");
  asgi_arena arena = {0};
  asg_status st = parse_tensors(&arena, bytes, size, tensors, count);
  asgi_arena_free(&arena);
  return st;
}

asg_status asg_safetensors_read(const char *path, asg_tensor **tensors, size_t *count) {
  if (!tensors || !count) return asgi_fail(ASG_ERR_INVALID_ARGUMENT, "safetensors: output pointers are NULL");
  *tensors = NULL;
  *count = 0;
  unsigned char *buf;
  size_t size;
  asg_status st = asgi_read_file(path, &buf, &size);
  if (st != ASG_OK) return st;
  st = asg_safetensors_parse(buf, size, tensors, count);
  free(buf);
  if (st != ASG_OK) asgi_prefix_error("%s: ", path);
  return st;
}

/* ---- writing ---- */

typedef struct sbuf {
  char *p;
  size_t n, cap;
  bool oom;
} sbuf;

static void put(sbuf *b, const char *s, size_t k) {
  if (b->oom) return;
  if (b->cap - b->n < k + 1) {
    size_t nc = (b->cap ? b->cap * 2 : 256) + k;
    char *p = realloc(b->p, nc);
    if (!p) { b->oom = true; return; }
    b->p = p;
    b->cap = nc;
  }
  memcpy(b->p + b->n, s, k);
  b->n += k;
  b->p[b->n] = '\0';
}

static void puts_(sbuf *b, const char *s) { put(b, s, strlen(s)); }

static void put_json_string(sbuf *b, const char *s) {
  puts_(b, "\"");
  for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
    char esc[8];
    if (*c == '"' || *c == '\\') { esc[0] = '\\'; esc[1] = (char)*c; put(b, esc, 2); }
    else if (*c < 0x20) { snprintf(esc, sizeof esc, "\\u%04x", *c); puts_(b, esc); }
    else put(b, (const char *)c, 1);
  }
  puts_(b, "\"");
}

asg_status asg_safetensors_write(const char *path, const asg_tensor *tensors, size_t count) {
  if (!tensors && count) return asgi_fail(ASG_ERR_INVALID_ARGUMENT, "safetensors: tensors are NULL");
  for (size_t i = 0; i < count; i++) {
    const asg_tensor *t = &tensors[i];
    if (!t->name || !t->name[0]) return asgi_fail(ASG_ERR_INVALID_ARGUMENT, "safetensors: tensor %zu has no name", i);
    if (strcmp(t->name, "__metadata__") == 0) return asgi_fail(ASG_ERR_INVALID_ARGUMENT, "safetensors: reserved tensor name '__metadata__'");
    if (asg_dtype_size(t->dtype) == 0) return asgi_fail(ASG_ERR_INVALID_ARGUMENT, "safetensors: tensor '%s' has an invalid dtype", t->name);
    int64_t numel = asg_tensor_numel(t);
    if (numel < 0) return asgi_fail(ASG_ERR_INVALID_ARGUMENT, "safetensors: tensor '%s' has an invalid rank or dims", t->name);
    if (numel > 0 && !t->data) return asgi_fail(ASG_ERR_INVALID_ARGUMENT, "safetensors: tensor '%s' has no data", t->name);
    for (size_t j = 0; j < i; j++)
      if (strcmp(tensors[j].name, t->name) == 0)
        return asgi_fail(ASG_ERR_INVALID_ARGUMENT, "safetensors: tensor name '%s' appears twice", t->name);
  }
  sbuf h = {0};
  puts_(&h, "{");
  uint64_t off = 0;
  for (size_t i = 0; i < count; i++) {
    const asg_tensor *t = &tensors[i];
    uint64_t bytes = (uint64_t)asg_tensor_numel(t) * asg_dtype_size(t->dtype);
    char num[64];
    if (i) puts_(&h, ",");
    put_json_string(&h, t->name);
    puts_(&h, ":{\"dtype\":\"");
    puts_(&h, t->dtype == ASG_F32 ? "F32" : t->dtype == ASG_I32 ? "I32" : "I64");
    puts_(&h, "\",\"shape\":[");
    for (int32_t d = 0; d < t->rank; d++) {
      snprintf(num, sizeof num, "%s%lld", d ? "," : "", (long long)t->dims[d]);
      puts_(&h, num);
    }
    snprintf(num, sizeof num, "],\"data_offsets\":[%llu,%llu]}", (unsigned long long)off,
             (unsigned long long)(off + bytes));
    puts_(&h, num);
    off += bytes;
  }
  puts_(&h, "}");
  while (!h.oom && h.n % 8 != 0) puts_(&h, " ");
  if (h.oom) {
    free(h.p);
    return asgi_fail(ASG_ERR_OUT_OF_MEMORY, "out of memory");
  }
  unsigned char len[8];
  for (int i = 0; i < 8; i++) len[i] = (unsigned char)((uint64_t)h.n >> (8 * i));
  size_t nparts = count + 2;
  const void **parts = malloc(nparts * sizeof *parts);
  size_t *sizes = malloc(nparts * sizeof *sizes);
  asg_status st;
  if (!parts || !sizes) {
    st = asgi_fail(ASG_ERR_OUT_OF_MEMORY, "out of memory");
  } else {
    parts[0] = len;
    sizes[0] = 8;
    parts[1] = h.p;
    sizes[1] = h.n;
    for (size_t i = 0; i < count; i++) {
      parts[i + 2] = tensors[i].data;
      sizes[i + 2] = (size_t)asg_tensor_numel(&tensors[i]) * asg_dtype_size(tensors[i].dtype);
    }
    st = asgi_write_file(path, (const void *const *)parts, sizes, nparts);
  }
  free(parts);
  free(sizes);
  free(h.p);
  return st;
}
