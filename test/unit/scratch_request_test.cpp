// scratch_request_test.cpp: what a session records of each call's scratch request (asg-run
// --verbose prints it): the bytes asked for, -1 when the call did not ask, and the one
// buffer kept across calls.
#include "fake_models.h"
#include "internal.h"
#include "test_util.h"

#include <cstdint>
#include <vector>

TEST_CASE("scratch requests: recorded per call, one buffer kept and reused", "[cpu]") {
  asg_session *s = nullptr;
  asg_session_options o{"cpu", 1};
  REQUIRE(asg_session_create(&fakecpu_model, &o, &s) == ASG_OK);
  int64_t requested = 0;
  size_t kept = 1;
  asgi_session_scratch(s, &requested, &kept);
  CHECK(requested == -1);  // no call yet
  CHECK(kept == 0);

  const asg_tensor *outs = nullptr;
  size_t n = 0;
  std::vector<float> big(100, 1.0f), small(10, 1.0f);
  asg_tensor x = asgtest::view("x", ASG_F32, {100}, big);
  REQUIRE(asg_session_run(s, "scratch", &x, 1, &outs, &n) == ASG_OK);
  asgi_session_scratch(s, &requested, &kept);
  CHECK(requested == 400);
  CHECK(kept == 448);  // rounded up to 64 bytes
  void *buffer = s->cpu.scratch;

  // Same size, then smaller: the buffer is neither reallocated nor shrunk.
  REQUIRE(asg_session_run(s, "scratch", &x, 1, &outs, &n) == ASG_OK);
  CHECK(s->cpu.scratch == buffer);
  x = asgtest::view("x", ASG_F32, {10}, small);
  REQUIRE(asg_session_run(s, "scratch", &x, 1, &outs, &n) == ASG_OK);
  asgi_session_scratch(s, &requested, &kept);
  CHECK(requested == 40);
  CHECK(kept == 448);
  CHECK(s->cpu.scratch == buffer);

  // A call that asks for nothing (it fails by itself with status -1) records -1.
  CHECK(asg_session_run(s, "nomem", nullptr, 0, &outs, &n) == ASG_ERR_OUT_OF_MEMORY);
  asgi_session_scratch(s, &requested, &kept);
  CHECK(requested == -1);
  CHECK(kept == 448);
  asg_session_destroy(s);
}
