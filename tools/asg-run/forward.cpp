// forward.cpp: asg-run's default command: run `forward`, write the outputs, time repeats.
#include "common.h"

#include <asg/runtime.h>

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
    if (!opts.quiet) std::printf("%s %s %s\n", outs[i].name, asg_dtype_name(outs[i].dtype), formatDims(outs[i]).c_str());
  }
}

}  // namespace

void runForward(const Options &opts) {
  OpenSession o = openSession(opts);
  asg_session *session = o.session.get();

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
  double first = runOnce(session, in, &outs, &nouts);
  writeOutputs(opts, outs, nouts);
  std::fflush(stdout);
  if (opts.verbose)
    std::fprintf(stderr, "forward: %.3f ms (first run)\n%s", first, scratchLine(session, "forward").c_str());

  if (opts.repeat > 0) {
    std::vector<double> times;
    std::vector<std::string> scratch;
    for (int i = 0; i < opts.repeat; i++) {
      times.push_back(runOnce(session, in, &outs, &nouts));
      scratch.push_back(scratchLine(session, "forward"));
    }
    if (opts.verbose)
      for (size_t i = 0; i < times.size(); i++)
        std::fprintf(stderr, "forward: %.3f ms (run %zu)\n%s", times[i], i + 1, scratch[i].c_str());
    printTimes(times);
  }
  if (!opts.save_weights.empty()) saveWeights(session, opts.save_weights);
  if (opts.verbose) printPeakMemory(session);
}

}  // namespace asgrun
