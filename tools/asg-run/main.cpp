// main.cpp: asg-run's command line (SPEC section 2): parse, validate, dispatch, map errors to exit codes.
#include "options.h"

#include <asg/runtime.h>

#include <CLI/CLI.hpp>

#include <cstdint>
#include <malloc.h>
#include <cstdio>
#include <string>

namespace {

constexpr const char *kVersion = "asg-run 0.1.0";

/// A bad command line: exit status 2.
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// Checks the combinations of options that the parser alone cannot.
void checkCombinations(CLI::App &app, const asgrun::Options &opts) {
  if (!opts.train) {
    for (const char *name : {"--data", "--epochs", "--steps", "--batch-size", "--shuffle"})
      if (app.count(name)) throw UsageError(std::string(name) + " needs --train");
    return;
  }
  if (opts.data.empty()) throw UsageError("--train needs --data D.safetensors");
  if (opts.batch_size == 0) throw UsageError("--train needs --batch-size B");
  if (app.count("--epochs") && app.count("--steps"))
    throw UsageError("--epochs and --steps are mutually exclusive (--steps N stops after N steps)");
  if (app.count("--input")) throw UsageError("--input is not used with --train (train_step's inputs come from --data)");
  if (app.count("--output-dir")) throw UsageError("--output-dir is not used with --train (use --save-weights)");
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

/// Compiled code allocates its intermediates with malloc on every call (no
/// memory planning yet). glibc would hand large blocks back to the kernel on
/// free, so every call would page-fault fresh memory; asg-run keeps freed
/// memory in its heap instead (40% of a Transformer train step here).
/// Programs that embed models can do the same (docs/runtime.md).
static void keepFreedMemory() {
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
}

int main(int argc, char **argv) {
  keepFreedMemory();
  CLI::App app{"asg-run: run a model compiled by asgc (a shared library from asgc --emit shared)", "asg-run"};
  asgrun::Options opts;
  std::vector<std::string> inputs;

  app.set_version_flag("--version", kVersion, "Print the version and exit");
  app.add_option("model", opts.model, "The compiled model (MODEL.so)");
  app.add_option("--device", opts.device,
                 "Device: cpu (default), vulkan or vulkan:N (the Nth Vulkan device; models compiled with asgc "
                 "--target spirv)");
  app.add_option("--weights", opts.weights, "Parameters from a safetensors file (default: initializers)");
  app.add_option("--seed", opts.seed, "Seed of the parameter initializers (default 0)");
  app.add_option("--input", inputs, "An input: NAME=FILE.npy (repeatable)")->allow_extra_args(false);
  app.add_option("--output-dir", opts.output_dir, "Folder for the outputs, written as <name>.npy (default .)");
  app.add_option("--repeat", opts.repeat,
                 "Run N more times after the first run and print the time per run (--train: a warm-up step and N "
                 "steps on the first batch)")
      ->check(CLI::Range(1, 1000000000));
  app.add_option("--threads", opts.threads, "Cap worker threads (default 0: all cores)")->check(CLI::Range(0, 1 << 20));
  app.add_flag("--info", opts.info, "Print the model descriptor and exit");
  app.add_flag("--verbose", opts.verbose, "Print the device, per-entry-point timing and peak memory on stderr");
  app.add_flag("--quiet", opts.quiet, "Do not print output shapes or per-epoch training lines");
  app.add_option("--save-weights", opts.save_weights,
                 "Save the parameters and optimizer state to a safetensors file at the end");
  const char *kTraining = "Training (models compiled with asgc --train)";
  app.add_flag("--train", opts.train, "Run train_step over --data instead of forward")->group(kTraining);
  app.add_option("--data", opts.data, "Training data: one tensor per input of train_step, examples along dim 0")
      ->group(kTraining);
  app.add_option("--epochs", opts.epochs, "Train for N epochs (default 1)")
      ->check(CLI::Range(int64_t{1}, int64_t{1} << 40))
      ->group(kTraining);
  app.add_option("--steps", opts.steps, "Stop after N steps (wrapping around the data) instead of whole epochs")
      ->check(CLI::Range(int64_t{1}, int64_t{1} << 50))
      ->group(kTraining);
  app.add_option("--batch-size", opts.batch_size, "Examples per step (the last batch of an epoch may be smaller)")
      ->check(CLI::Range(int64_t{1}, int64_t{1} << 50))
      ->group(kTraining);
  app.add_flag("--shuffle", opts.shuffle, "Reorder the examples every epoch (seeded by --seed)")->group(kTraining);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError &e) {
    if (e.get_exit_code() == 0) return app.exit(e);  // --help, --version
    std::fprintf(stderr, "asg-run: error: %s\nRun 'asg-run --help' for usage.\n", e.what());
    return 2;
  }

  try {
    splitInputs(inputs, opts);
    if (opts.model.empty()) throw UsageError("MODEL.so is required");
    checkCombinations(app, opts);
    if (opts.info) return infoCommand(opts);
    if (opts.train) asgrun::runTrain(opts);
    else asgrun::runForward(opts);
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
