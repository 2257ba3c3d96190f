// asg_run_vulkan_test.cpp: asg-run --device vulkan end to end on the fake SPIR-V model (fakegpu.so).
#include "test_util.h"

#include <cstring>

using asgtest::TempDir;

namespace {

using Result = asgtest::RunResult;
using asgtest::asgRun;

const std::string kModel = "'" FAKEGPU_SO "' ";

void writeX(const TempDir &dir, const char *file, std::vector<int64_t> dims, std::vector<float> v) {
  asg_tensor t = asgtest::view("x", ASG_F32, dims, v);
  REQUIRE(asg_npy_write(dir.file(file).c_str(), &t) == ASG_OK);
}

}  // namespace

TEST_CASE("asg-run --device vulkan runs a SPIR-V model", "[vulkan][asg-run]") {
  TempDir dir;
  writeX(dir, "x.npy", {2, 4}, {1, 2, 3, 4, 5, 6, 7, 8});
  Result r = asgRun(dir, kModel + "--info");
  CHECK(r.code == 0);
  CHECK_THAT(r.out, Catch::StartsWith("model fakegpu\ntarget spirv\n"));

  r = asgRun(dir, kModel + "--device vulkan --input x=x.npy --output-dir out --verbose --repeat 2");
  INFO(r.err);
  REQUIRE(r.code == 0);
  CHECK_THAT(r.out, Catch::StartsWith("out f32 [2, 4]\ntime per run: "));
  CHECK_THAT(r.err, Catch::Contains("device: vulkan:0 '") && Catch::Contains("device memory: peak "));
  asg_tensor out{};
  REQUIRE(asg_npy_read(dir.file("out/out.npy").c_str(), &out) == ASG_OK);
  for (int i = 0; i < 8; i++) CHECK(static_cast<const float *>(out.data)[i] == static_cast<float>(i + 1) + 0.5f);
  asg_tensor_free(&out);

  // training on the device; --save-weights reads the parameters and state back
  std::vector<float> data{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
  asg_tensor d = asgtest::view("x", ASG_F32, {3, 4}, data);
  REQUIRE(asg_safetensors_write(dir.file("d.safetensors").c_str(), &d, 1) == ASG_OK);
  r = asgRun(dir, kModel + "--device vulkan:0 --train --data d.safetensors --batch-size 1 --steps 3 "
                           "--save-weights w.safetensors");
  INFO(r.err);
  REQUIRE(r.code == 0);
  CHECK_THAT(r.out, Catch::Contains("trained 3 steps"));
  asg_tensor *ts;
  size_t n;
  REQUIRE(asg_safetensors_read(dir.file("w.safetensors").c_str(), &ts, &n) == ASG_OK);
  REQUIRE(n == 3);
  CHECK(std::string(ts[2].name) == "optim.step");
  CHECK(*static_cast<const int64_t *>(ts[2].data) == 3);
  asg_tensors_free(ts, n);
}

TEST_CASE("asg-run: device errors exit 1 with a message", "[vulkan][asg-run]") {
  TempDir dir;
  writeX(dir, "x.npy", {1, 4}, {1, 2, 3, 4});
  struct Case {
    std::string args, message;
  } cases[] = {
      {kModel + "--input x=x.npy", "asg-run: error: model 'fakegpu' was compiled for Vulkan devices (target spirv) and "
                                   "cannot run on device 'cpu': use device 'vulkan' (asg-run --device vulkan), or "
                                   "compile the model without --target spirv\n"},
      {kModel + "--input x=x.npy --device vulkan:99", "asg-run: error: device 'vulkan:99' does not exist: there "},
      {kModel + "--input x=x.npy --device gpu", "asg-run: error: unknown device 'gpu' (expected cpu, vulkan or vulkan:N)\n"},
  };
  for (const Case &c : cases) {
    INFO(c.args);
    Result r = asgRun(dir, c.args);
    CHECK(r.code == 1);
    CHECK_THAT(r.err, Catch::StartsWith(c.message));
  }
  // where Vulkan cannot be loaded (ASG_VULKAN_LIBRARY stands in for a missing libvulkan)
  setenv("ASG_VULKAN_LIBRARY", "/nonexistent/libvulkan.so.1", 1);
  Result r = asgRun(dir, kModel + "--input x=x.npy --device vulkan");
  unsetenv("ASG_VULKAN_LIBRARY");
  CHECK(r.code == 1);
  CHECK_THAT(r.err, Catch::StartsWith("asg-run: error: cannot load Vulkan: /nonexistent/libvulkan.so.1: "));
}
