/* npy.c: reading and writing NumPy .npy files (little-endian f32/i32/i64, C order). */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const unsigned char kMagic[6] = {0x93, 'N', 'U', 'M', 'P', 'Y'};
enum { kMaxHeader = 1 << 20 };

typedef struct hdr {
  const char *s;
  size_t n, pos;
} hdr;

static void ws(hdr *h) {
  while (h->pos < h->n && (h->s[h->pos] == ' ' || h->s[h->pos] == '\t' || h->s[h->pos] == '\n' || h->s[h->pos] == '\r'))
    h->pos++;
}

static bool eat(hdr *h, char c) {
  ws(h);
  if (h->pos < h->n && h->s[h->pos] == c) { h->pos++; return true; }
  return false;
}

/* A Python string literal in ' or " without escapes, copied to out (truncated to cap). */
static bool pystr(hdr *h, char *out, size_t cap) {
  ws(h);
  if (h->pos >= h->n || (h->s[h->pos] != '\'' && h->s[h->pos] != '"')) return false;
  char q = h->s[h->pos++];
  size_t k = 0;
  while (h->pos < h->n && h->s[h->pos] != q) {
    char c = h->s[h->pos++];
    if (c == '\\' || c == '\n') return false;
    if (k + 1 < cap) out[k++] = c;
  }
  if (h->pos >= h->n) return false;
  h->pos++;
  out[k] = '\0';
  return true;
}

static bool pyint(hdr *h, int64_t *out) {
  ws(h);
  size_t start = h->pos;
  int64_t v = 0;
  while (h->pos < h->n && h->s[h->pos] >= '0' && h->s[h->pos] <= '9') {
    int d = h->s[h->pos++] - '0';
    if (v > (INT64_MAX - d) / 10) return false;
    v = v * 10 + d;
  }
  if (h->pos == start) return false;
  if (h->pos < h->n && h->s[h->pos] == 'L') h->pos++; /* Python 2 long */
  *out = v;
  return true;
}

static bool word(hdr *h, const char *w) {
  ws(h);
  size_t k = strlen(w);
  if (h->n - h->pos < k || memcmp(h->s + h->pos, w, k) != 0) return false;
  h->pos += k;
  return true;
}

static asg_status parse_descr(const char *descr, asg_dtype *dt) {
  if (strcmp(descr, "<f4") == 0) { *dt = ASG_F32; return ASG_OK; }
  if (strcmp(descr, "<i4") == 0) { *dt = ASG_I32; return ASG_OK; }
  if (strcmp(descr, "<i8") == 0) { *dt = ASG_I64; return ASG_OK; }
  if (descr[0] == '>')
    return asgi_fail(ASG_ERR_UNSUPPORTED, "big-endian dtype '%s' is not supported (only '<f4', '<i4', '<i8')", descr);
  return asgi_fail(ASG_ERR_UNSUPPORTED, "unsupported dtype '%s' (only '<f4', '<i4', '<i8')", descr);
}

/* Parses the header dict into dtype and shape. */
static asg_status parse_header(hdr *h, asg_tensor *t) {
  bool have_descr = false, have_order = false, have_shape = false;
  if (!eat(h, '{')) return asgi_fail(ASG_ERR_FORMAT, "bad header: expected '{'");
  for (;;) {
    if (eat(h, '}')) break;
    char key[32];
    if (!pystr(h, key, sizeof key)) return asgi_fail(ASG_ERR_FORMAT, "bad header: expected a quoted key");
    if (!eat(h, ':')) return asgi_fail(ASG_ERR_FORMAT, "bad header: expected ':' after '%s'", key);
    if (strcmp(key, "descr") == 0 && !have_descr) {
      char descr[32];
      if (!pystr(h, descr, sizeof descr)) return asgi_fail(ASG_ERR_FORMAT, "bad header: 'descr' is not a string");
      asg_status st = parse_descr(descr, &t->dtype);
      if (st != ASG_OK) return st;
      have_descr = true;
    } else if (strcmp(key, "fortran_order") == 0 && !have_order) {
      if (word(h, "True")) return asgi_fail(ASG_ERR_UNSUPPORTED, "Fortran-order arrays are not supported (save in C order)");
      if (!word(h, "False")) return asgi_fail(ASG_ERR_FORMAT, "bad header: 'fortran_order' is not True or False");
      have_order = true;
    } else if (strcmp(key, "shape") == 0 && !have_shape) {
      if (!eat(h, '(')) return asgi_fail(ASG_ERR_FORMAT, "bad header: 'shape' is not a tuple");
      t->rank = 0;
      while (!eat(h, ')')) {
        int64_t d;
        if (!pyint(h, &d)) return asgi_fail(ASG_ERR_FORMAT, "bad header: bad dim in 'shape'");
        if (t->rank == ASG_MAX_RANK) return asgi_fail(ASG_ERR_UNSUPPORTED, "rank above %d is not supported", ASG_MAX_RANK);
        t->dims[t->rank++] = d;
        if (eat(h, ')')) break;
        if (!eat(h, ',')) return asgi_fail(ASG_ERR_FORMAT, "bad header: expected ',' or ')' in 'shape'");
      }
      have_shape = true;
    } else {
      return asgi_fail(ASG_ERR_FORMAT, "bad header: unexpected or repeated key '%s'", key);
    }
    if (eat(h, '}')) break;
    if (!eat(h, ',')) return asgi_fail(ASG_ERR_FORMAT, "bad header: expected ',' or '}'");
  }
  ws(h);
  if (h->pos != h->n) return asgi_fail(ASG_ERR_FORMAT, "bad header: trailing characters after the dict");
  if (!have_descr || !have_order || !have_shape)
    return asgi_fail(ASG_ERR_FORMAT, "bad header: missing key '%s'",
                     !have_descr ? "descr" : !have_order ? "fortran_order" : "shape");
  return ASG_OK;
}

asg_status asg_npy_parse(const void *bytes, size_t size, asg_tensor *out) {
  if (!out) return asgi_fail(ASG_ERR_INVALID_ARGUMENT, "npy: output tensor is NULL");
  memset(out, 0, sizeof *out);
  if (!bytes && size) return asgi_fail(ASG_ERR_INVALID_ARGUMENT, "npy: bytes are NULL");
  const unsigned char *b = bytes;
  if (size < 10 || memcmp(b, kMagic, 6) != 0) return asgi_fail(ASG_ERR_FORMAT, "not a .npy file (bad magic)");
  unsigned major = b[6];
  size_t hlen, hstart;
  if (major == 1) {
    hlen = (size_t)b[8] | (size_t)b[9] << 8;
    hstart = 10;
  } else if (major == 2 || major == 3) {
    if (size < 12) return asgi_fail(ASG_ERR_FORMAT, "truncated .npy file (header length)");
    hlen = (size_t)b[8] | (size_t)b[9] << 8 | (size_t)b[10] << 16 | (size_t)b[11] << 24;
    hstart = 12;
  } else {
    return asgi_fail(ASG_ERR_UNSUPPORTED, "unsupported .npy format version %u.%u", major, b[7]);
  }
  if (hlen > kMaxHeader) return asgi_fail(ASG_ERR_FORMAT, "bad .npy header length %zu", hlen);
  if (hlen > size - hstart) return asgi_fail(ASG_ERR_FORMAT, "truncated .npy file (header of %zu bytes)", hlen);
  hdr h = {(const char *)b + hstart, hlen, 0};
  asg_tensor t;
  memset(&t, 0, sizeof t);
  asg_status st = parse_header(&h, &t);
  if (st != ASG_OK) return st;
  int64_t numel = asgi_numel(t.rank, t.dims, INT64_MAX / 8);
  if (numel < 0) return asgi_fail(ASG_ERR_FORMAT, "bad .npy shape (element count overflows)");
  size_t bytes_needed = (size_t)numel * asg_dtype_size(t.dtype);
  size_t avail = size - hstart - hlen;
  if (avail < bytes_needed)
    return asgi_fail(ASG_ERR_FORMAT, "truncated .npy file: %zu data bytes, expected %zu", avail, bytes_needed);
  if (avail > bytes_needed)
    return asgi_fail(ASG_ERR_FORMAT, ".npy file has %zu trailing bytes after the data", avail - bytes_needed);
  t.data = malloc(bytes_needed ? bytes_needed : 1);
  if (!t.data) return asgi_fail(ASG_ERR_OUT_OF_MEMORY, "out of memory (%zu bytes)", bytes_needed);
  if (bytes_needed) memcpy(t.data, b + hstart + hlen, bytes_needed);
  *out = t;
  return ASG_OK;
}

asg_status asg_npy_read(const char *path, asg_tensor *out) {
  if (out) memset(out, 0, sizeof *out);
  unsigned char *buf;
  size_t size;
  asg_status st = asgi_read_file(path, &buf, &size);
  if (st != ASG_OK) return st;
  st = asg_npy_parse(buf, size, out);
  free(buf);
  if (st != ASG_OK) asgi_prefix_error("%s: ", path);
  return st;
}

asg_status asg_npy_write(const char *path, const asg_tensor *t) {
  if (!t) return asgi_fail(ASG_ERR_INVALID_ARGUMENT, "npy: tensor is NULL");
  size_t esize = asg_dtype_size(t->dtype);
  if (esize == 0) return asgi_fail(ASG_ERR_INVALID_ARGUMENT, "npy: invalid dtype %d", (int)t->dtype);
  int64_t numel = asg_tensor_numel(t);
  if (numel < 0) return asgi_fail(ASG_ERR_INVALID_ARGUMENT, "npy: invalid rank or dims");
  if (numel > 0 && !t->data) return asgi_fail(ASG_ERR_INVALID_ARGUMENT, "npy: tensor data is NULL");
  char shape[256] = "(";
  size_t pos = 1;
  for (int32_t i = 0; i < t->rank; i++)
    pos += (size_t)snprintf(shape + pos, sizeof shape - pos, "%lld%s", (long long)t->dims[i],
                            t->rank == 1 ? "," : (i + 1 < t->rank ? ", " : ""));
  snprintf(shape + pos, sizeof shape - pos, ")");
  const char *descr = t->dtype == ASG_F32 ? "<f4" : t->dtype == ASG_I32 ? "<i4" : "<i8";
  char header[512];
  int n = snprintf(header + 10, sizeof header - 10, "{'descr': '%s', 'fortran_order': False, 'shape': %s, }", descr, shape);
  size_t total = 10 + (size_t)n + 1;             /* magic, version, length, dict, '\n' */
  size_t padded = (total + 63) / 64 * 64;
  memset(header + 10 + n, ' ', padded - total);
  header[padded - 1] = '\n';
  memcpy(header, kMagic, 6);
  header[6] = 1;
  header[7] = 0;
  header[8] = (char)((padded - 10) & 0xFF);
  header[9] = (char)((padded - 10) >> 8);
  const void *parts[2] = {header, t->data};
  size_t sizes[2] = {padded, (size_t)numel * esize};
  asg_status st = asgi_write_file(path, parts, sizes, 2);
  return st;
}
