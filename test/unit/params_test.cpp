// params_test.cpp: loading and saving parameters (safetensors) with name, dtype and shape checks.
#include "fake_models.h"
#include "test_util.h"

#include <cstring>

using asgtest::TempDir;

namespace {

struct Session {
  asg_session *s = nullptr;
  Session() { REQUIRE(asg_session_create(&fake_model, nullptr, &s) == ASG_OK); }
  ~Session() { asg_session_destroy(s); }
  std::string error() const { return asg_session_error(s); }
  float *param(const char *name) {
    const asg_tensor *t = nullptr;
    REQUIRE(asg_session_param(s, name, &t) == ASG_OK);
    return static_cast<float *>(t->data);
  }
};

}  // namespace

TEST_CASE("params: save then load round trips", "[params]") {
  TempDir dir;
  std::string path = dir.file("w.safetensors");
  Session a;
  CHECK(asg_session_save(a.s, path.c_str()) == ASG_ERR_INVALID_ARGUMENT);
  CHECK_THAT(a.error(), Catch::Contains("parameters are not set"));
  REQUIRE(asg_session_init_params(a.s, 5) == ASG_OK);
  a.param("bias")[2] = 42.0f;
  REQUIRE(asg_session_save(a.s, path.c_str()) == ASG_OK);
  asg_tensor *ts;
  size_t n;
  REQUIRE(asg_safetensors_read(path.c_str(), &ts, &n) == ASG_OK);
  REQUIRE(n == 2);
  CHECK(std::string(ts[0].name) == "bias");
  CHECK(std::string(ts[1].name) == "w");
  asg_tensors_free(ts, n);
  Session b;
  REQUIRE(asg_session_load(b.s, path.c_str()) == ASG_OK);
  CHECK(b.param("bias")[2] == 42.0f);
  CHECK(std::memcmp(a.param("w"), b.param("w"), 48) == 0);
  std::vector<float> x(4, 1.0f);
  asg_tensor t = asgtest::view("x", ASG_F32, {1, 4}, x);
  const asg_tensor *outs;
  REQUIRE(asg_session_run(b.s, "forward", &t, 1, &outs, &n) == ASG_OK);
  CHECK(static_cast<const float *>(outs[0].data)[2] == 43.0f);
}

TEST_CASE("params: load checks every tensor and names it", "[params]") {
  TempDir dir;
  std::vector<float> bias(4, 3.0f), w(12, 1.0f), w_t(12), bias5(5);
  std::vector<int32_t> bias_i(4);
  std::vector<int64_t> step{7};
  std::string path = dir.file("w.safetensors");
  auto save = [&](std::vector<asg_tensor> ts) {
    REQUIRE(asg_safetensors_write(path.c_str(), ts.data(), ts.size()) == ASG_OK);
  };
  Session s;
  REQUIRE(asg_session_init_params(s.s, 0) == ASG_OK);
  const std::string p = path + ": ";

  save({asgtest::view("bias", ASG_F32, {4}, bias)});
  CHECK(asg_session_load(s.s, path.c_str()) == ASG_ERR_NOT_FOUND);
  CHECK(s.error() == p + "parameter 'w' is missing");

  save({asgtest::view("bias", ASG_F32, {4}, bias), asgtest::view("w", ASG_F32, {3, 4}, w_t)});
  CHECK(asg_session_load(s.s, path.c_str()) == ASG_ERR_SHAPE);
  CHECK(s.error() == p + "parameter 'w' has shape [3, 4], expected [4, 3]");

  save({asgtest::view("bias", ASG_F32, {5}, bias5), asgtest::view("w", ASG_F32, {4, 3}, w)});
  CHECK(asg_session_load(s.s, path.c_str()) == ASG_ERR_SHAPE);
  CHECK(s.error() == p + "parameter 'bias' has shape [5], expected [4]");

  save({asgtest::view("bias", ASG_I32, {4}, bias_i), asgtest::view("w", ASG_F32, {4, 3}, w)});
  CHECK(asg_session_load(s.s, path.c_str()) == ASG_ERR_SHAPE);
  CHECK(s.error() == p + "parameter 'bias' has dtype i32, expected f32");

  save({asgtest::view("bias", ASG_F32, {4}, bias), asgtest::view("w", ASG_F32, {4, 3}, w),
        asgtest::view("extra", ASG_F32, {4}, bias)});
  CHECK(asg_session_load(s.s, path.c_str()) == ASG_ERR_NOT_FOUND);
  CHECK(s.error() == p + "tensor 'extra' is not a parameter of model 'fake'");

  // nothing changed by the failed loads
  CHECK(s.param("bias")[0] == 0.5f);

  CHECK(asg_session_load(s.s, dir.file("none.safetensors").c_str()) == ASG_ERR_IO);
  CHECK_THAT(s.error(), Catch::Contains("none.safetensors"));
  asgtest::writeBytes(path, "garbage!");
  CHECK(asg_session_load(s.s, path.c_str()) == ASG_ERR_FORMAT);
  CHECK_THAT(s.error(), Catch::StartsWith(p));

  // optimizer state is ignored
  save({asgtest::view("optim.step", ASG_I64, {}, step), asgtest::view("w", ASG_F32, {4, 3}, w),
        asgtest::view("optim.w.exp_avg", ASG_F32, {4, 3}, w), asgtest::view("bias", ASG_F32, {4}, bias)});
  REQUIRE(asg_session_load(s.s, path.c_str()) == ASG_OK);
  CHECK(s.param("bias")[0] == 3.0f);
  CHECK(s.param("w")[11] == 1.0f);
}

TEST_CASE("params: load makes a fresh session runnable", "[params]") {
  TempDir dir;
  std::vector<float> bias(4, 1.0f), w(12);
  std::vector<asg_tensor> ts{asgtest::view("w", ASG_F32, {4, 3}, w), asgtest::view("bias", ASG_F32, {4}, bias)};
  REQUIRE(asg_safetensors_write(dir.file("w.safetensors").c_str(), ts.data(), ts.size()) == ASG_OK);
  Session s;
  REQUIRE(asg_session_load(s.s, dir.file("w.safetensors").c_str()) == ASG_OK);
  std::vector<float> x(4, 1.0f);
  asg_tensor t = asgtest::view("x", ASG_F32, {1, 4}, x);
  const asg_tensor *outs;
  size_t n;
  REQUIRE(asg_session_run(s.s, "forward", &t, 1, &outs, &n) == ASG_OK);
  CHECK(static_cast<const float *>(outs[0].data)[0] == 2.0f);
}
