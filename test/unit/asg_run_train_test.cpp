// asg_run_train_test.cpp: asg-run --train end to end against the fake training model (faketrain.so):
// batching, epochs and steps, resuming bit for bit, --shuffle, data-file errors, exit codes.
#include "fake_models.h"
#include "test_util.h"

#include <sys/wait.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <regex>
#include <sstream>

using asgtest::TempDir;

namespace {

using Result = asgtest::RunResult;
using asgtest::asgRun;

const std::string kModel = "'" FAKETRAIN_SO "' ";

/// Example i of the data set: x = 3 features, y = 1 target.
float xval(int i, int j) { return std::sin(0.3f * static_cast<float>(i * 3 + j)); }
float yval(int i) { return std::cos(0.2f * static_cast<float>(i)); }

/// Writes n examples as data.safetensors-like file `name` (x [n, 3], y [n, 1]).
void writeData(const TempDir &dir, const std::string &name, int n) {
  std::vector<float> x(static_cast<size_t>(n) * 3), y(static_cast<size_t>(n));
  for (int i = 0; i < n; i++) {
    for (int j = 0; j < 3; j++) x[static_cast<size_t>(i * 3 + j)] = xval(i, j);
    y[static_cast<size_t>(i)] = yval(i);
  }
  std::vector<asg_tensor> ts{asgtest::view("x", ASG_F32, {n, 3}, x), asgtest::view("y", ASG_F32, {n, 1}, y)};
  REQUIRE(asg_safetensors_write(dir.file(name).c_str(), ts.data(), ts.size()) == ASG_OK);
}

/// The same training through the session API: batches [begin, end) of examples in data
/// order, from the initializers with `seed`; returns the losses and saves a checkpoint.
std::vector<float> simulate(const std::vector<std::pair<int, int>> &batches, const std::string &save, uint64_t seed = 0) {
  asg_session *s = nullptr;
  REQUIRE(asg_session_create(&faketrain_model, nullptr, &s) == ASG_OK);
  REQUIRE(asg_session_init_params(s, seed) == ASG_OK);
  std::vector<float> losses;
  for (auto [begin, end] : batches) {
    int n = end - begin;
    std::vector<float> x, y;
    for (int i = begin; i < end; i++) {
      for (int j = 0; j < 3; j++) x.push_back(xval(i, j));
      y.push_back(yval(i));
    }
    std::vector<asg_tensor> in{asgtest::view("x", ASG_F32, {n, 3}, x), asgtest::view("y", ASG_F32, {n, 1}, y)};
    const asg_tensor *outs;
    size_t nouts;
    REQUIRE(asg_session_run(s, "train_step", in.data(), in.size(), &outs, &nouts) == ASG_OK);
    losses.push_back(*static_cast<const float *>(outs[0].data));
  }
  REQUIRE(asg_session_save(s, save.c_str()) == ASG_OK);
  asg_session_destroy(s);
  return losses;
}

/// The `epoch E/N  loss L  time T ms` lines: (E, N, L as printed).
struct EpochLine {
  int e, n;
  std::string loss;
};

std::vector<EpochLine> epochLines(const std::string &out) {
  static const std::regex re(R"(^epoch (\d+)/(\d+)  loss (\S+)  time \d+\.\d{3} ms$)");
  static const std::regex summary(R"(^trained \d+ steps? in \d+\.\d{3} ms$)");
  std::vector<EpochLine> lines;
  std::istringstream in(out);
  std::string line;
  bool summarized = false;
  while (std::getline(in, line)) {
    std::smatch m;
    INFO(line);
    if (std::regex_match(line, summary)) {  // the last line
      REQUIRE_FALSE(summarized);
      summarized = true;
      continue;
    }
    REQUIRE_FALSE(summarized);
    REQUIRE(std::regex_match(line, m, re));
    lines.push_back({std::stoi(m[1]), std::stoi(m[2]), m[3]});
  }
  REQUIRE(summarized);
  return lines;
}

/// The per-example mean of batch losses as asg-run prints it.
std::string meanLoss(const std::vector<float> &losses, const std::vector<int> &sizes) {
  double sum = 0;
  int count = 0;
  for (size_t i = 0; i < losses.size(); i++) {
    sum += static_cast<double>(losses[i]) * sizes[i];
    count += sizes[i];
  }
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.6g", sum / count);
  return buf;
}

int64_t savedStep(const std::string &path) {
  asg_tensor *ts;
  size_t n;
  REQUIRE(asg_safetensors_read(path.c_str(), &ts, &n) == ASG_OK);
  int64_t step = -1;
  for (size_t i = 0; i < n; i++)
    if (std::strcmp(ts[i].name, "optim.step") == 0) step = *static_cast<int64_t *>(ts[i].data);
  asg_tensors_free(ts, n);
  return step;
}

}  // namespace

TEST_CASE("asg-run --train: epochs over batches, loss lines, checkpoint", "[asg-run][train]") {
  TempDir dir;
  writeData(dir, "d.safetensors", 10);
  Result r = asgRun(dir, kModel + "--train --data d.safetensors --batch-size 4 --epochs 2 --save-weights out.safetensors");
  REQUIRE(r.code == 0);
  CHECK(r.err.empty());  // no progress bar: stdout is not a terminal
  std::vector<EpochLine> lines = epochLines(r.out);
  REQUIRE(lines.size() == 2);
  // batches of 4, 4 and 2 examples (the last one smaller), twice
  std::vector<std::pair<int, int>> batches{{0, 4}, {4, 8}, {8, 10}, {0, 4}, {4, 8}, {8, 10}};
  std::vector<float> losses = simulate(batches, dir.file("expected.safetensors"));
  CHECK(lines[0].e == 1);
  CHECK(lines[0].n == 2);
  CHECK(lines[1].e == 2);
  CHECK(lines[0].loss == meanLoss({losses[0], losses[1], losses[2]}, {4, 4, 2}));
  CHECK(lines[1].loss == meanLoss({losses[3], losses[4], losses[5]}, {4, 4, 2}));
  CHECK(asgtest::readBytes(dir.file("out.safetensors")) == asgtest::readBytes(dir.file("expected.safetensors")));
  CHECK(savedStep(dir.file("out.safetensors")) == 6);

  // the default is one epoch; --seed picks the initial parameters
  r = asgRun(dir, kModel + "--train --data d.safetensors --batch-size 10 --seed 7 --save-weights one.safetensors");
  REQUIRE(r.code == 0);
  REQUIRE(epochLines(r.out).size() == 1);
  CHECK(epochLines(r.out)[0].n == 1);
  simulate({{0, 10}}, dir.file("one_expected.safetensors"), 7);
  CHECK(asgtest::readBytes(dir.file("one.safetensors")) == asgtest::readBytes(dir.file("one_expected.safetensors")));
}

TEST_CASE("asg-run --train: --steps wraps around the data", "[asg-run][train]") {
  TempDir dir;
  writeData(dir, "d.safetensors", 10);
  Result r = asgRun(dir, kModel + "--train --data d.safetensors --batch-size 4 --steps 7 --save-weights out.safetensors");
  REQUIRE(r.code == 0);
  std::vector<EpochLine> lines = epochLines(r.out);
  // a line per pass over the data (3 steps each) and one at the end
  REQUIRE(lines.size() == 3);
  CHECK(lines[2].e == 3);
  CHECK(lines[2].n == 3);
  std::vector<std::pair<int, int>> batches{{0, 4}, {4, 8}, {8, 10}, {0, 4}, {4, 8}, {8, 10}, {0, 4}};
  std::vector<float> losses = simulate(batches, dir.file("expected.safetensors"));
  CHECK(lines[1].loss == meanLoss({losses[3], losses[4], losses[5]}, {4, 4, 2}));
  CHECK(lines[2].loss == meanLoss({losses[6]}, {4}));
  CHECK(asgtest::readBytes(dir.file("out.safetensors")) == asgtest::readBytes(dir.file("expected.safetensors")));
  CHECK(savedStep(dir.file("out.safetensors")) == 7);

  // more steps than one pass of a data set smaller than a batch
  r = asgRun(dir, kModel + "--train --data d.safetensors --batch-size 32 --steps 2");
  REQUIRE(r.code == 0);
  CHECK(epochLines(r.out).size() == 2);
}

TEST_CASE("asg-run --train: a saved run resumes bit for bit", "[asg-run][train]") {
  TempDir dir;
  writeData(dir, "d.safetensors", 10);
  const std::string run = kModel + "--train --data d.safetensors --batch-size 4 ";
  SECTION("whole epochs") {
    REQUIRE(asgRun(dir, run + "--epochs 3 --save-weights full.safetensors").code == 0);
    REQUIRE(asgRun(dir, run + "--epochs 1 --save-weights half.safetensors").code == 0);
    Result r = asgRun(dir, run + "--epochs 2 --weights half.safetensors --save-weights rest.safetensors");
    REQUIRE(r.code == 0);
    CHECK(epochLines(r.out).size() == 2);
    CHECK(asgtest::readBytes(dir.file("rest.safetensors")) == asgtest::readBytes(dir.file("full.safetensors")));
  }
  SECTION("stopped in the middle of an epoch, with --shuffle") {
    REQUIRE(asgRun(dir, run + "--shuffle --seed 3 --steps 8 --save-weights full.safetensors").code == 0);
    REQUIRE(asgRun(dir, run + "--shuffle --seed 3 --steps 4 --save-weights a.safetensors").code == 0);
    Result r = asgRun(dir, run + "--shuffle --seed 3 --steps 4 --weights a.safetensors --save-weights b.safetensors");
    REQUIRE(r.code == 0);
    // step 5 is the second batch of epoch 2: the lines end that epoch (2 steps) and the run (2 steps)
    CHECK(epochLines(r.out).size() == 2);
    CHECK(asgtest::readBytes(dir.file("b.safetensors")) == asgtest::readBytes(dir.file("full.safetensors")));
    CHECK(savedStep(dir.file("b.safetensors")) == 8);
  }
  SECTION("--epochs after a partial epoch finishes that epoch first") {
    REQUIRE(asgRun(dir, run + "--epochs 2 --save-weights full.safetensors").code == 0);
    REQUIRE(asgRun(dir, run + "--steps 1 --save-weights a.safetensors").code == 0);
    Result r = asgRun(dir, run + "--epochs 2 --weights a.safetensors --save-weights b.safetensors");
    REQUIRE(r.code == 0);
    CHECK(epochLines(r.out).size() == 2);
    CHECK(asgtest::readBytes(dir.file("b.safetensors")) == asgtest::readBytes(dir.file("full.safetensors")));
  }
  SECTION("weights without optimizer state start at step 0 with zero state") {
    std::vector<std::pair<int, int>> batches{{0, 4}, {4, 8}, {8, 10}};
    simulate(batches, dir.file("trained.safetensors"));
    // keep only the parameters of the checkpoint
    asg_tensor *ts;
    size_t n;
    REQUIRE(asg_safetensors_read(dir.file("trained.safetensors").c_str(), &ts, &n) == ASG_OK);
    REQUIRE(asg_safetensors_write(dir.file("params.safetensors").c_str(), ts, 2) == ASG_OK);
    asg_tensors_free(ts, n);
    Result r = asgRun(dir, run + "--steps 1 --weights params.safetensors --save-weights b.safetensors");
    REQUIRE(r.code == 0);
    CHECK(savedStep(dir.file("b.safetensors")) == 1);
  }
}

TEST_CASE("asg-run --train: --shuffle is deterministic per seed", "[asg-run][train]") {
  TempDir dir;
  writeData(dir, "d.safetensors", 12);
  const std::string run = kModel + "--train --data d.safetensors --batch-size 3 --epochs 2 ";
  REQUIRE(asgRun(dir, run + "--shuffle --save-weights s0a.safetensors").code == 0);
  REQUIRE(asgRun(dir, run + "--shuffle --save-weights s0b.safetensors").code == 0);
  REQUIRE(asgRun(dir, run + "--shuffle --seed 1 --save-weights s1.safetensors").code == 0);
  REQUIRE(asgRun(dir, run + "--save-weights plain.safetensors").code == 0);
  std::string s0a = asgtest::readBytes(dir.file("s0a.safetensors"));
  CHECK(s0a == asgtest::readBytes(dir.file("s0b.safetensors")));
  CHECK(s0a != asgtest::readBytes(dir.file("plain.safetensors")));
  CHECK(s0a != asgtest::readBytes(dir.file("s1.safetensors")));
  // same initial parameters (from a file), different shuffle seeds: different results
  simulate({}, dir.file("init.safetensors"));
  REQUIRE(asgRun(dir, run + "--shuffle --seed 5 --weights init.safetensors --save-weights w5.safetensors").code == 0);
  REQUIRE(asgRun(dir, run + "--shuffle --seed 6 --weights init.safetensors --save-weights w6.safetensors").code == 0);
  REQUIRE(asgRun(dir, run + "--shuffle --seed 5 --weights init.safetensors --save-weights w5b.safetensors").code == 0);
  CHECK(asgtest::readBytes(dir.file("w5.safetensors")) != asgtest::readBytes(dir.file("w6.safetensors")));
  CHECK(asgtest::readBytes(dir.file("w5.safetensors")) == asgtest::readBytes(dir.file("w5b.safetensors")));
}

TEST_CASE("asg-run --train: --repeat times steps on the first batch", "[asg-run][train]") {
  TempDir dir;
  writeData(dir, "d.safetensors", 10);
  Result r = asgRun(dir, kModel + "--train --data d.safetensors --batch-size 4 --repeat 3 --save-weights w.safetensors");
  REQUIRE(r.code == 0);
  CHECK_THAT(r.out, Catch::StartsWith("time per run: min ") && Catch::EndsWith(" ms\n"));
  CHECK(r.out.find("epoch") == std::string::npos);
  CHECK(savedStep(dir.file("w.safetensors")) == 4);  // the warm-up step and 3 timed ones
  simulate({{0, 4}, {0, 4}, {0, 4}, {0, 4}}, dir.file("expected.safetensors"));
  CHECK(asgtest::readBytes(dir.file("w.safetensors")) == asgtest::readBytes(dir.file("expected.safetensors")));
  r = asgRun(dir, kModel + "--train --data d.safetensors --batch-size 4 --epochs 1 --verbose");
  REQUIRE(r.code == 0);
  CHECK_THAT(r.err, Catch::Contains("train_step: 3 steps, ") && Catch::Contains("peak memory"));
}

TEST_CASE("asg-run --train: data-file errors name the tensor", "[asg-run][train]") {
  TempDir dir;
  std::vector<float> x(30), y(10), x4(40), y9(9), y2(20);
  std::vector<int32_t> xi(30);
  auto write = [&](const char *file, std::vector<asg_tensor> ts) {
    REQUIRE(asg_safetensors_write(dir.file(file).c_str(), ts.data(), ts.size()) == ASG_OK);
  };
  write("missing.safetensors", {asgtest::view("x", ASG_F32, {10, 3}, x)});
  write("extra.safetensors", {asgtest::view("x", ASG_F32, {10, 3}, x), asgtest::view("y", ASG_F32, {10, 1}, y),
                              asgtest::view("z", ASG_F32, {10}, y)});
  write("leading.safetensors", {asgtest::view("x", ASG_F32, {10, 3}, x), asgtest::view("y", ASG_F32, {9, 1}, y9)});
  write("empty.safetensors", {asgtest::view("x", ASG_F32, {0, 3}, x), asgtest::view("y", ASG_F32, {0, 1}, y)});
  write("dtype.safetensors", {asgtest::view("x", ASG_I32, {10, 3}, xi), asgtest::view("y", ASG_F32, {10, 1}, y)});
  write("trailing.safetensors", {asgtest::view("x", ASG_F32, {10, 4}, x4), asgtest::view("y", ASG_F32, {10, 1}, y)});
  write("trailing2.safetensors", {asgtest::view("x", ASG_F32, {10, 3}, x), asgtest::view("y", ASG_F32, {10, 2}, y2)});
  write("rank.safetensors", {asgtest::view("x", ASG_F32, {10, 3}, x), asgtest::view("y", ASG_F32, {10}, y)});
  write("scalar.safetensors", {asgtest::view("x", ASG_F32, {}, x), asgtest::view("y", ASG_F32, {10, 1}, y)});
  asgtest::writeBytes(dir.file("junk.safetensors"), "junk");
  struct Case {
    const char *file;
    std::string message;
  };
  std::vector<Case> cases = {
      {"missing.safetensors", "missing.safetensors: tensor 'y' is missing (train_step takes input 'y' f32 [batch, 1])"},
      {"extra.safetensors", "extra.safetensors: tensor 'z' is not an input of train_step (its inputs: x, y)"},
      {"leading.safetensors", "leading.safetensors: tensor 'y' has 9 examples (leading dim), but tensor 'x' has 10"},
      {"empty.safetensors", "empty.safetensors: no examples (tensor 'x' has leading dim 0)"},
      {"dtype.safetensors", "dtype.safetensors: tensor 'x' has dtype i32, but input 'x' of train_step is f32"},
      {"trailing.safetensors",
       "trailing.safetensors: tensor 'x' has shape [10, 4], but input 'x' of train_step is [batch, 3]: dim 1 is 4, expected 3"},
      {"trailing2.safetensors", "tensor 'y' has shape [10, 2], but input 'y' of train_step is [batch, 1]: dim 1 is 2, expected 1"},
      {"rank.safetensors",
       "rank.safetensors: tensor 'y' has shape [10], but input 'y' of train_step is [batch, 1] (rank 2, the examples along dim 0)"},
      {"scalar.safetensors", "tensor 'x' has shape [], but input 'x' of train_step is [batch, 3]"},
      {"junk.safetensors", "junk.safetensors: truncated safetensors file"},
      {"none.safetensors", "cannot open 'none.safetensors'"},
  };
  for (const Case &c : cases) {
    INFO(c.file);
    Result r = asgRun(dir, kModel + "--train --batch-size 4 --save-weights w.safetensors --data " + c.file);
    CHECK(r.code == 1);
    CHECK(r.out.empty());
    CHECK_THAT(r.err, Catch::StartsWith("asg-run: error: ") && Catch::Contains(c.message));
  }
  CHECK(!std::ifstream(dir.file("w.safetensors")).good());  // nothing was saved
}

TEST_CASE("asg-run --train: failures during training exit 1 and save nothing", "[asg-run][train]") {
  TempDir dir;
  std::vector<float> x(30, 1.0f), y(10, 0.5f);
  y[5] = NAN;
  std::vector<asg_tensor> ts{asgtest::view("x", ASG_F32, {10, 3}, x), asgtest::view("y", ASG_F32, {10, 1}, y)};
  REQUIRE(asg_safetensors_write(dir.file("nan.safetensors").c_str(), ts.data(), ts.size()) == ASG_OK);
  Result r = asgRun(dir, kModel + "--train --data nan.safetensors --batch-size 4 --save-weights w.safetensors");
  CHECK(r.code == 1);
  CHECK(r.err == "asg-run: error: step 2 (epoch 1, batch 2/3): 'mse_loss' node 'loss': the target is not finite\n");
  CHECK(!std::ifstream(dir.file("w.safetensors")).good());
  // a checkpoint with state of the wrong shape
  writeData(dir, "d.safetensors", 10);
  std::vector<float> w(3), b(1), m(3);
  std::vector<int64_t> step{2};
  std::vector<asg_tensor> ck{asgtest::view("w", ASG_F32, {3, 1}, w), asgtest::view("b", ASG_F32, {1}, b),
                             asgtest::view("optim.w.momentum_buffer", ASG_F32, {1, 3}, m),
                             asgtest::view("optim.b.momentum_buffer", ASG_F32, {1}, b),
                             asgtest::view("optim.step", ASG_I64, {}, step)};
  REQUIRE(asg_safetensors_write(dir.file("ck.safetensors").c_str(), ck.data(), ck.size()) == ASG_OK);
  r = asgRun(dir, kModel + "--train --data d.safetensors --batch-size 4 --weights ck.safetensors");
  CHECK(r.code == 1);
  CHECK(r.err == "asg-run: error: ck.safetensors: state 'optim.w.momentum_buffer' has shape [1, 3], expected [3, 1]\n");
}

TEST_CASE("asg-run --train: command lines and models that cannot train", "[asg-run][train]") {
  TempDir dir;
  writeData(dir, "d.safetensors", 10);
  Result r = asgRun(dir, "'" FAKENET_SO "' --train --data d.safetensors --batch-size 4");
  CHECK(r.code == 1);
  CHECK(r.err == "asg-run: error: the model has no train_step entry point (compile it with asgc --train)\n");
  struct Case {
    std::string args;
    const char *message;
  };
  const std::string t = kModel + "--train --data d.safetensors --batch-size 4 ";
  std::vector<Case> cases = {
      {t + "--epochs 1 --steps 3", "--epochs and --steps are mutually exclusive"},
      {kModel + "--train", "--train needs --data D.safetensors"},
      {kModel + "--train --data d.safetensors", "--train needs --batch-size B"},
      {kModel + "--data d.safetensors", "--data needs --train"},
      {kModel + "--epochs 3", "--epochs needs --train"},
      {kModel + "--steps 3", "--steps needs --train"},
      {kModel + "--batch-size 3", "--batch-size needs --train"},
      {kModel + "--shuffle", "--shuffle needs --train"},
      {t + "--input x=x.npy", "--input is not used with --train"},
      {t + "--output-dir out", "--output-dir is not used with --train"},
      {t + "--epochs 0", "--epochs"},
      {t + "--steps 0", "--steps"},
      {kModel + "--train --data d.safetensors --batch-size 0", "--batch-size"},
      {t + "--epochs x", "--epochs"},
  };
  for (const Case &c : cases) {
    INFO(c.args);
    r = asgRun(dir, c.args);
    CHECK(r.code == 2);
    CHECK_THAT(r.err, Catch::StartsWith("asg-run: error: ") && Catch::Contains(c.message));
  }
}

TEST_CASE("asg-run: --info shows the optimizer state and train_step; --save-weights after forward", "[asg-run][train]") {
  TempDir dir;
  Result r = asgRun(dir, kModel + "--info");
  REQUIRE(r.code == 0);
  CHECK_THAT(r.out, Catch::Contains("optimizer state: 3 tensors, 5 values\n  optim.w.momentum_buffer f32 [3, 1]\n"
                                    "  optim.b.momentum_buffer f32 [1]\n  optim.step i64 []\n"));
  CHECK_THAT(r.out, Catch::Contains("  train_step(x, y, w, b, optim.w.momentum_buffer, optim.b.momentum_buffer, "
                                    "optim.step) -> (loss f32 [], gnorm f32 []) updates w, b, "
                                    "optim.w.momentum_buffer, optim.b.momentum_buffer, optim.step\n"));
  r = asgRun(dir, "'" FAKENET_SO "' --info");
  CHECK(r.out.find("optimizer state") == std::string::npos);

  std::vector<float> x{1, 2, 3};
  asg_tensor t = asgtest::view("x", ASG_F32, {1, 3}, x);
  REQUIRE(asg_npy_write(dir.file("x.npy").c_str(), &t) == ASG_OK);
  r = asgRun(dir, kModel + "--input x=x.npy --quiet --seed 4 --save-weights w.safetensors");
  REQUIRE(r.code == 0);
  simulate({}, dir.file("expected.safetensors"), 4);
  CHECK(asgtest::readBytes(dir.file("w.safetensors")) == asgtest::readBytes(dir.file("expected.safetensors")));
}

TEST_CASE("asg-run --train: named trailing dims agree, a static batch dim fixes --batch-size", "[asg-run][train]") {
  TempDir dir;
  writeData(dir, "d.safetensors", 10);  // x [10, 3], y [10, 1]
  // x [batch, k] and y [batch, k]: k cannot be both 3 and 1
  Result r = asgRun(dir, "'" FAKETRAIN_NAMED_SO "' --train --data d.safetensors --batch-size 4");
  CHECK(r.code == 1);
  CHECK(r.err == "asg-run: error: d.safetensors: tensor 'y' dim 1 ('k') is 1, but 'k' is 3 in tensor 'x'\n");
  // x [5, 3], y [5, 1]
  r = asgRun(dir, "'" FAKETRAIN_FIXED_SO "' --train --data d.safetensors --batch-size 4");
  CHECK(r.code == 1);
  CHECK(r.err == "asg-run: error: input 'x' of train_step has a fixed batch size of 5: it needs --batch-size 5 and a "
                 "multiple of it examples (the data has 10)\n");
  r = asgRun(dir, "'" FAKETRAIN_FIXED_SO "' --train --data d.safetensors --batch-size 5 --save-weights w.safetensors");
  CHECK(r.code == 0);
  CHECK(savedStep(dir.file("w.safetensors")) == 2);
}
