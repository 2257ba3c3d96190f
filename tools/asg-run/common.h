// common.h: what asg-run's commands share: owning handles, opening a session, timing lines.
#pragma once

#include "options.h"

#include <asg/runtime.h>

#include <memory>
#include <string>
#include <vector>

namespace asgrun {

struct ModelCloser {
  void operator()(asg_model *m) const { asg_model_close(m); }
};
struct SessionCloser {
  void operator()(asg_session *s) const { asg_session_destroy(s); }
};
using ModelPtr = std::unique_ptr<asg_model, ModelCloser>;
using SessionPtr = std::unique_ptr<asg_session, SessionCloser>;

/// An open model and a session on it whose parameters are set (--weights or --seed).
struct OpenSession {
  ModelPtr model;
  SessionPtr session;
};

/// Opens the model, creates a session (--device, --threads) and loads --weights
/// (parameters, and optimizer state if the file has it) or initializes the parameters.
OpenSession openSession(const Options &opts);

/// "[2, 3]"
std::string formatDims(const asg_tensor &t);

/// Prints `time per run: min X ms, median Y ms` (times is not empty).
void printTimes(std::vector<double> times);

/// --verbose: the peak resident memory on stderr (and on a Vulkan device, the peak of the
/// device's buffer pool).
void printPeakMemory(const asg_session *s);

/// --verbose, after a call of `entry` on the cpu: the scratch memory the entry
/// point planned (its `scratch` record) and what the call asked for, e.g.
/// `forward: scratch 2048 bytes planned, 2048 bytes requested`; empty on Vulkan.
std::string scratchLine(const asg_session *s, const char *entry);

/// --save-weights: saves the parameters and the optimizer state.
void saveWeights(asg_session *s, const std::string &path);

}  // namespace asgrun
