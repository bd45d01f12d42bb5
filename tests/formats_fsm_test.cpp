// The kmc/GMC `.outputs` CFSM format, and the writers behind `lim export`:
// fsm and lim output read back into the same automata.
#include <gtest/gtest.h>

#include "lim/formats/fsm_writer.hpp"
#include "lim/formats/gmc_fsm.hpp"
#include "lim/formats/kmc_session_types.hpp"
#include "lim/formats/lim_writer.hpp"
#include "lim/pipeline/check_async.hpp"
#include "test_support.hpp"

namespace lim {
namespace {

using automata::Direction;

struct Read {
  std::optional<automata::System> system;
  Diagnostics diagnostics;
  std::string text;
};

Read read_fsm(const std::string& text) {
  Read result;
  const SourceFile file("test.fsm", text);
  result.system = formats::read_gmc_fsm(file, result.diagnostics);
  result.text = format_diagnostics(file, result.diagnostics);
  return result;
}

constexpr const char* kPingPong = R"(-- client == 0
.outputs
.state graph
q0 1 ! ping q1
q1 1 ? pong<int> q0
q0 1 ! bye q2
.marking q0
.end

-- server == 1
.outputs
.state graph
s0 0 ? ping s1   -- a comment after a transition
s1 0 ! pong<int> s0
s0 0 ? bye s2
.marking s0 -- <-- initial state
.end
)";

TEST(FormatsFsm, ReadsMachinesNumberedInFileOrder) {
  const auto result = read_fsm(kPingPong);
  ASSERT_TRUE(result.system) << result.text;
  const auto& system = *result.system;
  ASSERT_EQ(system.role_count(), 2u);
  EXPECT_EQ(system.role_names[0], "0");
  EXPECT_EQ(system.role_names[1], "1");
  const auto& client = system.machines[0];
  EXPECT_EQ(client.state_count(), 3u);
  EXPECT_EQ(client.graph[client.initial].name, "q0");
  EXPECT_EQ(client.outgoing(client.initial).size(), 2u);
  const auto& server = system.machines[1];
  EXPECT_EQ(server.graph[server.initial].name, "s0");
  const auto& pong = server.transitions()[server.first_outgoing_index(1)];
  EXPECT_EQ(pong.action.direction, Direction::Send);
  EXPECT_EQ(system.labels.name(pong.action.label), "pong");
  EXPECT_EQ(system.sorts.display(pong.action.payload), "int");
  EXPECT_EQ(pong.location.line, 14u);
}

TEST(FormatsFsm, NamedMachinesAndDigitLabels) {
  const auto result = read_fsm(".outputs smtp\n.state graph\nq0 1 ? 220 q1\n.marking q0\n.end\n"
                               ".outputs client\n.state graph\nq0 0 ! 220 q1\n.marking q0\n.end\n");
  ASSERT_TRUE(result.system) << result.text;
  EXPECT_EQ(result.system->role_names[0], "smtp");
  EXPECT_EQ(result.system->labels.name(0), "220");
}

struct BrokenCase {
  const char* name;
  const char* text;
  const char* located;
  const char* message;
};

// gtest prints the case by name.
void PrintTo(const BrokenCase& broken, std::ostream* out) { *out << broken.name; }

class FormatsFsmErrors : public ::testing::TestWithParam<BrokenCase> {};

TEST_P(FormatsFsmErrors, AreLocated) {
  const auto& broken = GetParam();
  const auto result = read_fsm(broken.text);
  EXPECT_FALSE(result.system);
  EXPECT_NE(result.text.find(std::string("test.fsm:") + broken.located), std::string::npos) << result.text;
  EXPECT_NE(result.text.find(broken.message), std::string::npos) << result.text;
}

INSTANTIATE_TEST_SUITE_P(
    FormatsFsm, FormatsFsmErrors,
    ::testing::Values(
        BrokenCase{"partner_out_of_range", ".outputs\n.state graph\nq0 1 ! a q1\n.marking q0\n.end\n", "3:4: error:",
                   "machine 1 does not exist"},
        BrokenCase{"partner_not_a_number", ".outputs\n.state graph\nq0 B ! a q1\n.marking q0\n.end\n",
                   "3:4: error:", "machine index"},
        BrokenCase{"sends_to_itself",
                   ".outputs\n.state graph\nq0 0 ! a q1\n.marking q0\n.end\n.outputs\n.state graph\nq0 0 ? a "
                   "q1\n.marking q0\n.end\n",
                   "3:4: error:", "machine 0 sends to itself"},
        BrokenCase{"initial_state_unknown",
                   ".outputs\n.state graph\nq0 1 ! a q1\n.marking qinit\n.end\n.outputs\n.state graph\nq0 0 ? a "
                   "q1\n.marking q0\n.end\n",
                   "4:10: error:", "initial state 'qinit' occurs in no transition"},
        BrokenCase{"no_transitions", ".outputs\n.state graph\n.marking q0\n.end\n", "1:1: error:",
                   "has no transitions"},
        BrokenCase{"missing_direction", ".outputs\n.state graph\nq0 1 a q1\n.marking q0\n.end\n", "3:6: error:",
                   "'!' or '?'"},
        BrokenCase{"missing_end", ".outputs\n.state graph\nq0 1 ! a q1\n.marking q0\n", "", "expected '.end'"},
        BrokenCase{"no_machine", "-- empty\n", "", "no machine"}),
    [](const ::testing::TestParamInfo<BrokenCase>& info) { return std::string(info.param.name); });

TEST(FormatsFsm, GarbageNeverCrashes) {
  std::string garbage = ".outputs\n.state graph\n";
  for (int i = 0; i < 4096; ++i) garbage += static_cast<char>((i * 7919 + 13) % 256);
  EXPECT_FALSE(read_fsm(garbage).system);
  EXPECT_FALSE(read_fsm(std::string(10000, '.')).system);
}

TEST(FormatsFsm, DuplicateLinesAreIgnored) {
  const auto result = read_fsm(".outputs\n.state graph\nq0 1 ! a q1\nq0 1 ! a q1\n.marking q0\n.end\n"
                               ".outputs\n.state graph\nq0 0 ? a q1\n.marking q0\n.end\n");
  ASSERT_TRUE(result.system) << result.text;
  EXPECT_EQ(result.system->machines[0].transitions().size(), 1u);
}

// Same roles, state counts and transitions (source, target, action as text).
void expect_same_automata(const automata::System& a, const automata::System& b) {
  ASSERT_EQ(a.role_count(), b.role_count());
  for (automata::RoleId role = 0; role < a.role_count(); ++role) {
    const auto& ma = a.machines[role];
    const auto& mb = b.machines[role];
    EXPECT_EQ(ma.state_count(), mb.state_count()) << "role " << role;
    std::multiset<std::string> ta, tb;
    for (const auto& t : ma.transitions())
      ta.insert(std::to_string(t.action.peer) + (t.action.direction == Direction::Send ? "!" : "?") +
                a.labels.name(t.action.label) + "<" + a.sorts.display(t.action.payload) + ">");
    for (const auto& t : mb.transitions())
      tb.insert(std::to_string(t.action.peer) + (t.action.direction == Direction::Send ? "!" : "?") +
                b.labels.name(t.action.label) + "<" + b.sorts.display(t.action.payload) + ">");
    EXPECT_EQ(ta, tb) << "role " << role;
  }
}

TEST(FormatsFsm, WriterRoundTrips) {
  const auto original = read_fsm(kPingPong);
  ASSERT_TRUE(original.system);
  Diagnostics diagnostics;
  const auto written = formats::write_gmc_fsm(*original.system, diagnostics);
  ASSERT_TRUE(written) << format_diagnostics(SourceFile("x", ""), diagnostics);
  const auto again = read_fsm(*written);
  ASSERT_TRUE(again.system) << again.text << *written;
  expect_same_automata(*original.system, *again.system);
  EXPECT_EQ(again.system->machines[1].graph[again.system->machines[1].initial].name, "s0");
}

TEST(FormatsFsm, KmcSessionTypesExportToFsm) {
  Diagnostics diagnostics;
  const auto system =
      formats::read_kmc_session_types(SourceFile("t.kmc", "A: rec x . B!a<int>; {B?b; x, B?c; end}\n"
                                                          "B: rec y . A?a<int>; {A!b; y, A!c; end}\n"),
                                      diagnostics);
  ASSERT_TRUE(system);
  const auto written = formats::write_gmc_fsm(*system, diagnostics);
  ASSERT_TRUE(written);
  EXPECT_NE(written->find("-- A == 0\n.outputs\n.state graph\nq0 1 ! a<int> q1\n"), std::string::npos) << *written;
  const auto again = read_fsm(*written);
  ASSERT_TRUE(again.system) << again.text;
  expect_same_automata(*system, *again.system);
}

TEST(FormatsLimWriter, KmcSystemsBecomeLimContextsWithTheSameAutomata) {
  Diagnostics diagnostics;
  const auto system = formats::read_kmc_session_types(
      SourceFile("t.kmc", "C: rec x . S!req;S!data<text>; {S?ko;x, S?ok;end, S?err;end}\n"
                          "S: rec x . C?req; C?data<text>; { C!ko;x, C!ok; rec y. L!log;y, C!err; end}\n"
                          "L: rec y. S?log;y\n"),
      diagnostics);
  ASSERT_TRUE(system);
  const auto text = formats::write_lim(*system, diagnostics);
  ASSERT_TRUE(text) << format_diagnostics(SourceFile("x", ""), diagnostics);
  auto spec = pipeline::load_spec_text("exported.lim", *text);
  ASSERT_TRUE(spec.ok()) << format_diagnostics(spec.source, spec.diagnostics) << *text;
  expect_same_automata(*system, *spec.system);
}

TEST(FormatsLimWriter, FsmNamesBecomeIdentifiers) {
  const auto result = read_fsm(".outputs\n.state graph\nq0 1 ? 220 q1\nq1 1 ! ehlo<data> q0\n.marking q0\n.end\n"
                               ".outputs\n.state graph\nq0 0 ! 220 q1\nq1 0 ? ehlo<data> q0\n.marking q0\n.end\n");
  ASSERT_TRUE(result.system) << result.text;
  Diagnostics diagnostics;
  const auto text = formats::write_lim(*result.system, diagnostics);
  ASSERT_TRUE(text);
  EXPECT_NE(text->find("sort data;"), std::string::npos) << *text;
  EXPECT_NE(text->find("p0: rec t0 . p1&l220 . p1⊕ehlo(data) . t0"), std::string::npos) << *text;
  auto spec = pipeline::load_spec_text("exported.lim", *text);
  ASSERT_TRUE(spec.ok()) << format_diagnostics(spec.source, spec.diagnostics) << *text;
  // The same verdicts under the asynchronous semantics.
  pipeline::AsyncCheckOptions options;
  options.bounds = {1, 3, true};
  options.properties = {properties::AsyncProperty::KMc};
  const auto before = pipeline::check_asynchronous("fsm", *result.system, options);
  const auto after = pipeline::check_asynchronous("lim", *spec.system, options);
  EXPECT_EQ(before.results[0].verdict, after.results[0].verdict);
  EXPECT_EQ(before.results[0].k, after.results[0].k);
}

TEST(FormatsLimWriter, RefusesStatesNoLocalTypeExpresses) {
  Diagnostics diagnostics;
  const auto system = formats::read_kmc_session_types(
      SourceFile("t.kmc", "A: {B!a; end, C!b; end}\nB: A?a; end\nC: A?b; end\n"), diagnostics);
  ASSERT_TRUE(system);
  const auto text = formats::write_lim(*system, diagnostics);
  EXPECT_FALSE(text);
  ASSERT_TRUE(diagnostics.has_errors());
  EXPECT_NE(diagnostics.all().front().message.find("sends to several roles"), std::string::npos);
  EXPECT_EQ(diagnostics.all().front().location.line, 1u);
}

}  // namespace
}  // namespace lim
