// init_test.cpp: parameter initializers: bounds, moments within statistical tolerance, determinism.
#include "test_util.h"

#include "internal.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace {

struct Stats {
  double mean = 0, std = 0, min = 0, max = 0;
};

Stats stats(const std::vector<float> &v) {
  Stats s;
  double sum = 0, sq = 0;
  s.min = s.max = v[0];
  for (float x : v) {
    sum += x;
    s.min = std::min<double>(s.min, x);
    s.max = std::max<double>(s.max, x);
  }
  s.mean = sum / static_cast<double>(v.size());
  for (float x : v) sq += (x - s.mean) * (x - s.mean);
  s.std = std::sqrt(sq / static_cast<double>(v.size()));
  return s;
}

std::vector<float> fill(const asg_init &init, std::vector<int64_t> dims, uint64_t seed = 1, uint64_t index = 0) {
  int64_t n = 1;
  for (int64_t d : dims) n *= d;
  std::vector<float> v(static_cast<size_t>(n));
  REQUIRE(asgi_init_fill(&init, static_cast<int32_t>(dims.size()), dims.data(), seed, index, v.data()) == ASG_OK);
  return v;
}

asg_init make(asg_init_kind kind) {
  asg_init i{};
  i.kind = kind;
  i.std = 1;
  i.low = -1;
  i.high = 1;
  i.a = std::sqrt(5.0);
  return i;
}

// A uniform(lo, hi) sample of n values: bounds, mean within 5 standard errors, std within 1%.
void checkUniform(const std::vector<float> &v, double lo, double hi) {
  Stats s = stats(v);
  double n = static_cast<double>(v.size());
  double sd = (hi - lo) / std::sqrt(12.0);
  CHECK(s.min >= lo);
  CHECK(s.max <= hi);
  CHECK(s.min < lo + (hi - lo) * 0.001);
  CHECK(s.max > hi - (hi - lo) * 0.001);
  CHECK(std::fabs(s.mean - (lo + hi) / 2) < 5 * sd / std::sqrt(n));
  CHECK(s.std == Approx(sd).epsilon(0.01));
}

const std::vector<int64_t> kBig{400, 500};  // 200000 samples

}  // namespace

TEST_CASE("init: zeros, ones, constant", "[init]") {
  for (float x : fill(make(ASG_INIT_ZEROS), {3, 4})) CHECK(x == 0.0f);
  for (float x : fill(make(ASG_INIT_ONES), {7})) CHECK(x == 1.0f);
  asg_init c = make(ASG_INIT_CONSTANT);
  c.value = -2.5;
  for (float x : fill(c, {})) CHECK(x == -2.5f);
}

TEST_CASE("init: uniform", "[init]") {
  checkUniform(fill(make(ASG_INIT_UNIFORM), kBig), -1, 1);
  asg_init u = make(ASG_INIT_UNIFORM);
  u.low = 2;
  u.high = 5;
  checkUniform(fill(u, kBig, 7), 2, 5);
  u.low = u.high = 3;
  for (float x : fill(u, {10})) CHECK(x == 3.0f);
}

TEST_CASE("init: normal", "[init]") {
  asg_init nrm = make(ASG_INIT_NORMAL);
  nrm.mean = 3;
  nrm.std = 2;
  std::vector<float> v = fill(nrm, kBig);
  Stats s = stats(v);
  double n = static_cast<double>(v.size());
  CHECK(std::fabs(s.mean - 3) < 5 * 2 / std::sqrt(n));
  CHECK(s.std == Approx(2).epsilon(0.01));
  size_t within1 = 0, within2 = 0;
  for (float x : v) {
    within1 += std::fabs(x - 3) < 2;
    within2 += std::fabs(x - 3) < 4;
  }
  CHECK(within1 / n == Approx(0.682689).margin(0.005));
  CHECK(within2 / n == Approx(0.954500).margin(0.003));
  CHECK(s.max - 3 < 2 * 6.5);  // no absurd outliers
  // odd counts fill the last element too
  std::vector<float> odd = fill(nrm, {3});
  for (float x : odd) CHECK(std::isfinite(x));
}

TEST_CASE("init: xavier_uniform and kaiming_uniform use fan_in = all dims but the last", "[init]") {
  // [2, 200, 500]: fan_in = 400, fan_out = 500
  std::vector<int64_t> dims{2, 200, 500};
  checkUniform(fill(make(ASG_INIT_XAVIER_UNIFORM), dims), -std::sqrt(6.0 / 900), std::sqrt(6.0 / 900));
  checkUniform(fill(make(ASG_INIT_KAIMING_UNIFORM), dims), -1 / std::sqrt(400.0), 1 / std::sqrt(400.0));
  asg_init k = make(ASG_INIT_KAIMING_UNIFORM);
  k.a = 0;
  double b = std::sqrt(6.0 / 400);
  checkUniform(fill(k, dims), -b, b);
}

TEST_CASE("init: fan-based kinds need rank >= 2", "[init]") {
  float out[4];
  int64_t dims[1] = {4};
  asg_init x = make(ASG_INIT_XAVIER_UNIFORM);
  CHECK(asgi_init_fill(&x, 1, dims, 0, 0, out) == ASG_ERR_INVALID_ARGUMENT);
  CHECK_THAT(asgtest::lastError(), Catch::Contains("'xavier_uniform' needs rank >= 2, not 1"));
  asg_init k = make(ASG_INIT_KAIMING_UNIFORM);
  CHECK(asgi_init_fill(&k, 0, dims, 0, 0, out) == ASG_ERR_INVALID_ARGUMENT);
  int64_t zero[2] = {0, 4};
  CHECK(asgi_init_fill(&k, 2, zero, 0, 0, out) == ASG_OK);  // nothing to fill
}

TEST_CASE("init: deterministic per (seed, index), different otherwise", "[init]") {
  for (asg_init_kind kind : {ASG_INIT_NORMAL, ASG_INIT_UNIFORM, ASG_INIT_XAVIER_UNIFORM, ASG_INIT_KAIMING_UNIFORM}) {
    INFO("kind " << kind);
    asg_init i = make(kind);
    std::vector<float> a = fill(i, {16, 16}, 42, 3), b = fill(i, {16, 16}, 42, 3);
    CHECK(a == b);
    CHECK(a != fill(i, {16, 16}, 43, 3));
    CHECK(a != fill(i, {16, 16}, 42, 4));
    CHECK(fill(i, {16, 16}, 0, 0) != fill(i, {16, 16}, 0, 1));
  }
}
