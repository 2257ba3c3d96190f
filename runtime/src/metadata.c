/* metadata.c: strict parser of the metadata text of a compiled model (docs/abi.md). */
#include "internal.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct owned_info {
  asg_model_info info; /* first: the public pointer is the owned_info pointer */
  asgi_arena arena;
} owned_info;

enum { kMaxTokens = 64 };

typedef struct line {
  int number;
  const char *start; /* the whole line */
  size_t len;
  size_t ntok;
  const char *tok[kMaxTokens];
  size_t toklen[kMaxTokens];
} line;

typedef struct growing_entry {
  asg_entry_info pub;
  asg_arg_info *args;
  asg_value_info *results;
  asg_check_info *checks;
  asg_update_info *updates;
  size_t cap_args, cap_results, cap_checks, cap_updates;
  bool has_scratch;
} growing_entry;

typedef struct state {
  asgi_arena *arena;
  asg_model_info *info;
  asg_value_info *inputs;
  asg_param_info *params;
  asg_value_info *states;
  growing_entry *entries;
  size_t cap_inputs, cap_params, cap_states, cap_entries;
  growing_entry *open; /* the entry being read, or NULL */
} state;

#define FAIL(L, ...) lfail((L), __VA_ARGS__)

static asg_status lfail(const line *l, const char *fmt, ...) ASGI_PRINTF(2, 3);
static asg_status lfail(const line *l, const char *fmt, ...) {
  char msg[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  return asgi_fail(ASG_ERR_FORMAT, "metadata line %d: %s", l->number, msg);
}

static asg_status oom(void) { return asgi_fail(ASG_ERR_OUT_OF_MEMORY, "out of memory parsing metadata"); }

/* Makes room for one more element in an arena array. */
static bool grow(asgi_arena *a, void **arr, size_t *cap, size_t n, size_t elem) {
  if (n < *cap) return true;
  size_t nc = *cap ? *cap * 2 : 4;
  void *p = asgi_arena_alloc(a, nc * elem);
  if (!p) return false;
  if (n) memcpy(p, *arr, n * elem);
  *arr = p;
  *cap = nc;
  return true;
}

static bool tok_is(const line *l, size_t i, const char *s) {
  return i < l->ntok && l->toklen[i] == strlen(s) && memcmp(l->tok[i], s, l->toklen[i]) == 0;
}

/* Splits a line into tokens separated by single spaces. */
static asg_status tokenize(line *l) {
  l->ntok = 0;
  if (l->len == 0) return FAIL(l, "empty line");
  size_t i = 0;
  while (i <= l->len) {
    size_t j = i;
    while (j < l->len && l->start[j] != ' ') j++;
    if (j == i) return FAIL(l, "fields must be separated by single spaces");
    if (l->ntok == kMaxTokens) return FAIL(l, "too many fields");
    l->tok[l->ntok] = l->start + i;
    l->toklen[l->ntok] = j - i;
    l->ntok++;
    i = j + 1;
  }
  return ASG_OK;
}

static char *tokdup(state *s, const line *l, size_t i) { return asgi_arena_strndup(s->arena, l->tok[i], l->toklen[i]); }

static bool ident_start(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; }
static bool ident_char(char c) { return ident_start(c) || (c >= '0' && c <= '9'); }

/* [A-Za-z_][A-Za-z0-9_]* when !dots, [A-Za-z_][A-Za-z0-9_.-]* when dots. */
static bool valid_name(const char *p, size_t n, bool dots) {
  if (n == 0 || !ident_start(p[0])) return false;
  for (size_t i = 1; i < n; i++)
    if (!ident_char(p[i]) && !(dots && (p[i] == '.' || p[i] == '-'))) return false;
  return true;
}

/* A non-negative decimal integer without sign or leading zeros, at most `max`. */
static bool parse_uint(const char *p, size_t n, int64_t max, int64_t *out) {
  if (n == 0 || (n > 1 && p[0] == '0')) return false;
  int64_t v = 0;
  for (size_t i = 0; i < n; i++) {
    if (p[i] < '0' || p[i] > '9') return false;
    int d = p[i] - '0';
    if (v > (max - d) / 10) return false;
    v = v * 10 + d;
  }
  *out = v;
  return true;
}

static bool parse_dtype(const char *p, size_t n, asg_dtype *out) {
  if (n == 3 && memcmp(p, "f32", 3) == 0) { *out = ASG_F32; return true; }
  if (n == 3 && memcmp(p, "i32", 3) == 0) { *out = ASG_I32; return true; }
  if (n == 3 && memcmp(p, "i64", 3) == 0) { *out = ASG_I64; return true; }
  return false;
}

/* Parses "NAME DTYPE RANK DIM*" starting at token `first`; returns the index after the dims. */
static asg_status parse_value(state *s, const line *l, size_t first, asg_value_info *v, size_t *next) {
  if (l->ntok < first + 3) return FAIL(l, "expected NAME DTYPE RANK DIM*");
  if (!valid_name(l->tok[first], l->toklen[first], true))
    return FAIL(l, "invalid name '%.*s'", (int)l->toklen[first], l->tok[first]);
  if (!(v->name = tokdup(s, l, first))) return oom();
  if (!parse_dtype(l->tok[first + 1], l->toklen[first + 1], &v->dtype))
    return FAIL(l, "'%s': unknown dtype '%.*s' (expected f32, i32 or i64)", v->name, (int)l->toklen[first + 1], l->tok[first + 1]);
  int64_t rank;
  if (!parse_uint(l->tok[first + 2], l->toklen[first + 2], 1000, &rank) || rank > ASG_MAX_RANK)
    return FAIL(l, "'%s': invalid rank '%.*s' (expected 0..%d)", v->name, (int)l->toklen[first + 2], l->tok[first + 2], ASG_MAX_RANK);
  v->rank = (int32_t)rank;
  if (l->ntok < first + 3 + (size_t)rank) return FAIL(l, "'%s': rank %d but only %zu dims", v->name, v->rank, l->ntok - first - 3);
  for (int32_t d = 0; d < v->rank; d++) {
    size_t t = first + 3 + (size_t)d;
    const char *p = l->tok[t];
    size_t n = l->toklen[t];
    v->dims[d].size = -1;
    v->dims[d].name = NULL;
    if (n == 1 && p[0] == '?') continue;
    if (p[0] >= '0' && p[0] <= '9') {
      if (!parse_uint(p, n, INT64_MAX, &v->dims[d].size)) return FAIL(l, "'%s': invalid dim '%.*s'", v->name, (int)n, p);
      continue;
    }
    if (!valid_name(p, n, true)) return FAIL(l, "'%s': invalid dim '%.*s'", v->name, (int)n, p);
    if (!(v->dims[d].name = tokdup(s, l, t))) return oom();
  }
  *next = first + 3 + (size_t)rank;
  return ASG_OK;
}

static bool name_taken(const state *s, const char *name) {
  for (size_t i = 0; i < s->info->num_inputs; i++)
    if (strcmp(s->inputs[i].name, name) == 0) return true;
  for (size_t i = 0; i < s->info->num_params; i++)
    if (strcmp(s->params[i].value.name, name) == 0) return true;
  for (size_t i = 0; i < s->info->num_states; i++)
    if (strcmp(s->states[i].name, name) == 0) return true;
  return false;
}

static bool tok_eq(const line *l, size_t i, const char *name) {
  return strlen(name) == l->toklen[i] && memcmp(name, l->tok[i], l->toklen[i]) == 0;
}

/* Requires static dims (params, state, updates) and at most 2^40 elements. */
static asg_status static_dims(const line *l, const char *what, const asg_value_info *v) {
  int64_t dims[ASG_MAX_RANK];
  for (int32_t d = 0; d < v->rank; d++) {
    if (v->dims[d].size < 0) return FAIL(l, "%s '%s': dim %d is not static", what, v->name, d);
    dims[d] = v->dims[d].size;
  }
  if (asgi_numel(v->rank, dims, (int64_t)1 << 40) < 0) return FAIL(l, "%s '%s': more than 2^40 elements", what, v->name);
  return ASG_OK;
}

static asg_status parse_input(state *s, const line *l) {
  if (!grow(s->arena, (void **)&s->inputs, &s->cap_inputs, s->info->num_inputs, sizeof *s->inputs)) return oom();
  asg_value_info *v = &s->inputs[s->info->num_inputs];
  memset(v, 0, sizeof *v);
  size_t next;
  asg_status st = parse_value(s, l, 1, v, &next);
  if (st != ASG_OK) return st;
  if (next != l->ntok) return FAIL(l, "input '%s': unexpected field '%.*s'", v->name, (int)l->toklen[next], l->tok[next]);
  if (name_taken(s, v->name)) return FAIL(l, "name '%s' is declared twice", v->name);
  s->info->num_inputs++;
  return ASG_OK;
}

static asg_status parse_number(const line *l, const char *param, const char *key, const char *p, size_t n, double *out) {
  char buf[64];
  if (n == 0 || n >= sizeof buf) return FAIL(l, "param '%s': invalid value for '%s'", param, key);
  memcpy(buf, p, n);
  buf[n] = '\0';
  char *end;
  errno = 0;
  double v = strtod(buf, &end);
  if (*end != '\0' || !isfinite(v) || strpbrk(buf, "xXpP") || (buf[0] != '-' && buf[0] != '.' && (buf[0] < '0' || buf[0] > '9')))
    return FAIL(l, "param '%s': invalid value '%s' for '%s'", param, buf, key);
  *out = v;
  return ASG_OK;
}

static const struct {
  const char *name;
  asg_init_kind kind;
  const char *keys[2]; /* accepted keys */
} kInits[] = {
    {"zeros", ASG_INIT_ZEROS, {NULL, NULL}},
    {"ones", ASG_INIT_ONES, {NULL, NULL}},
    {"constant", ASG_INIT_CONSTANT, {"value", NULL}},
    {"normal", ASG_INIT_NORMAL, {"mean", "std"}},
    {"uniform", ASG_INIT_UNIFORM, {"low", "high"}},
    {"xavier_uniform", ASG_INIT_XAVIER_UNIFORM, {NULL, NULL}},
    {"kaiming_uniform", ASG_INIT_KAIMING_UNIFORM, {"a", NULL}},
};

static double *init_slot(asg_init *init, const char *key) {
  if (strcmp(key, "value") == 0) return &init->value;
  if (strcmp(key, "mean") == 0) return &init->mean;
  if (strcmp(key, "std") == 0) return &init->std;
  if (strcmp(key, "low") == 0) return &init->low;
  if (strcmp(key, "high") == 0) return &init->high;
  return &init->a;
}

static asg_status parse_init(const line *l, const asg_param_info *p, size_t t, asg_init *init) {
  const char *pn = p->value.name;
  memset(init, 0, sizeof *init);
  init->std = 1.0;
  init->low = -1.0;
  init->high = 1.0;
  init->a = sqrt(5.0);
  if (t >= l->ntok) return FAIL(l, "param '%s': missing initializer kind after 'init'", pn);
  size_t k;
  size_t nk = sizeof kInits / sizeof kInits[0];
  for (k = 0; k < nk; k++)
    if (tok_is(l, t, kInits[k].name)) break;
  if (k == nk) return FAIL(l, "param '%s': unknown initializer '%.*s'", pn, (int)l->toklen[t], l->tok[t]);
  init->kind = kInits[k].kind;
  bool seen[2] = {false, false};
  for (size_t i = t + 1; i < l->ntok; i++) {
    const char *eq = memchr(l->tok[i], '=', l->toklen[i]);
    if (!eq) return FAIL(l, "param '%s': expected KEY=VALUE, got '%.*s'", pn, (int)l->toklen[i], l->tok[i]);
    size_t klen = (size_t)(eq - l->tok[i]);
    int slot = -1;
    for (int j = 0; j < 2; j++)
      if (kInits[k].keys[j] && strlen(kInits[k].keys[j]) == klen && memcmp(kInits[k].keys[j], l->tok[i], klen) == 0)
        slot = j;
    if (slot < 0)
      return FAIL(l, "param '%s': initializer '%s' has no key '%.*s'", pn, kInits[k].name, (int)klen, l->tok[i]);
    if (seen[slot]) return FAIL(l, "param '%s': key '%s' given twice", pn, kInits[k].keys[slot]);
    seen[slot] = true;
    asg_status st = parse_number(l, pn, kInits[k].keys[slot], eq + 1, l->toklen[i] - klen - 1,
                                 init_slot(init, kInits[k].keys[slot]));
    if (st != ASG_OK) return st;
  }
  if (init->kind == ASG_INIT_CONSTANT && !seen[0]) return FAIL(l, "param '%s': initializer 'constant' needs 'value='", pn);
  if (init->kind == ASG_INIT_NORMAL && init->std < 0) return FAIL(l, "param '%s': normal 'std' is negative", pn);
  if (init->kind == ASG_INIT_UNIFORM && init->low > init->high)
    return FAIL(l, "param '%s': uniform 'low' is greater than 'high'", pn);
  if ((init->kind == ASG_INIT_XAVIER_UNIFORM || init->kind == ASG_INIT_KAIMING_UNIFORM) && p->value.rank < 2)
    return FAIL(l, "param '%s': initializer '%s' needs rank >= 2, not %d", pn, kInits[k].name, p->value.rank);
  return ASG_OK;
}

static asg_status parse_param(state *s, const line *l) {
  if (!grow(s->arena, (void **)&s->params, &s->cap_params, s->info->num_params, sizeof *s->params)) return oom();
  asg_param_info *p = &s->params[s->info->num_params];
  memset(p, 0, sizeof *p);
  size_t t;
  asg_status st = parse_value(s, l, 1, &p->value, &t);
  if (st != ASG_OK) return st;
  const char *pn = p->value.name;
  if (p->value.dtype != ASG_F32) return FAIL(l, "param '%s': dtype must be f32", pn);
  if ((st = static_dims(l, "param", &p->value)) != ASG_OK) return st;
  if (!tok_is(l, t, "trainable") || !(tok_is(l, t + 1, "0") || tok_is(l, t + 1, "1")))
    return FAIL(l, "param '%s': expected 'trainable 0|1' after the dims", pn);
  p->trainable = l->tok[t + 1][0] == '1';
  if (!tok_is(l, t + 2, "init")) return FAIL(l, "param '%s': expected 'init KIND' after 'trainable'", pn);
  if ((st = parse_init(l, p, t + 3, &p->init)) != ASG_OK) return st;
  if (name_taken(s, pn)) return FAIL(l, "name '%s' is declared twice", pn);
  s->info->num_params++;
  return ASG_OK;
}

/* "state NAME DTYPE RANK DIM*": optimizer state, saved under NAME ("optim.*"). */
static asg_status parse_state(state *s, const line *l) {
  if (!grow(s->arena, (void **)&s->states, &s->cap_states, s->info->num_states, sizeof *s->states)) return oom();
  asg_value_info *v = &s->states[s->info->num_states];
  memset(v, 0, sizeof *v);
  size_t next;
  asg_status st = parse_value(s, l, 1, v, &next);
  if (st != ASG_OK) return st;
  if (next != l->ntok) return FAIL(l, "state '%s': unexpected field '%.*s'", v->name, (int)l->toklen[next], l->tok[next]);
  if (strncmp(v->name, "optim.", 6) != 0 || v->name[6] == '\0')
    return FAIL(l, "state '%s': the name must start with 'optim.' (checkpoints store state under it)", v->name);
  if ((st = static_dims(l, "state", v)) != ASG_OK) return st;
  if (strcmp(v->name, "optim.step") == 0 && (v->dtype != ASG_I64 || v->rank != 0))
    return FAIL(l, "state 'optim.step' must be an i64 scalar ('state optim.step i64 0')");
  if (name_taken(s, v->name)) return FAIL(l, "name '%s' is declared twice", v->name);
  s->info->num_states++;
  return ASG_OK;
}

static asg_status parse_entry(state *s, const line *l) {
  if (l->ntok != 2 || !valid_name(l->tok[1], l->toklen[1], true)) return FAIL(l, "expected 'entry NAME'");
  for (size_t i = 0; i < s->info->num_entries; i++)
    if (strlen(s->entries[i].pub.name) == l->toklen[1] && memcmp(s->entries[i].pub.name, l->tok[1], l->toklen[1]) == 0)
      return FAIL(l, "entry point '%s' is declared twice", s->entries[i].pub.name);
  if (!grow(s->arena, (void **)&s->entries, &s->cap_entries, s->info->num_entries, sizeof *s->entries)) return oom();
  growing_entry *e = &s->entries[s->info->num_entries++];
  memset(e, 0, sizeof *e);
  if (!(e->pub.name = tokdup(s, l, 1))) return oom();
  s->open = e;
  return ASG_OK;
}

static asg_status parse_arg(state *s, const line *l) {
  growing_entry *e = s->open;
  if (l->ntok != 3 || !(tok_is(l, 1, "input") || tok_is(l, 1, "param") || tok_is(l, 1, "state")))
    return FAIL(l, "expected 'arg input NAME', 'arg param NAME' or 'arg state NAME'");
  asg_arg_info a = {0, 0, ASG_ARG_INPUT};
  a.kind = tok_is(l, 1, "param") ? ASG_ARG_PARAM : tok_is(l, 1, "state") ? ASG_ARG_STATE : ASG_ARG_INPUT;
  a.is_param = a.kind == ASG_ARG_PARAM;
  const char *kind = a.kind == ASG_ARG_PARAM ? "param" : a.kind == ASG_ARG_STATE ? "state" : "input";
  bool found = false;
  size_t n = a.kind == ASG_ARG_PARAM ? s->info->num_params : a.kind == ASG_ARG_STATE ? s->info->num_states : s->info->num_inputs;
  for (size_t i = 0; i < n && !found; i++) {
    const char *name = a.kind == ASG_ARG_PARAM ? s->params[i].value.name
                       : a.kind == ASG_ARG_STATE ? s->states[i].name
                                                 : s->inputs[i].name;
    if (tok_eq(l, 2, name)) {
      a.index = i;
      found = true;
    }
  }
  if (!found)
    return FAIL(l, "entry point '%s': no %s named '%.*s'", e->pub.name, kind, (int)l->toklen[2], l->tok[2]);
  for (size_t i = 0; i < e->pub.num_args; i++)
    if (e->args[i].kind == a.kind && e->args[i].index == a.index)
      return FAIL(l, "entry point '%s': argument '%.*s' is given twice", e->pub.name, (int)l->toklen[2], l->tok[2]);
  if (!grow(s->arena, (void **)&e->args, &e->cap_args, e->pub.num_args, sizeof *e->args)) return oom();
  e->args[e->pub.num_args++] = a;
  return ASG_OK;
}

static asg_status parse_result(state *s, const line *l) {
  growing_entry *e = s->open;
  if (!grow(s->arena, (void **)&e->results, &e->cap_results, e->pub.num_results, sizeof *e->results)) return oom();
  asg_value_info *v = &e->results[e->pub.num_results];
  memset(v, 0, sizeof *v);
  size_t next;
  asg_status st = parse_value(s, l, 1, v, &next);
  if (st != ASG_OK) return st;
  if (next != l->ntok) return FAIL(l, "result '%s': unexpected field '%.*s'", v->name, (int)l->toklen[next], l->tok[next]);
  for (size_t i = 0; i < e->pub.num_results; i++)
    if (strcmp(e->results[i].name, v->name) == 0) return FAIL(l, "entry point '%s': result '%s' is declared twice", e->pub.name, v->name);
  e->pub.num_results++;
  return ASG_OK;
}

static bool same_value(const asg_value_info *a, const asg_value_info *b) {
  if (a->dtype != b->dtype || a->rank != b->rank) return false;
  for (int32_t d = 0; d < a->rank; d++)
    if (a->dims[d].size != b->dims[d].size) return false;
  return true;
}

/* "update NAME DTYPE RANK DIM*": a result holding the new value of parameter or state NAME. */
static asg_status parse_update(state *s, const line *l) {
  growing_entry *e = s->open;
  if (!grow(s->arena, (void **)&e->updates, &e->cap_updates, e->pub.num_updates, sizeof *e->updates)) return oom();
  asg_update_info *u = &e->updates[e->pub.num_updates];
  memset(u, 0, sizeof *u);
  size_t next;
  asg_status st = parse_value(s, l, 1, &u->value, &next);
  if (st != ASG_OK) return st;
  const char *un = u->value.name;
  if (next != l->ntok) return FAIL(l, "update '%s': unexpected field '%.*s'", un, (int)l->toklen[next], l->tok[next]);
  const asg_value_info *target = NULL;
  for (size_t i = 0; i < s->info->num_params && !target; i++) {
    if (strcmp(s->params[i].value.name, un) != 0) continue;
    if (!s->params[i].trainable)
      return FAIL(l, "entry point '%s': update of parameter '%s', which is frozen (trainable 0)", e->pub.name, un);
    target = &s->params[i].value;
    u->index = i;
  }
  for (size_t i = 0; i < s->info->num_states && !target; i++) {
    if (strcmp(s->states[i].name, un) != 0) continue;
    target = &s->states[i];
    u->is_state = 1;
    u->index = i;
  }
  if (!target) return FAIL(l, "entry point '%s': update of '%s', which is neither a param nor a state", e->pub.name, un);
  if (!same_value(&u->value, target)) {
    char a[256], b[256];
    return FAIL(l, "entry point '%s': update '%s' is %s %s, but the %s is %s %s", e->pub.name, un,
                asg_dtype_name(u->value.dtype), asg_format_shape(&u->value, a, sizeof a), u->is_state ? "state" : "param",
                asg_dtype_name(target->dtype), asg_format_shape(target, b, sizeof b));
  }
  for (size_t i = 0; i < e->pub.num_updates; i++)
    if (strcmp(e->updates[i].value.name, un) == 0) return FAIL(l, "entry point '%s': '%s' is updated twice", e->pub.name, un);
  u->position = e->pub.num_results + e->pub.num_updates;
  e->pub.num_updates++;
  return ASG_OK;
}

/* "check ID MESSAGE": the message is the rest of the line, spaces included. */
static asg_status parse_check(state *s, line *l) {
  growing_entry *e = s->open;
  int64_t id;
  const char *sp1 = memchr(l->start, ' ', l->len);
  const char *sp2 = sp1 ? memchr(sp1 + 1, ' ', l->len - (size_t)(sp1 + 1 - l->start)) : NULL;
  if (!sp2 || sp2 + 1 == l->start + l->len || !parse_uint(sp1 + 1, (size_t)(sp2 - sp1 - 1), INT32_MAX, &id) || id < 1)
    return FAIL(l, "expected 'check ID MESSAGE' with ID >= 1");
  l->ntok = 3;
  l->tok[2] = sp2 + 1;
  for (size_t i = 0; i < e->pub.num_checks; i++)
    if (e->checks[i].id == id) return FAIL(l, "entry point '%s': check %lld is declared twice", e->pub.name, (long long)id);
  if (!grow(s->arena, (void **)&e->checks, &e->cap_checks, e->pub.num_checks, sizeof *e->checks)) return oom();
  asg_check_info *c = &e->checks[e->pub.num_checks];
  c->id = (int32_t)id;
  size_t off = (size_t)(l->tok[2] - l->start);
  if (!(c->message = asgi_arena_strndup(s->arena, l->tok[2], l->len - off))) return oom();
  e->pub.num_checks++;
  return ASG_OK;
}

/* "scratch BYTES" or "scratch ?": the scratch memory a call asks for (docs/abi.md). */
static asg_status parse_scratch(state *s, const line *l) {
  growing_entry *e = s->open;
  if (e->has_scratch) return FAIL(l, "entry point '%s': 'scratch' is given twice", e->pub.name);
  if (s->info->target && strcmp(s->info->target, "cpu") != 0)
    return FAIL(l, "entry point '%s': 'scratch' record in a target %s model (only cpu entry points have scratch memory)",
                e->pub.name, s->info->target);
  int64_t bytes;
  if (l->ntok != 2) return FAIL(l, "expected 'scratch BYTES' or 'scratch ?'");
  if (tok_is(l, 1, "?"))
    bytes = ASG_SCRATCH_DYNAMIC;
  else if (!parse_uint(l->tok[1], l->toklen[1], INT64_MAX, &bytes))
    return FAIL(l, "expected 'scratch BYTES' or 'scratch ?'");
  e->pub.scratch_bytes = bytes;
  e->has_scratch = true;
  return ASG_OK;
}

static asg_status parse_line(state *s, line *l, bool *have_name, bool *have_target) {
  if (s->open && l->len > 6 && memcmp(l->start, "check ", 6) == 0) return parse_check(s, l);
  asg_status st = tokenize(l);
  if (st != ASG_OK) return st;
  if (s->open) {
    if (tok_is(l, 0, "arg")) return parse_arg(s, l);
    if (tok_is(l, 0, "result")) return parse_result(s, l);
    if (tok_is(l, 0, "update")) return parse_update(s, l);
    if (tok_is(l, 0, "scratch")) return parse_scratch(s, l);
    if (tok_is(l, 0, "check")) return FAIL(l, "expected 'check ID MESSAGE' with ID >= 1");
    if (tok_is(l, 0, "end")) {
      if (l->ntok != 1) return FAIL(l, "expected 'end'");
      s->open = NULL;
      return ASG_OK;
    }
    if (tok_is(l, 0, "name") || tok_is(l, 0, "target") || tok_is(l, 0, "input") || tok_is(l, 0, "param") ||
        tok_is(l, 0, "state") || tok_is(l, 0, "entry"))
      return FAIL(l, "'%.*s' record inside entry point '%s' (missing 'end')", (int)l->toklen[0], l->tok[0], s->open->pub.name);
    return FAIL(l, "unknown record '%.*s'", (int)l->toklen[0], l->tok[0]);
  }
  if (tok_is(l, 0, "entry")) return parse_entry(s, l);
  bool top = tok_is(l, 0, "name") || tok_is(l, 0, "target") || tok_is(l, 0, "input") || tok_is(l, 0, "param") ||
             tok_is(l, 0, "state");
  if (top && s->info->num_entries > 0)
    return FAIL(l, "'%.*s' record after the first entry point", (int)l->toklen[0], l->tok[0]);
  if (tok_is(l, 0, "name")) {
    if (*have_name) return FAIL(l, "'name' is given twice");
    if (l->ntok != 2 || !valid_name(l->tok[1], l->toklen[1], false)) return FAIL(l, "expected 'name IDENTIFIER'");
    if (!(s->info->name = tokdup(s, l, 1))) return oom();
    *have_name = true;
    return ASG_OK;
  }
  if (tok_is(l, 0, "target")) {
    if (*have_target) return FAIL(l, "'target' is given twice");
    if (l->ntok != 2 || !(tok_is(l, 1, "cpu") || tok_is(l, 1, "spirv"))) return FAIL(l, "expected 'target cpu' or 'target spirv'");
    if (!(s->info->target = tokdup(s, l, 1))) return oom();
    *have_target = true;
    return ASG_OK;
  }
  if (tok_is(l, 0, "input")) return parse_input(s, l);
  if (tok_is(l, 0, "param")) return parse_param(s, l);
  if (tok_is(l, 0, "state")) return parse_state(s, l);
  if (tok_is(l, 0, "arg") || tok_is(l, 0, "result") || tok_is(l, 0, "update") || tok_is(l, 0, "check") ||
      tok_is(l, 0, "scratch") || tok_is(l, 0, "end"))
    return FAIL(l, "'%.*s' record outside an entry point", (int)l->toklen[0], l->tok[0]);
  return FAIL(l, "unknown record '%.*s'", (int)l->toklen[0], l->tok[0]);
}

static asg_status parse_all(state *s, const char *text) {
  size_t total = strlen(text);
  bool have_name = false, have_target = false;
  line l;
  memset(&l, 0, sizeof l);
  const char *p = text;
  int number = 0;
  while (p < text + total) {
    const char *nl = memchr(p, '\n', (size_t)(text + total - p));
    size_t len = nl ? (size_t)(nl - p) : (size_t)(text + total - p);
    l.number = ++number;
    l.start = p;
    l.len = len;
    for (size_t i = 0; i < len; i++)
      if ((unsigned char)p[i] < 0x20 || p[i] == 0x7f) return FAIL(&l, "control character in line");
    if (number == 1) {
      if (len > 10 && memcmp(p, "asg-model ", 10) == 0 && !(len == 11 && p[10] == '1'))
        return FAIL(&l, "unsupported metadata version '%.*s' (this runtime reads 1)", (int)(len - 10), p + 10);
      if (!(len == 11 && memcmp(p, "asg-model 1", 11) == 0)) return FAIL(&l, "expected 'asg-model 1'");
    } else {
      asg_status st = parse_line(s, &l, &have_name, &have_target);
      if (st != ASG_OK) return st;
    }
    p += len + (nl ? 1 : 0);
  }
  if (number == 0) return asgi_fail(ASG_ERR_FORMAT, "metadata is empty");
  if (s->open) return asgi_fail(ASG_ERR_FORMAT, "metadata: entry point '%s' has no 'end'", s->open->pub.name);
  if (!have_name) return asgi_fail(ASG_ERR_FORMAT, "metadata: missing 'name' record");
  if (!have_target) return asgi_fail(ASG_ERR_FORMAT, "metadata: missing 'target' record");
  if (s->info->num_entries == 0) return asgi_fail(ASG_ERR_FORMAT, "metadata: no entry point");
  return ASG_OK;
}

asg_status asg_model_info_parse(const char *metadata, asg_model_info **out) {
  if (!out) return asgi_fail(ASG_ERR_INVALID_ARGUMENT, "metadata: output pointer is NULL");
  *out = NULL;
  if (!metadata) return asgi_fail(ASG_ERR_INVALID_ARGUMENT, "metadata text is NULL");
  owned_info *o = calloc(1, sizeof *o);
  if (!o) return oom();
  state s;
  memset(&s, 0, sizeof s);
  s.arena = &o->arena;
  s.info = &o->info;
  asg_status st = parse_all(&s, metadata);
  if (st != ASG_OK) {
    asg_model_info_free(&o->info);
    return st;
  }
  asg_entry_info *entries = asgi_arena_alloc(&o->arena, (s.info->num_entries ? s.info->num_entries : 1) * sizeof *entries);
  if (!entries) {
    asg_model_info_free(&o->info);
    return oom();
  }
  for (size_t i = 0; i < s.info->num_entries; i++) {
    entries[i] = s.entries[i].pub;
    entries[i].args = s.entries[i].args;
    entries[i].results = s.entries[i].results;
    entries[i].checks = s.entries[i].checks;
    entries[i].updates = s.entries[i].updates;
  }
  o->info.inputs = s.inputs;
  o->info.params = s.params;
  o->info.states = s.states;
  o->info.entries = entries;
  *out = &o->info;
  return ASG_OK;
}

void asg_model_info_free(asg_model_info *info) {
  if (!info) return;
  owned_info *o = (owned_info *)info;
  asgi_arena_free(&o->arena);
  free(o);
}

const asg_entry_info *asg_model_info_entry(const asg_model_info *info, const char *name) {
  if (!info || !name) return NULL;
  for (size_t i = 0; i < info->num_entries; i++)
    if (strcmp(info->entries[i].name, name) == 0) return &info->entries[i];
  return NULL;
}
