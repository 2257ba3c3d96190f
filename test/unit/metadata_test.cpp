// metadata_test.cpp: the metadata parser accepts docs/abi.md's example and rejects malformed text.
#include "fake_models.h"
#include "test_util.h"

#include <cmath>
#include <cstring>

namespace {

const char *const kAbiExample =
    "asg-model 1\n"
    "name mlp\n"
    "target cpu\n"
    "input x f32 2 batch 784\n"
    "input label i64 1 batch\n"
    "param fc1.weight f32 2 784 128 trainable 1 init xavier_uniform\n"
    "param fc1.bias f32 1 128 trainable 1 init constant value=0.5\n"
    "entry forward\n"
    "arg input x\n"
    "arg param fc1.weight\n"
    "arg param fc1.bias\n"
    "result a f32 2 batch 128\n"
    "check 1 'embedding' node 'e': id out of range [0, 1000)\n"
    "end\n";

/// The example with one line replaced (1-based; 0 appends `text` at the end).
std::string withLine(int number, const std::string &text) {
  std::string s = kAbiExample, out;
  size_t pos = 0;
  for (int i = 1; pos < s.size(); i++) {
    size_t nl = s.find('\n', pos);
    out += i == number ? text : s.substr(pos, nl - pos);
    out += '\n';
    pos = nl + 1;
  }
  if (number == 0) out += text + "\n";
  return out;
}

std::string parseError(const std::string &text) {
  asg_model_info *info = reinterpret_cast<asg_model_info *>(1);
  asg_status st = asg_model_info_parse(text.c_str(), &info);
  CHECK(st != ASG_OK);
  CHECK(info == nullptr);
  return asg_last_error();
}

}  // namespace

TEST_CASE("metadata: the docs/abi.md example", "[metadata]") {
  asg_model_info *info = nullptr;
  REQUIRE(asg_model_info_parse(kAbiExample, &info) == ASG_OK);
  CHECK(std::string(info->name) == "mlp");
  CHECK(std::string(info->target) == "cpu");
  REQUIRE(info->num_inputs == 2);
  const asg_value_info &x = info->inputs[0];
  CHECK(std::string(x.name) == "x");
  CHECK(x.dtype == ASG_F32);
  CHECK(x.rank == 2);
  CHECK(std::string(x.dims[0].name) == "batch");
  CHECK(x.dims[0].size == -1);
  CHECK(x.dims[1].name == nullptr);
  CHECK(x.dims[1].size == 784);
  CHECK(info->inputs[1].dtype == ASG_I64);
  REQUIRE(info->num_params == 2);
  CHECK(std::string(info->params[0].value.name) == "fc1.weight");
  CHECK(info->params[0].init.kind == ASG_INIT_XAVIER_UNIFORM);
  CHECK(info->params[0].trainable == 1);
  CHECK(info->params[1].init.kind == ASG_INIT_CONSTANT);
  CHECK(info->params[1].init.value == 0.5);
  REQUIRE(info->num_entries == 1);
  const asg_entry_info &e = info->entries[0];
  CHECK(std::string(e.name) == "forward");
  REQUIRE(e.num_args == 3);
  CHECK(e.args[0].is_param == 0);
  CHECK(e.args[0].index == 0);
  CHECK(e.args[2].is_param == 1);
  CHECK(e.args[2].index == 1);
  REQUIRE(e.num_results == 1);
  char buf[64];
  CHECK(std::string(asg_format_shape(&e.results[0], buf, sizeof buf)) == "[batch, 128]");
  REQUIRE(e.num_checks == 1);
  CHECK(e.checks[0].id == 1);
  CHECK(std::string(e.checks[0].message) == "'embedding' node 'e': id out of range [0, 1000)");
  CHECK(asg_model_info_entry(info, "forward") == &info->entries[0]);
  CHECK(asg_model_info_entry(info, "train_step") == nullptr);
  asg_model_info_free(info);
}

TEST_CASE("metadata: initializer defaults and keys", "[metadata]") {
  asg_model_info *info = nullptr;
  std::string text = withLine(7, "param fc1.bias f32 0 trainable 1 init normal std=2");
  REQUIRE(asg_model_info_parse(text.c_str(), &info) == ASG_OK);
  CHECK(info->params[1].init.kind == ASG_INIT_NORMAL);
  CHECK(info->params[1].init.mean == 0.0);
  CHECK(info->params[1].init.std == 2.0);
  CHECK(info->params[1].value.rank == 0);
  asg_model_info_free(info);
  text = withLine(6, "param fc1.weight f32 2 3 4 trainable 0 init kaiming_uniform");
  REQUIRE(asg_model_info_parse(text.c_str(), &info) == ASG_OK);
  CHECK(info->params[0].trainable == 0);
  CHECK(info->params[0].init.a == Approx(std::sqrt(5.0)));
  asg_model_info_free(info);
  text = withLine(6, "param fc1.weight f32 1 3 trainable 1 init uniform high=3 low=-0.25");
  REQUIRE(asg_model_info_parse(text.c_str(), &info) == ASG_OK);
  CHECK(info->params[0].init.low == -0.25);
  CHECK(info->params[0].init.high == 3.0);
  asg_model_info_free(info);
  text = withLine(4, "input x f32 3 ? 0 batch");
  REQUIRE(asg_model_info_parse(text.c_str(), &info) == ASG_OK);
  CHECK(info->inputs[0].dims[0].size == -1);
  CHECK(info->inputs[0].dims[0].name == nullptr);
  CHECK(info->inputs[0].dims[1].size == 0);
  asg_model_info_free(info);
}

TEST_CASE("metadata: the fake model's metadata parses", "[metadata]") {
  asg_model_info *info = nullptr;
  REQUIRE(asg_model_info_parse(fake_model_metadata, &info) == ASG_OK);
  CHECK(info->num_entries == fake_model.num_entries);
  asg_model_info_free(info);
}

TEST_CASE("metadata: no final newline and a message with spaces", "[metadata]") {
  std::string text = kAbiExample;
  text.pop_back();
  text = withLine(13, "check 2 a  message  with   spaces ");
  text.pop_back();
  asg_model_info *info = nullptr;
  REQUIRE(asg_model_info_parse(text.c_str(), &info) == ASG_OK);
  CHECK(std::string(info->entries[0].checks[0].message) == "a  message  with   spaces ");
  asg_model_info_free(info);
}

TEST_CASE("metadata: malformed text is rejected with a message", "[metadata]") {
  struct Case {
    std::string text;
    const char *message;
  };
  std::vector<Case> cases = {
      {"", "metadata is empty"},
      {withLine(1, "asg-model 2"), "line 1: unsupported metadata version '2'"},
      {withLine(1, "asg-modell 1"), "line 1: expected 'asg-model 1'"},
      {withLine(2, "name 9lives"), "line 2: expected 'name IDENTIFIER'"},
      {withLine(2, "name  mlp"), "line 2: fields must be separated by single spaces"},
      {withLine(2, "name mlp "), "line 2: fields must be separated by single spaces"},
      {withLine(2, ""), "line 2: empty line"},
      {withLine(2, "name mlp\r"), "line 2: control character"},
      {withLine(3, "target gpu"), "line 3: expected 'target cpu' or 'target spirv'"},
      {withLine(3, "name other"), "line 3: 'name' is given twice"},
      {withLine(3, "frobnicate 1"), "line 3: unknown record 'frobnicate'"},
      {withLine(4, "input x f64 2 batch 784"), "line 4: 'x': unknown dtype 'f64'"},
      {withLine(4, "input x f32 9 1 1 1 1 1 1 1 1 1"), "line 4: 'x': invalid rank '9'"},
      {withLine(4, "input x f32 2 batch"), "line 4: 'x': rank 2 but only 1 dims"},
      {withLine(4, "input x f32 1 batch 784"), "line 4: input 'x': unexpected field '784'"},
      {withLine(4, "input x f32 2 batch 0784"), "line 4: 'x': invalid dim '0784'"},
      {withLine(4, "input x f32 2 batch 99999999999999999999"), "invalid dim"},
      {withLine(4, "input x f32 2 batch -1"), "line 4: 'x': invalid dim '-1'"},
      {withLine(4, "input x y f32 2"), "line 4: 'x': unknown dtype 'y'"},
      {withLine(4, "input fc1.bias f32 0"), "line 7: name 'fc1.bias' is declared twice"},
      {withLine(4, "input x! f32 0"), "line 4: invalid name 'x!'"},
      {withLine(6, "param fc1.weight i32 2 784 128 trainable 1 init zeros"), "param 'fc1.weight': dtype must be f32"},
      {withLine(6, "param fc1.weight f32 2 n 128 trainable 1 init zeros"), "param 'fc1.weight': dim 0 is not static"},
      {withLine(6, "param fc1.weight f32 2 1048576 1048577 trainable 1 init zeros"), "more than 2^40 elements"},
      {withLine(6, "param fc1.weight f32 2 784 128 trainable 2 init zeros"), "expected 'trainable 0|1'"},
      {withLine(6, "param fc1.weight f32 2 784 128 trainable 1"), "expected 'init KIND'"},
      {withLine(6, "param fc1.weight f32 2 784 128 trainable 1 init"), "missing initializer kind"},
      {withLine(6, "param fc1.weight f32 2 784 128 trainable 1 init he_normal"), "unknown initializer 'he_normal'"},
      {withLine(6, "param fc1.weight f32 2 784 128 trainable 1 init zeros value=1"), "initializer 'zeros' has no key 'value'"},
      {withLine(6, "param fc1.weight f32 2 784 128 trainable 1 init normal std"), "expected KEY=VALUE, got 'std'"},
      {withLine(6, "param fc1.weight f32 2 784 128 trainable 1 init normal std=1 std=2"), "key 'std' given twice"},
      {withLine(6, "param fc1.weight f32 2 784 128 trainable 1 init normal std=abc"), "invalid value 'abc' for 'std'"},
      {withLine(6, "param fc1.weight f32 2 784 128 trainable 1 init normal std=nan"), "invalid value 'nan'"},
      {withLine(6, "param fc1.weight f32 2 784 128 trainable 1 init normal std=1e999"), "invalid value '1e999'"},
      {withLine(6, "param fc1.weight f32 2 784 128 trainable 1 init normal std=0x10"), "invalid value '0x10'"},
      {withLine(6, "param fc1.weight f32 2 784 128 trainable 1 init normal std=-1"), "'std' is negative"},
      {withLine(6, "param fc1.weight f32 2 784 128 trainable 1 init uniform low=2 high=1"), "'low' is greater than 'high'"},
      {withLine(6, "param fc1.weight f32 2 784 128 trainable 1 init constant"), "needs 'value='"},
      {withLine(7, "param fc1.bias f32 1 128 trainable 1 init xavier_uniform"), "'xavier_uniform' needs rank >= 2, not 1"},
      {withLine(7, "param fc1.bias f32 1 128 trainable 1 init kaiming_uniform a=1"), "'kaiming_uniform' needs rank >= 2"},
      {withLine(8, "entry"), "line 8: expected 'entry NAME'"},
      {withLine(9, "arg input nope"), "line 9: entry point 'forward': no input named 'nope'"},
      {withLine(9, "arg param x"), "line 9: entry point 'forward': no param named 'x'"},
      {withLine(9, "arg output x"), "line 9: expected 'arg input NAME', 'arg param NAME' or 'arg state NAME'"},
      {withLine(10, "arg input x"), "line 10: entry point 'forward': argument 'x' is given twice"},
      {withLine(12, "result a f32 2 batch"), "line 12: 'a': rank 2 but only 1 dims"},
      {withLine(0, "result a f32 0"), "line 15: 'result' record outside an entry point"},
      {withLine(13, "check 0 zero"), "line 13: expected 'check ID MESSAGE' with ID >= 1"},
      {withLine(13, "check 1"), "line 13: expected 'check ID MESSAGE'"},
      {withLine(13, "check x message"), "line 13: expected 'check ID MESSAGE'"},
      {withLine(13, "input y f32 0"), "line 13: 'input' record inside entry point 'forward' (missing 'end')"},
      {withLine(13, "bogus"), "line 13: unknown record 'bogus'"},
      {withLine(14, "end now"), "line 14: expected 'end'"},
      {withLine(14, "result b f32 0"), "entry point 'forward' has no 'end'"},
      {withLine(0, "input late f32 0"), "line 15: 'input' record after the first entry point"},
      {withLine(0, "arg input x"), "line 15: 'arg' record outside an entry point"},
      {withLine(0, "entry forward\nend"), "line 15: entry point 'forward' is declared twice"},
      {withLine(2, "target cpu"), "line 3: 'target' is given twice"},
      {"asg-model 1\ntarget cpu\nentry f\nend\n", "missing 'name' record"},
      {"asg-model 1\nname m\nentry f\nend\n", "missing 'target' record"},
      {"asg-model 1\nname m\ntarget cpu\n", "no entry point"},
  };
  for (const Case &c : cases) {
    INFO(c.text);
    CHECK_THAT(parseError(c.text), Catch::Contains(c.message));
  }
}

TEST_CASE("metadata: the scratch record of an entry point", "[metadata]") {
  asg_model_info *info = nullptr;
  REQUIRE(asg_model_info_parse(kAbiExample, &info) == ASG_OK);
  CHECK(info->entries[0].scratch_bytes == 0);  // no line: no scratch memory
  asg_model_info_free(info);
  REQUIRE(asg_model_info_parse(withLine(12, "result a f32 2 batch 128\nscratch 4096").c_str(), &info) == ASG_OK);
  CHECK(info->entries[0].scratch_bytes == 4096);
  asg_model_info_free(info);
  REQUIRE(asg_model_info_parse(withLine(12, "result a f32 2 batch 128\nscratch ?").c_str(), &info) == ASG_OK);
  CHECK(info->entries[0].scratch_bytes == ASG_SCRATCH_DYNAMIC);
  asg_model_info_free(info);

  struct Case {
    std::string text;
    const char *message;
  };
  std::vector<Case> cases = {
      {withLine(13, "scratch"), "line 13: expected 'scratch BYTES' or 'scratch ?'"},
      {withLine(13, "scratch -1"), "line 13: expected 'scratch BYTES' or 'scratch ?'"},
      {withLine(13, "scratch 12 bytes"), "line 13: expected 'scratch BYTES' or 'scratch ?'"},
      {withLine(13, "scratch 99999999999999999999"), "line 13: expected 'scratch BYTES' or 'scratch ?'"},
      {withLine(13, "scratch 64\nscratch ?"), "line 14: entry point 'forward': 'scratch' is given twice"},
      {withLine(0, "scratch 64"), "line 15: 'scratch' record outside an entry point"},
      {[] {
         std::string text = withLine(3, "target spirv");
         return text.insert(text.find("check"), "scratch 64\n");
       }(),
       "line 13: entry point 'forward': 'scratch' record in a target spirv model (only cpu entry points have "
       "scratch memory)"},
  };
  for (const Case &c : cases) {
    INFO(c.text);
    CHECK_THAT(parseError(c.text), Catch::Contains(c.message));
  }
}

TEST_CASE("metadata: duplicate check ids and result names", "[metadata]") {
  std::string text = withLine(13, "check 1 a\ncheck 1 b");
  CHECK_THAT(parseError(text), Catch::Contains("check 1 is declared twice"));
  text = withLine(12, "result a f32 0\nresult a f32 0");
  CHECK_THAT(parseError(text), Catch::Contains("result 'a' is declared twice"));
  CHECK(asg_model_info_parse(nullptr, nullptr) == ASG_ERR_INVALID_ARGUMENT);
}

namespace {

const char *const kTrainExample =
    "asg-model 1\n"
    "name mlp\n"
    "target cpu\n"
    "input x f32 2 batch 784\n"
    "input label i64 1 batch\n"
    "param fc1.weight f32 2 784 128 trainable 1 init xavier_uniform\n"
    "param frozen f32 1 4 trainable 0 init zeros\n"
    "state optim.fc1.weight.exp_avg f32 2 784 128\n"
    "state optim.step i64 0\n"
    "entry train_step\n"
    "arg input x\n"
    "arg input label\n"
    "arg param fc1.weight\n"
    "arg state optim.fc1.weight.exp_avg\n"
    "arg state optim.step\n"
    "result loss f32 0\n"
    "update fc1.weight f32 2 784 128\n"
    "update optim.fc1.weight.exp_avg f32 2 784 128\n"
    "update optim.step i64 0\n"
    "end\n";

/// The training example with line `number` (1-based) replaced by `text`.
std::string trainWithLine(int number, const std::string &text) {
  std::string s = kTrainExample, out;
  size_t pos = 0;
  for (int i = 1; pos < s.size(); i++) {
    size_t nl = s.find('\n', pos);
    out += i == number ? text : s.substr(pos, nl - pos);
    out += '\n';
    pos = nl + 1;
  }
  return out;
}

}  // namespace

TEST_CASE("metadata: training records (docs/abi.md)", "[metadata]") {
  asg_model_info *info = nullptr;
  REQUIRE(asg_model_info_parse(kTrainExample, &info) == ASG_OK);
  REQUIRE(info->num_states == 2);
  CHECK(std::string(info->states[0].name) == "optim.fc1.weight.exp_avg");
  CHECK(info->states[0].dims[1].size == 128);
  CHECK(info->states[1].dtype == ASG_I64);
  const asg_entry_info *e = asg_model_info_entry(info, "train_step");
  REQUIRE(e != nullptr);
  REQUIRE(e->num_args == 5);
  CHECK(e->args[3].kind == ASG_ARG_STATE);
  CHECK(e->args[3].index == 0);
  CHECK(e->args[2].kind == ASG_ARG_PARAM);
  CHECK(e->num_results == 1);
  REQUIRE(e->num_updates == 3);
  CHECK(e->updates[0].is_state == 0);
  CHECK(e->updates[0].position == 1);
  CHECK(e->updates[2].is_state == 1);
  CHECK(e->updates[2].index == 1);
  CHECK(e->updates[2].position == 3);
  asg_model_info_free(info);
  // the forward-only example has no state
  REQUIRE(asg_model_info_parse(kAbiExample, &info) == ASG_OK);
  CHECK(info->num_states == 0);
  CHECK(info->entries[0].num_updates == 0);
  asg_model_info_free(info);

  struct Case {
    std::string text;
    const char *message;
  };
  std::vector<Case> cases = {
      {trainWithLine(8, "state optim.fc1.weight.exp_avg f32 2 784"), "line 8: 'optim.fc1.weight.exp_avg': rank 2 but only 1 dims"},
      {trainWithLine(8, "state optim.fc1.weight.exp_avg f32 2 batch 128"),
       "line 8: state 'optim.fc1.weight.exp_avg': dim 0 is not static"},
      {trainWithLine(8, "state optim.fc1.weight.exp_avg f32 1 128 extra"), "line 8: state 'optim.fc1.weight.exp_avg': unexpected field 'extra'"},
      {trainWithLine(8, "state exp_avg f32 1 128"), "line 8: state 'exp_avg': the name must start with 'optim.'"},
      {trainWithLine(8, "state optim. f32 1 128"), "line 8: state 'optim.': the name must start with 'optim.'"},
      {trainWithLine(8, "state optim.step i64 0"), "line 9: name 'optim.step' is declared twice"},
      {trainWithLine(9, "state optim.step f32 0"), "line 9: state 'optim.step' must be an i64 scalar"},
      {trainWithLine(9, "state optim.step i64 1 1"), "line 9: state 'optim.step' must be an i64 scalar"},
      {trainWithLine(9, "state optim.a f32 2 1048576 1048577"), "line 9: state 'optim.a': more than 2^40 elements"},
      {trainWithLine(14, "arg state optim.nope"), "line 14: entry point 'train_step': no state named 'optim.nope'"},
      {trainWithLine(14, "arg param optim.fc1.weight.exp_avg"), "line 14: entry point 'train_step': no param named"},
      {trainWithLine(15, "arg state optim.fc1.weight.exp_avg"), "line 15: entry point 'train_step': argument 'optim.fc1.weight.exp_avg' is given twice"},
      {trainWithLine(17, "update nope f32 0"), "line 17: entry point 'train_step': update of 'nope', which is neither a param nor a state"},
      {trainWithLine(17, "update x f32 2 batch 784"), "update of 'x', which is neither a param nor a state"},
      {trainWithLine(17, "update frozen f32 1 4"), "line 17: entry point 'train_step': update of parameter 'frozen', which is frozen (trainable 0)"},
      {trainWithLine(17, "update fc1.weight f32 2 128 784"),
       "line 17: entry point 'train_step': update 'fc1.weight' is f32 [128, 784], but the param is f32 [784, 128]"},
      {trainWithLine(17, "update fc1.weight f32 2 ? 128"), "update 'fc1.weight' is f32 [?, 128], but the param is f32 [784, 128]"},
      {trainWithLine(19, "update optim.step f32 0"), "line 19: entry point 'train_step': update 'optim.step' is f32 [], but the state is i64 []"},
      {trainWithLine(19, "update fc1.weight f32 2 784 128"), "line 19: entry point 'train_step': 'fc1.weight' is updated twice"},
      {trainWithLine(19, "update optim.step i64 0 extra"), "line 19: update 'optim.step': unexpected field 'extra'"},
      {trainWithLine(19, "state optim.late i64 0"), "line 19: 'state' record inside entry point 'train_step' (missing 'end')"},
      {std::string(kTrainExample) + "state optim.late i64 0\n", "line 21: 'state' record after the first entry point"},
      {std::string(kTrainExample) + "update optim.step i64 0\n", "line 21: 'update' record outside an entry point"},
  };
  for (const Case &c : cases) {
    INFO(c.text);
    CHECK_THAT(parseError(c.text), Catch::Contains(c.message));
  }
}
