// robustness_test.cpp: every truncation and many byte mutations of valid inputs are rejected cleanly (run under ASan).
#include "fake_models.h"
#include "test_util.h"

#include <cstring>
#include <functional>
#include <random>

using asgtest::TempDir;

namespace {

/// Feeds every prefix and 2000 random single-byte mutations of `valid` to `parse`.
template <typename Parse>
void mutate(const std::string &valid, Parse parse) {
  for (size_t n = 0; n < valid.size(); n++) parse(valid.substr(0, n));
  std::mt19937 gen(1234);
  const char interesting[] = {'\0', '\n', ' ', '"', '\'', '{', '}', '[', ']', ',', ':', '-', '9', '?', '\x7f', '\xff'};
  for (int i = 0; i < 2000; i++) {
    std::string m = valid;
    size_t pos = gen() % m.size();
    m[pos] = gen() % 2 ? interesting[gen() % sizeof interesting] : static_cast<char>(gen());
    parse(m);
  }
}

std::string fileBytes(const std::function<void(const std::string &)> &write) {
  TempDir dir;
  write(dir.file("f"));
  return asgtest::readBytes(dir.file("f"));
}

}  // namespace

TEST_CASE("robustness: mutated npy files", "[robustness]") {
  std::vector<float> v{1, 2, 3, 4, 5, 6};
  std::string valid = fileBytes([&](const std::string &p) {
    asg_tensor t = asgtest::view("t", ASG_F32, {2, 3}, v);
    REQUIRE(asg_npy_write(p.c_str(), &t) == ASG_OK);
  });
  mutate(valid, [](const std::string &b) {
    asg_tensor t{};
    if (asg_npy_parse(b.data(), b.size(), &t) == ASG_OK) asg_tensor_free(&t);
    else CHECK(asg_last_error()[0] != '\0');
  });
}

TEST_CASE("robustness: mutated safetensors files", "[robustness]") {
  std::vector<float> v{1, 2, 3, 4, 5, 6};
  std::vector<int64_t> l{7};
  std::string valid = fileBytes([&](const std::string &p) {
    std::vector<asg_tensor> ts{asgtest::view("a.b", ASG_F32, {2, 3}, v), asgtest::view("s", ASG_I64, {}, l)};
    REQUIRE(asg_safetensors_write(p.c_str(), ts.data(), ts.size()) == ASG_OK);
  });
  mutate(valid, [](const std::string &b) {
    asg_tensor *ts = nullptr;
    size_t n = 0;
    if (asg_safetensors_parse(b.data(), b.size(), &ts, &n) == ASG_OK) asg_tensors_free(ts, n);
    else CHECK(asg_last_error()[0] != '\0');
  });
}

TEST_CASE("robustness: mutated metadata", "[robustness]") {
  mutate(fake_model_metadata, [](const std::string &text) {
    asg_model_info *info = nullptr;
    if (asg_model_info_parse(text.c_str(), &info) == ASG_OK) asg_model_info_free(info);
    else CHECK(asg_last_error()[0] != '\0');
  });
}

TEST_CASE("robustness: mutated training metadata", "[robustness][train]") {
  mutate(faketrain_model.metadata, [](const std::string &text) {
    asg_model_info *info = nullptr;
    if (asg_model_info_parse(text.c_str(), &info) == ASG_OK) {
      // whatever parsed must be consistent: updates name params/state at valid positions
      for (size_t i = 0; i < info->num_entries; i++) {
        const asg_entry_info &e = info->entries[i];
        for (size_t k = 0; k < e.num_updates; k++) {
          CHECK(e.updates[k].position < e.num_results + e.num_updates);
          CHECK(e.updates[k].index < (e.updates[k].is_state ? info->num_states : info->num_params));
        }
      }
      asg_model_info_free(info);
    } else {
      CHECK(asg_last_error()[0] != '\0');
    }
  });
}
