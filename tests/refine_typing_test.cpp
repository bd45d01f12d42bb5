// Typing and compilation of guards, predicates, constants and timeouts
// (refine/compile): every ill-typed spec is a located error, every
// well-typed guard a program with the meaning the language reference gives.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "lim/automata/from_local_types.hpp"
#include "lim/refine/compile.hpp"
#include "lim/refine/evaluate.hpp"
#include "lim/syntax/parser.hpp"
#include "test_support.hpp"

namespace lim::refine {
namespace {

struct Compiled {
  SourceFile file;
  Diagnostics diagnostics;
  std::optional<Refinements> refinements;
};

Compiled compile(const std::string& text) {
  Compiled compiled{SourceFile("test.lim", text), {}, std::nullopt};
  const auto context = syntax::load_context(compiled.file, compiled.diagnostics);
  if (!context) {
    ADD_FAILURE() << "does not parse: " << format_diagnostics(compiled.file, compiled.diagnostics);
    return compiled;
  }
  compiled.refinements = compile_refinements(*context, compiled.diagnostics);
  return compiled;
}

Refinements accept(const std::string& text) {
  Compiled compiled = compile(text);
  EXPECT_TRUE(compiled.diagnostics.empty()) << format_diagnostics(compiled.file, compiled.diagnostics);
  if (!compiled.refinements) return {};
  return std::move(*compiled.refinements);
}

std::string first_error(const std::string& text) {
  const Compiled compiled = compile(text);
  EXPECT_FALSE(compiled.refinements.has_value()) << text;
  for (const Diagnostic& d : compiled.diagnostics.all())
    if (d.severity == Severity::Error)
      return std::to_string(d.location.line) + ":" + std::to_string(d.location.column) + ": " + d.message;
  return "no error";
}

// `a` waits for `m(x: T) if GUARD` from `b`; the guard is guards[0].
std::string with_guard(const std::string& declarations, const std::string& sort, const std::string& guard) {
  return declarations + "\na: b&m(x: " + sort + ") if " + guard + "\nb: a⊕m(" + sort + ")\n";
}

const std::string kSegment = "record seg { seq: u32, len: u32, wnd: u16, syn: bool }";

std::uint64_t run(const Refinements& refinements, std::vector<std::uint64_t> payload,
                  std::vector<std::uint64_t> state = {}) {
  return evaluate(refinements.guards.at(0).program, payload, state);
}

// ---- names ------------------------------------------------------------------------

TEST(RefineTyping, ResolvesPayloadFieldsStateAndConstants) {
  const Refinements refinements =
      accept(with_guard(kSegment + "\nstate a { nxt: u32 }\nconst limit: u32 = 100", "seg",
                        "x.seq == nxt && x.len < limit && !x.syn"));
  ASSERT_EQ(refinements.guards.size(), 1u);
  const Guard& guard = refinements.guards[0];
  EXPECT_EQ(guard.role, 0u);
  EXPECT_EQ(guard.binder, "x");
  EXPECT_EQ(guard.text, "x.seq == nxt && x.len < limit && !x.syn");
  EXPECT_EQ(guard.location, (SourceLocation{4, 19}));
  ASSERT_TRUE(guard.payload.record.has_value());
  EXPECT_EQ(guard.program.payload_fields(), (std::vector<std::uint32_t>{0, 1, 3}));
  EXPECT_EQ(guard.program.state_variables(), (std::vector<std::uint32_t>{0}));
  EXPECT_EQ(run(refinements, {7, 99, 0, 0}, {7}), 1u);
  EXPECT_EQ(run(refinements, {7, 100, 0, 0}, {7}), 0u);
  EXPECT_EQ(run(refinements, {7, 1, 0, 1}, {7}), 0u);
  EXPECT_EQ(run(refinements, {8, 1, 0, 0}, {7}), 0u);
}

TEST(RefineTyping, ReportsUnknownNamesWithWhatWasLookedFor) {
  EXPECT_EQ(first_error(with_guard("state a { nxt: u32 }", "u32", "x == rcv_nxt")),
            "2:24: unknown name 'rcv_nxt': not the payload 'x', a constant or a state variable of 'a'");
  EXPECT_EQ(first_error(with_guard(kSegment, "seg", "x.ack == 0")), "2:19: record 'seg' has no field 'ack'");
  EXPECT_EQ(first_error(with_guard("", "u32", "f(x)")),
            "2:19: unknown function 'f' (the builtins are seq_lt, seq_le, seq_gt, seq_ge and the casts u8, u16, u32, "
            "u64)");
  EXPECT_EQ(first_error("const a: u32 = b\nconst b: u32 = 1"),
            "1:16: unknown name 'b': a constant's value may use only constants declared before it");
}

TEST(RefineTyping, StateVariablesBelongToTheirRole) {
  // `nxt` is b's, not a's.
  EXPECT_EQ(first_error("state b { nxt: u32 }\na: b&m(x: u32) if x == nxt\nb: a⊕m(u32)"),
            "2:24: unknown name 'nxt': not the payload 'x', a constant or a state variable of 'a'");
}

TEST(RefineTyping, ABinderWithoutFixedWidthCannotBeRead) {
  EXPECT_EQ(first_error(with_guard("", "Int", "x == 1")),
            "2:19: 'x' names a payload without a fixed width; guards compute with records and u8, u16, u32, u64, "
            "bool");
}

// ---- types and widths ---------------------------------------------------------------

TEST(RefineTyping, AGuardMustBeACondition) {
  EXPECT_EQ(first_error(with_guard("", "u32", "x + 1")), "2:19: a guard must be a condition (bool), but this is u32");
  EXPECT_EQ(first_error(with_guard(kSegment, "seg", "x")), "2:19: a guard must be a condition (bool), but this is a record");
}

TEST(RefineTyping, OperandsMustHaveTheRightKind) {
  EXPECT_EQ(first_error(with_guard("", "bool", "x + 1 == 2")),
            "2:22: this operator works on numbers, but an operand is a bool");
  EXPECT_EQ(first_error(with_guard("", "u8", "x && true")),
            "2:20: this operator works on conditions (bool), but an operand is a number");
  EXPECT_EQ(first_error(with_guard("", "bool", "x == 1")), "2:22: cannot compare a bool with a number");
  EXPECT_EQ(first_error(with_guard("", "bool", "-x == x")), "2:20: '-' works on numbers, but its operand is a bool");
}

TEST(RefineTyping, LiteralsTakeTheirOperandsWidthAndMustFit) {
  EXPECT_EQ(first_error(with_guard("", "u8", "x == 256")), "2:23: the number 256 does not fit in u8");
  // -1 at u8 is 255: the modular reading of a negative literal.
  const Refinements refinements = accept(with_guard("", "u8", "x == -1"));
  EXPECT_EQ(run(refinements, {255}), 1u);
  EXPECT_EQ(run(refinements, {1}), 0u);
}

TEST(RefineTyping, NarrowerOperandsAreZeroExtended) {
  // u16 + u32 computes in u32: 0xFFFF + 1 does not wrap to 0.
  const Refinements refinements =
      accept(with_guard(kSegment, "seg", "x.wnd + x.len == 0x10000"));
  EXPECT_EQ(run(refinements, {0, 1, 0xFFFF, 0}), 1u);
}

TEST(RefineTyping, ArithmeticWrapsAroundAtTheWidth) {
  const Refinements refinements = accept(with_guard("state a { nxt: u32 }", "u32", "x + 1 == nxt"));
  EXPECT_EQ(run(refinements, {0xFFFFFFFF}, {0}), 1u);
}

TEST(RefineTyping, ShiftsKeepTheirLeftOperandsWidth) {
  const Refinements refinements = accept(with_guard("state a { k: u64 }", "u8", "x << k == 0"));
  EXPECT_EQ(run(refinements, {1}, {8}), 1u);   // 1 << 8 in u8 is 0
  EXPECT_EQ(run(refinements, {1}, {7}), 0u);   // 128
  EXPECT_EQ(run(refinements, {1}, {300}), 1u);  // beyond the width
}

TEST(RefineTyping, CastsConvertBetweenWidths) {
  const Refinements refinements = accept(with_guard("", "u32", "u8(x) == 0x34 && u64(x) + 1 == 0x100000000"));
  EXPECT_EQ(run(refinements, {0xFFFFFF34}), 0u);
  EXPECT_EQ(run(refinements, {0xFFFFFFFF}), 0u);
  const Refinements truncation = accept(with_guard("", "u32", "u8(x) == 0x34"));
  EXPECT_EQ(run(truncation, {0x1234}), 1u);
  EXPECT_EQ(first_error(with_guard("", "bool", "u8(x) == 1")), "2:20: 'u8'(…) converts numbers, not a bool");
}

TEST(RefineTyping, SequenceComparisonsWantOneWidth) {
  EXPECT_EQ(first_error(with_guard(kSegment, "seg", "seq_lt(x.wnd, x.len)")),
            "2:19: 'seq_lt' compares numbers of one width, but these are u16 and u32 (cast one with u32(…))");
  EXPECT_EQ(first_error(with_guard("", "u32", "seq_lt(x)")), "2:19: 'seq_lt' takes 2 arguments, not 1");
}

// ---- predicates ---------------------------------------------------------------------

TEST(RefineTyping, PredicatesExpandWithTheirArguments) {
  const Refinements refinements = accept(with_guard(
      kSegment + "\nstate a { nxt: u32, wnd: u32 }\npred in_window(v: u32) = seq_le(nxt, v) && seq_lt(v, nxt + wnd)\n"
                 "pred ok(s: seg) = in_window(s.seq) || in_window(s.seq + s.len - 1)",
      "seg", "ok(x)"));
  // nxt = 0xFFFFFFF0, wnd = 0x20: the window wraps around 0.
  EXPECT_EQ(run(refinements, {5, 1, 0, 0}, {0xFFFFFFF0, 0x20}), 1u);
  EXPECT_EQ(run(refinements, {0x20, 1, 0, 0}, {0xFFFFFFF0, 0x20}), 0u);
  // Starts before the window, ends inside it.
  EXPECT_EQ(run(refinements, {0xFFFFFFEF, 2, 0, 0}, {0xFFFFFFF0, 0x20}), 1u);
}

TEST(RefineTyping, ReportsErrorsInsidePredicatesWithTheUse) {
  const std::string text = with_guard("state a { nxt: u32 }\npred p(v: u32) = v == nxt && v", "u32", "p(x)");
  const Compiled compiled = compile(text);
  ASSERT_FALSE(compiled.refinements);
  ASSERT_EQ(compiled.diagnostics.all().size(), 2u) << format_diagnostics(compiled.file, compiled.diagnostics);
  EXPECT_EQ(compiled.diagnostics.all()[0].message,
            "this operator works on conditions (bool), but an operand is a number");
  EXPECT_EQ(compiled.diagnostics.all()[0].location, (SourceLocation{2, 27}));
  EXPECT_EQ(compiled.diagnostics.all()[1].severity, Severity::Note);
  EXPECT_EQ(compiled.diagnostics.all()[1].message, "in predicate 'p', used here");
  EXPECT_EQ(compiled.diagnostics.all()[1].location, (SourceLocation{3, 19}));
}

TEST(RefineTyping, RejectsRecursivePredicates) {
  EXPECT_EQ(first_error("pred p(v: u32) = q(v)\npred q(v: u32) = p(v + 1)"),
            "1:6: predicate 'p' calls itself (p → q → p); predicates are expanded where they are used, so they "
            "cannot recurse");
  EXPECT_EQ(first_error("pred p(v: u32) = v == 0 || p(v - 1)"),
            "1:6: predicate 'p' calls itself (p → p); predicates are expanded where they are used, so they cannot "
            "recurse");
}

TEST(RefineTyping, ChecksPredicateArguments) {
  EXPECT_EQ(first_error(with_guard(kSegment + "\npred p(s: seg) = s.syn", "u32", "p(x)")),
            "3:21: parameter 's' of 'p' is a 'seg' record, but this is a number");
  EXPECT_EQ(first_error(with_guard("pred p(v: u16) = v == 0", "u32", "p(x)")),
            "2:21: parameter 'v' of 'p' is u16, but this is u32 (cut it with u16(…))");
  EXPECT_EQ(first_error(with_guard("pred p(v: u16) = v == 0", "u32", "p(x, x)")), "2:19: 'p' takes 1 argument, not 2");
  EXPECT_EQ(first_error("pred seq_lt(v: u32) = true"), "1:6: predicate 'seq_lt' has the name of a builtin function");
}

TEST(RefineTyping, UnusedPredicatesAreCheckedForNamesToo) {
  EXPECT_EQ(first_error("pred p(v: u32) = v == nothing"),
            "1:23: unknown name 'nothing' in predicate 'p': not a parameter, a constant or a state variable");
}

TEST(RefineTyping, ExpansionIsBoundedInSize) {
  // Each level calls the previous one twice: 2^30 copies of the innermost.
  std::string text = "pred p0(v: u32) = v == 0\n";
  for (int level = 1; level <= 30; ++level)
    text += "pred p" + std::to_string(level) + "(v: u32) = p" + std::to_string(level - 1) + "(v) && p" +
            std::to_string(level - 1) + "(v + 1)\n";
  const std::string error = first_error(with_guard(text, "u32", "p30(x)"));
  EXPECT_NE(error.find("grows beyond 1000000 operations once its predicates are expanded"), std::string::npos)
      << error;
}

// ---- constants and timeouts -----------------------------------------------------------

TEST(RefineTyping, EvaluatesConstantsInOrder) {
  const Refinements refinements =
      accept("const a: u8 = 200 + 100\nconst b: u32 = a * 2\nconst c: bool = b > 80\nconst d: u64 = 2min");
  ASSERT_EQ(refinements.constants.size(), 4u);
  EXPECT_EQ(refinements.constants[0].value, 44u);  // 300 mod 256
  EXPECT_EQ(refinements.constants[1].value, 88u);
  EXPECT_EQ(refinements.constants[2].value, 1u);
  EXPECT_EQ(refinements.constants[3].value, 120000u);
  EXPECT_EQ(first_error("const a: u16 = 1\nconst b: u8 = a"), "2:15: constant 'b' is u8, but this is u16 (cut it with u8(…))");
  EXPECT_EQ(first_error("const a: bool = 1"), "1:17: constant 'a' is a bool, but this is a number");
}

TEST(RefineTyping, ResolvesTimeoutDurations) {
  const Refinements refinements = accept(
      "const patience: u64 = 3s\nstate a { rto: u32 }\n"
      "a: b&{m . b&{m . b&{m, timeout(rto)}, timeout(patience)}, timeout(250ms)}\nb: a⊕m . a⊕m . a⊕m");
  std::vector<std::string> named;
  std::vector<std::uint64_t> milliseconds;
  for (const auto& [choice, duration] : refinements.choice_timeouts) {
    named.push_back(duration.name);
    milliseconds.push_back(duration.milliseconds.value_or(0));
  }
  std::sort(named.begin(), named.end());
  std::sort(milliseconds.begin(), milliseconds.end());
  EXPECT_EQ(named, (std::vector<std::string>{"", "patience", "rto"}));
  EXPECT_EQ(milliseconds, (std::vector<std::uint64_t>{0, 250, 3000}));
  EXPECT_EQ(first_error("a: b&{m, timeout(later)}\nb: a⊕m"),
            "1:18: unknown duration 'later': write one (500ms, 2s, 1min), or declare it as a constant or as a state "
            "variable of role 'a'");
  EXPECT_EQ(first_error("state a { on: bool }\na: b&{m, timeout(on)}\nb: a⊕m"),
            "2:18: state variable 'on' is a bool, not a duration");
}

TEST(RefineTyping, TranslationCarriesGuardsAndTimeouts) {
  const auto system = testing::system_of(
      "state a { rto: u64 }\na: b&{m(x: u8) if x > 3 . end, m(x: u8) if x <= 3 . end, timeout(rto) . end}\n"
      "b: a⊕m(u8)\n");
  const auto& transitions = system.machines[0].transitions();
  ASSERT_EQ(transitions.size(), 3u);
  EXPECT_EQ(transitions[0].action.guard, 0u);
  EXPECT_EQ(transitions[1].action.guard, 1u);
  EXPECT_EQ(transitions[2].action.direction, automata::Direction::Timeout);
  ASSERT_EQ(system.timeouts.size(), 1u);
  EXPECT_FALSE(system.timeouts[0].milliseconds.has_value());
  EXPECT_EQ(system.timeouts[0].variable, "rto");
  EXPECT_EQ(system.describe_state(0, system.machines[0].initial), "b&{m(u8) if x > 3, m(u8) if x <= 3, timeout(rto)}");
}

TEST(RefineTyping, IllTypedSpecsAreInputErrorsOfThePipeline) {
  const auto spec = pipeline::load_spec_text("bad.lim", "a: b&m(x: u8) if x\nb: a⊕m(u8)\n");
  EXPECT_FALSE(spec.ok());
  ASSERT_TRUE(spec.diagnostics.has_errors());
  EXPECT_EQ(format_diagnostics(spec.source, spec.diagnostics),
            "bad.lim:1:18: error: a guard must be a condition (bool), but this is u8\n"
            "a: b&m(x: u8) if x\n"
            "                 ^\n");
  // The convenience overload throws instead.
  Diagnostics diagnostics;
  const auto context = syntax::load_context(spec.source, diagnostics);
  ASSERT_TRUE(context);
  EXPECT_THROW(automata::system_from_context(*context), std::invalid_argument);
}

}  // namespace
}  // namespace lim::refine
