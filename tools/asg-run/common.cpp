// common.cpp: what asg-run's commands share.
#include "common.h"

#include "internal.h"  // asgi_session_device_stats, asgi_session_scratch, asgi_session_cpu_stats

#include <sys/resource.h>

#include <algorithm>
#include <cstdio>

namespace asgrun {

namespace {

int cpuThreads(const asg_session *s) {
  asgi_cpu_stats cs;
  return asgi_session_cpu_stats(s, &cs) ? cs.threads : 0;
}

}  // namespace

OpenSession openSession(const Options &opts) {
  OpenSession o;
  asg_model *raw_model = nullptr;
  if (asg_model_open(opts.model.c_str(), &raw_model) != ASG_OK) throw RunError(asg_last_error());
  o.model.reset(raw_model);
  asg_session_options so{opts.device.c_str(), opts.threads};
  asg_session *raw_session = nullptr;
  if (asg_session_create(asg_model_desc_of(o.model.get()), &so, &raw_session) != ASG_OK) throw RunError(asg_last_error());
  o.session.reset(raw_session);
  asg_status st = opts.weights.empty() ? asg_session_init_params(raw_session, opts.seed)
                                       : asg_session_load(raw_session, opts.weights.c_str());
  if (st != ASG_OK) throw RunError(asg_session_error(raw_session));
  if (opts.verbose) {
    asgi_device_stats ds;
    if (asgi_session_device_stats(raw_session, &ds))
      std::fprintf(stderr, "device: vulkan:%u '%s'\n", ds.device_index, ds.device_name);
    else
      std::fprintf(stderr, "device: cpu, %d thread%s\n", cpuThreads(raw_session),
                   cpuThreads(raw_session) == 1 ? "" : "s");
  }
  return o;
}

std::string formatDims(const asg_tensor &t) {
  char buf[256];
  std::string s = "[";
  for (int32_t d = 0; d < t.rank; d++) {
    std::snprintf(buf, sizeof buf, "%s%lld", d ? ", " : "", static_cast<long long>(t.dims[d]));
    s += buf;
  }
  return s + "]";
}

void printTimes(std::vector<double> times) {
  std::sort(times.begin(), times.end());
  size_t n = times.size();
  double median = n % 2 ? times[n / 2] : (times[n / 2 - 1] + times[n / 2]) / 2;
  std::printf("time per run: min %.3f ms, median %.3f ms\n", times.front(), median);
}

void printPeakMemory(const asg_session *s) {
  struct rusage ru {};
  getrusage(RUSAGE_SELF, &ru);
  std::fprintf(stderr, "peak memory: %.1f MiB (max resident set)\n", static_cast<double>(ru.ru_maxrss) / 1024.0);
  asgi_cpu_stats cs;
  if (asgi_session_cpu_stats(s, &cs))
    std::fprintf(stderr, "threads: %d used at most (cap %d), %llu loops ran on several threads\n",
                 cs.max_threads_used > 0 ? cs.max_threads_used : 1, cs.threads,
                 static_cast<unsigned long long>(cs.parallel_loops));
  asgi_device_stats ds;
  if (asgi_session_device_stats(s, &ds)) {
    std::fprintf(stderr, "device memory: peak %.1f KiB in the buffer pool (%llu buffers created, %llu reuses)\n",
                 static_cast<double>(ds.bytes_peak) / 1024.0,
                 static_cast<unsigned long long>(ds.buffers_created), static_cast<unsigned long long>(ds.buffers_reused));
    std::fprintf(stderr, "last call: %llu dispatches, %llu barriers\n",
                 static_cast<unsigned long long>(ds.last_dispatches),
                 static_cast<unsigned long long>(ds.last_barriers));
  }
}

std::string scratchLine(const asg_session *s, const char *entry) {
  const asg_model_info *info = asg_session_info(s);
  const asg_entry_info *e = asg_model_info_entry(info, entry);
  if (!e || std::string(info->target) != "cpu") return "";
  int64_t requested = 0;
  size_t kept = 0;
  asgi_session_scratch(s, &requested, &kept);
  std::string line = std::string(entry) + ": scratch ";
  if (e->scratch_bytes == ASG_SCRATCH_DYNAMIC)
    line += "sized by dynamic dims";
  else
    line += std::to_string(e->scratch_bytes) + " bytes planned";
  line += requested < 0 ? ", none requested" : ", " + std::to_string(requested) + " bytes requested";
  return line + "\n";
}

void saveWeights(asg_session *s, const std::string &path) {
  if (asg_session_save(s, path.c_str()) != ASG_OK) throw RunError(asg_session_error(s));
}

}  // namespace asgrun
