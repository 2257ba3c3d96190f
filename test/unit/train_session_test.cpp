// train_session_test.cpp: training records (state, arg state, update) through the session API,
// against the hand-written training model of fake_train_model.c.
#include "fake_models.h"
#include "test_util.h"

#include <cmath>
#include <cstring>

using asgtest::TempDir;

namespace {

/// A session on faketrain_model, destroyed at scope exit.
struct Session {
  asg_session *s = nullptr;
  explicit Session(bool init = true) {
    REQUIRE(asg_session_create(&faketrain_model, nullptr, &s) == ASG_OK);
    if (init) REQUIRE(asg_session_init_params(s, 0) == ASG_OK);
  }
  ~Session() { asg_session_destroy(s); }
  std::string error() const { return asg_session_error(s); }
  const asg_tensor *param(const char *name) {
    const asg_tensor *t = nullptr;
    REQUIRE(asg_session_param(s, name, &t) == ASG_OK);
    return t;
  }
  const asg_tensor *state(const char *name) {
    const asg_tensor *t = nullptr;
    REQUIRE(asg_session_state(s, name, &t) == ASG_OK);
    return t;
  }
  float *f(const char *name) {
    return static_cast<float *>(std::strncmp(name, "optim.", 6) == 0 ? state(name)->data : param(name)->data);
  }
  int64_t step() { return *static_cast<int64_t *>(state("optim.step")->data); }
  asg_status train(std::vector<float> &x, std::vector<float> &y) {
    int64_t n = static_cast<int64_t>(y.size());
    std::vector<asg_tensor> in{asgtest::view("x", ASG_F32, {n, 3}, x), asgtest::view("y", ASG_F32, {n, 1}, y)};
    return asg_session_run(s, "train_step", in.data(), in.size(), &outs, &nouts);
  }
  /// Every parameter and state byte, in declaration order.
  std::string snapshot() {
    std::string bytes;
    for (const char *name : {"w", "b", "optim.w.momentum_buffer", "optim.b.momentum_buffer", "optim.step"}) {
      const asg_tensor *t = std::strncmp(name, "optim.", 6) == 0 ? state(name) : param(name);
      bytes.append(static_cast<const char *>(t->data), static_cast<size_t>(asg_tensor_numel(t)) * asg_dtype_size(t->dtype));
    }
    return bytes;
  }
  const asg_tensor *outs = nullptr;
  size_t nouts = 0;
};

/// Deterministic pseudo-random data: batch k of n examples.
void batch(int k, int n, std::vector<float> &x, std::vector<float> &y) {
  x.resize(static_cast<size_t>(n) * 3);
  y.resize(static_cast<size_t>(n));
  for (int i = 0; i < n; i++) {
    for (int j = 0; j < 3; j++) x[static_cast<size_t>(i * 3 + j)] = std::sin(0.37f * static_cast<float>(k * 31 + i * 7 + j));
    y[static_cast<size_t>(i)] = std::cos(0.11f * static_cast<float>(k * 13 + i));
  }
}

}  // namespace

TEST_CASE("train: the metadata exposes state, state args and updates", "[train]") {
  Session s(false);
  const asg_model_info *info = asg_session_info(s.s);
  REQUIRE(info->num_states == 3);
  CHECK(std::string(info->states[0].name) == "optim.w.momentum_buffer");
  CHECK(info->states[0].dims[0].size == 3);
  CHECK(info->states[2].dtype == ASG_I64);
  CHECK(info->states[2].rank == 0);
  const asg_entry_info *e = asg_model_info_entry(info, "train_step");
  REQUIRE(e != nullptr);
  REQUIRE(e->num_args == 7);
  CHECK(e->args[0].kind == ASG_ARG_INPUT);
  CHECK(e->args[2].kind == ASG_ARG_PARAM);
  CHECK(e->args[2].is_param == 1);
  CHECK(e->args[6].kind == ASG_ARG_STATE);
  CHECK(e->args[6].is_param == 0);
  CHECK(e->args[6].index == 2);
  REQUIRE(e->num_results == 2);
  CHECK(std::string(e->results[0].name) == "loss");
  CHECK(std::string(e->results[1].name) == "gnorm");
  REQUIRE(e->num_updates == 5);
  CHECK(std::string(e->updates[0].value.name) == "w");
  CHECK(e->updates[0].is_state == 0);
  CHECK(e->updates[0].position == 1);
  CHECK(e->updates[1].position == 2);
  CHECK(e->updates[2].position == 4);  // after `result gnorm`
  CHECK(e->updates[4].is_state == 1);
  CHECK(e->updates[4].index == 2);
  CHECK(asg_model_info_entry(info, "forward")->num_updates == 0);
  const asg_tensor *t;
  CHECK(asg_session_state(s.s, "optim.nope", &t) == ASG_ERR_NOT_FOUND);
  CHECK(s.error() == "model 'faketrain' has no optimizer state 'optim.nope'");
  CHECK(asg_session_state(s.s, "w", &t) == ASG_ERR_NOT_FOUND);  // a param is not state
}

TEST_CASE("train: state starts at zero and init_params resets it", "[train]") {
  Session s(false);
  CHECK(s.step() == 0);
  CHECK(s.f("optim.w.momentum_buffer")[2] == 0.0f);
  CHECK(asg_session_run(s.s, "train_step", nullptr, 0, &s.outs, &s.nouts) == ASG_ERR_INVALID_ARGUMENT);
  CHECK_THAT(s.error(), Catch::Contains("parameters are not set"));
  REQUIRE(asg_session_init_params(s.s, 3) == ASG_OK);
  std::vector<float> x, y;
  batch(0, 4, x, y);
  REQUIRE(s.train(x, y) == ASG_OK);
  CHECK(s.step() == 1);
  CHECK(s.f("optim.w.momentum_buffer")[0] != 0.0f);
  REQUIRE(asg_session_init_params(s.s, 3) == ASG_OK);
  CHECK(s.step() == 0);
  for (int j = 0; j < 3; j++) CHECK(s.f("optim.w.momentum_buffer")[j] == 0.0f);
  CHECK(s.f("optim.b.momentum_buffer")[0] == 0.0f);
}

TEST_CASE("train: a successful step applies every update and returns only results", "[train]") {
  Session s;
  float *w = s.f("w"), *b = s.f("b");
  w[0] = w[1] = w[2] = 0.0f;
  b[0] = 0.0f;
  std::vector<float> x{1, 0, 0, 0, 1, 0}, y{1, 2};
  REQUIRE(s.train(x, y) == ASG_OK);
  REQUIRE(s.nouts == 2);
  CHECK(std::string(s.outs[0].name) == "loss");
  CHECK(s.outs[0].rank == 0);
  CHECK(*static_cast<const float *>(s.outs[0].data) == 2.5f);  // ((0-1)^2 + (0-2)^2) / 2
  CHECK(std::string(s.outs[1].name) == "gnorm");
  CHECK(*static_cast<const float *>(s.outs[1].data) == Approx(std::sqrt(1.0f + 4.0f + 9.0f)));
  // grad w = [-1, -2, 0], grad b = -3; the buffers take the gradient, w -= 0.1 * buffer
  CHECK(s.f("optim.w.momentum_buffer")[0] == -1.0f);
  CHECK(s.f("optim.w.momentum_buffer")[1] == -2.0f);
  CHECK(s.f("optim.b.momentum_buffer")[0] == -3.0f);
  CHECK(w[0] == 0.1f);  // the update came with an offset: the spare element is skipped
  CHECK(w[1] == 0.2f);
  CHECK(w[2] == 0.0f);
  CHECK(b[0] == Approx(0.3f));
  CHECK(s.step() == 1);
  // the next step uses the updated state: buffer = 0.9 * buffer + grad
  float mw0 = s.f("optim.w.momentum_buffer")[0];
  REQUIRE(s.train(x, y) == ASG_OK);
  CHECK(s.step() == 2);
  CHECK(s.f("optim.w.momentum_buffer")[0] != mw0);
  // forward sees the trained parameters
  std::vector<float> x1{1, 1, 1};
  asg_tensor in = asgtest::view("x", ASG_F32, {1, 3}, x1);
  REQUIRE(asg_session_run(s.s, "forward", &in, 1, &s.outs, &s.nouts) == ASG_OK);
  CHECK(*static_cast<const float *>(s.outs[0].data) == Approx(w[0] + w[1] + w[2] + b[0]));
}

TEST_CASE("train: a failed step changes no parameter and no state", "[train]") {
  Session s;
  std::vector<float> x, y;
  batch(1, 5, x, y);
  REQUIRE(s.train(x, y) == ASG_OK);
  std::string before = s.snapshot();
  y[3] = NAN;
  CHECK(s.train(x, y) == ASG_ERR_RUNTIME_CHECK);
  CHECK(s.error() == "'mse_loss' node 'loss': the target is not finite");
  CHECK(s.outs == nullptr);
  CHECK(s.nouts == 0);
  CHECK(s.snapshot() == before);
  CHECK(s.step() == 1);
  // an update breaking its declaration: an ABI error, nothing applied
  CHECK(asg_session_run(s.s, "badupdate", nullptr, 0, &s.outs, &s.nouts) == ASG_ERR_ABI);
  CHECK(s.error() == "entry point 'badupdate' broke the ABI: update 'w': dim 0 is 1, expected 3");
  CHECK(s.snapshot() == before);
  // wrong inputs: nothing runs
  std::vector<float> bad(6);
  std::vector<asg_tensor> in{asgtest::view("x", ASG_F32, {2, 3}, bad), asgtest::view("y", ASG_F32, {3, 1}, bad)};
  CHECK(asg_session_run(s.s, "train_step", in.data(), in.size(), &s.outs, &s.nouts) == ASG_ERR_SHAPE);
  CHECK(s.error() == "input 'y': dim 0 ('batch') is 3, but 'batch' is 2 from input 'x'");
  CHECK(s.snapshot() == before);
  y[3] = 0.5f;
  REQUIRE(s.train(x, y) == ASG_OK);
  CHECK(s.step() == 2);
}

TEST_CASE("train: updates aliasing other arguments are staged", "[train]") {
  Session s;
  float *w = s.f("w"), *m = s.f("optim.w.momentum_buffer");
  for (int j = 0; j < 3; j++) {
    w[j] = static_cast<float>(j + 1);
    m[j] = static_cast<float>(j + 4);
  }
  REQUIRE(asg_session_run(s.s, "swap", nullptr, 0, &s.outs, &s.nouts) == ASG_OK);
  CHECK(s.nouts == 0);
  for (int j = 0; j < 3; j++) {
    CHECK(w[j] == static_cast<float>(j + 4));
    CHECK(m[j] == static_cast<float>(j + 1));
  }
}

TEST_CASE("train: save, load and continue equals an uninterrupted run bit for bit", "[train]") {
  TempDir dir;
  std::string ckpt = dir.file("ckpt.safetensors");
  std::vector<float> x, y;
  Session a;
  for (int k = 0; k < 6; k++) {
    batch(k, 4 + k % 2, x, y);
    REQUIRE(a.train(x, y) == ASG_OK);
  }
  Session b;
  for (int k = 0; k < 3; k++) {
    batch(k, 4 + k % 2, x, y);
    REQUIRE(b.train(x, y) == ASG_OK);
  }
  REQUIRE(asg_session_save(b.s, ckpt.c_str()) == ASG_OK);
  Session c(false);
  REQUIRE(asg_session_load(c.s, ckpt.c_str()) == ASG_OK);
  CHECK(c.snapshot() == b.snapshot());
  for (int k = 3; k < 6; k++) {
    batch(k, 4 + k % 2, x, y);
    REQUIRE(c.train(x, y) == ASG_OK);
  }
  CHECK(c.step() == 6);
  CHECK(c.snapshot() == a.snapshot());

  // the checkpoint: params in model order, then the state under its names
  asg_tensor *ts;
  size_t n;
  REQUIRE(asg_safetensors_read(ckpt.c_str(), &ts, &n) == ASG_OK);
  REQUIRE(n == 5);
  const char *names[] = {"w", "b", "optim.w.momentum_buffer", "optim.b.momentum_buffer", "optim.step"};
  for (size_t i = 0; i < n; i++) CHECK(std::string(ts[i].name) == names[i]);
  CHECK(ts[4].dtype == ASG_I64);
  CHECK(ts[4].rank == 0);
  CHECK(*static_cast<int64_t *>(ts[4].data) == 3);
  asg_tensors_free(ts, n);
}

TEST_CASE("train: loading checks the optimizer state and names the tensor", "[train]") {
  TempDir dir;
  std::string path = dir.file("w.safetensors");
  const std::string p = path + ": ";
  std::vector<float> w{1, 2, 3}, b{4}, mw{5, 6, 7}, mb{8}, mw_t{5, 6, 7};
  std::vector<int64_t> step{9};
  std::vector<float> step_f{9};
  auto save = [&](std::vector<asg_tensor> ts) {
    REQUIRE(asg_safetensors_write(path.c_str(), ts.data(), ts.size()) == ASG_OK);
  };
  auto params = [&]() {
    return std::vector<asg_tensor>{asgtest::view("w", ASG_F32, {3, 1}, w), asgtest::view("b", ASG_F32, {1}, b)};
  };
  Session s;
  std::vector<float> x, y;
  batch(0, 3, x, y);
  REQUIRE(s.train(x, y) == ASG_OK);

  // a file with all the state restores it
  auto full = params();
  full.push_back(asgtest::view("optim.step", ASG_I64, {}, step));
  full.push_back(asgtest::view("optim.b.momentum_buffer", ASG_F32, {1}, mb));
  full.push_back(asgtest::view("optim.w.momentum_buffer", ASG_F32, {3, 1}, mw));
  save(full);
  REQUIRE(asg_session_load(s.s, path.c_str()) == ASG_OK);
  CHECK(s.step() == 9);
  CHECK(s.f("optim.w.momentum_buffer")[2] == 7.0f);
  CHECK(s.f("optim.b.momentum_buffer")[0] == 8.0f);
  CHECK(s.f("w")[1] == 2.0f);
  std::string restored = s.snapshot();

  struct Case {
    std::vector<asg_tensor> ts;
    asg_status status;
    std::string message;
  };
  auto with = [&](std::vector<asg_tensor> extra) {
    auto ts = params();
    ts.insert(ts.end(), extra.begin(), extra.end());
    return ts;
  };
  std::vector<Case> cases = {
      {with({asgtest::view("optim.step", ASG_I64, {}, step)}), ASG_ERR_NOT_FOUND,
       "optimizer state 'optim.w.momentum_buffer' is missing (the file has other 'optim.*' tensors)"},
      {with({asgtest::view("optim.step", ASG_I64, {}, step), asgtest::view("optim.b.momentum_buffer", ASG_F32, {1}, mb),
             asgtest::view("optim.w.momentum_buffer", ASG_F32, {1, 3}, mw_t)}),
       ASG_ERR_SHAPE, "state 'optim.w.momentum_buffer' has shape [1, 3], expected [3, 1]"},
      {with({asgtest::view("optim.step", ASG_F32, {}, step_f), asgtest::view("optim.b.momentum_buffer", ASG_F32, {1}, mb),
             asgtest::view("optim.w.momentum_buffer", ASG_F32, {3, 1}, mw)}),
       ASG_ERR_SHAPE, "state 'optim.step' has dtype f32, expected i64"},
      {with({asgtest::view("optim.step", ASG_I64, {1}, step), asgtest::view("optim.b.momentum_buffer", ASG_F32, {1}, mb),
             asgtest::view("optim.w.momentum_buffer", ASG_F32, {3, 1}, mw)}),
       ASG_ERR_SHAPE, "state 'optim.step' has shape [1], expected []"},
      {with({asgtest::view("optim.w.exp_avg", ASG_F32, {3, 1}, mw)}), ASG_ERR_NOT_FOUND,
       "tensor 'optim.w.exp_avg' is not an optimizer state of model 'faketrain'"},
      {{asgtest::view("w", ASG_F32, {3, 1}, w), asgtest::view("optim.step", ASG_I64, {}, step)}, ASG_ERR_NOT_FOUND,
       "parameter 'b' is missing"},
  };
  for (const Case &c : cases) {
    INFO(c.message);
    save(c.ts);
    CHECK(asg_session_load(s.s, path.c_str()) == c.status);
    CHECK(s.error() == p + c.message);
    CHECK(s.snapshot() == restored);  // nothing changed
  }

  // a file without state (plain weights) resets the state to zeros
  save(params());
  REQUIRE(asg_session_load(s.s, path.c_str()) == ASG_OK);
  CHECK(s.step() == 0);
  CHECK(s.f("optim.w.momentum_buffer")[2] == 0.0f);
  CHECK(s.f("w")[2] == 3.0f);

  // a checkpoint with state loads into a model built without it (the state is ignored)
  asg_session *fwd = nullptr;
  REQUIRE(asg_session_create(&fake_model, nullptr, &fwd) == ASG_OK);
  std::vector<float> bias(4, 1.0f), wf(12, 2.0f);
  std::vector<asg_tensor> ck{asgtest::view("bias", ASG_F32, {4}, bias), asgtest::view("w", ASG_F32, {4, 3}, wf),
                             asgtest::view("optim.step", ASG_I64, {}, step)};
  save(ck);
  CHECK(asg_session_load(fwd, path.c_str()) == ASG_OK);
  asg_session_destroy(fwd);
}
