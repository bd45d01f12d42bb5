// kmc's session-type syntax: what it reads, the automata it builds (without
// kmc's state merging), the located errors for broken files, and format
// detection.
#include <gtest/gtest.h>

#include "lim/automata/csa.hpp"
#include "lim/formats/format_detection.hpp"
#include "lim/formats/kmc_session_types.hpp"
#include "test_support.hpp"

namespace lim {
namespace {

using automata::Direction;

struct Read {
  std::optional<automata::System> system;
  Diagnostics diagnostics;
  std::string text;
};

Read read(const std::string& text) {
  Read result;
  const SourceFile file("test.kmc", text);
  result.system = formats::read_kmc_session_types(file, result.diagnostics);
  result.text = format_diagnostics(file, result.diagnostics);
  return result;
}

automata::RoleId role(const automata::System& system, const std::string& name) {
  for (automata::RoleId id = 0; id < system.role_count(); ++id)
    if (system.role_names[id] == name) return id;
  ADD_FAILURE() << "no role " << name;
  return 0;
}

TEST(FormatsKmc, ReadsTheRunningExample) {
  const auto result = read(R"(C: rec x . S!req;S!data; {S?ko;x, S?ok;end, S?err;end}

S: rec x . C?req; { C!ko;C?data;x
       	   	  , C!ok;C?data; rec y. L!log;y}

L: rec y. S?log;y
)");
  ASSERT_TRUE(result.system) << result.text;
  const auto& system = *result.system;
  ASSERT_EQ(system.role_count(), 3u);
  const auto& client = system.machines[role(system, "C")];
  // rec x: req → data → {ko → back, ok → end, err → end}: 5 states, 5 transitions.
  EXPECT_EQ(client.state_count(), 5u);
  EXPECT_EQ(client.transitions().size(), 5u);
  const auto first = client.outgoing(client.initial);
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0].action.direction, Direction::Send);
  EXPECT_EQ(system.role_names[first[0].action.peer], "S");
  EXPECT_EQ(system.labels.name(first[0].action.label), "req");
  EXPECT_EQ(first[0].location.line, 1u);
  EXPECT_EQ(first[0].location.column, 14u);
  const auto& logger = system.machines[role(system, "L")];
  EXPECT_EQ(logger.state_count(), 1u);  // rec y . S?log; y loops on its first state
}

TEST(FormatsKmc, PayloadsAndComments) {
  const auto result = read(R"(-- a comment
/* a block
   comment */ A: rec x . B!a<int>; B?b<bool>; x
B: rec y . A!b<bool>; A?a<int>; y  -- trailing
)");
  ASSERT_TRUE(result.system) << result.text;
  const auto& system = *result.system;
  const auto& a = system.machines[0];
  EXPECT_EQ(system.sorts.display(a.outgoing(a.initial)[0].action.payload), "int");
  EXPECT_EQ(system.describe_action(0, a.outgoing(a.initial)[0].action), "AB!a<int>");
}

TEST(FormatsKmc, AcceptsLowercaseAndDigitRoleNames) {
  const auto result = read("master: worker1!job; worker1?done; end\nworker1: master?job; master!done; end\n");
  ASSERT_TRUE(result.system) << result.text;
  EXPECT_EQ(result.system->role_names[0], "master");
  EXPECT_EQ(result.system->role_names[1], "worker1");
}

// kmc names a state by concatenating the labels leading to it, so `B!a;
// B!b` and `B!ab` reach the same state "AOAB" and kmc lets A send x after
// a, b. Every syntactic position is its own state here.
TEST(FormatsKmc, DistinctPathsNeverMerge) {
  const auto result = read("A: {B!a; B!b; end, B!ab; C!x; end}\nB: {A?a; A?b; end, A?ab; end}\nC: A?x; end\n");
  ASSERT_TRUE(result.system) << result.text;
  const auto& a = result.system->machines[0];
  EXPECT_EQ(a.state_count(), 5u);  // initial, after a, after a;b, after ab, after ab;x
  const auto& labels = result.system->labels;
  for (const auto& transition : a.transitions()) {
    if (labels.name(transition.action.label) != "b") continue;
    EXPECT_EQ(a.kind(transition.target), automata::StateKind::Final) << "after a;b, A has ended";
  }
}

// kmc would also merge the two `a` branches into one state offering both
// continuations; lim keeps the non-determinism, which the CSA check reports.
TEST(FormatsKmc, SameLabelTwiceStaysNondeterministic) {
  const auto result = read("A: {B!a; C!x; end, B!a; C!y; end}\nB: A?a; end\nC: {A?x; end, A?y; end}\n");
  ASSERT_TRUE(result.system) << result.text;
  EXPECT_EQ(automata::find_nondeterminism(*result.system).size(), 1u);
}

TEST(FormatsKmc, MixedChoicesAreKept) {
  const auto result = read("A: {B!a; end, C?b; end}\nB: A?a; end\nC: A!b; end\n");
  ASSERT_TRUE(result.system) << result.text;
  EXPECT_EQ(automata::find_mixed_states(*result.system).size(), 1u);
}

TEST(FormatsKmc, PassiveRoleIsAccepted) {
  // kmc's tests declare partners that never answer as `B: end`.
  const auto result = read("A: B!a; end\nB: end\n");
  ASSERT_TRUE(result.system) << result.text;
  EXPECT_EQ(result.system->machines[1].transitions().size(), 0u);
}

struct BrokenCase {
  const char* name;
  const char* text;
  const char* located;  // "line:column: error: …" prefix expected in the output
  const char* message;  // part of the message
};

// gtest prints the case by name.
void PrintTo(const BrokenCase& broken, std::ostream* out) { *out << broken.name; }

class FormatsKmcErrors : public ::testing::TestWithParam<BrokenCase> {};

TEST_P(FormatsKmcErrors, AreLocated) {
  const auto& broken = GetParam();
  const auto result = read(broken.text);
  EXPECT_FALSE(result.system);
  EXPECT_TRUE(result.diagnostics.has_errors());
  EXPECT_NE(result.text.find(std::string("test.kmc:") + broken.located), std::string::npos) << result.text;
  EXPECT_NE(result.text.find(broken.message), std::string::npos) << result.text;
}

INSTANTIATE_TEST_SUITE_P(
    FormatsKmc, FormatsKmcErrors,
    ::testing::Values(
        BrokenCase{"unknown_partner", "A: B!a; end\nB: A?a; C!b; end\n", "2:9: error:", "'C' is not a role"},
        BrokenCase{"sends_to_itself", "A: A!a; end\n", "1:4: error:", "sends to itself"},
        BrokenCase{"receives_from_itself", "A: B!a; end\nB: B?a; end\n", "2:4: error:", "receives from itself"},
        BrokenCase{"unbound_variable", "A: B!a; y\nB: A?a; end\n", "1:9: error:", "'y' is not a recursion variable"},
        BrokenCase{"unguarded_recursion", "A: rec x . x\nB: end\n", "1:12: error:", "unguarded recursion"},
        BrokenCase{"end_branch", "A: {B!a; end, end}\nB: A?a; end\n", "1:15: error:", "must start with an action"},
        BrokenCase{"variable_branch", "A: rec x . {B!a; x, x}\nB: rec y . A?a; y\n", "1:21: error:",
                   "must start with an action"},
        BrokenCase{"missing_semicolon", "A: B!a end\nB: A?a; end\n", "1:8: error:", "expected ';'"},
        BrokenCase{"missing_end", "A: B!a;\nB: A?a; end\n", "2:1: error:", "found the next entry 'B:'"},
        BrokenCase{"duplicate_role", "A: B!a; end\nB: A?a; end\nA: end\n", "3:1: error:", "defined twice"},
        BrokenCase{"unclosed_choice", "A: {B!a; end\nB: A?a; end\n", "2:1: error:", "',' or '}'"},
        BrokenCase{"unterminated_comment", "A: B!a; end /* oops\nB: A?a; end\n", "1:13: error:",
                   "unterminated comment"},
        BrokenCase{"empty_file", "-- nothing\n", "", "no role is defined"}),
    [](const ::testing::TestParamInfo<BrokenCase>& info) { return std::string(info.param.name); });

TEST(FormatsKmc, GarbageNeverCrashes) {
  std::string garbage;
  for (int i = 0; i < 4096; ++i) garbage += static_cast<char>((i * 7919 + 13) % 256);
  EXPECT_FALSE(read(garbage).system);
  EXPECT_FALSE(read(std::string(100000, '{')).system);  // nesting is bounded
  EXPECT_FALSE(read("A: " + std::string(50000, '{')).system);
  std::string chain = "A: ";
  for (int i = 0; i < 20000; ++i) chain += "B!a; ";
  chain += "end\nB: rec x . A?a; x\n";
  const auto long_chain = read(chain);  // sequences cost no stack
  ASSERT_TRUE(long_chain.system) << long_chain.text;
  EXPECT_EQ(long_chain.system->machines[0].state_count(), 20001u);
}

TEST(FormatsDetection, RecognisesEachFormat) {
  using formats::detect_format;
  using formats::InputFormat;
  EXPECT_EQ(detect_format("A: B!a; end\nB: A?a; end\n"), InputFormat::KmcSessionTypes);
  EXPECT_EQ(detect_format("-- p\n.outputs\n.state graph\nq0 1 ! a q1\n.marking q0\n.end\n"), InputFormat::GmcFsm);
  EXPECT_EQ(detect_format("  .outputs \n.state graph\n"), InputFormat::GmcFsm);
  EXPECT_EQ(detect_format("alice: bob⊕hello . end\nbob: alice&hello . end\n"), InputFormat::Lim);
  EXPECT_EQ(detect_format("s[p]: q(+)m . end, s[q]: p&m . end"), InputFormat::Lim);
  // Words in comments do not count.
  EXPECT_EQ(detect_format("# is this kmc? no!\nalice: end\n"), InputFormat::Lim);
  EXPECT_EQ(detect_format("-- uses ⊕ in a comment\nA: B!a; end\nB: A?a; end\n"), InputFormat::KmcSessionTypes);
  EXPECT_EQ(formats::parse_input_format("fsm"), InputFormat::GmcFsm);
  EXPECT_EQ(formats::parse_input_format("kmc"), InputFormat::KmcSessionTypes);
  EXPECT_FALSE(formats::parse_input_format("dot"));
}

TEST(FormatsDetection, PipelineReadsKmcFilesAndHonoursTheOverride) {
  auto spec = pipeline::load_spec_text("x.txt", "A: B!a; end\nB: A?a; end\n");
  ASSERT_TRUE(spec.ok()) << format_diagnostics(spec.source, spec.diagnostics);
  EXPECT_EQ(spec.format, formats::InputFormat::KmcSessionTypes);
  // Forced to lim, the same text is a lim syntax error.
  auto forced = pipeline::load_spec_text("x.txt", "A: B!a; end\nB: A?a; end\n", formats::InputFormat::Lim);
  EXPECT_FALSE(forced.ok());
  // A .lim file is lim whatever it looks like.
  EXPECT_EQ(pipeline::load_spec_text("x.lim", "A: B!a; end\n").format, formats::InputFormat::Lim);
}

}  // namespace
}  // namespace lim
