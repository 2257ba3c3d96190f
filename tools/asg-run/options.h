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
  std::string save_weights;  // --save-weights: parameters and optimizer state at the end
  // --train
  bool train = false;
  std::string data;               // D.safetensors
  std::int64_t epochs = 0;        // 0: not given (default 1 unless --steps)
  std::int64_t steps = 0;         // 0: not given
  std::int64_t batch_size = 0;
  bool shuffle = false;
};

/// A bad input or run-time error: exit status 1.
struct RunError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// Prints the model descriptor (--info).
void printInfo(const asg_model_info &info);

/// Runs `forward` once (plus --repeat runs) and writes the outputs.
void runForward(const Options &opts);

/// Runs `train_step` over --data (--train).
void runTrain(const Options &opts);

}  // namespace asgrun
