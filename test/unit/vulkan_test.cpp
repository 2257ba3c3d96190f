// vulkan_test.cpp: sessions on a Vulkan device (CI: Mesa's lavapipe) against the hand-written
// SPIR-V model (fake_spirv_model.c): numerics, parameters kept on the device, buffer reuse,
// checks, ABI violations and device errors. Vulkan must be loadable: these tests fail
// (they never skip) when it is not.
#include "fake_models.h"
#include "internal.h"
#include "test_util.h"

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <optional>

extern "C" const asg_model_desc fakegpu_model;

namespace {

/// Sets an environment variable for the scope (restoring the old value).
class EnvVar {
 public:
  EnvVar(const char *name, const char *value) : name_(name) {
    if (const char *old = std::getenv(name)) old_ = old;
    setenv(name, value, 1);
  }
  ~EnvVar() {
    if (old_) setenv(name_, old_->c_str(), 1);
    else unsetenv(name_);
  }

 private:
  const char *name_;
  std::optional<std::string> old_;
};

/// A session on fakegpu_model on device `device` with initialized parameters. With
/// `staging`, device buffers are never mapped (ASG_VULKAN_STAGING=1): the path of
/// discrete GPUs, on lavapipe.
struct GpuSession : asgtest::SessionFixture {
  explicit GpuSession(bool staging = false, const char *device = "vulkan") {
    EnvVar env("ASG_VULKAN_STAGING", staging ? "1" : "0");
    asg_session_options o{device, 0};
    asg_status st = asg_session_create(&fakegpu_model, &o, &s);
    INFO(asg_last_error());
    REQUIRE(st == ASG_OK);
    REQUIRE(asg_session_init_params(s, 0) == ASG_OK);
  }
  asgi_device_stats stats() const {
    asgi_device_stats st;
    REQUIRE(asgi_session_device_stats(s, &st));
    return st;
  }
  std::vector<float> param(const char *name) {
    const asg_tensor *t;
    REQUIRE(asg_session_param(s, name, &t) == ASG_OK);
    const float *p = static_cast<const float *>(t->data);
    return std::vector<float>(p, p + asg_tensor_numel(t));
  }
  std::vector<float> state(const char *name) {
    const asg_tensor *t;
    REQUIRE(asg_session_state(s, name, &t) == ASG_OK);
    const float *p = static_cast<const float *>(t->data);
    return std::vector<float>(p, p + asg_tensor_numel(t));
  }
  int64_t step() {
    const asg_tensor *t;
    REQUIRE(asg_session_state(s, "optim.step", &t) == ASG_OK);
    return *static_cast<const int64_t *>(t->data);
  }
  const float *out(size_t i) const { return static_cast<const float *>(outs[i].data); }
};

std::vector<float> iota(size_t n, float start = 0) {
  std::vector<float> v(n);
  for (size_t i = 0; i < n; i++) v[i] = start + static_cast<float>(i);
  return v;
}

/// Whether a and b agree to a few ulps (kernels may contract a*b+c into an FMA).
bool close(float a, float b) { return std::fabs(a - b) <= 1e-6f * std::fmax(1.0f, std::fabs(b)); }

}  // namespace

TEST_CASE("vulkan: forward on the device", "[vulkan]") {
  for (bool staging : {false, true}) {
    INFO("staging " << staging);
    GpuSession s(staging);
    CHECK(std::string(s.stats().device_name).size() > 0);
    std::vector<float> x = iota(12, -3);
    REQUIRE(s.run("forward", {asgtest::view("x", ASG_F32, {3, 4}, x)}) == ASG_OK);
    if (staging) CHECK(s.stats().buffers_mapped == 0);  // every byte went through staging buffers
    REQUIRE(s.n == 1);
    CHECK(std::string(s.outs[0].name) == "out");
    CHECK(s.outs[0].dtype == ASG_F32);
    CHECK(s.outs[0].rank == 2);
    CHECK(s.outs[0].dims[0] == 3);
    CHECK(s.outs[0].dims[1] == 4);
    for (int i = 0; i < 12; i++) CHECK(s.out(0)[i] == x[i] + 0.5f);
    // another batch size; then an empty batch (a zero-size grid is skipped)
    std::vector<float> big = iota(4 * 100, 1);
    REQUIRE(s.run("forward", {asgtest::view("x", ASG_F32, {100, 4}, big)}) == ASG_OK);
    CHECK(s.outs[0].dims[0] == 100);
    for (int i = 0; i < 400; i++) CHECK(s.out(0)[i] == big[i] + 0.5f);
    REQUIRE(s.run("forward", {asgtest::view("x", ASG_F32, {0, 4}, x)}) == ASG_OK);
    CHECK(s.outs[0].dims[0] == 0);
    // input checks happen before the device is involved, as on the cpu
    CHECK(s.run("forward", {asgtest::view("x", ASG_F32, {3, 3}, x)}) == ASG_ERR_SHAPE);
    CHECK(s.error() == "input 'x': dim 1 is 3, expected 4");
    // a parameter written through asg_session_param goes to the device before the next run
    const asg_tensor *bias;
    REQUIRE(asg_session_param(s.s, "bias", &bias) == ASG_OK);
    static_cast<float *>(bias->data)[2] = 10.0f;
    REQUIRE(s.run("forward", {asgtest::view("x", ASG_F32, {3, 4}, x)}) == ASG_OK);
    CHECK(s.out(0)[2] == x[2] + 10.0f);
    CHECK(s.out(0)[3] == x[3] + 0.5f);
  }
}

TEST_CASE("vulkan: a failed check reports its message and changes nothing", "[vulkan]") {
  for (bool staging : {false, true}) {
    INFO("staging " << staging);
    GpuSession s(staging);
    std::vector<float> x = iota(8, 1);
    REQUIRE(s.run("train_step", {asgtest::view("x", ASG_F32, {2, 4}, x)}) == ASG_OK);
    std::vector<float> nan = x;
    nan[5] = NAN;
    CHECK(s.run("forward", {asgtest::view("x", ASG_F32, {2, 4}, nan)}) == ASG_ERR_RUNTIME_CHECK);
    CHECK(s.error() == "'add' node 'out': NaN in the input");
    CHECK(s.outs == nullptr);
    CHECK(s.run("train_step", {asgtest::view("x", ASG_F32, {2, 4}, nan)}) == ASG_ERR_RUNTIME_CHECK);
    CHECK(s.error() == "'mse_loss' node 'loss': NaN in the input");
    // the parameters and the state are those of the first step
    std::vector<float> bias = s.param("bias"), m = s.state("optim.bias.momentum_buffer");
    for (int j = 0; j < 4; j++) {
      CHECK(close(m[j], x[j]));
      CHECK(close(bias[j], 0.5f - 0.1f * x[j]));
    }
    CHECK(s.step() == 1);
  }
}

TEST_CASE("vulkan: train_step keeps parameters and state on the device", "[vulkan]") {
  for (bool staging : {false, true}) {
    INFO("staging " << staging);
    GpuSession s(staging);
    std::vector<float> x = iota(8, 1);  // g = x[0, :] = 1 2 3 4
    asgi_device_stats before = s.stats();
    CHECK(before.tensor_uploads == 0);  // uploaded by the first run
    REQUIRE(s.run("train_step", {asgtest::view("x", ASG_F32, {2, 4}, x)}) == ASG_OK);
    REQUIRE(s.n == 1);  // only the `result` lines come back
    CHECK(std::string(s.outs[0].name) == "loss");
    // Barriers only where a dispatch depends on an earlier one: check_nan and the
    // first axpy share only x (read), the second axpy reads m2 and sum reads b2
    // (barriers), inc_i64 touches neither; one more after the last dispatch.
    asgi_device_stats counts = s.stats();
    CHECK(counts.last_dispatches == 5);
    CHECK(counts.last_barriers == 3);
    CHECK(s.outs[0].rank == 0);
    float b1[4], loss1 = 0;
    for (int j = 0; j < 4; j++) loss1 += (b1[j] = 0.5f - 0.1f * x[j]);
    CHECK(close(*s.out(0), loss1));
    REQUIRE(s.run("train_step", {asgtest::view("x", ASG_F32, {2, 4}, x)}) == ASG_OK);
    float m2[4], b2[4], loss2 = 0;
    for (int j = 0; j < 4; j++) {
      m2[j] = x[j] + 0.9f * x[j];
      loss2 += (b2[j] = b1[j] - 0.1f * m2[j]);
    }
    CHECK(close(*s.out(0), loss2));
    asgi_device_stats after = s.stats();
    CHECK(after.tensor_uploads == 3);    // bias, buffer and step, once
    CHECK(after.tensor_downloads == 0);  // the updates stayed on the device
    // asg_session_param reads back the one tensor it returns, and keeps its pointer
    const asg_tensor *bias_before;
    REQUIRE(asg_session_param(s.s, "bias", &bias_before) == ASG_OK);
    CHECK(s.stats().tensor_downloads == 1);
    std::vector<float> bias = s.param("bias");
    const asg_tensor *bias_after;
    REQUIRE(asg_session_param(s.s, "bias", &bias_after) == ASG_OK);
    CHECK(bias_after == bias_before);
    CHECK(s.stats().tensor_downloads == 1);  // already current
    std::vector<float> m = s.state("optim.bias.momentum_buffer");
    for (int j = 0; j < 4; j++) {
      CHECK(close(bias[j], b2[j]));
      CHECK(close(m[j], m2[j]));
    }
    CHECK(s.step() == 2);
    // save writes the device's values; load + run uploads them again
    asgtest::TempDir dir;
    std::string path = dir.file("ckpt.safetensors");
    REQUIRE(asg_session_save(s.s, path.c_str()) == ASG_OK);
    asg_tensor *ts;
    size_t nt;
    REQUIRE(asg_safetensors_read(path.c_str(), &ts, &nt) == ASG_OK);
    REQUIRE(nt == 3);
    CHECK(std::string(ts[0].name) == "bias");
    CHECK(std::memcmp(ts[0].data, bias.data(), 16) == 0);
    CHECK(*static_cast<int64_t *>(ts[2].data) == 2);
    asg_tensors_free(ts, nt);
    GpuSession t(!staging);
    REQUIRE(asg_session_load(t.s, path.c_str()) == ASG_OK);
    REQUIRE(t.run("train_step", {asgtest::view("x", ASG_F32, {2, 4}, x)}) == ASG_OK);
    REQUIRE(s.run("train_step", {asgtest::view("x", ASG_F32, {2, 4}, x)}) == ASG_OK);
    CHECK(*t.out(0) == *s.out(0));
    CHECK(t.step() == 3);
  }
}

TEST_CASE("vulkan: updates that alias arguments are copied (swap)", "[vulkan]") {
  for (bool staging : {false, true}) {
    INFO("staging " << staging);
    GpuSession s(staging);
    std::vector<float> x = iota(4, 1);
    REQUIRE(s.run("train_step", {asgtest::view("x", ASG_F32, {1, 4}, x)}) == ASG_OK);
    REQUIRE(s.run("swap", {}) == ASG_OK);
    CHECK(s.n == 0);
    std::vector<float> bias = s.param("bias"), m = s.state("optim.bias.momentum_buffer");
    for (int j = 0; j < 4; j++) {
      CHECK(close(bias[j], x[j]));
      CHECK(close(m[j], 0.5f - 0.1f * x[j]));
    }
    REQUIRE(s.run("swap", {}) == ASG_OK);
    CHECK(s.param("bias") == m);
  }
}

TEST_CASE("vulkan: released buffers are reused within and across calls", "[vulkan]") {
  GpuSession s;
  std::vector<float> x = iota(4 * 1000, -7);
  REQUIRE(s.run("chain", {asgtest::view("x", ASG_F32, {1000, 4}, x)}) == ASG_OK);
  for (int i = 0; i < 4000; i++) CHECK(s.out(0)[i] == 4 * x[i]);
  asgi_device_stats first = s.stats();
  // each axpy reads the previous one's output: a barrier before each, and one after
  CHECK(first.last_dispatches == 3);
  CHECK(first.last_barriers == 3);
  // x, the status, t1 and t2 are new; t3 reuses t1 (released before it was allocated)
  CHECK(first.buffers_created == 4);
  CHECK(first.buffers_reused == 1);
  CHECK(first.bytes_peak == first.bytes_now);
  REQUIRE(s.run("chain", {asgtest::view("x", ASG_F32, {1000, 4}, x)}) == ASG_OK);
  asgi_device_stats second = s.stats();
  CHECK(second.buffers_created == first.buffers_created);  // all from the pool
  CHECK(second.buffers_reused == first.buffers_reused + 5);
  CHECK(second.bytes_peak == first.bytes_peak);
  for (int i = 0; i < 4000; i++) CHECK(s.out(0)[i] == 4 * x[i]);
  // a smaller batch fits in the same size classes or smaller ones
  REQUIRE(s.run("chain", {asgtest::view("x", ASG_F32, {3, 4}, x)}) == ASG_OK);
  for (int i = 0; i < 12; i++) CHECK(s.out(0)[i] == 4 * x[i]);
}

TEST_CASE("vulkan: strided and aliasing results", "[vulkan]") {
  for (bool staging : {false, true}) {
    INFO("staging " << staging);
    GpuSession s(staging);
    std::vector<float> x = iota(12, 1);
    REQUIRE(s.run("transpose", {asgtest::view("x", ASG_F32, {3, 4}, x)}) == ASG_OK);
    REQUIRE(s.n == 1);
    CHECK(s.outs[0].dims[0] == 4);
    CHECK(s.outs[0].dims[1] == 3);
    for (int i = 0; i < 3; i++)
      for (int j = 0; j < 4; j++) CHECK(s.out(0)[j * 3 + i] == x[i * 4 + j]);
    REQUIRE(s.run("echo", {asgtest::view("x", ASG_F32, {3, 4}, x)}) == ASG_OK);
    REQUIRE(s.n == 2);
    CHECK(s.outs[0].data != s.outs[1].data);
    CHECK(s.outs[0].data != x.data());
    CHECK(std::memcmp(s.outs[0].data, x.data(), 48) == 0);
    CHECK(std::memcmp(s.outs[1].data, x.data(), 48) == 0);
  }
}

TEST_CASE("vulkan: out of device memory and ABI violations", "[vulkan]") {
  GpuSession s;
  CHECK(s.run("huge", {}) == ASG_ERR_OUT_OF_MEMORY);
  CHECK_THAT(s.error(), Catch::StartsWith("entry point 'huge': out of device memory: a buffer of 1099511627776 bytes"));
  CHECK(s.run("badkernel", {}) == ASG_ERR_ABI);
  CHECK(s.error() == "entry point 'badkernel' broke the ABI: dispatch of kernel 99, but the model has 5 kernels");
  CHECK(s.run("badresult", {}) == ASG_ERR_ABI);
  CHECK(s.error() == "entry point 'badresult' broke the ABI: result 'r' (offset 0) lies outside its buffer of 8 bytes");
  CHECK(s.run("useafter", {}) == ASG_ERR_ABI);
  CHECK_THAT(s.error(), Catch::StartsWith("entry point 'useafter' broke the ABI: dispatch of kernel 2 ('axpy'), "
                                          "binding 0, of a released buffer"));
  // the session still works, and every buffer of the failed calls went back to the pool
  std::vector<float> x = iota(8);
  REQUIRE(s.run("forward", {asgtest::view("x", ASG_F32, {2, 4}, x)}) == ASG_OK);
  CHECK(s.out(0)[7] == 7.5f);
}

TEST_CASE("vulkan: devices, targets and a missing Vulkan", "[vulkan]") {
  asg_session *s = nullptr;
  asg_session_options o{"vulkan:99", 0};
  CHECK(asg_session_create(&fakegpu_model, &o, &s) == ASG_ERR_NOT_FOUND);
  CHECK(s == nullptr);
  CHECK_THAT(asgtest::lastError(), Catch::StartsWith("device 'vulkan:99' does not exist: there ") &&
                                       Catch::Contains(" Vulkan device") && Catch::Contains("vulkan:0 '"));
  o = {"vulkan:0", 0};
  REQUIRE(asg_session_create(&fakegpu_model, &o, &s) == ASG_OK);
  asg_session_destroy(s);
  // a cpu model on vulkan, a SPIR-V model on the cpu
  o = {"vulkan", 0};
  CHECK(asg_session_create(&fake_model, &o, &s) == ASG_ERR_UNSUPPORTED);
  CHECK_THAT(asgtest::lastError(), Catch::Contains("compile it with asgc --target spirv"));
  CHECK(asg_session_create(&fakegpu_model, nullptr, &s) == ASG_ERR_UNSUPPORTED);
  CHECK_THAT(asgtest::lastError(), Catch::Contains("compile the model without --target spirv"));
  {
    EnvVar env("ASG_VULKAN_LIBRARY", "/nonexistent/libvulkan.so.1");
    CHECK(asg_session_create(&fakegpu_model, &o, &s) == ASG_ERR_UNSUPPORTED);
    CHECK_THAT(asgtest::lastError(), Catch::StartsWith("cannot load Vulkan: /nonexistent/libvulkan.so.1: ") &&
                                         Catch::Contains("install the Vulkan loader libvulkan1"));
    // the cpu device never loads Vulkan
    REQUIRE(asg_session_create(&fake_model, nullptr, &s) == ASG_OK);
    asg_session_destroy(s);
  }
  {
    // another name of the loader (libvulkan-dev's link): a private instance next to the
    // process's shared one, destroyed with its session
    asg_session *a = nullptr, *b = nullptr;
    REQUIRE(asg_session_create(&fakegpu_model, &o, &a) == ASG_OK);
    EnvVar env("ASG_VULKAN_LIBRARY", "libvulkan.so");
    asg_status st = asg_session_create(&fakegpu_model, &o, &b);
    INFO(asg_last_error());
    REQUIRE(st == ASG_OK);
    REQUIRE(asg_session_init_params(b, 0) == ASG_OK);
    std::vector<float> x = iota(4);
    asg_tensor t = asgtest::view("x", ASG_F32, {1, 4}, x);
    const asg_tensor *outs;
    size_t n;
    REQUIRE(asg_session_run(b, "forward", &t, 1, &outs, &n) == ASG_OK);
    CHECK(static_cast<const float *>(outs[0].data)[3] == 3.5f);
    asg_session_destroy(b);
    asg_session_destroy(a);
  }
  {
    EnvVar env("ASG_VULKAN_LIBRARY", "libm.so.6");
    CHECK(asg_session_create(&fakegpu_model, &o, &s) == ASG_ERR_UNSUPPORTED);
    CHECK(asgtest::lastError() == "cannot load Vulkan: 'libm.so.6' has no vkGetInstanceProcAddr");
  }
}

TEST_CASE("vulkan: kernels the device cannot take are named", "[vulkan]") {
  std::vector<asg_gpu_kernel> kernels(fakegpu_model.kernels, fakegpu_model.kernels + fakegpu_model.num_kernels);
  asg_model_desc desc = fakegpu_model;
  desc.kernels = kernels.data();
  asg_session_options o{"vulkan", 0};
  asg_session *s = nullptr;
  kernels[2].name = "nope";
  CHECK(asg_session_create(&desc, &o, &s) == ASG_ERR_ABI);
  CHECK(asgtest::lastError() == "kernel 2 ('nope'): its SPIR-V has no GLCompute entry point 'nope'");
  kernels[2] = fakegpu_model.kernels[2];
  static const uint32_t junk[6] = {1, 2, 3, 4, 5, 6};
  kernels[1].code = junk;
  kernels[1].code_size = sizeof junk;
  CHECK(asg_session_create(&desc, &o, &s) == ASG_ERR_ABI);
  CHECK(asgtest::lastError() == "kernel 1 ('check_nan'): not SPIR-V (magic number 0x00000001)");
  kernels[1] = fakegpu_model.kernels[1];
  kernels[0].code_size = 6;
  CHECK(asg_session_create(&desc, &o, &s) == ASG_ERR_ABI);
  CHECK_THAT(asgtest::lastError(), Catch::StartsWith("kernel 0 ('add_bias'): its SPIR-V has 6 bytes"));
  kernels[0] = fakegpu_model.kernels[0];
  kernels[0].num_push_constants = 1 << 20;
  CHECK(asg_session_create(&desc, &o, &s) == ASG_ERR_UNSUPPORTED);
  CHECK_THAT(asgtest::lastError(), Catch::StartsWith("kernel 0 ('add_bias') has 4194304 bytes of push constants"));
  desc.kernels = nullptr;
  CHECK(asg_session_create(&desc, &o, &s) == ASG_ERR_ABI);
  CHECK(asgtest::lastError() == "model descriptor has no kernel table");
  CHECK(s == nullptr);
}
