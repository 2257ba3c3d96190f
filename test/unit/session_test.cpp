// session_test.cpp: sessions against the hand-written fake model: runs, input checks, result ownership.
#include "fake_models.h"
#include "test_util.h"

#include <cstring>

namespace {

/// A session on fake_model with initialized parameters, destroyed at scope exit.
struct Session : asgtest::SessionFixture {
  Session() {
    REQUIRE(asg_session_create(&fake_model, nullptr, &s) == ASG_OK);
    REQUIRE(asg_session_init_params(s, 0) == ASG_OK);
  }
};

std::vector<float> iota(size_t n, float start = 0) {
  std::vector<float> v(n);
  for (size_t i = 0; i < n; i++) v[i] = start + static_cast<float>(i);
  return v;
}

}  // namespace

TEST_CASE("session: forward adds the bias", "[session]") {
  Session s;
  std::vector<float> x = iota(12);
  REQUIRE(s.run("forward", {asgtest::view("x", ASG_F32, {3, 4}, x)}) == ASG_OK);
  REQUIRE(s.n == 1);
  const asg_tensor &out = s.outs[0];
  CHECK(std::string(out.name) == "out");
  CHECK(out.dtype == ASG_F32);
  CHECK(out.rank == 2);
  CHECK(out.dims[0] == 3);
  CHECK(out.dims[1] == 4);
  for (int i = 0; i < 12; i++) CHECK(static_cast<const float *>(out.data)[i] == x[i] + 0.5f);
  // a second run replaces the outputs (the first ones are freed: ASan checks)
  REQUIRE(s.run("forward", {asgtest::view("x", ASG_F32, {1, 4}, x)}) == ASG_OK);
  CHECK(s.outs[0].dims[0] == 1);
  // zero-size batch
  REQUIRE(s.run("forward", {asgtest::view("x", ASG_F32, {0, 4}, x)}) == ASG_OK);
  CHECK(s.outs[0].dims[0] == 0);
}

TEST_CASE("session: result ownership and aliasing (docs/abi.md)", "[session]") {
  Session s;
  std::vector<float> x = iota(8, 1);
  SECTION("a result aliasing an argument is copied") {
    REQUIRE(s.run("echo", {asgtest::view("x", ASG_F32, {2, 4}, x)}) == ASG_OK);
    REQUIRE(s.n == 2);
    CHECK(s.outs[0].data != x.data());
    CHECK(std::memcmp(s.outs[0].data, x.data(), 32) == 0);
    CHECK(std::memcmp(s.outs[1].data, x.data(), 32) == 0);
    x[0] = 100;  // the output does not change with the caller's buffer
    CHECK(static_cast<const float *>(s.outs[0].data)[0] == 1.0f);
  }
  SECTION("two results sharing one buffer: freed once, both valid") {
    REQUIRE(s.run("dup", {asgtest::view("x", ASG_F32, {2, 4}, x)}) == ASG_OK);
    CHECK(s.outs[0].data != s.outs[1].data);
    CHECK(std::memcmp(s.outs[0].data, x.data(), 32) == 0);
    CHECK(std::memcmp(s.outs[1].data, x.data(), 32) == 0);
  }
  SECTION("a strided result with an offset is copied in C order") {
    REQUIRE(s.run("strided", {asgtest::view("x", ASG_F32, {2, 4}, x)}) == ASG_OK);
    const asg_tensor &t = s.outs[0];
    CHECK(t.dims[0] == 4);
    CHECK(t.dims[1] == 2);
    const float *d = static_cast<const float *>(t.data);
    for (int i = 0; i < 4; i++)
      for (int j = 0; j < 2; j++) CHECK(d[i * 2 + j] == x[j * 4 + i]);
  }
  SECTION("a constant global (0xdeadbeef) is copied") {
    REQUIRE(s.run("constant", {}) == ASG_OK);
    const float *d = static_cast<const float *>(s.outs[0].data);
    CHECK(d[0] == 1.0f);
    CHECK(d[2] == 3.0f);
  }
}

TEST_CASE("session: failed checks report their message", "[session]") {
  Session s;
  std::vector<int64_t> ids{1, 2, 3};
  REQUIRE(s.run("fail", {asgtest::view("ids", ASG_I64, {3}, ids)}) == ASG_OK);
  CHECK(static_cast<const int64_t *>(s.outs[0].data)[2] == 3);
  ids[1] = 10;
  CHECK(s.run("fail", {asgtest::view("ids", ASG_I64, {3}, ids)}) == ASG_ERR_RUNTIME_CHECK);
  CHECK(s.error() == "'embedding' node 'e': id out of range [0, 10)");
  CHECK(std::string(asg_last_error()) == s.error());
  CHECK(s.outs == nullptr);
  CHECK(s.n == 0);
  CHECK(s.run("badstatus", {}) == ASG_ERR_ABI);
  CHECK(s.error() == "entry point 'badstatus' returned status 7, which has no check message");
  // the session keeps working
  ids[1] = 0;
  CHECK(s.run("fail", {asgtest::view("ids", ASG_I64, {3}, ids)}) == ASG_OK);
}

TEST_CASE("session: results that break their declaration are reported", "[session]") {
  Session s;
  std::vector<float> x = iota(8);
  CHECK(s.run("wrongdim", {asgtest::view("x", ASG_F32, {2, 4}, x)}) == ASG_ERR_ABI);
  CHECK(s.error() == "entry point 'wrongdim' broke the ABI: result 'out': dim 1 is 5, expected 4");
}

TEST_CASE("session: inputs are checked and errors name them", "[session]") {
  Session s;
  std::vector<float> x = iota(12), y = iota(4);
  std::vector<int32_t> xi(12);
  std::vector<float> big(784 * 4);
  struct Case {
    const char *entry;
    std::vector<asg_tensor> in;
    asg_status status;
    std::string message;
  };
  std::vector<Case> cases = {
      {"forward", {}, ASG_ERR_NOT_FOUND, "input 'x' of entry point 'forward' is missing"},
      {"forward", {asgtest::view("x", ASG_I32, {3, 4}, xi)}, ASG_ERR_SHAPE, "input 'x': dtype is i32, expected f32"},
      {"forward", {asgtest::view("x", ASG_F32, {12}, x)}, ASG_ERR_SHAPE, "input 'x': rank is 1, expected 2 [batch, 4]"},
      {"forward", {asgtest::view("x", ASG_F32, {4, 3}, x)}, ASG_ERR_SHAPE, "input 'x': dim 1 is 3, expected 4"},
      {"forward", {asgtest::view("x", ASG_F32, {-1, 4}, x)}, ASG_ERR_SHAPE, "input 'x': dim 0 is -1 (negative)"},
      {"pair", {asgtest::view("x", ASG_F32, {4, 4}, big), asgtest::view("y", ASG_F32, {3}, y)}, ASG_ERR_SHAPE,
       "input 'y': dim 0 ('batch') is 3, but 'batch' is 4 from input 'x'"},
      {"forward", {asgtest::view("x", ASG_F32, {3, 4}, x), asgtest::view("z", ASG_F32, {1}, y)}, ASG_ERR_NOT_FOUND,
       "input 'z' is not taken by entry point 'forward'"},
      {"forward", {asgtest::view("x", ASG_F32, {3, 4}, x), asgtest::view("y", ASG_F32, {3}, y)}, ASG_ERR_NOT_FOUND,
       "input 'y' is not taken by entry point 'forward'"},
      {"forward", {asgtest::view("x", ASG_F32, {3, 4}, x), asgtest::view("x", ASG_F32, {3, 4}, x)},
       ASG_ERR_INVALID_ARGUMENT, "input 'x' is given twice"},
      {"forward", {asgtest::view(nullptr, ASG_F32, {3, 4}, x)}, ASG_ERR_INVALID_ARGUMENT, "input 0 has no name"},
      {"backward", {}, ASG_ERR_NOT_FOUND, "model 'fake' has no entry point 'backward'"},
  };
  for (const Case &c : cases) {
    INFO(c.message);
    CHECK(s.run(c.entry, c.in) == c.status);
    CHECK(s.error() == c.message);
    CHECK(s.outs == nullptr);
  }
  asg_tensor null_data = asgtest::view("x", ASG_F32, {3, 4}, x);
  null_data.data = nullptr;
  CHECK(s.run("forward", {null_data}) == ASG_ERR_INVALID_ARGUMENT);
  CHECK(s.error() == "input 'x': data is NULL");
  // matching named dims pass
  std::vector<float> x4 = iota(16);
  REQUIRE(s.run("pair", {asgtest::view("y", ASG_F32, {4}, y), asgtest::view("x", ASG_F32, {4, 4}, x4)}) == ASG_OK);
  CHECK(static_cast<const float *>(s.outs[0].data)[1] == 4 + 5 + 6 + 7 + 1);
}

TEST_CASE("session: creation errors", "[session]") {
  asg_session *s = reinterpret_cast<asg_session *>(1);
  asg_session_options opts{"vulkan", 0};
  CHECK(asg_session_create(&fake_model, &opts, &s) == ASG_ERR_UNSUPPORTED);
  CHECK(s == nullptr);
  CHECK(std::string(asg_last_error()) ==
        "model 'fake' was compiled for the cpu (target cpu) and cannot run on device 'vulkan': compile it with asgc "
        "--target spirv, or use device 'cpu'");
  opts = {"tpu", 0};
  CHECK(asg_session_create(&fake_model, &opts, &s) == ASG_ERR_UNSUPPORTED);
  CHECK(std::string(asg_last_error()) == "unknown device 'tpu' (expected cpu, vulkan or vulkan:N)");
  for (const char *bad_device : {"vulkan:", "vulkan:x", "vulkan:-1", "vulkan:1x", "vulkan:1234567890"}) {
    opts = {bad_device, 0};
    CHECK(asg_session_create(&fake_model, &opts, &s) == ASG_ERR_INVALID_ARGUMENT);
    CHECK(std::string(asg_last_error()) ==
          "bad device '" + std::string(bad_device) + "' (expected vulkan:N, N = 0, 1, ...)");
  }
  opts = {"vulkanx", 0};
  CHECK(asg_session_create(&fake_model, &opts, &s) == ASG_ERR_UNSUPPORTED);
  opts = {"cpu", -1};
  CHECK(asg_session_create(&fake_model, &opts, &s) == ASG_ERR_INVALID_ARGUMENT);
  asg_model_desc bad = fake_model;
  bad.abi_version = 99;
  CHECK(asg_session_create(&bad, nullptr, &s) == ASG_ERR_ABI);
  CHECK_THAT(asgtest::lastError(), Catch::Contains("ABI version 99"));
  bad = fake_model;
  bad.num_entries = 1;
  CHECK(asg_session_create(&bad, nullptr, &s) == ASG_ERR_ABI);
  CHECK_THAT(asgtest::lastError(), Catch::Contains("1 entry functions, but its metadata declares 9"));
  bad = fake_model;
  bad.metadata = "asg-model 1\nname m\ntarget spirv\nentry forward\nend\n";
  bad.num_entries = 1;
  CHECK(asg_session_create(&bad, nullptr, &s) == ASG_ERR_UNSUPPORTED);
  CHECK(asgtest::lastError() ==
        "model 'm' was compiled for Vulkan devices (target spirv) and cannot run on device 'cpu': use device 'vulkan' "
        "(asg-run --device vulkan), or compile the model without --target spirv");
  bad = fake_model;
  bad.num_kernels = 1;
  CHECK(asg_session_create(&bad, nullptr, &s) == ASG_ERR_ABI);
  CHECK(asgtest::lastError() == "model 'fake' (target cpu) has 1 SPIR-V kernels in its descriptor");
  bad = fake_model;
  bad.metadata = "asg-model 1\nname m\ntarget spirv\nentry forward\nend\n";
  bad.num_entries = 1;
  bad.metadata = "asg-model 1\nname m\n";
  CHECK(asg_session_create(&bad, nullptr, &s) == ASG_ERR_FORMAT);
  CHECK(asg_session_create(nullptr, nullptr, &s) == ASG_ERR_INVALID_ARGUMENT);
  opts = {"cpu", 4};
  REQUIRE(asg_session_create(&fake_model, &opts, &s) == ASG_OK);
  CHECK(std::string(asg_session_info(s)->name) == "fake");
  std::vector<float> x = iota(4);
  asg_tensor t = asgtest::view("x", ASG_F32, {1, 4}, x);
  const asg_tensor *outs;
  size_t n;
  CHECK(asg_session_run(s, "forward", &t, 1, &outs, &n) == ASG_ERR_INVALID_ARGUMENT);
  CHECK_THAT(std::string(asg_session_error(s)), Catch::Contains("parameters are not set"));
  CHECK(asg_session_run(s, "constant", nullptr, 0, &outs, &n) == ASG_OK);  // needs no parameters
  asg_session_destroy(s);
  asg_session_destroy(nullptr);
}

TEST_CASE("session: parameters from initializers", "[session]") {
  Session a, b;
  const asg_tensor *bias, *w, *w2;
  REQUIRE(asg_session_param(a.s, "bias", &bias) == ASG_OK);
  for (int i = 0; i < 4; i++) CHECK(static_cast<const float *>(bias->data)[i] == 0.5f);
  REQUIRE(asg_session_param(a.s, "w", &w) == ASG_OK);
  REQUIRE(asg_session_param(b.s, "w", &w2) == ASG_OK);
  CHECK(w->rank == 2);
  CHECK(std::memcmp(w->data, w2->data, 48) == 0);
  REQUIRE(asg_session_init_params(b.s, 1) == ASG_OK);
  CHECK(std::memcmp(w->data, w2->data, 48) != 0);
  CHECK(asg_session_param(a.s, "nope", &w) == ASG_ERR_NOT_FOUND);
  CHECK(a.error() == "model 'fake' has no parameter 'nope'");
}
