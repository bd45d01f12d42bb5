// Environment roles and guarded copies of one receive under the k-bounded
// asynchronous semantics (docs/asynchronous.md, "Environments and guarded
// receives"): an environment owes nothing — no CSA, directedness, k-OBI,
// k-SIBI/k-CIBI, k-exhaustivity or progress obligation of its own, and it
// never counts as stuck — but what it sends must still be received
// (eventual reception), unless the receiver ends without ever waiting for
// it again. Guarded copies of one (peer, label) receive are one receive.
//
// Every "holds" below was a violation before environments and guarded
// copies were understood by the asynchronous properties.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "lim/pipeline/check.hpp"
#include "lim/properties/asynchronous_properties.hpp"
#include "test_support.hpp"

namespace lim {
namespace {

using properties::AsyncProperty;
using properties::BoundedAnalysis;
using report::Verdict;

report::PropertyResult at_k(const automata::System& system, unsigned k, AsyncProperty property) {
  BoundedAnalysis analysis(system, k, {});
  return analysis.check(property);
}

// Every property over k = 1..3, as `lim check --k 1..3 --props …` does.
std::vector<report::PropertyResult> least(const automata::System& system) {
  return properties::check_least_k(system, properties::all_async_properties(), 1, 3, {}).results;
}

const report::PropertyResult& result_of(const std::vector<report::PropertyResult>& results, AsyncProperty property) {
  for (const auto& result : results)
    if (result.property == properties::name(property)) return result;
  ADD_FAILURE() << "no " << properties::name(property);
  return results.front();
}

automata::System load(const std::string& file) {
  auto spec = pipeline::load_spec_file((testing::source_dir() / file).string());
  EXPECT_TRUE(spec.ok()) << format_diagnostics(spec.source, spec.diagnostics);
  return spec.ok() ? std::move(*spec.system) : automata::System{};
}

std::vector<std::string> steps(const report::Counterexample& counterexample) {
  std::vector<std::string> texts;
  for (const auto& step : counterexample.prefix) texts.push_back(step.text);
  return texts;
}

// The messages of queue from → to where a counterexample ends.
std::vector<std::string> queue(const report::Counterexample& counterexample, const std::string& from,
                               const std::string& to) {
  for (const auto& contents : counterexample.at.queues)
    if (contents.from == from && contents.to == to) return contents.messages;
  return {};
}

void expect_all_hold_at_1(const automata::System& system) {
  for (const auto& result : least(system)) {
    EXPECT_EQ(result.verdict, Verdict::Holds) << result.property << ": " << result.detail
                                              << (result.counterexample ? " — " + result.counterexample->explanation
                                                                        : std::string());
    if (result.property != "csa" && result.property != "directedness") {
      EXPECT_EQ(result.k, 1u) << result.property;
    }
  }
}

// net sends to two roles (undirected) and receives from one (mixed).
constexpr const char* kTwoListeners = "env net: a⊕x | b⊕y\na: net&x . net⊕done . end\nb: net&y . end\n";

TEST(AsyncEnvironment, OwesNoCsaNorDirectedness) {
  const auto system = testing::system_of(kTwoListeners);
  EXPECT_EQ(properties::check_csa(system).verdict, Verdict::Holds) << properties::check_csa(system).detail;
  EXPECT_EQ(properties::check_directedness(system).verdict, Verdict::Holds);
  EXPECT_TRUE(properties::is_basic(system));
  // An ordinary role that sends to two roles and receives in one state is
  // still reported (kmc syntax, which can say it).
  const auto ordinary = testing::system_of("N: {A!x; end, B!y; end, A?done; end}\nA: N!done; N?x; end\nB: N?y; end\n",
                                           "test.txt");
  EXPECT_EQ(properties::check_csa(ordinary).verdict, Verdict::Violated);
  EXPECT_EQ(properties::check_directedness(ordinary).verdict, Verdict::Violated);
  EXPECT_FALSE(properties::is_basic(ordinary));
}

TEST(AsyncEnvironment, OwesNoOutputIndependence) {
  // At k = 1, once net's x waits for a, net can still send y to b but not x
  // to a: an ordinary role's k-OBI would fail there.
  const auto system = testing::system_of(kTwoListeners);
  EXPECT_EQ(at_k(system, 1, AsyncProperty::KObi).verdict, Verdict::Holds);
  expect_all_hold_at_1(system);
}

TEST(AsyncEnvironment, OwesNoInputIndependence) {
  // The sink can receive from a and from b at once: no race of its own.
  const auto system = testing::system_of("env sink: end\na: sink⊕x . end\nb: sink⊕y . end\n");
  for (const auto property : {AsyncProperty::KSibi, AsyncProperty::KCibi})
    EXPECT_EQ(at_k(system, 1, property).verdict, Verdict::Holds) << properties::name(property);
  expect_all_hold_at_1(system);
  // An ordinary role in that place races (kmc syntax: it accepts either).
  const auto racing = testing::system_of("S: {A?x; B?y; end, B?y; A?x; end}\nA: S!x; end\nB: S!y; end\n", "test.txt");
  EXPECT_EQ(at_k(racing, 1, AsyncProperty::KSibi).verdict, Verdict::Violated);
}

TEST(AsyncEnvironment, ItsSendsAreNoExhaustivityObligationAndItNeverDeadlocks) {
  // a takes one x and ends; net may send another that nobody takes, filling
  // its queue: the environment is blocked, which is no one's concern, and the
  // x is dropped with a's endpoint.
  const auto system = testing::system_of("env net: a⊕x\na: net&x . end\n");
  EXPECT_EQ(at_k(system, 1, AsyncProperty::KExhaustivity).verdict, Verdict::Holds);
  EXPECT_EQ(at_k(system, 1, AsyncProperty::DeadlockFreedom).verdict, Verdict::Holds);
  EXPECT_EQ(at_k(system, 1, AsyncProperty::OrphanMessages).verdict, Verdict::Holds);
  EXPECT_EQ(at_k(system, 1, AsyncProperty::KSafety).verdict, Verdict::Holds);
  expect_all_hold_at_1(system);
}

TEST(AsyncEnvironment, ItsReceivingStateIsNoProgressObligation) {
  // After a's ack, net waits for more from a for ever.
  const auto system = testing::system_of("env net: a⊕x\na: net&x . net⊕ack . end\n");
  EXPECT_EQ(at_k(system, 1, AsyncProperty::KSafety).verdict, Verdict::Holds);
  EXPECT_EQ(at_k(system, 2, AsyncProperty::KSafety).verdict, Verdict::Holds);
  expect_all_hold_at_1(system);
}

TEST(AsyncEnvironment, ItsMessagesMustStillBeReceived) {
  // a only takes x; a y from net blocks it for ever.
  const auto system = testing::system_of("env net: a⊕{x, y}\na: rec t . net&{x . t}\n");
  const auto safety = at_k(system, 1, AsyncProperty::KSafety);
  ASSERT_EQ(safety.verdict, Verdict::Violated);
  ASSERT_TRUE(safety.counterexample);
  EXPECT_EQ(steps(*safety.counterexample), std::vector<std::string>{"net → a ! y"});
  EXPECT_EQ(queue(*safety.counterexample, "net", "a"), std::vector<std::string>{"y"});
  EXPECT_NE(safety.counterexample->explanation.find("eventual reception"), std::string::npos);
  const auto deadlock = at_k(system, 2, AsyncProperty::DeadlockFreedom);
  ASSERT_EQ(deadlock.verdict, Verdict::Violated);
  EXPECT_NE(deadlock.counterexample->explanation.find("a waits at net&{x}"), std::string::npos)
      << deadlock.counterexample->explanation;
  EXPECT_EQ(deadlock.counterexample->explanation.find("net waits"), std::string::npos);
  // kmc's rule: basic (the environment aside) and 1-exhaustive, so k-MC is
  // decided at k = 1, as false.
  const auto mc = result_of(least(system), AsyncProperty::KMc);
  EXPECT_EQ(mc.verdict, Verdict::Violated);
  EXPECT_EQ(mc.k, 1u);
}

TEST(AsyncEnvironment, ARoleThatWaitsForItMustTakeItsMessageEvenIfItCouldGiveUp) {
  // a could time out and end, but while it waits for net a y it cannot take
  // heads its queue: the synchronous check reports the state too.
  const auto system = testing::system_of("env net: a⊕{x, y}\na: net&{x . end, timeout(1s) . end}\n");
  const auto safety = at_k(system, 1, AsyncProperty::KSafety);
  ASSERT_EQ(safety.verdict, Verdict::Violated);
  EXPECT_EQ(queue(*safety.counterexample, "net", "a"), std::vector<std::string>{"y"});
  EXPECT_EQ(at_k(system, 1, AsyncProperty::DeadlockFreedom).verdict, Verdict::Holds);  // the timeout ends it
}

TEST(AsyncEnvironment, MessagesToARoleThatStoppedListeningAreDropped) {
  // After its x, a only waits for b and ends: a second x from net arrives
  // after a stopped listening to net.
  const auto ends = testing::system_of("env net: a⊕x\nb: a⊕go . end\na: net&x . b&go . end\n");
  EXPECT_EQ(at_k(ends, 1, AsyncProperty::KSafety).verdict, Verdict::Holds);
  expect_all_hold_at_1(ends);
  // But a role that stops listening and never ends leaves it unreceived.
  const auto forever =
      testing::system_of("env net: a⊕x\nb: rec t . a⊕go . t\na: net&x . rec t . b&go . t\n");
  const auto safety = at_k(forever, 1, AsyncProperty::KSafety);
  ASSERT_EQ(safety.verdict, Verdict::Violated);
  EXPECT_EQ(queue(*safety.counterexample, "net", "a"), std::vector<std::string>{"x"});
}

TEST(AsyncEnvironment, QueuesBetweenOrdinaryRolesStillCount) {
  // a's m to b, which has already ended, is an orphan whatever net does.
  const auto system = testing::system_of("env net: a⊕x\na: net&x . b⊕m . end\nb: end\n");
  const auto orphans = at_k(system, 1, AsyncProperty::OrphanMessages);
  ASSERT_EQ(orphans.verdict, Verdict::Violated);
  EXPECT_EQ(queue(*orphans.counterexample, "a", "b"), std::vector<std::string>{"m"});
  const auto deadlock = at_k(system, 1, AsyncProperty::DeadlockFreedom);
  ASSERT_EQ(deadlock.verdict, Verdict::Violated);
  EXPECT_NE(deadlock.counterexample->explanation.find("never received"), std::string::npos);
}

TEST(AsyncGuardedCopies, AreOneReceiveNotARace) {
  // Without an environment: b's m is taken by one of a's two guarded copies.
  const auto system = testing::system_of(
      "state a { n: u8 }\nb: a⊕m(u8) . end\na: b&{ m(v: u8) if v == n . end, m(v: u8) if v != n . end }\n");
  for (const auto property : {AsyncProperty::KSibi, AsyncProperty::KCibi})
    EXPECT_EQ(at_k(system, 1, property).verdict, Verdict::Holds) << properties::name(property);
  EXPECT_EQ(properties::check_csa(system).verdict, Verdict::Holds);  // the guards tell the copies apart
  expect_all_hold_at_1(system);
}

TEST(AsyncGuardedCopies, AreOneReceiveFromAnEnvironmentToo) {
  const auto system = testing::system_of(
      "state a { n: u8 }\nenv net: a⊕m(u8)\na: rec t . net&{ m(v: u8) if v == n . end, m(v: u8) if v != n . t }\n");
  EXPECT_EQ(at_k(system, 2, AsyncProperty::KSibi).verdict, Verdict::Holds);
  expect_all_hold_at_1(system);
}

TEST(AsyncEnvironment, TheUnboundedTheoremDoesNotSpeakAboutThem) {
  EXPECT_FALSE(properties::unbounded_theorem_applies(testing::system_of(kTwoListeners)));
  EXPECT_FALSE(properties::unbounded_theorem_applies(testing::system_of(
      "state a { n: u8 }\nb: a⊕m(u8) . end\na: b&{ m(v: u8) if v == n . end, m(v: u8) if v != n . end }\n")));
  // One guarded branch is no copy.
  EXPECT_TRUE(properties::unbounded_theorem_applies(
      testing::system_of("state a { n: u8 }\nb: a⊕m(u8) . end\na: b&{ m(v: u8) if v == n . end }\n")));
  EXPECT_TRUE(properties::unbounded_theorem_applies(testing::system_of("a: b⊕x . end\nb: a&x . end\n")));
}

// ---- the specs -----------------------------------------------------------------------

TEST(AsyncEnvironmentSpecs, TheTcpServerIsOneMc) {
  // Every property holds at k = 1 (the least k of the range).
  expect_all_hold_at_1(load("specs/tcp/call-and-response-server.lim"));
}

TEST(AsyncEnvironmentSpecs, ScreenedLeastKSearchGivesTheSameVerdicts) {
  // k-mc alone is searched with the screens of violation_screen.hpp, which
  // must exempt the environment as the complete analyses do.
  const auto server = properties::check_least_k(load("specs/tcp/call-and-response-server.lim"), {AsyncProperty::KMc}, 1, 3, {});
  EXPECT_EQ(server.results.at(0).verdict, Verdict::Holds);
  EXPECT_EQ(server.results.at(0).k, 1u);
  const auto retransmission =
      properties::check_least_k(load("specs/timeouts/retransmission.lim"), {AsyncProperty::KMc}, 1, 3, {});
  EXPECT_EQ(retransmission.results.at(0).verdict, Verdict::Holds);
  const auto broken =
      properties::check_least_k(load("specs/tcp/broken/dissertation-server.lim"), {AsyncProperty::KMc}, 1, 3, {});
  EXPECT_EQ(broken.results.at(0).verdict, Verdict::Unknown);
  // Guarded copies are no race for the screen either (k-sibi alone, below k = 3).
  const auto sibi =
      properties::check_least_k(load("specs/tcp/call-and-response-server.lim"), {AsyncProperty::KSibi, AsyncProperty::KObi}, 1, 3, {});
  EXPECT_EQ(sibi.results.at(0).verdict, Verdict::Holds);
  EXPECT_EQ(sibi.results.at(0).k, 1u);  // a screen's false race at k = 1 would push it to k = 3
  EXPECT_EQ(sibi.results.at(1).verdict, Verdict::Holds);
  EXPECT_EQ(sibi.results.at(1).k, 1u);
}

TEST(AsyncEnvironmentSpecs, StopAndWaitRetransmissionIsOneMc) {
  expect_all_hold_at_1(load("specs/timeouts/retransmission.lim"));
}

TEST(AsyncEnvironmentSpecs, TheDissertationsServerLeavesASegmentUnreceived) {
  const auto system = load("specs/tcp/broken/dissertation-server.lim");
  const auto results = least(system);
  // The environment and the guarded acks are no longer findings ...
  for (const auto property : {AsyncProperty::Csa, AsyncProperty::Directedness, AsyncProperty::KObi,
                              AsyncProperty::KSibi, AsyncProperty::KCibi})
    EXPECT_EQ(result_of(results, property).verdict, Verdict::Holds) << properties::name(property);
  // ... but a segment the server never takes is: before the user opens the
  // connection net sends syn_ack, which LISTEN (net&syn) will never accept.
  const auto& safety = result_of(results, AsyncProperty::KSafety);
  ASSERT_EQ(safety.verdict, Verdict::Violated);
  ASSERT_TRUE(safety.counterexample);
  EXPECT_EQ(steps(*safety.counterexample), std::vector<std::string>{"net → system ! syn_ack(segment)"});
  EXPECT_EQ(queue(*safety.counterexample, "net", "system"), std::vector<std::string>{"syn_ack(segment)"});
  EXPECT_EQ(safety.counterexample->explanation,
            "eventual reception fails: syn_ack(segment) at the head of queue net → system is never received by "
            "system");
  EXPECT_EQ(at_k(system, 1, AsyncProperty::KSafety).verdict, Verdict::Violated);
  EXPECT_NE(result_of(results, AsyncProperty::KMc).verdict, Verdict::Holds);
  EXPECT_EQ(result_of(results, AsyncProperty::DeadlockFreedom).verdict, Verdict::Violated);
}

}  // namespace
}  // namespace lim
