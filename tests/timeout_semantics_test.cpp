// Timeout branches in the synchronous semantics: an internal step of the
// waiting role alone, possible whenever it waits, so the properties are
// decided with timeouts firing at any moment — and counterexamples show a
// fired timeout as an internal step.
#include <string>

#include <gtest/gtest.h>

#include "lim/explore/explorer.hpp"
#include "lim/pipeline/check.hpp"
#include "lim/semantics/synchronous.hpp"
#include "test_support.hpp"

namespace lim {
namespace {

using properties::SyncProperty;
using report::Verdict;

report::FileReport check(const std::string& text, std::vector<SyncProperty> properties) {
  const auto system = testing::system_of(text);
  pipeline::CheckOptions options;
  options.properties = std::move(properties);
  return pipeline::check_synchronous("test.lim", system, options);
}

Verdict verdict(const std::string& text, SyncProperty property) {
  return check(text, {property}).results.at(0).verdict;
}

TEST(TimeoutSemantics, TranslatesToATimeoutTransitionOfTheWaitingRole) {
  const auto system = testing::system_of("const wait: u64 = 3s\na: b&{m . end, timeout(wait) . c⊕x}\nb: a⊕m\nc: a&x\n");
  const auto& a = system.machines[0];
  const auto outgoing = a.outgoing(a.initial);
  ASSERT_EQ(outgoing.size(), 2u);
  EXPECT_EQ(outgoing[1].action.direction, automata::Direction::Timeout);
  EXPECT_EQ(outgoing[1].action.peer, 1u);  // the role waited for
  ASSERT_EQ(system.timeouts.size(), 1u);
  EXPECT_EQ(system.timeouts[outgoing[1].action.label].milliseconds, 3000u);
  EXPECT_EQ(system.timeouts[0].variable, "wait");
  EXPECT_EQ(system.timeouts[0].location, (SourceLocation{2, 24}));
  EXPECT_EQ(a.kind(a.initial), automata::StateKind::Receiving);
  EXPECT_EQ(system.describe_state(0, a.initial), "b&{m, timeout(3000ms)}");
}

TEST(TimeoutSemantics, ATimeoutIsAStepOfTheWaiterAlone) {
  const auto system = testing::system_of("a: b&{m . end, timeout(1s) . end}\nb: a⊕m . end\n");
  const semantics::SynchronousSemantics semantics(system);
  const auto space = explore::explore(semantics);
  // (a waits, b sends) → m → (end, end); → timeout → (end, b sends).
  EXPECT_EQ(space.size(), 3u);
  EXPECT_EQ(space.edge_count(), 2u);
  std::size_t internal = 0;
  for (std::size_t edge = 0; edge < space.edge_count(); ++edge) {
    const auto interaction = semantics.interaction(space.move(edge));
    if (!interaction.internal) continue;
    ++internal;
    EXPECT_EQ(interaction.to, 0u);    // a moved
    EXPECT_EQ(interaction.from, 1u);  // waiting for b
    EXPECT_EQ(interaction.actor(), 0u);
  }
  EXPECT_EQ(internal, 1u);
}

TEST(TimeoutSemantics, TimeoutsFireEvenWhenAMessageIsThere) {
  // b can always send, yet the deadline may pass first: the late reply
  // deadlocks, with the timeout in the trace as an internal step.
  const auto report = check("a: b&{m . end, timeout(2s) . end}\nb: a⊕m . end\n", {SyncProperty::DeadlockFreedom});
  const auto& result = report.results.at(0);
  ASSERT_EQ(result.verdict, Verdict::Violated);
  ASSERT_TRUE(result.counterexample);
  ASSERT_EQ(result.counterexample->prefix.size(), 1u);
  const auto& step = result.counterexample->prefix[0];
  EXPECT_EQ(step.kind, report::TraceStep::Kind::Internal);
  EXPECT_EQ(step.text, "a: timeout(2000ms) fired, waiting for b");
  EXPECT_EQ(step.from, "a");
  EXPECT_EQ(step.to, "b");
  EXPECT_EQ(step.label, "timeout(2000ms)");
  EXPECT_EQ(step.location, (SourceLocation{1, 16}));
  EXPECT_EQ(result.counterexample->explanation, "deadlock: no interaction is possible, but b waits at a⊕{m}");
}

TEST(TimeoutSemantics, ATimeoutRescuesAWaitNobodyAnswers) {
  // b talks to c and never answers a: a deadlocks, unless it can time out.
  const std::string others = "b: c⊕bye\nc: b&bye\n";
  EXPECT_EQ(verdict("a: b&{m . end}\n" + others, SyncProperty::DeadlockFreedom), Verdict::Violated);
  const std::string with = "a: b&{m . end, timeout(1s) . end}\n" + others;
  EXPECT_EQ(verdict(with, SyncProperty::DeadlockFreedom), Verdict::Holds);
  EXPECT_EQ(verdict(with, SyncProperty::Safety), Verdict::Holds);
  EXPECT_EQ(verdict(with, SyncProperty::Termination), Verdict::Holds);
}

TEST(TimeoutSemantics, SafetyLooksOnlyAtMessages) {
  // The timeout is not a receive: b's message x is still unsafe.
  const auto report = check("a: b&{m, timeout(1s)}\nb: a⊕x\n", {SyncProperty::Safety});
  EXPECT_EQ(report.results[0].verdict, Verdict::Violated);
  EXPECT_EQ(report.results[0].counterexample->explanation,
            "b may send x to a, but a only accepts {m} from b here");
}

TEST(TimeoutSemantics, ATimeoutEndsAWaitForLiveness) {
  // a loops waiting for b, which never sends: only the timeout ends each
  // wait, and it counts as the wait's resolution.
  const std::string text = "a: rec t . b&{m . t, timeout(1s) . c⊕tick . t}\nb: rec t . c&x . t\n"
                           "c: rec t . a&tick . b⊕x . t\n";
  EXPECT_EQ(verdict(text, SyncProperty::Liveness), Verdict::Holds);
  EXPECT_EQ(verdict(text, SyncProperty::LivenessPlusPlus), Verdict::Holds);
  EXPECT_EQ(verdict(text, SyncProperty::NeverTermination), Verdict::Holds);
}

TEST(TimeoutSemantics, ATimeoutLoopIsACycleForTermination) {
  const auto report = check("a: rec t . b&{m . end, timeout(1s) . t}\nb: a⊕m\n", {SyncProperty::Termination});
  const auto& result = report.results.at(0);
  ASSERT_EQ(result.verdict, Verdict::Violated);
  ASSERT_TRUE(result.counterexample);
  ASSERT_EQ(result.counterexample->cycle.size(), 1u);
  EXPECT_EQ(result.counterexample->cycle[0].kind, report::TraceStep::Kind::Internal);
}

TEST(TimeoutSemantics, TimeoutsAreNoObligationOfTheirOwn) {
  // A role that only sleeps owes nobody anything.
  const std::string text = "a: b&{timeout(10ms) . b⊕go}\nb: a&go\n";
  EXPECT_EQ(verdict(text, SyncProperty::LivenessPlusPlus), Verdict::Holds);
  EXPECT_EQ(verdict(text, SyncProperty::DeadlockFreedom), Verdict::Holds);
  EXPECT_EQ(verdict(text, SyncProperty::Termination), Verdict::Holds);
}

}  // namespace
}  // namespace lim
