// Environment roles: an `env` role becomes the most general automaton
// within its alphabet (one state that may send any of its messages at any
// time and receives everything sent to it), so safety means every other role
// handles every message the environment can send wherever it waits for it.
#include <string>

#include <gtest/gtest.h>

#include "lim/explore/explorer.hpp"
#include "lim/pipeline/check.hpp"
#include "lim/pipeline/refinement_checks.hpp"
#include "lim/properties/environment_gaps.hpp"
#include "test_support.hpp"

namespace lim {
namespace {

using properties::SyncProperty;
using report::Verdict;

report::FileReport check(const std::string& text, std::vector<SyncProperty> properties = properties::all_sync_properties()) {
  const auto system = testing::system_of(text);
  pipeline::CheckOptions options;
  options.properties = std::move(properties);
  return pipeline::check_synchronous("test.lim", system, options);
}

Verdict verdict(const std::string& text, SyncProperty property) { return check(text, {property}).results.at(0).verdict; }

TEST(EnvironmentSemantics, BecomesOneStateThatSendsItsAlphabetAndReceivesAnything) {
  const auto system = testing::system_of("env net: a⊕{x, y(u8)} | b⊕z\na: rec t . net&{x . t, y(v: u8) . net⊕ack . t}\n"
                                         "b: net&z . net⊕done(u32)\n");
  ASSERT_TRUE(system.is_environment(0));
  EXPECT_FALSE(system.is_environment(1));
  const auto& net = system.machines[0];
  ASSERT_EQ(net.state_count(), 1u);
  std::vector<std::string> sends, receives;
  for (const auto& transition : net.outgoing(net.initial)) {
    EXPECT_EQ(transition.target, net.initial);
    const auto text = system.role_names[transition.action.peer] + ":" + system.describe_label(transition.action);
    (transition.action.direction == automata::Direction::Send ? sends : receives).push_back(text);
  }
  EXPECT_EQ(sends, (std::vector<std::string>{"a:x", "a:y(u8)", "b:z"}));
  EXPECT_EQ(receives, (std::vector<std::string>{"a:ack", "b:done(u32)"}));
  EXPECT_EQ(system.describe_state(0, net.initial), "a⊕{x, y(u8)} | b⊕{z} | a&{ack} | b&{done(u32)}");
}

TEST(EnvironmentSemantics, EveryMessageOfTheAlphabetMustBeHandled) {
  const auto report = check("env net: a⊕{x, y}\na: rec t . net&{x . t}\n", {SyncProperty::Safety});
  const auto& safety = report.results.at(0);
  ASSERT_EQ(safety.verdict, Verdict::Violated);
  EXPECT_EQ(safety.counterexample->explanation, "net may send y to a, but a only accepts {x} from net here");
  EXPECT_TRUE(safety.counterexample->prefix.empty());
  ASSERT_EQ(report.findings.size(), 1u);
  EXPECT_EQ(report.findings[0].kind, "unhandled");
  EXPECT_EQ(report.findings[0].message, "a in state q0 (2:12) waits at net&{x} but does not handle y from net");
}

TEST(EnvironmentSemantics, OnlyStatesWaitingForTheEnvironmentMustHandleIt) {
  // While a talks to b, net's messages wait (they are not offered to a).
  const std::string text = "env net: a⊕x\na: rec t . b⊕ping . b&pong . net&x . t\nb: rec t . a&ping . a⊕pong . t\n";
  EXPECT_EQ(verdict(text, SyncProperty::Safety), Verdict::Holds);
  EXPECT_EQ(verdict(text, SyncProperty::DeadlockFreedom), Verdict::Holds);
}

TEST(EnvironmentSemantics, AnEnvironmentNeverDeadlocksNorOwesAnything) {
  // Everyone else ends; the environment could still send, but nobody
  // listens: that is termination, not a deadlock.
  const std::string text = "env net: a⊕x\na: net&x . end\n";
  EXPECT_EQ(verdict(text, SyncProperty::DeadlockFreedom), Verdict::Holds);
  EXPECT_EQ(verdict(text, SyncProperty::Termination), Verdict::Holds);
  EXPECT_EQ(verdict(text, SyncProperty::LivenessPlusPlus), Verdict::Holds);
  // Its one state both sends and receives by design: no mixed-state finding.
  const auto report = check(text, {SyncProperty::Safety});
  for (const auto& finding : report.findings) EXPECT_NE(finding.kind, "mixed-state") << finding.message;
}

TEST(EnvironmentSemantics, AnEnvironmentOwesNothing) {
  // net keeps offering x to a, which never listens: an obligation of an
  // ordinary role (liveness is violated), none of an environment.
  const std::string roles = "a: b⊕go . end\nb: a&go . end\n";
  EXPECT_EQ(verdict("env net: a⊕x\n" + roles, SyncProperty::Liveness), Verdict::Holds);
  EXPECT_EQ(verdict("env net: a⊕x\n" + roles, SyncProperty::LivenessPlusPlus), Verdict::Holds);
  EXPECT_EQ(verdict("net: a⊕x\n" + roles, SyncProperty::Liveness), Verdict::Violated);
  // An ordinary role waiting for the environment is an obligation the
  // environment can fulfil.
  EXPECT_EQ(verdict("env net: a⊕x\na: net&x . end\n", SyncProperty::Liveness), Verdict::Holds);
}

TEST(EnvironmentSemantics, WildcardsTakeTheEnvironmentsOtherMessages) {
  const std::string text = "env net: a⊕{x, y, z}\na: rec t . net&{x . t, _ . net⊕reset . t}\n";
  const auto report = check(text);
  for (const auto& result : report.results) {
    if (result.property == "safety" || result.property == "deadlock-freedom") {
      EXPECT_EQ(result.verdict, Verdict::Holds) << result.property;
    }
  }
  const auto system = testing::system_of(text);
  const auto findings = pipeline::wildcard_findings(system);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].message, "a in state q0 (2:12): the wildcard '_' absorbs y and z from net");
}

TEST(EnvironmentSemantics, ListsEveryGapOncePerState) {
  const std::string text =
      "env net: a⊕{x, y, z}\na: net&x . b⊕go . net&{x . rec t . net&{x . t, y . t, z . t}, y . end}\nb: a&go\n";
  const auto system = testing::system_of(text);
  const semantics::SynchronousSemantics semantics(system);
  const auto space = explore::explore(semantics);
  const auto gaps = properties::environment_gaps(semantics, space);
  ASSERT_EQ(gaps.size(), 2u);
  EXPECT_EQ(gaps[0].role, 1u);
  EXPECT_EQ(gaps[0].unhandled.size(), 2u);  // y and z in the first wait
  EXPECT_EQ(gaps[0].first_seen, 0u);
  EXPECT_EQ(gaps[1].unhandled.size(), 1u);  // z in the second
  EXPECT_EQ(system.labels.name(gaps[1].unhandled[0].label), "z");
  EXPECT_GT(gaps[1].first_seen, gaps[0].first_seen);
}

TEST(EnvironmentSemantics, NoEnvironmentNoGaps) {
  const auto report = check("a: b⊕m\nb: a&m\n", {SyncProperty::Safety});
  EXPECT_TRUE(report.findings.empty());
}

}  // namespace
}  // namespace lim
