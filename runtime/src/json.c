/* json.c: a small strict JSON parser (RFC 8259) with a nesting limit, for safetensors headers. */
#include "internal.h"

#include <string.h>

typedef struct parser {
  asgi_arena *arena;
  const unsigned char *s;
  size_t n, pos;
  int depth;
  asg_status status;
} parser;

static asgi_json *fail(parser *p, const char *what) {
  if (p->status == ASG_OK)
    p->status = asgi_fail(ASG_ERR_FORMAT, "invalid JSON at byte %zu: %s", p->pos, what);
  return NULL;
}

static asgi_json *oom(parser *p) {
  if (p->status == ASG_OK) p->status = asgi_fail(ASG_ERR_OUT_OF_MEMORY, "out of memory parsing JSON");
  return NULL;
}

static void skip_ws(parser *p) {
  while (p->pos < p->n) {
    unsigned char c = p->s[p->pos];
    if (c != ' ' && c != '\t' && c != '\n' && c != '\r') break;
    p->pos++;
  }
}

static bool literal(parser *p, const char *word) {
  size_t k = strlen(word);
  if (p->n - p->pos < k || memcmp(p->s + p->pos, word, k) != 0) return false;
  p->pos += k;
  return true;
}

static asgi_json *new_value(parser *p, asgi_json_kind kind) {
  asgi_json *v = asgi_arena_alloc(p->arena, sizeof *v);
  if (!v) return oom(p);
  v->kind = kind;
  return v;
}

static int hexval(unsigned char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

static bool hex4(parser *p, unsigned *out) {
  if (p->n - p->pos < 4) return false;
  unsigned v = 0;
  for (int i = 0; i < 4; i++) {
    int h = hexval(p->s[p->pos + i]);
    if (h < 0) return false;
    v = v * 16 + (unsigned)h;
  }
  p->pos += 4;
  *out = v;
  return true;
}

static size_t put_utf8(unsigned char *o, unsigned cp) {
  if (cp < 0x80) { o[0] = (unsigned char)cp; return 1; }
  if (cp < 0x800) { o[0] = (unsigned char)(0xC0 | (cp >> 6)); o[1] = (unsigned char)(0x80 | (cp & 0x3F)); return 2; }
  if (cp < 0x10000) {
    o[0] = (unsigned char)(0xE0 | (cp >> 12));
    o[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
    o[2] = (unsigned char)(0x80 | (cp & 0x3F));
    return 3;
  }
  o[0] = (unsigned char)(0xF0 | (cp >> 18));
  o[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
  o[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
  o[3] = (unsigned char)(0x80 | (cp & 0x3F));
  return 4;
}

/* Length of a valid UTF-8 sequence starting at s[0] (at most `avail` bytes), or 0. */
static size_t utf8_len(const unsigned char *s, size_t avail) {
  unsigned char c = s[0];
  size_t len;
  unsigned cp;
  if (c < 0x80) return 1;
  if (c >= 0xC2 && c <= 0xDF) { len = 2; cp = c & 0x1F; }
  else if (c >= 0xE0 && c <= 0xEF) { len = 3; cp = c & 0x0F; }
  else if (c >= 0xF0 && c <= 0xF4) { len = 4; cp = c & 0x07; }
  else return 0;
  if (avail < len) return 0;
  for (size_t i = 1; i < len; i++) {
    if ((s[i] & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (s[i] & 0x3F);
  }
  if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF))) return 0;
  if (cp >= 0xD800 && cp <= 0xDFFF) return 0;
  return len;
}

/* Parses a string at p->pos (which is at '"'); decoded into *out, length *len. */
static bool parse_string(parser *p, const char **out, size_t *len) {
  p->pos++; /* opening quote */
  size_t start = p->pos, end = start;
  /* First pass: find the closing quote and validate, so the output size is bounded. */
  while (end < p->n && p->s[end] != '"') {
    if (p->s[end] == '\\') end++;
    end++;
  }
  if (end >= p->n) { fail(p, "unterminated string"); return false; }
  unsigned char *o = asgi_arena_alloc(p->arena, end - start + 1);
  if (!o) { oom(p); return false; }
  size_t k = 0;
  while (p->s[p->pos] != '"') {
    unsigned char c = p->s[p->pos];
    if (c < 0x20) { fail(p, "control character in string"); return false; }
    if (c == '\\') {
      p->pos++;
      unsigned char e = p->s[p->pos++];
      switch (e) {
      case '"': o[k++] = '"'; break;
      case '\\': o[k++] = '\\'; break;
      case '/': o[k++] = '/'; break;
      case 'b': o[k++] = '\b'; break;
      case 'f': o[k++] = '\f'; break;
      case 'n': o[k++] = '\n'; break;
      case 'r': o[k++] = '\r'; break;
      case 't': o[k++] = '\t'; break;
      case 'u': {
        unsigned cp, lo;
        if (!hex4(p, &cp)) { fail(p, "bad \\u escape"); return false; }
        if (cp >= 0xDC00 && cp <= 0xDFFF) { fail(p, "unpaired surrogate in \\u escape"); return false; }
        if (cp >= 0xD800 && cp <= 0xDBFF) {
          if (!literal(p, "\\u") || !hex4(p, &lo) || lo < 0xDC00 || lo > 0xDFFF) {
            fail(p, "unpaired surrogate in \\u escape");
            return false;
          }
          cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
        }
        if (cp == 0) { fail(p, "NUL character in string"); return false; }
        k += put_utf8(o + k, cp);
        break;
      }
      default: p->pos--; fail(p, "bad escape in string"); return false;
      }
    } else {
      size_t l = utf8_len(p->s + p->pos, p->n - p->pos);
      if (l == 0) { fail(p, "invalid UTF-8 in string"); return false; }
      memcpy(o + k, p->s + p->pos, l);
      k += l;
      p->pos += l;
    }
  }
  p->pos++; /* closing quote */
  o[k] = '\0';
  *out = (const char *)o;
  *len = k;
  return true;
}

static bool is_digit(unsigned char c) { return c >= '0' && c <= '9'; }

static asgi_json *parse_number(parser *p) {
  size_t start = p->pos;
  if (p->s[p->pos] == '-') p->pos++;
  if (p->pos >= p->n || !is_digit(p->s[p->pos])) return fail(p, "bad number");
  if (p->s[p->pos] == '0') {
    p->pos++;
    if (p->pos < p->n && is_digit(p->s[p->pos])) return fail(p, "leading zero in number");
  } else {
    while (p->pos < p->n && is_digit(p->s[p->pos])) p->pos++;
  }
  if (p->pos < p->n && p->s[p->pos] == '.') {
    p->pos++;
    if (p->pos >= p->n || !is_digit(p->s[p->pos])) return fail(p, "bad fraction in number");
    while (p->pos < p->n && is_digit(p->s[p->pos])) p->pos++;
  }
  if (p->pos < p->n && (p->s[p->pos] == 'e' || p->s[p->pos] == 'E')) {
    p->pos++;
    if (p->pos < p->n && (p->s[p->pos] == '+' || p->s[p->pos] == '-')) p->pos++;
    if (p->pos >= p->n || !is_digit(p->s[p->pos])) return fail(p, "bad exponent in number");
    while (p->pos < p->n && is_digit(p->s[p->pos])) p->pos++;
  }
  asgi_json *v = new_value(p, ASGI_JSON_NUMBER);
  if (!v) return NULL;
  v->text = asgi_arena_strndup(p->arena, (const char *)p->s + start, p->pos - start);
  if (!v->text) return oom(p);
  v->len = p->pos - start;
  return v;
}

static asgi_json *parse_value(parser *p);

/* Appends item to a growing arena array (capacity doubles; old blocks stay in the arena). */
static bool push(parser *p, asgi_json *v, asgi_json *item, const char *key, size_t key_len, size_t *cap) {
  if (v->count == *cap) {
    size_t nc = *cap ? *cap * 2 : 8;
    asgi_json **items = asgi_arena_alloc(p->arena, nc * sizeof *items);
    if (!items) return false;
    if (v->count) memcpy(items, v->items, v->count * sizeof *items);
    v->items = items;
    if (v->kind == ASGI_JSON_OBJECT) {
      const char **keys = asgi_arena_alloc(p->arena, nc * sizeof *keys);
      size_t *lens = asgi_arena_alloc(p->arena, nc * sizeof *lens);
      if (!keys || !lens) return false;
      if (v->count) {
        memcpy(keys, v->keys, v->count * sizeof *keys);
        memcpy(lens, v->key_lens, v->count * sizeof *lens);
      }
      v->keys = keys;
      v->key_lens = lens;
    }
    *cap = nc;
  }
  v->items[v->count] = item;
  if (v->kind == ASGI_JSON_OBJECT) {
    v->keys[v->count] = key;
    v->key_lens[v->count] = key_len;
  }
  v->count++;
  return true;
}

static asgi_json *parse_array(parser *p) {
  asgi_json *v = new_value(p, ASGI_JSON_ARRAY);
  if (!v) return NULL;
  size_t cap = 0;
  p->pos++;
  skip_ws(p);
  if (p->pos < p->n && p->s[p->pos] == ']') { p->pos++; return v; }
  for (;;) {
    asgi_json *item = parse_value(p);
    if (!item) return NULL;
    if (!push(p, v, item, NULL, 0, &cap)) return oom(p);
    skip_ws(p);
    if (p->pos >= p->n) return fail(p, "unterminated array");
    if (p->s[p->pos] == ']') { p->pos++; return v; }
    if (p->s[p->pos] != ',') return fail(p, "expected ',' or ']' in array");
    p->pos++;
  }
}

static asgi_json *parse_object(parser *p) {
  asgi_json *v = new_value(p, ASGI_JSON_OBJECT);
  if (!v) return NULL;
  size_t cap = 0;
  p->pos++;
  skip_ws(p);
  if (p->pos < p->n && p->s[p->pos] == '}') { p->pos++; return v; }
  for (;;) {
    skip_ws(p);
    if (p->pos >= p->n || p->s[p->pos] != '"') return fail(p, "expected a string key in object");
    size_t key_pos = p->pos;
    const char *key;
    size_t key_len;
    if (!parse_string(p, &key, &key_len)) return NULL;
    for (size_t i = 0; i < v->count; i++) {
      if (v->key_lens[i] == key_len && memcmp(v->keys[i], key, key_len) == 0) {
        p->pos = key_pos;
        if (p->status == ASG_OK)
          p->status = asgi_fail(ASG_ERR_FORMAT, "invalid JSON at byte %zu: duplicate key '%s'", key_pos, key);
        return NULL;
      }
    }
    skip_ws(p);
    if (p->pos >= p->n || p->s[p->pos] != ':') return fail(p, "expected ':' in object");
    p->pos++;
    asgi_json *item = parse_value(p);
    if (!item) return NULL;
    if (!push(p, v, item, key, key_len, &cap)) return oom(p);
    skip_ws(p);
    if (p->pos >= p->n) return fail(p, "unterminated object");
    if (p->s[p->pos] == '}') { p->pos++; return v; }
    if (p->s[p->pos] != ',') return fail(p, "expected ',' or '}' in object");
    p->pos++;
  }
}

static asgi_json *parse_value(parser *p) {
  skip_ws(p);
  if (p->pos >= p->n) return fail(p, "unexpected end of input");
  unsigned char c = p->s[p->pos];
  if (c == '{' || c == '[') {
    if (p->depth >= ASGI_JSON_MAX_DEPTH) return fail(p, "nesting deeper than 64 levels");
    p->depth++;
    asgi_json *v = c == '{' ? parse_object(p) : parse_array(p);
    p->depth--;
    return v;
  }
  if (c == '"') {
    asgi_json *v = new_value(p, ASGI_JSON_STRING);
    if (!v) return NULL;
    if (!parse_string(p, &v->text, &v->len)) return NULL;
    return v;
  }
  if (c == '-' || is_digit(c)) return parse_number(p);
  if (literal(p, "true")) { asgi_json *v = new_value(p, ASGI_JSON_BOOL); if (v) v->boolean = true; return v; }
  if (literal(p, "false")) return new_value(p, ASGI_JSON_BOOL);
  if (literal(p, "null")) return new_value(p, ASGI_JSON_NULL);
  return fail(p, "unexpected character");
}

asg_status asgi_json_parse(asgi_arena *a, const char *text, size_t size, asgi_json **out) {
  parser p = {a, (const unsigned char *)text, size, 0, 0, ASG_OK};
  *out = NULL;
  asgi_json *v = parse_value(&p);
  if (!v) return p.status;
  skip_ws(&p);
  if (p.pos != p.n) {
    fail(&p, "trailing characters after the value");
    return p.status;
  }
  *out = v;
  return ASG_OK;
}

const asgi_json *asgi_json_get(const asgi_json *obj, const char *key) {
  if (!obj || obj->kind != ASGI_JSON_OBJECT) return NULL;
  size_t k = strlen(key);
  for (size_t i = 0; i < obj->count; i++)
    if (obj->key_lens[i] == k && memcmp(obj->keys[i], key, k) == 0) return obj->items[i];
  return NULL;
}

bool asgi_json_u63(const asgi_json *v, int64_t *out) {
  if (!v || v->kind != ASGI_JSON_NUMBER) return false;
  int64_t r = 0;
  for (size_t i = 0; i < v->len; i++) {
    char c = v->text[i];
    if (c < '0' || c > '9') return false; /* sign, fraction or exponent */
    if (r > (INT64_MAX - (c - '0')) / 10) return false;
    r = r * 10 + (c - '0');
  }
  *out = r;
  return v->len > 0;
}
