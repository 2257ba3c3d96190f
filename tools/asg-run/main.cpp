// main.cpp: asg-run's command line (SPEC section 2): parse, validate, dispatch, map errors to exit codes.
#include "options.h"

#include <asg/runtime.h>

#include <CLI/CLI.hpp>

#include <cstdio>
#include <string>

namespace {

constexpr const char *kVersion = "asg-run 0.1.0";

/// A bad command line: exit status 2.
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// Options that arrive with training; accepted by the parser only to be rejected clearly.
struct TrainingOptions {
  bool train = false, shuffle = false;
  std::string data, epochs, steps, batch_size, save_weights;
};

void rejectTraining(CLI::App &app) {
  static const char *const kTrainingOnly[] = {"--data", "--epochs", "--steps", "--batch-size", "--shuffle",
                                              "--save-weights"};
  if (app.count("--train"))
    throw UsageError("--train: training is not supported yet (this asg-run runs only the forward entry point)");
  for (const char *name : kTrainingOnly)
    if (app.count(name)) throw UsageError(std::string(name) + ": training is not supported yet (it needs --train)");
}

void splitInputs(const std::vector<std::string> &specs, asgrun::Options &opts) {
  for (const std::string &spec : specs) {
    size_t eq = spec.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == spec.size())
      throw UsageError("--input: expected NAME=FILE.npy, got '" + spec + "'");
    opts.inputs.emplace_back(spec.substr(0, eq), spec.substr(eq + 1));
  }
}

int infoCommand(const asgrun::Options &opts) {
  asg_model *model = nullptr;
  if (asg_model_open(opts.model.c_str(), &model) != ASG_OK) throw asgrun::RunError(asg_last_error());
  asgrun::printInfo(*asg_model_info_of(model));
  asg_model_close(model);
  return 0;
}

}  // namespace

int main(int argc, char **argv) {
  CLI::App app{"asg-run: run a model compiled by asgc (a shared library from asgc --emit shared)", "asg-run"};
  asgrun::Options opts;
  TrainingOptions train;
  std::vector<std::string> inputs;

  app.set_version_flag("--version", kVersion, "Print the version and exit");
  app.add_option("model", opts.model, "The compiled model (MODEL.so)");
  app.add_option("--device", opts.device, "Device: cpu (the only one in this build)");
  app.add_option("--weights", opts.weights, "Parameters from a safetensors file (default: initializers)");
  app.add_option("--seed", opts.seed, "Seed of the parameter initializers (default 0)");
  app.add_option("--input", inputs, "An input: NAME=FILE.npy (repeatable)")->allow_extra_args(false);
  app.add_option("--output-dir", opts.output_dir, "Folder for the outputs, written as <name>.npy (default .)");
  app.add_option("--repeat", opts.repeat, "Run N more times after the first run and print the time per run")
      ->check(CLI::Range(1, 1000000000));
  app.add_option("--threads", opts.threads, "Cap worker threads (default 0: all cores)")->check(CLI::Range(0, 1 << 20));
  app.add_flag("--info", opts.info, "Print the model descriptor and exit");
  app.add_flag("--verbose", opts.verbose, "Print per-entry-point timing and peak memory on stderr");
  app.add_flag("--quiet", opts.quiet, "Do not print output shapes");
  app.add_flag("--train", train.train, "(not supported yet)")->group("Training (not supported yet)");
  app.add_option("--data", train.data, "(not supported yet)")->group("Training (not supported yet)");
  app.add_option("--epochs", train.epochs, "(not supported yet)")->group("Training (not supported yet)");
  app.add_option("--steps", train.steps, "(not supported yet)")->group("Training (not supported yet)");
  app.add_option("--batch-size", train.batch_size, "(not supported yet)")->group("Training (not supported yet)");
  app.add_flag("--shuffle", train.shuffle, "(not supported yet)")->group("Training (not supported yet)");
  app.add_option("--save-weights", train.save_weights, "(not supported yet)")->group("Training (not supported yet)");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError &e) {
    if (e.get_exit_code() == 0) return app.exit(e);  // --help, --version
    std::fprintf(stderr, "asg-run: error: %s\nRun 'asg-run --help' for usage.\n", e.what());
    return 2;
  }

  try {
    rejectTraining(app);
    splitInputs(inputs, opts);
    if (opts.model.empty()) throw UsageError("MODEL.so is required");
    if (opts.info) return infoCommand(opts);
    asgrun::runForward(opts);
    return 0;
  } catch (const UsageError &e) {
    std::fprintf(stderr, "asg-run: error: %s\nRun 'asg-run --help' for usage.\n", e.what());
    return 2;
  } catch (const asgrun::RunError &e) {
    std::fflush(stdout);
    std::fprintf(stderr, "asg-run: error: %s\n", e.what());
    return 1;
  } catch (const std::exception &e) {
    std::fflush(stdout);
    std::fprintf(stderr, "asg-run: error: %s\n", e.what());
    return 1;
  }
}
