// npy_test.cpp: .npy round trips for every dtype and rank, and rejection of malformed files.
#include "test_util.h"

#include <cstring>

using asgtest::TempDir;

namespace {

/// A .npy file with the given header dict (padded to 64 bytes) and data bytes.
std::string npy(const std::string &dict, const std::string &data, int major = 1) {
  std::string h = dict;
  size_t pre = major == 1 ? 10 : 12;
  while ((pre + h.size() + 1) % 64) h += ' ';
  h += '\n';
  std::string s = "\x93NUMPY";
  s += static_cast<char>(major);
  s += '\0';
  s += static_cast<char>(h.size() & 0xFF);
  s += static_cast<char>((h.size() >> 8) & 0xFF);
  if (major != 1) s += std::string(2, '\0');
  return s + h + data;
}

std::string floats(std::initializer_list<float> v) {
  std::string s(v.size() * 4, '\0');
  std::memcpy(&s[0], v.begin(), s.size());
  return s;
}

asg_status parse(const std::string &bytes, asg_tensor *t) { return asg_npy_parse(bytes.data(), bytes.size(), t); }

template <typename T>
void roundTrip(asg_dtype dt, int rank) {
  TempDir dir;
  std::vector<int64_t> dims;
  for (int i = 0; i < rank; i++) dims.push_back(i % 3 == 0 ? 2 : (i % 3 == 1 ? 3 : 1));
  int64_t n = 1;
  for (int64_t d : dims) n *= d;
  std::vector<T> data(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; i++) data[i] = static_cast<T>(i * 7 - 5);
  asg_tensor t = asgtest::view("t", dt, dims, data);
  std::string path = dir.file("t.npy");
  REQUIRE(asg_npy_write(path.c_str(), &t) == ASG_OK);
  REQUIRE(asgtest::readBytes(path).size() % 64 == static_cast<size_t>(n * sizeof(T)) % 64);
  asg_tensor back{};
  REQUIRE(asg_npy_read(path.c_str(), &back) == ASG_OK);
  CHECK(back.dtype == dt);
  CHECK(back.rank == rank);
  CHECK(back.name == nullptr);
  for (int i = 0; i < rank; i++) CHECK(back.dims[i] == dims[i]);
  CHECK(std::memcmp(back.data, data.data(), data.size() * sizeof(T)) == 0);
  asg_tensor_free(&back);
}

}  // namespace

TEST_CASE("npy round trips every dtype and rank 0..8", "[npy]") {
  for (int rank = 0; rank <= 8; rank++) {
    INFO("rank " << rank);
    roundTrip<float>(ASG_F32, rank);
    roundTrip<int32_t>(ASG_I32, rank);
    roundTrip<int64_t>(ASG_I64, rank);
  }
}

TEST_CASE("npy writes the header numpy writes", "[npy]") {
  TempDir dir;
  std::vector<float> v{1, 2, 3};
  asg_tensor t = asgtest::view("v", ASG_F32, {3}, v);
  REQUIRE(asg_npy_write(dir.file("v.npy").c_str(), &t) == ASG_OK);
  std::string bytes = asgtest::readBytes(dir.file("v.npy"));
  CHECK(bytes.substr(10).find("{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }") == 0);
  CHECK(bytes.size() == 128 + 12);  // numpy pads the header to a multiple of 64 bytes
  CHECK(bytes[127] == '\n');
}

TEST_CASE("npy zero-size arrays", "[npy]") {
  TempDir dir;
  std::vector<float> none;
  asg_tensor t = asgtest::view("z", ASG_F32, {0, 5}, none);
  t.data = nullptr;
  REQUIRE(asg_npy_write(dir.file("z.npy").c_str(), &t) == ASG_OK);
  asg_tensor back{};
  REQUIRE(asg_npy_read(dir.file("z.npy").c_str(), &back) == ASG_OK);
  CHECK(back.rank == 2);
  CHECK(back.dims[0] == 0);
  CHECK(back.dims[1] == 5);
  asg_tensor_free(&back);
}

TEST_CASE("npy accepts numpy's header variants", "[npy]") {
  asg_tensor t{};
  SECTION("version 2.0, double quotes, no trailing comma, (3) and spaces") {
    REQUIRE(parse(npy("{\"descr\": \"<f4\", \"shape\": (3), \"fortran_order\": False}", floats({1, 2, 3}), 2), &t) == ASG_OK);
    CHECK(t.rank == 1);
    CHECK(t.dims[0] == 3);
    CHECK(static_cast<float *>(t.data)[2] == 3.0f);
  }
  SECTION("i8 and i4, rank 0") {
    REQUIRE(parse(npy("{'descr': '<i8', 'fortran_order': False, 'shape': (), }", std::string(8, '\1')), &t) == ASG_OK);
    CHECK(t.dtype == ASG_I64);
    CHECK(t.rank == 0);
    asg_tensor_free(&t);
    REQUIRE(parse(npy("{'descr': '<i4', 'fortran_order': False, 'shape': (1, 1), }", std::string(4, '\1')), &t) == ASG_OK);
    CHECK(t.dtype == ASG_I32);
  }
  asg_tensor_free(&t);
}

TEST_CASE("npy rejects malformed files with a message", "[npy]") {
  asg_tensor t{};
  const std::string ok = "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }";
  struct Case {
    const char *what;
    std::string bytes;
    asg_status status;
    const char *message;
  };
  std::vector<Case> cases = {
      {"empty", "", ASG_ERR_FORMAT, "bad magic"},
      {"bad magic", "\x93NUMPZ\1\0\0\0", ASG_ERR_FORMAT, "bad magic"},
      {"truncated header", npy(ok, floats({1, 2})).substr(0, 30), ASG_ERR_FORMAT, "truncated .npy file (header"},
      {"truncated data", npy(ok, floats({1})), ASG_ERR_FORMAT, "truncated .npy file: 4 data bytes, expected 8"},
      {"trailing data", npy(ok, floats({1, 2, 3})), ASG_ERR_FORMAT, "4 trailing bytes"},
      {"fortran order", npy("{'descr': '<f4', 'fortran_order': True, 'shape': (2,), }", floats({1, 2})),
       ASG_ERR_UNSUPPORTED, "Fortran-order"},
      {"big-endian", npy("{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }", floats({1, 2})),
       ASG_ERR_UNSUPPORTED, "big-endian dtype '>f4'"},
      {"float64", npy("{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }", floats({1, 2})), ASG_ERR_UNSUPPORTED,
       "unsupported dtype '<f8'"},
      {"missing key", npy("{'descr': '<f4', 'shape': (2,), }", floats({1, 2})), ASG_ERR_FORMAT, "missing key 'fortran_order'"},
      {"extra key", npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'x': 1}", floats({1, 2})),
       ASG_ERR_FORMAT, "unexpected or repeated key 'x'"},
      {"repeated key", npy("{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (2,)}", floats({1, 2})),
       ASG_ERR_FORMAT, "repeated key 'descr'"},
      {"negative dim", npy("{'descr': '<f4', 'fortran_order': False, 'shape': (-2,), }", floats({1, 2})),
       ASG_ERR_FORMAT, "bad dim"},
      {"rank 9", npy("{'descr': '<f4', 'fortran_order': False, 'shape': (1,1,1,1,1,1,1,1,1), }", floats({1})),
       ASG_ERR_UNSUPPORTED, "rank above 8"},
      {"huge shape", npy("{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 4294967296), }", ""),
       ASG_ERR_FORMAT, "overflows"},
      {"huge dim", npy("{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999,), }", ""),
       ASG_ERR_FORMAT, "bad dim"},
      {"not a dict", npy("['descr']", ""), ASG_ERR_FORMAT, "expected '{'"},
      {"unterminated", npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2,", ""), ASG_ERR_FORMAT, "bad header"},
      {"version 4", npy(ok, floats({1, 2}), 4), ASG_ERR_UNSUPPORTED, "version 4.0"},
      {"huge header length (v2)", std::string("\x93NUMPY\2\0\xff\xff\xff\x7f", 12) + "{", ASG_ERR_FORMAT,
       "bad .npy header length"},
  };
  for (const Case &c : cases) {
    INFO(c.what);
    CHECK(parse(c.bytes, &t) == c.status);
    CHECK_THAT(asgtest::lastError(), Catch::Contains(c.message));
    CHECK(t.data == nullptr);
  }
}

TEST_CASE("npy read errors name the file", "[npy]") {
  TempDir dir;
  asg_tensor t{};
  CHECK(asg_npy_read(dir.file("missing.npy").c_str(), &t) == ASG_ERR_IO);
  CHECK_THAT(asgtest::lastError(), Catch::Contains("missing.npy") && Catch::Contains("No such file"));
  asgtest::writeBytes(dir.file("bad.npy"), "hello world");
  CHECK(asg_npy_read(dir.file("bad.npy").c_str(), &t) == ASG_ERR_FORMAT);
  CHECK_THAT(asgtest::lastError(), Catch::StartsWith(dir.file("bad.npy") + ": not a .npy file"));
  CHECK(asg_npy_read(dir.path().c_str(), &t) == ASG_ERR_IO);
  CHECK_THAT(asgtest::lastError(), Catch::Contains("not a regular file"));
}

TEST_CASE("npy write rejects invalid tensors", "[npy]") {
  TempDir dir;
  std::vector<float> v{1};
  asg_tensor t = asgtest::view("v", ASG_F32, {1}, v);
  t.rank = 9;
  CHECK(asg_npy_write(dir.file("v.npy").c_str(), &t) == ASG_ERR_INVALID_ARGUMENT);
  t.rank = 1;
  t.data = nullptr;
  CHECK(asg_npy_write(dir.file("v.npy").c_str(), &t) == ASG_ERR_INVALID_ARGUMENT);
  t.data = v.data();
  CHECK(asg_npy_write((dir.path() + "/no/such/dir/v.npy").c_str(), &t) == ASG_ERR_IO);
  CHECK_THAT(asgtest::lastError(), Catch::Contains("cannot create"));
}
