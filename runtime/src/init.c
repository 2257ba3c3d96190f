/* init.c: seeded parameter initializers (SPEC section 1) on a xoshiro256** generator. */
#include "internal.h"

#include <math.h>
#include <string.h>

typedef struct rng {
  uint64_t s[4];
} rng;

static uint64_t splitmix64(uint64_t *x) {
  uint64_t z = (*x += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

static uint64_t next_u64(rng *r) {
  uint64_t *s = r->s;
  uint64_t result = rotl(s[1] * 5, 7) * 9;
  uint64_t t = s[1] << 17;
  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = rotl(s[3], 45);
  return result;
}

/* A generator for one parameter: independent streams per (seed, index). */
static void rng_seed(rng *r, uint64_t seed, uint64_t index) {
  uint64_t x = index ^ 0x632BE59BD9B4E019ull;
  uint64_t key = seed ^ splitmix64(&x);
  for (int i = 0; i < 4; i++) r->s[i] = splitmix64(&key);
  if ((r->s[0] | r->s[1] | r->s[2] | r->s[3]) == 0) r->s[0] = 1;
}

/* Uniform in [0, 1) with 53 random bits. */
static double uniform01(rng *r) { return (double)(next_u64(r) >> 11) * 0x1.0p-53; }

static void fill_uniform(rng *r, float *out, int64_t n, double low, double high) {
  for (int64_t i = 0; i < n; i++) {
    float v = (float)(low + (high - low) * uniform01(r));
    /* Rounding to float may reach the bounds' float neighbours outside [low, high]. */
    if (v < (float)low) v = (float)low;
    if (v > (float)high) v = (float)high;
    out[i] = v;
  }
}

static void fill_normal(rng *r, float *out, int64_t n, double mean, double std) {
  const double two_pi = 6.283185307179586476925286766559;
  for (int64_t i = 0; i < n; i += 2) {
    double u1 = (double)((next_u64(r) >> 11) + 1) * 0x1.0p-53; /* (0, 1] */
    double u2 = uniform01(r);
    double rad = sqrt(-2.0 * log(u1));
    out[i] = (float)(mean + std * rad * cos(two_pi * u2));
    if (i + 1 < n) out[i + 1] = (float)(mean + std * rad * sin(two_pi * u2));
  }
}

asg_status asgi_init_fill(const asg_init *init, int32_t rank, const int64_t *dims, uint64_t seed, uint64_t index,
                          float *out) {
  int64_t n = asgi_numel(rank, dims, INT64_MAX / 4);
  if (n < 0) return asgi_fail(ASG_ERR_INVALID_ARGUMENT, "initializer: invalid rank or dims");
  rng r;
  rng_seed(&r, seed, index);
  switch (init->kind) {
  case ASG_INIT_ZEROS:
    memset(out, 0, (size_t)n * sizeof *out);
    return ASG_OK;
  case ASG_INIT_ONES:
  case ASG_INIT_CONSTANT: {
    float v = init->kind == ASG_INIT_ONES ? 1.0f : (float)init->value;
    for (int64_t i = 0; i < n; i++) out[i] = v;
    return ASG_OK;
  }
  case ASG_INIT_NORMAL:
    if (!(init->std >= 0)) return asgi_fail(ASG_ERR_INVALID_ARGUMENT, "initializer 'normal': std is negative");
    fill_normal(&r, out, n, init->mean, init->std);
    return ASG_OK;
  case ASG_INIT_UNIFORM:
    if (!(init->low <= init->high)) return asgi_fail(ASG_ERR_INVALID_ARGUMENT, "initializer 'uniform': low > high");
    fill_uniform(&r, out, n, init->low, init->high);
    return ASG_OK;
  case ASG_INIT_XAVIER_UNIFORM:
  case ASG_INIT_KAIMING_UNIFORM: {
    const char *kind = init->kind == ASG_INIT_XAVIER_UNIFORM ? "xavier_uniform" : "kaiming_uniform";
    if (rank < 2) return asgi_fail(ASG_ERR_INVALID_ARGUMENT, "initializer '%s' needs rank >= 2, not %d", kind, rank);
    if (n == 0) return ASG_OK;
    double fan_out = (double)dims[rank - 1];
    double fan_in = (double)n / fan_out;
    double bound = init->kind == ASG_INIT_XAVIER_UNIFORM ? sqrt(6.0 / (fan_in + fan_out))
                                                         : sqrt(6.0 / ((1.0 + init->a * init->a) * fan_in));
    fill_uniform(&r, out, n, -bound, bound);
    return ASG_OK;
  }
  }
  return asgi_fail(ASG_ERR_INVALID_ARGUMENT, "initializer: unknown kind %d", (int)init->kind);
}
