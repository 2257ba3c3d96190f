/* arena.c: a simple region allocator for parsed metadata and JSON trees. */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

struct asgi_arena_block {
  struct asgi_arena_block *next;
  size_t used, cap;
  _Alignas(16) unsigned char data[];
};

enum { ASGI_ARENA_BLOCK = 16384 };

void *asgi_arena_alloc(asgi_arena *a, size_t size) {
  size = (size + 15u) & ~(size_t)15u;
  if (size == 0) size = 16;
  struct asgi_arena_block *b = a->head;
  if (!b || b->cap - b->used < size) {
    size_t cap = size > ASGI_ARENA_BLOCK ? size : ASGI_ARENA_BLOCK;
    if (cap > SIZE_MAX - sizeof *b) return NULL;
    b = malloc(sizeof *b + cap);
    if (!b) return NULL;
    b->next = a->head;
    b->used = 0;
    b->cap = cap;
    a->head = b;
  }
  void *p = b->data + b->used;
  b->used += size;
  memset(p, 0, size);
  return p;
}

char *asgi_arena_strndup(asgi_arena *a, const char *s, size_t n) {
  if (n == SIZE_MAX) return NULL;
  char *p = asgi_arena_alloc(a, n + 1);
  if (!p) return NULL;
  memcpy(p, s, n);
  p[n] = '\0';
  return p;
}

void asgi_arena_free(asgi_arena *a) {
  struct asgi_arena_block *b = a->head;
  while (b) {
    struct asgi_arena_block *next = b->next;
    free(b);
    b = next;
  }
  a->head = NULL;
}
