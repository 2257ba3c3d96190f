// forward.cpp: asg-run's default command: run `forward`, write the outputs, time repeats.
#include "options.h"

#include <asg/runtime.h>

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <system_error>
#include <vector>

namespace asgrun {
namespace {

struct ModelCloser {
  void operator()(asg_model *m) const { asg_model_close(m); }
};
struct SessionCloser {
  void operator()(asg_session *s) const { asg_session_destroy(s); }
};
using ModelPtr = std::unique_ptr<asg_model, ModelCloser>;
using SessionPtr = std::unique_ptr<asg_session, SessionCloser>;

/// Input tensors read from .npy files, freed on scope exit.
struct Inputs {
  std::vector<asg_tensor> tensors;
  ~Inputs() {
    for (asg_tensor &t : tensors) {
      t.name = nullptr;  // names belong to Options
      asg_tensor_free(&t);
    }
  }
};

std::string dims(const asg_tensor &t) {
  char buf[256];
  std::string s = "[";
  for (int32_t d = 0; d < t.rank; d++) {
    std::snprintf(buf, sizeof buf, "%s%lld", d ? ", " : "", static_cast<long long>(t.dims[d]));
    s += buf;
  }
  return s + "]";
}

double runOnce(asg_session *s, const Inputs &in, const asg_tensor **outs, size_t *nouts) {
  auto t0 = std::chrono::steady_clock::now();
  asg_status st = asg_session_run(s, "forward", in.tensors.data(), in.tensors.size(), outs, nouts);
  auto t1 = std::chrono::steady_clock::now();
  if (st != ASG_OK) throw RunError(asg_session_error(s));
  return std::chrono::duration<double, std::milli>(t1 - t0).count();
}

void writeOutputs(const Options &opts, const asg_tensor *outs, size_t n) {
  std::error_code ec;
  std::filesystem::create_directories(opts.output_dir, ec);
  if (ec) throw RunError("cannot create output folder '" + opts.output_dir + "': " + ec.message());
  for (size_t i = 0; i < n; i++) {
    std::string path = (std::filesystem::path(opts.output_dir) / (std::string(outs[i].name) + ".npy")).string();
    if (asg_npy_write(path.c_str(), &outs[i]) != ASG_OK) throw RunError(asg_last_error());
    if (!opts.quiet) std::printf("%s %s %s\n", outs[i].name, asg_dtype_name(outs[i].dtype), dims(outs[i]).c_str());
  }
}

void printTimes(std::vector<double> times) {
  std::sort(times.begin(), times.end());
  size_t n = times.size();
  double median = n % 2 ? times[n / 2] : (times[n / 2 - 1] + times[n / 2]) / 2;
  std::printf("time per run: min %.3f ms, median %.3f ms\n", times.front(), median);
}

}  // namespace

void runForward(const Options &opts) {
  asg_model *raw_model = nullptr;
  if (asg_model_open(opts.model.c_str(), &raw_model) != ASG_OK) throw RunError(asg_last_error());
  ModelPtr model(raw_model);
  asg_session_options so{opts.device.c_str(), opts.threads};
  asg_session *raw_session = nullptr;
  if (asg_session_create(asg_model_desc_of(model.get()), &so, &raw_session) != ASG_OK) throw RunError(asg_last_error());
  SessionPtr session(raw_session);
  asg_status st = opts.weights.empty() ? asg_session_init_params(session.get(), opts.seed)
                                       : asg_session_load(session.get(), opts.weights.c_str());
  if (st != ASG_OK) throw RunError(asg_session_error(session.get()));

  Inputs in;
  in.tensors.reserve(opts.inputs.size());
  for (const auto &[name, file] : opts.inputs) {
    asg_tensor t{};
    if (asg_npy_read(file.c_str(), &t) != ASG_OK) throw RunError("input '" + name + "': " + asg_last_error());
    t.name = name.c_str();
    in.tensors.push_back(t);
  }

  const asg_tensor *outs = nullptr;
  size_t nouts = 0;
  double first = runOnce(session.get(), in, &outs, &nouts);
  writeOutputs(opts, outs, nouts);
  std::fflush(stdout);
  if (opts.verbose) std::fprintf(stderr, "forward: %.3f ms (first run)\n", first);

  if (opts.repeat > 0) {
    std::vector<double> times;
    for (int i = 0; i < opts.repeat; i++) times.push_back(runOnce(session.get(), in, &outs, &nouts));
    if (opts.verbose)
      for (size_t i = 0; i < times.size(); i++) std::fprintf(stderr, "forward: %.3f ms (run %zu)\n", times[i], i + 1);
    printTimes(times);
  }
  if (opts.verbose) {
    struct rusage ru {};
    getrusage(RUSAGE_SELF, &ru);
    std::fprintf(stderr, "peak memory: %.1f MiB (max resident set)\n", static_cast<double>(ru.ru_maxrss) / 1024.0);
  }
}

}  // namespace asgrun
