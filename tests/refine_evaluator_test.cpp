// The guard evaluator (refine/evaluate) and the runtime's branch selection
// (refine/branch_selection): modular arithmetic, RFC 9293 sequence
// comparisons, the division-by-zero and shift conventions shared with the
// Z3 encoding, and picking the branch a received message takes.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "lim/refine/branch_selection.hpp"
#include "lim/refine/evaluate.hpp"
#include "lim/refine/refinements.hpp"
#include "test_support.hpp"

namespace lim::refine {
namespace {

// `op(a, b)` over two payload values of width `width`.
Program binary(Opcode op, std::uint8_t width, std::uint8_t result_width) {
  Program program;
  program.emit({Opcode::Payload, width, 0, 0, 0});
  program.emit({Opcode::Payload, width, 1, 0, 0});
  program.emit({op, result_width, 0, 1, 0});
  return program;
}

std::uint64_t apply(Opcode op, std::uint8_t width, std::uint64_t a, std::uint64_t b) {
  const bool comparison = op >= Opcode::Equal && op <= Opcode::SeqGreaterEqual;
  const std::vector<std::uint64_t> payload{a, b};
  return evaluate(binary(op, width, comparison ? 1 : width), payload, {});
}

TEST(RefineEvaluator, ArithmeticIsModular) {
  EXPECT_EQ(apply(Opcode::Add, 32, 0xFFFFFFFF, 2), 1u);
  EXPECT_EQ(apply(Opcode::Subtract, 32, 0, 1), 0xFFFFFFFFu);
  EXPECT_EQ(apply(Opcode::Multiply, 8, 16, 17), 16u);  // 272 mod 256
  EXPECT_EQ(apply(Opcode::Add, 64, ~std::uint64_t{0}, 1), 0u);
  EXPECT_EQ(apply(Opcode::Subtract, 16, 3, 5), 0xFFFEu);
}

TEST(RefineEvaluator, DivisionByZeroFollowsSmtLib) {
  // bvudiv x 0 = all ones, bvurem x 0 = x: the Z3 encoding means the same.
  EXPECT_EQ(apply(Opcode::Divide, 16, 1234, 0), 0xFFFFu);
  EXPECT_EQ(apply(Opcode::Remainder, 16, 1234, 0), 1234u);
  EXPECT_EQ(apply(Opcode::Divide, 32, 7, 2), 3u);
  EXPECT_EQ(apply(Opcode::Remainder, 32, 7, 2), 1u);
}

TEST(RefineEvaluator, ShiftsBeyondTheWidthGiveZero) {
  EXPECT_EQ(apply(Opcode::ShiftLeft, 8, 1, 7), 128u);
  EXPECT_EQ(apply(Opcode::ShiftLeft, 8, 1, 8), 0u);
  EXPECT_EQ(apply(Opcode::ShiftRight, 32, 0x80000000, 31), 1u);
  EXPECT_EQ(apply(Opcode::ShiftRight, 32, 0x80000000, 32), 0u);
  EXPECT_EQ(apply(Opcode::ShiftLeft, 64, 1, 64), 0u);
  EXPECT_EQ(apply(Opcode::ShiftLeft, 64, 1, 63), std::uint64_t{1} << 63);
}

TEST(RefineEvaluator, SequenceComparisonsWrapAround) {
  // RFC 9293 §3.4: 0xFFFFFFFF comes just before 0.
  EXPECT_EQ(apply(Opcode::SeqLess, 32, 0xFFFFFFFF, 0), 1u);
  EXPECT_EQ(apply(Opcode::Less, 32, 0xFFFFFFFF, 0), 0u);
  EXPECT_EQ(apply(Opcode::SeqGreater, 32, 5, 0xFFFFFFF0), 1u);
  EXPECT_EQ(apply(Opcode::SeqLessEqual, 32, 7, 7), 1u);
  EXPECT_EQ(apply(Opcode::SeqGreaterEqual, 32, 7, 8), 0u);
  // At distance 2^31 both directions hold: the comparison is not a total
  // order there, which is exactly what lets Z3 find odd windows.
  EXPECT_EQ(apply(Opcode::SeqLess, 32, 0x80000000, 0), 1u);
  EXPECT_EQ(apply(Opcode::SeqLess, 32, 0, 0x80000000), 1u);
  // The same holds at other widths.
  EXPECT_EQ(apply(Opcode::SeqLess, 8, 250, 3), 1u);
  EXPECT_EQ(apply(Opcode::SeqLess, 8, 3, 250), 0u);
}

TEST(RefineEvaluator, ValuesAreCutToTheirDeclaredWidth) {
  // A payload value wider than its field is read modulo the width.
  Program program;
  program.emit({Opcode::Payload, 8, 0, 0, 0});
  program.emit({Opcode::Constant, 8, 0, 0, 0x34});
  program.emit({Opcode::Equal, 1, 0, 1, 0});
  EXPECT_TRUE(holds(program, std::vector<std::uint64_t>{0x1234}, {}));
}

TEST(RefineEvaluator, ExtendAndTruncate) {
  Program program;
  program.emit({Opcode::Payload, 16, 0, 0, 0});
  program.emit({Opcode::Extend, 32, 0, 0, 0});
  program.emit({Opcode::Constant, 32, 0, 0, 1});
  program.emit({Opcode::Add, 32, 1, 2, 0});
  program.emit({Opcode::Truncate, 8, 3, 0, 0});
  EXPECT_EQ(evaluate(program, std::vector<std::uint64_t>{0xFFFF}, {}), 0u);  // 0x10000 cut to 8 bits
  program.code.pop_back();
  EXPECT_EQ(evaluate(program, std::vector<std::uint64_t>{0xFFFF}, {}), 0x10000u);
}

TEST(RefineEvaluator, ReadingMissingValuesThrows) {
  Program program;
  program.emit({Opcode::State, 32, 2, 0, 0});
  EXPECT_THROW(evaluate(program, {}, std::vector<std::uint64_t>{1, 2}), std::out_of_range);
  EXPECT_THROW(evaluate(Program{}, {}, {}), std::invalid_argument);
}

TEST(RefineEvaluator, NoneOfNegatesTheDisjunction) {
  Program low;  // payload < 10
  low.emit({Opcode::Payload, 32, 0, 0, 0});
  low.emit({Opcode::Constant, 32, 0, 0, 10});
  low.emit({Opcode::Less, 1, 0, 1, 0});
  Program high;  // payload > 100
  high.emit({Opcode::Payload, 32, 0, 0, 0});
  high.emit({Opcode::Constant, 32, 0, 0, 100});
  high.emit({Opcode::Greater, 1, 0, 1, 0});
  const Program* both[] = {&low, &high};
  const Program rest = none_of(both);
  for (const std::uint64_t value : {0u, 9u, 10u, 50u, 100u, 101u}) {
    const std::vector<std::uint64_t> payload{value};
    EXPECT_EQ(holds(rest, payload, {}), !holds(low, payload, {}) && !holds(high, payload, {})) << value;
  }
  EXPECT_TRUE(holds(none_of({}), {}, {}));
}

// ---- branch selection -------------------------------------------------------------

const char* kReceiver =
    "record seg { seq: u32, len: u32 }\n"
    "state r { nxt: u32 }\n"
    "env n: r⊕{d(seg), x, y(u8)}\n"
    "r: rec t . n&{ d(s: seg) if s.seq == nxt && s.len > 0 . t, d(s: seg) if s.seq == nxt && s.len == 0 . t,\n"
    "               d(s: seg) if s.seq != nxt . t, y(v: u8) if v > 7 . t, _ . end }\n";

TEST(RefineEvaluator, SelectsTheBranchWhoseGuardHolds) {
  const auto system = testing::system_of(kReceiver);
  ASSERT_NE(system.refinements, nullptr);
  const automata::RoleId r = 1;
  const automata::RoleId n = 0;
  const auto state = system.machines[r].initial;
  const auto d = system.labels.find("d");
  const std::vector<std::uint64_t> nxt{40};
  const auto pick = [&](std::uint64_t seq, std::uint64_t len) {
    const std::vector<std::uint64_t> payload{seq, len};
    const auto chosen = select_branch(system, r, state, n, d, payload, nxt);
    return chosen ? std::optional<std::uint32_t>(*chosen - system.machines[r].first_outgoing_index(state))
                  : std::nullopt;
  };
  EXPECT_EQ(pick(40, 5), 0u);
  EXPECT_EQ(pick(40, 0), 1u);
  EXPECT_EQ(pick(41, 0), 2u);
  // `x` is the wildcard's; `y` with v <= 7 too (the guard leaves it to `_`).
  const auto x = select_branch(system, r, state, n, system.labels.find("x"), {}, nxt);
  ASSERT_TRUE(x.has_value());
  EXPECT_NE(system.machines[r].transitions()[*x].target, state);
  const std::vector<std::uint64_t> small{3};
  const std::vector<std::uint64_t> large{9};
  const auto y_small = select_branch(system, r, state, n, system.labels.find("y"), small, nxt);
  const auto y_large = select_branch(system, r, state, n, system.labels.find("y"), large, nxt);
  ASSERT_TRUE(y_small && y_large);
  EXPECT_NE(system.machines[r].transitions()[*y_small].target, state);  // the wildcard ends
  EXPECT_EQ(system.machines[r].transitions()[*y_large].target, state);  // the guarded branch loops
  // A message the state does not take.
  EXPECT_FALSE(select_branch(system, r, state, r, d, {}, nxt).has_value());
}

TEST(RefineEvaluator, ReadsPayloadsAndStateFromJson) {
  const auto system = testing::system_of(kReceiver);
  const Refinements& refinements = *system.refinements;
  const PayloadShape segment = refinements.shape_of("seg");
  std::string error;
  const auto values = payload_values(refinements, segment, nlohmann::json{{"seq", 7}, {"len", 4294967295u}}, error);
  ASSERT_TRUE(values) << error;
  EXPECT_EQ(*values, (std::vector<std::uint64_t>{7, 4294967295u}));
  EXPECT_FALSE(payload_values(refinements, segment, nlohmann::json{{"seq", 7}}, error));
  EXPECT_EQ(error, "the seg payload lacks field 'len'");
  EXPECT_FALSE(payload_values(refinements, segment, nlohmann::json{{"seq", -1}, {"len", 0}}, error));
  EXPECT_EQ(error, "seg.seq must be a non-negative integer, not -1");
  EXPECT_FALSE(payload_values(refinements, segment, nlohmann::json{{"seq", 4294967296u}, {"len", 0}}, error));
  EXPECT_EQ(error, "seg.seq = 4294967296 does not fit in u32");
  const auto byte = payload_values(refinements, refinements.shape_of("u8"), nlohmann::json(255), error);
  ASSERT_TRUE(byte);
  EXPECT_EQ(*byte, (std::vector<std::uint64_t>{255}));
  EXPECT_FALSE(payload_values(refinements, refinements.shape_of("u8"), nlohmann::json(256), error));
  EXPECT_FALSE(payload_values(refinements, refinements.shape_of("bool"), nlohmann::json(1), error));
  EXPECT_EQ(error, "the payload must be a boolean, not 1");
  // A sort without fixed width carries nothing a guard can read.
  EXPECT_EQ(payload_values(refinements, refinements.shape_of("Int"), nlohmann::json("anything"), error)->size(), 0u);

  const auto state = state_values(refinements, 1, nlohmann::json{{"nxt", 40}}, error);
  ASSERT_TRUE(state) << error;
  EXPECT_EQ(*state, (std::vector<std::uint64_t>{40}));
  EXPECT_FALSE(state_values(refinements, 1, nlohmann::json::object(), error));
  EXPECT_EQ(error, "no value for state variable 'nxt'");
}

}  // namespace
}  // namespace lim::refine
