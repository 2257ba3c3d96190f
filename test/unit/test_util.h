// test_util.h: helpers shared by the unit tests (temporary folders, raw files, status checks).
#pragma once

#include <asg/runtime.h>

#include <catch2/catch.hpp>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <sys/wait.h>

namespace asgtest {

/// A fresh temporary folder, removed with its contents at scope exit.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "asgrt-test-XXXXXX").string();
    std::vector<char> buf(tmpl.begin(), tmpl.end());
    buf.push_back('\0');
    REQUIRE(mkdtemp(buf.data()) != nullptr);
    path_ = buf.data();
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  std::string file(const std::string &name) const { return path_ + "/" + name; }
  const std::string &path() const { return path_; }

 private:
  std::string path_;
};

inline void writeBytes(const std::string &path, const std::string &bytes) {
  std::ofstream f(path, std::ios::binary);
  f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

inline std::string readBytes(const std::string &path) {
  std::ifstream f(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
}

/// A tensor view over a vector.
template <typename T>
asg_tensor view(const char *name, asg_dtype dt, std::vector<int64_t> dims, std::vector<T> &data) {
  asg_tensor t{};
  t.name = name;
  t.dtype = dt;
  t.rank = static_cast<int32_t>(dims.size());
  for (size_t i = 0; i < dims.size(); i++) t.dims[i] = dims[i];
  t.data = data.data();
  return t;
}

/// The last error message as a std::string.
inline std::string lastError() { return asg_last_error(); }

/// A session the tests run entry points on: the derived fixture creates `s`,
/// this destroys it; `outs` and `n` hold the last call's outputs.
struct SessionFixture {
  asg_session *s = nullptr;
  const asg_tensor *outs = nullptr;
  size_t n = 0;

  SessionFixture() = default;
  SessionFixture(const SessionFixture &) = delete;
  SessionFixture &operator=(const SessionFixture &) = delete;
  ~SessionFixture() { asg_session_destroy(s); }

  asg_status run(const char *entry, std::vector<asg_tensor> in) {
    outs = nullptr;
    n = 0;
    return asg_session_run(s, entry, in.data(), in.size(), &outs, &n);
  }
  std::string error() const { return asg_session_error(s); }
};

#ifdef ASG_RUN_PATH
/// What a run of asg-run did.
struct RunResult {
  int code;
  std::string out, err;
};

/// Runs asg-run with `args` (shell words) in `dir`; any sanitizer report on
/// stderr fails the test, whatever the exit code.
inline RunResult asgRun(const TempDir &dir, const std::string &args) {
  std::string cmd = "cd '" + dir.path() + "' && '" ASG_RUN_PATH "' " + args + " >stdout.txt 2>stderr.txt";
  int status = std::system(cmd.c_str());
  RunResult r{WIFEXITED(status) ? WEXITSTATUS(status) : -1, readBytes(dir.file("stdout.txt")),
              readBytes(dir.file("stderr.txt"))};
  INFO(args);
  CHECK(r.err.find("Sanitizer") == std::string::npos);
  return r;
}
#endif

}  // namespace asgtest
