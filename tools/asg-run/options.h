// options.h: asg-run's parsed command line and the entry points of its commands.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

struct asg_model_info;

namespace asgrun {

/// What asg-run was asked to do (everything already validated syntactically).
struct Options {
  std::string model;
  std::string device = "cpu";
  std::string weights;
  std::uint64_t seed = 0;
  std::vector<std::pair<std::string, std::string>> inputs;  // NAME, FILE.npy
  std::string output_dir = ".";
  int repeat = 0;
  int threads = 0;
  bool info = false;
  bool verbose = false;
  bool quiet = false;
};

/// A bad input or run-time error: exit status 1.
struct RunError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// Prints the model descriptor (--info).
void printInfo(const asg_model_info &info);

/// Runs `forward` once (plus --repeat runs) and writes the outputs.
void runForward(const Options &opts);

}  // namespace asgrun
