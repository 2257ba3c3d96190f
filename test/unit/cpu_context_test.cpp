// cpu_context_test.cpp: the asg_cpu_context a session lends CPU entry points (docs/abi.md,
// "ABI 3"): scratch memory reused across calls, parallel_for on the session's threads,
// out of memory.
#include "fake_models.h"
#include "internal.h"
#include "test_util.h"

#include <cstdint>
#include <string>
#include <vector>

namespace {

struct CpuSession : asgtest::SessionFixture {
  explicit CpuSession(int32_t threads = 0) {
    asg_session_options o{"cpu", threads};
    REQUIRE(asg_session_create(&fakecpu_model, &o, &s) == ASG_OK);
  }
};

std::vector<float> iota(size_t n) {
  std::vector<float> v(n);
  for (size_t i = 0; i < n; i++) v[i] = static_cast<float>(i) - 3.5f;
  return v;
}

}  // namespace

TEST_CASE("cpu context: scratch memory is aligned, grows and is reused", "[cpu]") {
  int32_t threads = GENERATE(0, 1, 3);
  INFO("threads " << threads);
  CpuSession s(threads);
  for (size_t n : {5, 1000, 17, 0, 4096}) {
    std::vector<float> x = iota(n);
    INFO("n = " << n);
    REQUIRE(s.run("scratch", {asgtest::view("x", ASG_F32, {static_cast<int64_t>(n)}, x)}) == ASG_OK);
    REQUIRE(s.n == 1);
    const float *y = static_cast<const float *>(s.outs[0].data);
    for (size_t i = 0; i < n; i++) CHECK(y[i] == 2.0f * x[i]);
  }
  // One buffer, grown to the largest request (4096 floats), kept by the session.
  CHECK(s.s->cpu.scratch != nullptr);
  CHECK(s.s->cpu.scratch_size == 4096 * sizeof(float));
  void *kept = s.s->cpu.scratch;
  std::vector<float> x = iota(10);
  REQUIRE(s.run("scratch", {asgtest::view("x", ASG_F32, {10}, x)}) == ASG_OK);
  CHECK(s.s->cpu.scratch == kept);
}

TEST_CASE("cpu context: a scratch request that cannot be served is out of memory", "[cpu]") {
  CpuSession s;
  CHECK(s.run("oom", {}) == ASG_ERR_OUT_OF_MEMORY);
  CHECK(s.error() ==
        "entry point 'oom': out of memory: cannot allocate 9223372036854775807 bytes of scratch memory for its "
        "intermediates");
  CHECK(s.n == 0);
  CHECK(s.run("nomem", {}) == ASG_ERR_OUT_OF_MEMORY);
  CHECK(s.error() == "entry point 'nomem' ran out of memory (status -1)");
  // The session still works afterwards.
  std::vector<float> x = iota(3);
  REQUIRE(s.run("scratch", {asgtest::view("x", ASG_F32, {3}, x)}) == ASG_OK);
  CHECK(static_cast<const float *>(s.outs[0].data)[2] == 2.0f * x[2]);
}
