// asg_run_test.cpp: asg_model_open on shared-library models, and asg-run end to end (exit codes, files, messages).
#include "test_util.h"

#include <sys/wait.h>

#include <cmath>
#include <cstring>

using asgtest::TempDir;

namespace {

using Result = asgtest::RunResult;
using asgtest::asgRun;

void writeInput(const TempDir &dir, const char *file, std::vector<int64_t> dims, std::vector<float> v) {
  asg_tensor t = asgtest::view("x", ASG_F32, dims, v);
  REQUIRE(asg_npy_write(dir.file(file).c_str(), &t) == ASG_OK);
}

}  // namespace

TEST_CASE("asg_model_open finds the descriptor", "[model]") {
  asg_model *m = nullptr;
  REQUIRE(asg_model_open(FAKENET_SO, &m) == ASG_OK);
  CHECK(std::string(asg_model_info_of(m)->name) == "fakenet");
  CHECK(asg_model_desc_of(m)->abi_version == ASG_ABI_VERSION);
  asg_session *s = nullptr;
  REQUIRE(asg_session_create(asg_model_desc_of(m), nullptr, &s) == ASG_OK);
  asg_session_destroy(s);
  asg_model_close(m);

  REQUIRE(asg_model_open(STEMONLY_SO, &m) == ASG_OK);  // no asg_shared_model: <stem>_model
  CHECK(std::string(asg_model_info_of(m)->name) == "fakenet");
  asg_model_close(m);

  CHECK(asg_model_open(BADABI_SO, &m) == ASG_ERR_NOT_FOUND);  // no badabi_model symbol
  CHECK_THAT(asgtest::lastError(), Catch::Contains("neither 'asg_shared_model' nor 'badabi_model'"));
  CHECK(asg_model_open(BADABI2_SO, &m) == ASG_ERR_ABI);
  CHECK_THAT(asgtest::lastError(), Catch::Contains("ABI version 1, but this runtime implements version " + std::to_string(ASG_ABI_VERSION)));
  CHECK(m == nullptr);

  TempDir dir;
  CHECK(asg_model_open(dir.file("none.so").c_str(), &m) == ASG_ERR_IO);
  CHECK_THAT(asgtest::lastError(), Catch::Contains("cannot load model"));
  asgtest::writeBytes(dir.file("text.so"), "not an ELF file");
  CHECK(asg_model_open(dir.file("text.so").c_str(), &m) == ASG_ERR_IO);
  CHECK(m == nullptr);
}

TEST_CASE("asg-run: version, help and bad command lines", "[asg-run]") {
  TempDir dir;
  Result r = asgRun(dir, "--version");
  CHECK(r.code == 0);
  CHECK(r.out == "asg-run 0.1.0\n");
  r = asgRun(dir, "--help");
  CHECK(r.code == 0);
  CHECK_THAT(r.out, Catch::Contains("--weights"));
  struct Case {
    const char *args;
    const char *message;
  };
  std::vector<Case> cases = {
      {"--bogus", "asg-run: error: The following argument was not expected: --bogus"},
      {"", "asg-run: error: MODEL.so is required"},
      {"m.so --train", "asg-run: error: --train needs --data D.safetensors"},
      {"m.so --data d.safetensors", "asg-run: error: --data needs --train"},
      {"m.so --train --data d.safetensors --batch-size 2 --epochs 1 --steps 2",
       "asg-run: error: --epochs and --steps are mutually exclusive"},
      {"m.so --input x", "--input: expected NAME=FILE.npy, got 'x'"},
      {"m.so --input =x.npy", "--input: expected NAME=FILE.npy"},
      {"m.so --seed abc", "asg-run: error:"},
      {"m.so --repeat 0", "--repeat"},
      {"m.so --threads -1", "asg-run: error:"},
      {"m.so --weights", "asg-run: error:"},
  };
  for (const Case &c : cases) {
    INFO(c.args);
    r = asgRun(dir, c.args);
    CHECK(r.code == 2);
    CHECK_THAT(r.err, Catch::Contains(c.message));
  }
}

TEST_CASE("asg-run: --info", "[asg-run]") {
  TempDir dir;
  Result r = asgRun(dir, "'" FAKENET_SO "' --info");
  CHECK(r.code == 0);
  CHECK_THAT(r.out, Catch::Contains("model fakenet\ntarget cpu\n"));
  CHECK_THAT(r.out, Catch::Contains("inputs:\n  x f32 [batch, 3]\n"));
  CHECK_THAT(r.out, Catch::Contains("outputs:\n  y f32 [batch, 3]\n"));
  CHECK_THAT(r.out, Catch::Contains("  bias f32 [3] init ones\n"));
  CHECK_THAT(r.out, Catch::Contains("  forward(x, bias) -> (y f32 [batch, 3])\n"));
}

TEST_CASE("asg-run: runs forward and writes the outputs", "[asg-run]") {
  TempDir dir;
  writeInput(dir, "x.npy", {2, 3}, {1, 2, 3, 4, 5, 6});
  Result r = asgRun(dir, "'" FAKENET_SO "' --input x=x.npy --output-dir out");
  REQUIRE(r.code == 0);
  CHECK(r.out == "y f32 [2, 3]\n");
  CHECK(r.err.empty());
  asg_tensor y{};
  REQUIRE(asg_npy_read(dir.file("out/y.npy").c_str(), &y) == ASG_OK);
  CHECK(y.dims[0] == 2);
  CHECK(static_cast<float *>(y.data)[5] == 7.0f);
  asg_tensor_free(&y);

  // --weights, --quiet, --repeat, --verbose, --threads, default output folder
  std::vector<float> bias{10, 20, 30};
  asg_tensor b = asgtest::view("bias", ASG_F32, {3}, bias);
  REQUIRE(asg_safetensors_write(dir.file("w.safetensors").c_str(), &b, 1) == ASG_OK);
  r = asgRun(dir, "'" FAKENET_SO "' --input x=x.npy --weights w.safetensors --quiet --repeat 3 --verbose --threads 2");
  REQUIRE(r.code == 0);
  CHECK_THAT(r.out, Catch::StartsWith("time per run: min ") && Catch::EndsWith(" ms\n") && Catch::Contains(", median "));
  CHECK_THAT(r.err, Catch::Contains("forward: ") && Catch::Contains("peak memory"));
  CHECK_THAT(r.err, Catch::StartsWith("device: cpu, 2 threads\n"));
  // fakenet calls no parallel_for
  CHECK_THAT(r.err, Catch::Contains("threads: 1 used at most (cap 2), 0 loops ran on several threads\n"));
  REQUIRE(asg_npy_read(dir.file("y.npy").c_str(), &y) == ASG_OK);
  CHECK(static_cast<float *>(y.data)[5] == 36.0f);
  asg_tensor_free(&y);
}

TEST_CASE("asg-run: run-time errors exit 1 with a message", "[asg-run]") {
  TempDir dir;
  writeInput(dir, "x.npy", {2, 3}, {1, 2, 3, 4, 5, 6});
  writeInput(dir, "x4.npy", {1, 4}, {1, 2, 3, 4});
  writeInput(dir, "nan.npy", {1, 3}, {1, NAN, 3});
  std::vector<float> bad_bias{1, 2};
  asg_tensor b = asgtest::view("bias", ASG_F32, {2}, bad_bias);
  REQUIRE(asg_safetensors_write(dir.file("bad.safetensors").c_str(), &b, 1) == ASG_OK);
  asgtest::writeBytes(dir.file("junk.npy"), "junk");
  const std::string m = "'" FAKENET_SO "' ";
  struct Case {
    std::string args;
    std::string message;
  };
  std::vector<Case> cases = {
      {m, "asg-run: error: input 'x' of entry point 'forward' is missing\n"},
      {m + "--input x=x4.npy", "asg-run: error: input 'x': dim 1 is 4, expected 3\n"},
      {m + "--input x=x.npy --input z=x.npy", "asg-run: error: input 'z' is not taken by entry point 'forward'\n"},
      {m + "--input x=nan.npy", "asg-run: error: 'add' node 'y': NaN in the input\n"},
      {m + "--input x=junk.npy", "asg-run: error: input 'x': junk.npy: not a .npy file (bad magic)\n"},
      {m + "--input x=none.npy", "asg-run: error: input 'x': cannot open 'none.npy'"},
      {m + "--input x=x.npy --device vulkan",
       "asg-run: error: model 'fakenet' was compiled for the cpu (target cpu) and cannot run on device 'vulkan': "
       "compile it with asgc --target spirv, or use device 'cpu'\n"},
      {m + "--input x=x.npy --weights bad.safetensors",
       "asg-run: error: bad.safetensors: parameter 'bias' has shape [2], expected [3]\n"},
      {"missing.so", "asg-run: error: cannot load model 'missing.so'"},
      {"'" BADABI2_SO "' --info", "ABI version 1"},
  };
  for (const Case &c : cases) {
    INFO(c.args);
    Result r = asgRun(dir, c.args);
    CHECK(r.code == 1);
    CHECK_THAT(r.err, Catch::StartsWith("asg-run: error: ") && Catch::Contains(c.message));
  }
}
