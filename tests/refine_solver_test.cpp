// The Z3 side of the guards (refine/guard_solver): answers, witnesses that
// replay through the evaluator, the cache, and — the point of having one
// program format — a differential test: on random programs over every
// width, what Z3 proves about a program is what the evaluator computes.
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "lim/refine/evaluate.hpp"
#include "lim/refine/guard_solver.hpp"

namespace lim::refine {
namespace {

// A record with one field of each type, and a role with one state variable
// of each type; guards are added by the tests.
Refinements table() {
  Refinements refinements;
  Record record{"r", {}, {}};
  std::vector<Field> state;
  for (const Scalar type : {Scalar::Bool, Scalar::U8, Scalar::U16, Scalar::U32, Scalar::U64}) {
    record.fields.push_back({std::string("f_") + std::string(name(type)), type, {}});
    state.push_back({std::string("v_") + std::string(name(type)), type, {}});
  }
  refinements.records.push_back(record);
  refinements.state.push_back(state);
  return refinements;
}

PayloadShape record_shape() {
  PayloadShape shape;
  shape.record = 0;
  return shape;
}

GuardId add(Refinements& refinements, Program program, std::string binder = "p") {
  refinements.guards.push_back({std::move(program), 0, record_shape(), std::move(binder), "test", {}});
  return static_cast<GuardId>(refinements.guards.size() - 1);
}

// payload field `field` (a u32 unless said) compared with a constant.
Program compare(Opcode op, std::uint32_t field, std::uint64_t constant, std::uint8_t width = 32) {
  Program program;
  program.emit({Opcode::Payload, width, field, 0, 0});
  program.emit({Opcode::Constant, width, 0, 0, constant});
  program.emit({op, 1, 0, 1, 0});
  return program;
}

TEST(RefineSolver, DecidesSatisfiabilityAndGivesAWitness) {
  Refinements refinements = table();
  const GuardId big = add(refinements, compare(Opcode::Greater, 3, 1000));
  const GuardId small = add(refinements, compare(Opcode::Less, 3, 10));
  GuardSolver solver(refinements);
  const GuardId only_big[] = {big};
  const QueryResult result = solver.check(only_big);
  ASSERT_EQ(result.answer, QueryResult::Answer::Satisfiable);
  ASSERT_TRUE(result.witness);
  EXPECT_TRUE(holds(refinements.guards[big].program, result.witness->payload, result.witness->state));
  ASSERT_EQ(result.witness->shown.size(), 1u);
  EXPECT_EQ(result.witness->shown[0].first, "p.f_u32");
  const GuardId both[] = {big, small};
  EXPECT_EQ(solver.check(both).answer, QueryResult::Answer::Unsatisfiable);
  // Neither big nor small: 10 ≤ f ≤ 1000.
  const QueryResult gap = solver.check({}, both, true);
  ASSERT_EQ(gap.answer, QueryResult::Answer::Satisfiable);
  const auto value = gap.witness->payload[3];
  EXPECT_GE(value, 10u);
  EXPECT_LE(value, 1000u);
  EXPECT_EQ(gap.witness->text(), "p.f_u32=" + std::to_string(value));
}

TEST(RefineSolver, CachesAnswersByFormula) {
  Refinements refinements = table();
  const GuardId first = add(refinements, compare(Opcode::Equal, 3, 7));
  const GuardId same = add(refinements, compare(Opcode::Equal, 3, 7), "q");  // same condition, another guard
  GuardSolver solver(refinements);
  const GuardId a[] = {first};
  const GuardId b[] = {same};
  EXPECT_EQ(solver.check(a).answer, QueryResult::Answer::Satisfiable);
  EXPECT_EQ(solver.check(b).answer, QueryResult::Answer::Satisfiable);
  EXPECT_EQ(solver.statistics().queries, 2u);
  EXPECT_EQ(solver.statistics().solver_calls, 1u);
  EXPECT_EQ(solver.statistics().cache_hits, 1u);
  // The witness is named after the guard asked about.
  EXPECT_EQ(solver.check(b).witness->text(), "q.f_u32=7");
}

TEST(RefineSolver, ReadableWitnessesPreferSmallValues) {
  Refinements refinements = table();
  // f_u32 - v_u32 == 5 (mod 2^32): the first model may be anything.
  Program program;
  program.emit({Opcode::Payload, 32, 3, 0, 0});
  program.emit({Opcode::State, 32, 3, 0, 0});
  program.emit({Opcode::Subtract, 32, 0, 1, 0});
  program.emit({Opcode::Constant, 32, 0, 0, 5});
  program.emit({Opcode::Equal, 1, 2, 3, 0});
  const GuardId guard = add(refinements, program);
  GuardSolver solver(refinements);
  const GuardId query[] = {guard};
  const QueryResult result = solver.check(query, {}, true);
  ASSERT_EQ(result.answer, QueryResult::Answer::Satisfiable);
  const auto payload = result.witness->payload[3];
  const auto state = result.witness->state[3];
  EXPECT_EQ((payload - state) & 0xFFFFFFFF, 5u);
  const auto near_zero = [](std::uint64_t value) { return value <= 16 || value >= 0xFFFFFFFF - 15; };
  EXPECT_TRUE(near_zero(payload)) << payload;
  EXPECT_TRUE(near_zero(state)) << state;
}

TEST(RefineSolver, ATimeLimitGivesUnknown) {
  Refinements refinements = table();
  // Factor a 62-bit semiprime: f_u64 * v_u64 == p·q with both factors > 1.
  constexpr std::uint64_t p = 2147483647;  // 2^31 - 1
  constexpr std::uint64_t q = 2147483629;
  Program program;
  program.emit({Opcode::Payload, 64, 4, 0, 0});
  program.emit({Opcode::State, 64, 4, 0, 0});
  program.emit({Opcode::Multiply, 64, 0, 1, 0});
  program.emit({Opcode::Constant, 64, 0, 0, p * q});
  program.emit({Opcode::Equal, 1, 2, 3, 0});
  program.emit({Opcode::Constant, 64, 0, 0, 1});
  program.emit({Opcode::Greater, 1, 0, 5, 0});
  program.emit({Opcode::Greater, 1, 1, 5, 0});
  program.emit({Opcode::Constant, 64, 0, 0, 0xFFFFFFFF});
  program.emit({Opcode::Less, 1, 0, 8, 0});
  program.emit({Opcode::Less, 1, 1, 8, 0});
  program.emit({Opcode::And, 1, 4, 6, 0});
  program.emit({Opcode::And, 1, 11, 7, 0});
  program.emit({Opcode::And, 1, 12, 9, 0});
  program.emit({Opcode::And, 1, 13, 10, 0});
  const GuardId guard = add(refinements, program);
  GuardSolver solver(refinements, std::chrono::milliseconds(1));
  const GuardId query[] = {guard};
  const QueryResult result = solver.check(query);
  EXPECT_EQ(result.answer, QueryResult::Answer::Unknown);
  EXPECT_FALSE(result.reason.empty());
}

TEST(RefineSolver, RefusesGuardsOfDifferentRolesInOneQuery) {
  Refinements refinements = table();
  refinements.state.push_back({});
  const GuardId a = add(refinements, compare(Opcode::Equal, 3, 7));
  const GuardId b = add(refinements, compare(Opcode::Equal, 3, 8));
  refinements.guards[b].role = 1;
  GuardSolver solver(refinements);
  const GuardId both[] = {a, b};
  EXPECT_THROW(solver.check(both), std::invalid_argument);
}

// ---- differential: evaluator versus Z3 --------------------------------------------

class RandomPrograms {
 public:
  explicit RandomPrograms(std::uint32_t seed) : random_(seed) {}

  std::uint64_t value(unsigned width) {
    const std::uint64_t m = mask(width);
    switch (random_() % 6) {
      case 0: return 0;
      case 1: return m;                                  // all ones, i.e. -1
      case 2: return (std::uint64_t{1} << (width - 1)) & m;  // the sign bit
      case 3: return random_() % 4;
      default: return (std::uint64_t{random_()} << 32 | random_()) & m;
    }
  }

  // A well-typed program of about `size` instructions; its result has any width.
  Program program(std::size_t size) {
    Program program;
    pools_.assign(5, {});
    for (std::uint32_t field = 0; field < 5; ++field) {
      const std::uint8_t width = widths_[field];
      pools_[field].push_back(program.emit({Opcode::Payload, width, field, 0, 0}));
      pools_[field].push_back(program.emit({Opcode::State, width, field, 0, 0}));
      pools_[field].push_back(program.emit({Opcode::Constant, width, 0, 0, value(width)}));
    }
    while (program.code.size() < size) {
      const std::size_t kind = random_() % 5;  // index into widths_
      const std::uint8_t width = widths_[kind];
      const auto operand = [&](std::size_t pool) { return pools_[pool][random_() % pools_[pool].size()]; };
      Instruction in;
      if (kind == 0) {  // bool results
        static constexpr Opcode kBool[] = {Opcode::Not, Opcode::And, Opcode::Or, Opcode::Equal, Opcode::NotEqual,
                                           Opcode::Less, Opcode::LessEqual, Opcode::Greater, Opcode::GreaterEqual,
                                           Opcode::SeqLess, Opcode::SeqLessEqual, Opcode::SeqGreater,
                                           Opcode::SeqGreaterEqual};
        in.op = kBool[random_() % std::size(kBool)];
        in.width = 1;
        const std::size_t pool = in.op <= Opcode::Or ? 0 : 1 + random_() % 4;
        in.a = operand(pool);
        in.b = operand(pool);
      } else {
        static constexpr Opcode kInteger[] = {Opcode::Negate, Opcode::Complement, Opcode::Add, Opcode::Subtract,
                                              Opcode::Multiply, Opcode::Divide, Opcode::Remainder, Opcode::BitAnd,
                                              Opcode::BitOr, Opcode::BitXor, Opcode::ShiftLeft, Opcode::ShiftRight,
                                              Opcode::Extend, Opcode::Truncate};
        in.op = kInteger[random_() % std::size(kInteger)];
        in.width = width;
        if (in.op == Opcode::Extend || in.op == Opcode::Truncate) {
          // From a narrower (extend) or wider (truncate) integer.
          const std::size_t from = in.op == Opcode::Extend ? 1 + random_() % kind : kind + random_() % (5 - kind);
          if (from == kind) continue;
          in.a = operand(from);
        } else {
          in.a = operand(kind);
          in.b = operand(kind);
        }
      }
      pools_[in.width == 1 ? 0 : kind].push_back(program.emit(in));
    }
    return program;
  }

  std::vector<std::uint64_t> values() {
    std::vector<std::uint64_t> result;
    for (const std::uint8_t width : widths_) result.push_back(value(width));
    return result;
  }

 private:
  static constexpr std::uint8_t widths_[5] = {1, 8, 16, 32, 64};
  std::mt19937 random_;
  std::vector<std::vector<std::uint32_t>> pools_;
};

// `p == values` and `v == values` for every field and variable.
Program fixing(const std::vector<std::uint64_t>& payload, const std::vector<std::uint64_t>& state) {
  static constexpr std::uint8_t kWidths[5] = {1, 8, 16, 32, 64};
  Program program;
  std::uint32_t all = program.emit({Opcode::Constant, 1, 0, 0, 1});
  for (std::uint32_t field = 0; field < 5; ++field) {
    for (const bool is_state : {false, true}) {
      const auto read = program.emit({is_state ? Opcode::State : Opcode::Payload, kWidths[field], field, 0, 0});
      const auto value =
          program.emit({Opcode::Constant, kWidths[field], 0, 0, is_state ? state[field] : payload[field]});
      const auto equal = program.emit({Opcode::Equal, 1, read, value, 0});
      all = program.emit({Opcode::And, 1, all, equal, 0});
    }
  }
  return program;
}

TEST(RefineSolver, Z3AndTheEvaluatorAgreeOnRandomPrograms) {
  RandomPrograms generator(42);
  int checked = 0;
  for (int round = 0; round < 150; ++round) {
    Refinements refinements = table();
    Program program = generator.program(12 + round % 25);
    const auto payload = generator.values();
    const auto state = generator.values();
    const std::uint64_t expected = evaluate(program, payload, state);
    // "the program's result equals `expected`" must follow from the inputs,
    // and "… equals something else" must contradict them.
    const std::uint8_t width = program.code.back().width;
    const std::uint32_t result = program.result();
    Program equal = program;
    const auto constant = equal.emit({Opcode::Constant, width, 0, 0, expected});
    equal.emit({Opcode::Equal, 1, result, constant, 0});
    Program different = program;
    const auto other = different.emit({Opcode::Constant, width, 0, 0, (expected + 1) & mask(width)});
    different.emit({Opcode::Equal, 1, result, other, 0});
    const GuardId fixed = add(refinements, fixing(payload, state));
    const GuardId holds_equal = add(refinements, equal);
    const GuardId holds_different = add(refinements, different);
    GuardSolver solver(refinements);
    const GuardId inputs[] = {fixed};
    const GuardId claim[] = {holds_equal};
    const GuardId wrong[] = {fixed, holds_different};
    EXPECT_EQ(solver.check(inputs, claim).answer, QueryResult::Answer::Unsatisfiable)
        << "round " << round << ": Z3 thinks the result can differ from " << expected;
    EXPECT_EQ(solver.check(wrong).answer, QueryResult::Answer::Unsatisfiable)
        << "round " << round << ": Z3 allows a result other than " << expected;
    ++checked;
  }
  EXPECT_EQ(checked, 150);
}

TEST(RefineSolver, WitnessesOfRandomProgramsReplayThroughTheEvaluator) {
  RandomPrograms generator(7);
  int satisfiable = 0;
  for (int round = 0; round < 100; ++round) {
    Refinements refinements = table();
    Program program = generator.program(10 + round % 20);
    if (program.code.back().width != 1) {
      const std::uint8_t width = program.code.back().width;
      const auto zero = program.emit({Opcode::Constant, width, 0, 0, 0});
      program.emit({Opcode::NotEqual, 1, program.result() - 1, zero, 0});
    }
    const GuardId guard = add(refinements, program);
    GuardSolver solver(refinements);
    const GuardId query[] = {guard};
    const QueryResult result = solver.check(query, {}, round % 2 == 0);
    if (result.answer != QueryResult::Answer::Satisfiable) continue;
    ++satisfiable;
    EXPECT_TRUE(holds(refinements.guards[guard].program, result.witness->payload, result.witness->state))
        << "round " << round;
    // And the negation's witness falsifies it.
    const QueryResult negated = solver.check({}, query);
    if (negated.answer == QueryResult::Answer::Satisfiable) {
      EXPECT_FALSE(holds(refinements.guards[guard].program, negated.witness->payload, negated.witness->state))
          << "round " << round;
    }
  }
  EXPECT_GT(satisfiable, 30);
}

}  // namespace
}  // namespace lim::refine
