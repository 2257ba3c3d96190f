// train.cpp: asg-run --train: run `train_step` over the batches of a safetensors data file.
//
// The position in the data comes from the optimizer state: global step k (k = optim.step
// when the model has it, else 0 at the start) runs batch k mod nb of epoch k div nb, where
// nb = ceil(N / B) batches per epoch and epoch e's order is the identity or, with --shuffle,
// a permutation that depends only on (--seed, e). So a run saved with --save-weights and
// continued with --weights goes on exactly where the uninterrupted run would be.
#include "common.h"

#include <asg/runtime.h>

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <map>
#include <string>
#include <vector>

namespace asgrun {
namespace {

using Clock = std::chrono::steady_clock;

double msSince(Clock::time_point t0) { return std::chrono::duration<double, std::milli>(Clock::now() - t0).count(); }

std::string shapeOf(const asg_value_info &v) {
  char buf[512];
  return asg_format_shape(&v, buf, sizeof buf);
}

/// One input of train_step and its data tensor.
struct Column {
  const asg_value_info *decl = nullptr;
  const asg_tensor *data = nullptr;
  size_t row_bytes = 0;              // bytes of one example
  std::vector<unsigned char> gather; // the batch, when examples are not contiguous (--shuffle)
};

/// Tensors from asg_safetensors_read, freed on scope exit (also when a constructor throws).
struct TensorArray {
  asg_tensor *tensors = nullptr;
  size_t count = 0;
  TensorArray() = default;
  TensorArray(const TensorArray &) = delete;
  TensorArray &operator=(const TensorArray &) = delete;
  ~TensorArray() { asg_tensors_free(tensors, count); }
};

/// The data file, checked against train_step's inputs.
class Dataset {
 public:
  Dataset(const std::string &path, const asg_model_info &info, const asg_entry_info &entry);

  int64_t examples() const { return n_; }

  /// Input tensors of the examples order[begin..end) (order == nullptr: the identity).
  std::vector<asg_tensor> batch(const std::vector<int64_t> *order, int64_t begin, int64_t end);

 private:
  [[noreturn]] void fail(const std::string &msg) const { throw RunError(path_ + ": " + msg); }

  std::string path_;
  TensorArray file_;
  asg_tensor *&tensors_ = file_.tensors;
  size_t &count_ = file_.count;
  std::vector<Column> cols_;
  int64_t n_ = 0;
};

Dataset::Dataset(const std::string &path, const asg_model_info &info, const asg_entry_info &entry) : path_(path) {
  if (asg_safetensors_read(path.c_str(), &tensors_, &count_) != ASG_OK) throw RunError(asg_last_error());
  std::string names;
  for (size_t k = 0; k < entry.num_args; k++) {
    if (entry.args[k].kind != ASG_ARG_INPUT) continue;
    Column c;
    c.decl = &info.inputs[entry.args[k].index];
    names += (names.empty() ? "" : ", ") + std::string(c.decl->name);
    cols_.push_back(c);
  }
  if (cols_.empty()) throw RunError("train_step takes no inputs: there is nothing to read from --data");
  for (Column &c : cols_) {
    for (size_t i = 0; i < count_ && !c.data; i++)
      if (std::strcmp(tensors_[i].name, c.decl->name) == 0) c.data = &tensors_[i];
    if (!c.data)
      fail("tensor '" + std::string(c.decl->name) + "' is missing (train_step takes input '" + c.decl->name + "' " +
           asg_dtype_name(c.decl->dtype) + " " + shapeOf(*c.decl) + ")");
  }
  for (size_t i = 0; i < count_; i++) {
    bool used = false;
    for (const Column &c : cols_) used |= c.data == &tensors_[i];
    if (!used) fail("tensor '" + std::string(tensors_[i].name) + "' is not an input of train_step (its inputs: " + names + ")");
  }
  std::map<std::string, std::pair<int64_t, const char *>> named;  // trailing dim name -> size, tensor
  const Column &first = cols_.front();
  for (Column &c : cols_) {
    const asg_value_info &v = *c.decl;
    const asg_tensor &t = *c.data;
    std::string tn = "tensor '" + std::string(t.name) + "'";
    std::string input = "input '" + std::string(v.name) + "' of train_step";
    if (t.dtype != v.dtype)
      fail(tn + " has dtype " + asg_dtype_name(t.dtype) + ", but " + input + " is " + asg_dtype_name(v.dtype));
    if (v.rank == 0) throw RunError(input + " is a scalar: --data cannot split it into examples");
    if (t.rank != v.rank)
      fail(tn + " has shape " + formatDims(t) + ", but " + input + " is " + shapeOf(v) + " (rank " +
           std::to_string(v.rank) + ", the examples along dim 0)");
    if (t.dims[0] != first.data->dims[0])
      fail(tn + " has " + std::to_string(t.dims[0]) + " examples (leading dim), but tensor '" + first.data->name +
           "' has " + std::to_string(first.data->dims[0]));
    for (int32_t d = 1; d < v.rank; d++) {
      const asg_dim &want = v.dims[d];
      if (want.size >= 0 && t.dims[d] != want.size)
        fail(tn + " has shape " + formatDims(t) + ", but " + input + " is " + shapeOf(v) + ": dim " + std::to_string(d) +
             " is " + std::to_string(t.dims[d]) + ", expected " + std::to_string(want.size));
      if (want.name) {
        auto [it, fresh] = named.emplace(want.name, std::make_pair(t.dims[d], t.name));
        if (!fresh && it->second.first != t.dims[d])
          fail(tn + " dim " + std::to_string(d) + " ('" + want.name + "') is " + std::to_string(t.dims[d]) + ", but '" +
               want.name + "' is " + std::to_string(it->second.first) + " in tensor '" + it->second.second + "'");
      }
    }
    int64_t row = 1;
    for (int32_t d = 1; d < t.rank; d++) row *= t.dims[d];
    c.row_bytes = static_cast<size_t>(row) * asg_dtype_size(t.dtype);
  }
  n_ = first.data->dims[0];
  if (n_ == 0) fail("no examples (tensor '" + std::string(first.data->name) + "' has leading dim 0)");
}

std::vector<asg_tensor> Dataset::batch(const std::vector<int64_t> *order, int64_t begin, int64_t end) {
  std::vector<asg_tensor> in;
  in.reserve(cols_.size());
  for (Column &c : cols_) {
    asg_tensor t = *c.data;
    t.name = c.decl->name;
    t.dims[0] = end - begin;
    unsigned char *base = static_cast<unsigned char *>(c.data->data);
    if (!order) {
      t.data = base + static_cast<size_t>(begin) * c.row_bytes;
    } else {
      c.gather.resize(static_cast<size_t>(end - begin) * c.row_bytes + 1);
      for (int64_t i = begin; i < end; i++)
        if (c.row_bytes)
          std::memcpy(c.gather.data() + static_cast<size_t>(i - begin) * c.row_bytes,
                      base + static_cast<size_t>((*order)[static_cast<size_t>(i)]) * c.row_bytes, c.row_bytes);
      t.data = c.gather.data();
    }
    in.push_back(t);
  }
  return in;
}

/// splitmix64: the generator behind --shuffle.
uint64_t splitmix64(uint64_t &x) {
  uint64_t z = (x += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

/// The example order of epoch `epoch` (0-based, counted from the first step ever): a
/// Fisher–Yates shuffle whose randomness depends only on (seed, epoch).
std::vector<int64_t> shuffledOrder(int64_t n, uint64_t seed, uint64_t epoch) {
  uint64_t x = seed ^ 0x5DEECE66DA3B1F27ull;
  uint64_t key = splitmix64(x) ^ (epoch * 0xD1B54A32D192ED03ull);
  std::vector<int64_t> order(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; i++) order[static_cast<size_t>(i)] = i;
  for (int64_t i = n - 1; i > 0; i--) {
    uint64_t bound = static_cast<uint64_t>(i) + 1, threshold = (0 - bound) % bound, r;
    do r = splitmix64(key);
    while (r < threshold);  // unbiased
    std::swap(order[static_cast<size_t>(i)], order[static_cast<size_t>(r % bound)]);
  }
  return order;
}

/// The number of steps already taken: optim.step when the model has it.
int64_t startingStep(asg_session *s) {
  const asg_tensor *t = nullptr;
  if (asg_session_state(s, "optim.step", &t) != ASG_OK) return 0;
  int64_t k = *static_cast<const int64_t *>(t->data);
  if (k < 0) throw RunError("optim.step is " + std::to_string(k) + " (negative): a corrupt checkpoint?");
  return k;
}

/// The progress bar on stderr (only when stdout is a terminal).
class Progress {
 public:
  Progress() : on_(isatty(STDOUT_FILENO) != 0) {}
  void show(int64_t epoch, int64_t epochs, int64_t done, int64_t total) {
    if (!on_ || total <= 0) return;
    const int width = 30;
    int filled = static_cast<int>(done * width / total);
    // redraw when the bar grows or every 100 ms, not at every (possibly very fast) step
    auto now = Clock::now();
    if (filled == last_filled_ && epoch == last_epoch_ && now - last_draw_ < std::chrono::milliseconds(100)) return;
    last_filled_ = filled;
    last_epoch_ = epoch;
    last_draw_ = now;
    std::fprintf(stderr, "\r epoch %" PRId64 "/%" PRId64 " [%s%s] %" PRId64 "/%" PRId64 " ", epoch, epochs,
                 std::string(static_cast<size_t>(filled), '#').c_str(),
                 std::string(static_cast<size_t>(width - filled), '.').c_str(), done, total);
    std::fflush(stderr);
  }
  void clear() {
    if (!on_ || last_epoch_ < 0) return;
    std::fprintf(stderr, "\r\033[K");
    std::fflush(stderr);
    last_filled_ = -1;
    last_epoch_ = -1;
  }

 private:
  bool on_;
  int last_filled_ = -1;
  int64_t last_epoch_ = -1;
  Clock::time_point last_draw_{};
};

class Trainer {
 public:
  Trainer(asg_session *s, const asg_entry_info &entry, Dataset &data) : s_(s), entry_(entry), data_(data) {}

  /// Runs one train_step on examples order[begin..end) and returns the loss (an error names the step).
  float step(const std::vector<int64_t> *order, int64_t begin, int64_t end, const std::string &where) {
    std::vector<asg_tensor> in = data_.batch(order, begin, end);
    const asg_tensor *outs = nullptr;
    size_t n = 0;
    auto t0 = Clock::now();
    asg_status st = asg_session_run(s_, entry_.name, in.data(), in.size(), &outs, &n);
    step_ms_ += msSince(t0);
    steps_++;
    if (st != ASG_OK) throw RunError(where + ": " + asg_session_error(s_));
    return *static_cast<const float *>(outs[0].data);
  }

  int64_t steps() const { return steps_; }
  double stepMs() const { return step_ms_; }

 private:
  asg_session *s_;
  const asg_entry_info &entry_;
  Dataset &data_;
  int64_t steps_ = 0;
  double step_ms_ = 0;
};

void trainLoop(const Options &opts, asg_session *s, Trainer &trainer, int64_t n) {
  const int64_t b = opts.batch_size;
  const int64_t nb = (n + b - 1) / b;  // batches per epoch
  const int64_t k0 = startingStep(s);
  const int64_t offset = k0 % nb;      // batches of the current epoch already done
  int64_t total, lines;
  if (opts.steps > 0) {
    total = opts.steps;
    lines = (offset + total + nb - 1) / nb;
  } else {
    lines = opts.epochs > 0 ? opts.epochs : 1;
    total = lines * nb - offset;
  }
  Progress progress;
  std::vector<int64_t> order;
  int64_t order_epoch = -1;
  int64_t line = 1, line_start = 0;  // the line being accumulated and its first step (of this run)
  double loss_sum = 0;
  int64_t loss_count = 0;
  auto t0 = Clock::now();
  for (int64_t i = 0; i < total; i++) {
    int64_t k = k0 + i, epoch = k / nb, j = k % nb;
    if (opts.shuffle && epoch != order_epoch) {
      order = shuffledOrder(n, opts.seed, static_cast<uint64_t>(epoch));
      order_epoch = epoch;
    }
    int64_t begin = j * b, end = begin + b < n ? begin + b : n;
    float loss = trainer.step(opts.shuffle ? &order : nullptr, begin, end,
                              "step " + std::to_string(k + 1) + " (epoch " + std::to_string(epoch + 1) + ", batch " +
                                  std::to_string(j + 1) + "/" + std::to_string(nb) + ")");
    loss_sum += static_cast<double>(loss) * static_cast<double>(end - begin);
    loss_count += end - begin;
    if ((k + 1) % nb == 0 || i + 1 == total) {  // a pass over the data ends, or the run
      progress.clear();
      if (!opts.quiet)
        std::printf("epoch %" PRId64 "/%" PRId64 "  loss %.6g  time %.3f ms\n", line, lines,
                  loss_sum / static_cast<double>(loss_count), msSince(t0));
      std::fflush(stdout);
      line++;
      line_start = i + 1;
      loss_sum = 0;
      loss_count = 0;
      t0 = Clock::now();
    } else {
      int64_t line_total = std::min(nb - (k0 + line_start) % nb, total - line_start);
      if (!opts.quiet) progress.show(line, lines, i + 1 - line_start, line_total);
    }
  }
}

}  // namespace

void runTrain(const Options &opts) {
  OpenSession o = openSession(opts);
  asg_session *s = o.session.get();
  const asg_model_info &info = *asg_session_info(s);
  const asg_entry_info *entry = asg_model_info_entry(&info, "train_step");
  if (!entry) throw RunError("the model has no train_step entry point (compile it with asgc --train)");
  if (entry->num_results == 0 || entry->results[0].dtype != ASG_F32 || entry->results[0].rank != 0)
    throw RunError("train_step's first result must be the loss, an f32 scalar (docs/abi.md)");
  Dataset data(opts.data, info, *entry);
  const int64_t n = data.examples();
  for (const auto *v = info.inputs; v != info.inputs + info.num_inputs; v++) {
    // a static leading dim fixes the batch size
    bool taken = false;
    for (size_t k = 0; k < entry->num_args; k++)
      taken |= entry->args[k].kind == ASG_ARG_INPUT && &info.inputs[entry->args[k].index] == v;
    if (!taken || v->rank == 0 || v->dims[0].size < 0) continue;
    if (v->dims[0].size != opts.batch_size || n % opts.batch_size != 0)
      throw RunError("input '" + std::string(v->name) + "' of train_step has a fixed batch size of " +
                     std::to_string(v->dims[0].size) + ": it needs --batch-size " + std::to_string(v->dims[0].size) +
                     " and a multiple of it examples (the data has " + std::to_string(n) + ")");
  }
  Trainer trainer(s, *entry, data);
  auto t0 = Clock::now();
  if (opts.repeat > 0) {
    // benchmark: a warm-up step and `repeat` timed steps, all on the first batch
    int64_t end = opts.batch_size < n ? opts.batch_size : n;
    trainer.step(nullptr, 0, end, "warm-up step");
    std::vector<double> times;
    std::vector<std::string> scratch;
    for (int i = 0; i < opts.repeat; i++) {
      double before = trainer.stepMs();
      trainer.step(nullptr, 0, end, "step " + std::to_string(i + 1));
      times.push_back(trainer.stepMs() - before);
      scratch.push_back(scratchLine(s, "train_step"));
    }
    if (opts.verbose)
      for (size_t i = 0; i < times.size(); i++)
        std::fprintf(stderr, "train_step: %.3f ms (run %zu)\n%s", times[i], i + 1, scratch[i].c_str());
    printTimes(times);
  } else {
    trainLoop(opts, s, trainer, n);
    if (!opts.quiet)
      std::printf("trained %" PRId64 " step%s in %.3f ms\n", trainer.steps(), trainer.steps() == 1 ? "" : "s",
                  msSince(t0));
  }
  if (opts.verbose)
    std::fprintf(stderr, "train_step: %" PRId64 " steps, %.3f ms in train_step, %.3f ms in all\n%s", trainer.steps(),
                 trainer.stepMs(), msSince(t0), scratchLine(s, "train_step").c_str());
  if (!opts.save_weights.empty()) saveWeights(s, opts.save_weights);
  if (opts.verbose) printPeakMemory(s);
}

}  // namespace asgrun
