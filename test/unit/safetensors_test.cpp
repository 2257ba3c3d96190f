// safetensors_test.cpp: safetensors round trips and strict rejection of malformed files.
#include "test_util.h"

#include <cstring>

using asgtest::TempDir;

namespace {

/// A safetensors file: 8-byte little-endian header length, header, data.
std::string st(const std::string &header, const std::string &data) {
  std::string s(8, '\0');
  uint64_t n = header.size();
  for (int i = 0; i < 8; i++) s[i] = static_cast<char>((n >> (8 * i)) & 0xFF);
  return s + header + data;
}

asg_status parse(const std::string &bytes, asg_tensor **ts, size_t *n) {
  return asg_safetensors_parse(bytes.data(), bytes.size(), ts, n);
}

}  // namespace

TEST_CASE("safetensors round trips every dtype and rank 0..8", "[safetensors]") {
  TempDir dir;
  std::vector<std::vector<float>> fs;
  std::vector<std::vector<int32_t>> is;
  std::vector<std::vector<int64_t>> ls;
  std::vector<std::string> names;
  std::vector<asg_tensor> ts;
  fs.reserve(9), is.reserve(9), ls.reserve(9), names.reserve(27);
  for (int rank = 0; rank <= 8; rank++) {
    std::vector<int64_t> dims(static_cast<size_t>(rank), 2);
    if (rank == 3) dims[1] = 0;  // a zero-size tensor
    int64_t n = 1;
    for (int64_t d : dims) n *= d;
    fs.emplace_back(), is.emplace_back(), ls.emplace_back();
    for (int64_t i = 0; i < n; i++) {
      fs.back().push_back(static_cast<float>(i) * 0.5f);
      is.back().push_back(static_cast<int32_t>(-i));
      ls.back().push_back(i << 40);
    }
    names.push_back("f32.r" + std::to_string(rank));
    ts.push_back(asgtest::view(names.back().c_str(), ASG_F32, dims, fs.back()));
    names.push_back("i32.r" + std::to_string(rank));
    ts.push_back(asgtest::view(names.back().c_str(), ASG_I32, dims, is.back()));
    names.push_back("i64-r" + std::to_string(rank));
    ts.push_back(asgtest::view(names.back().c_str(), ASG_I64, dims, ls.back()));
  }
  std::string path = dir.file("w.safetensors");
  REQUIRE(asg_safetensors_write(path.c_str(), ts.data(), ts.size()) == ASG_OK);
  std::string bytes = asgtest::readBytes(path);
  uint64_t hlen = 0;
  std::memcpy(&hlen, bytes.data(), 8);
  CHECK(hlen % 8 == 0);
  asg_tensor *back = nullptr;
  size_t n = 0;
  REQUIRE(asg_safetensors_read(path.c_str(), &back, &n) == ASG_OK);
  REQUIRE(n == ts.size());
  for (size_t i = 0; i < n; i++) {
    INFO(ts[i].name);
    CHECK(std::string(back[i].name) == ts[i].name);
    CHECK(back[i].dtype == ts[i].dtype);
    REQUIRE(back[i].rank == ts[i].rank);
    for (int d = 0; d < back[i].rank; d++) CHECK(back[i].dims[d] == ts[i].dims[d]);
    size_t bytes_n = static_cast<size_t>(asg_tensor_numel(&ts[i])) * asg_dtype_size(ts[i].dtype);
    if (bytes_n) CHECK(std::memcmp(back[i].data, ts[i].data, bytes_n) == 0);
  }
  asg_tensors_free(back, n);
}

TEST_CASE("safetensors accepts __metadata__, padding and any order", "[safetensors]") {
  asg_tensor *ts = nullptr;
  size_t n = 0;
  std::string data(12, '\0');
  data[8] = 7;
  std::string h =
      "{\"__metadata__\": {\"format\": \"pt\"}, \"b\": {\"data_offsets\": [8, 12], \"shape\": [], \"dtype\": \"I32\"},"
      " \"a\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0, 8]}}    ";
  REQUIRE(parse(st(h, data), &ts, &n) == ASG_OK);
  REQUIRE(n == 2);
  CHECK(std::string(ts[0].name) == "b");
  CHECK(ts[0].rank == 0);
  CHECK(*static_cast<int32_t *>(ts[0].data) == 7);
  CHECK(std::string(ts[1].name) == "a");
  asg_tensors_free(ts, n);
  REQUIRE(parse(st("{}", ""), &ts, &n) == ASG_OK);
  CHECK(n == 0);
  asg_tensors_free(ts, n);
}

TEST_CASE("safetensors rejects malformed files with a message", "[safetensors]") {
  const std::string a8 = "\"a\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0, 8]}";
  struct Case {
    const char *what;
    std::string bytes;
    asg_status status;
    const char *message;
  };
  std::string huge(8, '\xff');
  std::vector<Case> cases = {
      {"empty file", "", ASG_ERR_FORMAT, "no header length"},
      {"short length", "\1\0\0", ASG_ERR_FORMAT, "no header length"},
      {"length past the end", st("{}", "").substr(0, 9), ASG_ERR_FORMAT, "exceeds the file size"},
      {"huge length", huge + "{}", ASG_ERR_FORMAT, "exceeds the file size"},
      {"not JSON", st("{a}", ""), ASG_ERR_FORMAT, "bad header: invalid JSON at byte 1"},
      {"not an object", st("[1, 2]", ""), ASG_ERR_FORMAT, "not a JSON object"},
      {"trailing garbage", st("{} x", ""), ASG_ERR_FORMAT, "trailing characters"},
      {"duplicate key", st("{" + a8 + ", " + a8 + "}", std::string(8, '\0')), ASG_ERR_FORMAT, "duplicate key 'a'"},
      {"entry not an object", st("{\"a\": 3}", ""), ASG_ERR_FORMAT, "tensor 'a': not a JSON object"},
      {"unknown key", st("{\"a\": {\"dtype\": \"F32\", \"shape\": [], \"data_offsets\": [0, 4], \"x\": 1}}", std::string(4, '\0')),
       ASG_ERR_FORMAT, "tensor 'a': unknown key 'x'"},
      {"unsupported dtype", st("{\"a\": {\"dtype\": \"F16\", \"shape\": [2], \"data_offsets\": [0, 4]}}", std::string(4, '\0')),
       ASG_ERR_UNSUPPORTED, "tensor 'a': unsupported dtype 'F16'"},
      {"missing dtype", st("{\"a\": {\"shape\": [2], \"data_offsets\": [0, 8]}}", std::string(8, '\0')), ASG_ERR_FORMAT,
       "'dtype' is missing"},
      {"bad shape", st("{\"a\": {\"dtype\": \"F32\", \"shape\": [-2], \"data_offsets\": [0, 8]}}", std::string(8, '\0')),
       ASG_ERR_FORMAT, "dim 0 is not a non-negative integer"},
      {"float dim", st("{\"a\": {\"dtype\": \"F32\", \"shape\": [2.0], \"data_offsets\": [0, 8]}}", std::string(8, '\0')),
       ASG_ERR_FORMAT, "dim 0 is not a non-negative integer"},
      {"rank 9", st("{\"a\": {\"dtype\": \"F32\", \"shape\": [1,1,1,1,1,1,1,1,1], \"data_offsets\": [0, 4]}}", std::string(4, '\0')),
       ASG_ERR_UNSUPPORTED, "rank 9"},
      {"offsets reversed", st("{\"a\": {\"dtype\": \"F32\", \"shape\": [0], \"data_offsets\": [8, 0]}}", std::string(8, '\0')),
       ASG_ERR_FORMAT, "out of range"},
      {"offsets out of range", st("{" + a8 + "}", std::string(4, '\0')), ASG_ERR_FORMAT, "out of range (data section is 4 bytes)"},
      {"size mismatch", st("{\"a\": {\"dtype\": \"F32\", \"shape\": [3], \"data_offsets\": [0, 8]}}", std::string(8, '\0')),
       ASG_ERR_FORMAT, "span 8 bytes, but its dtype and shape need 12"},
      {"overlap", st("{" + a8 + ", \"b\": {\"dtype\": \"I32\", \"shape\": [], \"data_offsets\": [4, 8]}}", std::string(8, '\0')),
       ASG_ERR_FORMAT, "overlaps tensor"},
      {"hole", st("{\"b\": {\"dtype\": \"I32\", \"shape\": [], \"data_offsets\": [4, 8]}}", std::string(8, '\0')),
       ASG_ERR_FORMAT, "bytes 0..4 of the data section belong to no tensor"},
      {"trailing data", st("{" + a8 + "}", std::string(12, '\0')), ASG_ERR_FORMAT, "bytes 8..12"},
      {"huge shape", st("{\"a\": {\"dtype\": \"F32\", \"shape\": [4294967296, 4294967296], \"data_offsets\": [0, 8]}}", ""),
       ASG_ERR_FORMAT, "out of range"},
      {"bad metadata", st("{\"__metadata__\": {\"k\": 1}}", ""), ASG_ERR_FORMAT, "'__metadata__' value of 'k' is not a string"},
      {"empty name", st("{\"\": {\"dtype\": \"F32\", \"shape\": [], \"data_offsets\": [0, 4]}}", std::string(4, '\0')),
       ASG_ERR_FORMAT, "empty name"},
      {"deep nesting", st("{\"__metadata__\": " + std::string(100, '[') + std::string(100, ']') + "}", ""), ASG_ERR_FORMAT,
       "nesting deeper than 64 levels"},
      {"control character", st("{\"a\tb\": 1}", ""), ASG_ERR_FORMAT, "control character in string"},
      {"bad utf-8", st("{\"a\xff\": 1}", ""), ASG_ERR_FORMAT, "invalid UTF-8"},
      {"lone surrogate", st("{\"\\ud800\": 1}", ""), ASG_ERR_FORMAT, "unpaired surrogate"},
      {"leading zero", st("{\"a\": {\"dtype\": \"F32\", \"shape\": [02], \"data_offsets\": [0, 8]}}", std::string(8, '\0')),
       ASG_ERR_FORMAT, "leading zero"},
      {"unterminated", st("{\"a\": {\"dtype\": \"F32\"", ""), ASG_ERR_FORMAT, "invalid JSON"},
  };
  for (const Case &c : cases) {
    INFO(c.what);
    asg_tensor *ts = reinterpret_cast<asg_tensor *>(1);
    size_t n = 99;
    CHECK(parse(c.bytes, &ts, &n) == c.status);
    CHECK_THAT(asgtest::lastError(), Catch::Contains(c.message));
    CHECK(ts == nullptr);
    CHECK(n == 0);
  }
}

TEST_CASE("safetensors decodes escaped names", "[safetensors]") {
  asg_tensor *ts = nullptr;
  size_t n = 0;
  std::string h = "{\"a\\u00e9\\ud83d\\ude00\\\"\\n\": {\"dtype\": \"F32\", \"shape\": [], \"data_offsets\": [0, 4]}}";
  REQUIRE(parse(st(h, std::string(4, '\0')), &ts, &n) == ASG_OK);
  REQUIRE(n == 1);
  CHECK(std::string(ts[0].name) == "a\xc3\xa9\xf0\x9f\x98\x80\"\n");
  TempDir dir;
  REQUIRE(asg_safetensors_write(dir.file("e.safetensors").c_str(), ts, n) == ASG_OK);
  asg_tensor *back = nullptr;
  size_t m = 0;
  REQUIRE(asg_safetensors_read(dir.file("e.safetensors").c_str(), &back, &m) == ASG_OK);
  CHECK(std::string(back[0].name) == ts[0].name);
  asg_tensors_free(back, m);
  asg_tensors_free(ts, n);
}

TEST_CASE("safetensors write rejects bad tensor sets", "[safetensors]") {
  TempDir dir;
  std::vector<float> v{1};
  asg_tensor ts[2] = {asgtest::view("a", ASG_F32, {1}, v), asgtest::view("a", ASG_F32, {1}, v)};
  CHECK(asg_safetensors_write(dir.file("x").c_str(), ts, 2) == ASG_ERR_INVALID_ARGUMENT);
  CHECK_THAT(asgtest::lastError(), Catch::Contains("'a' appears twice"));
  ts[1].name = nullptr;
  CHECK(asg_safetensors_write(dir.file("x").c_str(), ts, 2) == ASG_ERR_INVALID_ARGUMENT);
  CHECK_THAT(asgtest::lastError(), Catch::Contains("tensor 1 has no name"));
}
