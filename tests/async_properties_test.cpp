// The k-MC properties on small systems that separate them, each violation
// with a shortest run and the queues where it shows.
#include <gtest/gtest.h>

#include "lim/pipeline/check_async.hpp"
#include "lim/properties/asynchronous_properties.hpp"
#include "test_support.hpp"

namespace lim {
namespace {

using properties::AsyncExploreOptions;
using properties::AsyncProperty;
using properties::BoundedAnalysis;
using report::Verdict;

automata::System kmc(const std::string& text) { return testing::system_of(text, "test.txt"); }

report::PropertyResult at_k(const automata::System& system, unsigned k, AsyncProperty property,
                            const AsyncExploreOptions& options = {}) {
  BoundedAnalysis analysis(system, k, options);
  return analysis.check(property);
}

report::PropertyResult least(const automata::System& system, AsyncProperty property, unsigned from = 1,
                             unsigned to = 10) {
  return properties::check_least_k(system, {property}, from, to, {}).results.front();
}

std::vector<std::string> steps(const report::Counterexample& counterexample) {
  std::vector<std::string> texts;
  for (const auto& step : counterexample.prefix) texts.push_back(step.text);
  return texts;
}

// Two roles each sending two messages before receiving: with one slot per
// queue both block on their second send.
constexpr const char* kSendSendReceive = "A: B!a; B!a; B?b; B?b; end\nB: A!b; A!b; A?a; A?a; end\n";

TEST(AsyncProperties, ExhaustivityNeedsRoomForEverySend) {
  const auto system = kmc(kSendSendReceive);
  const auto k1 = at_k(system, 1, AsyncProperty::KExhaustivity);
  ASSERT_EQ(k1.verdict, Verdict::Violated);
  ASSERT_TRUE(k1.counterexample);
  EXPECT_EQ(steps(*k1.counterexample), std::vector<std::string>{"A → B ! a"});
  ASSERT_EQ(k1.counterexample->at.queues.size(), 1u);
  EXPECT_EQ(k1.counterexample->at.queues[0].messages, std::vector<std::string>{"a"});
  EXPECT_NE(k1.counterexample->explanation.find("full"), std::string::npos);
  EXPECT_EQ(at_k(system, 2, AsyncProperty::KExhaustivity).verdict, Verdict::Holds);
  const auto mc = least(system, AsyncProperty::KMc);
  EXPECT_EQ(mc.verdict, Verdict::Holds);
  EXPECT_EQ(mc.k, 2u);
}

TEST(AsyncProperties, EventualReceptionAndProgress) {
  const auto orphan = kmc("A: B!a; end\nB: end\n");
  const auto reception = at_k(orphan, 1, AsyncProperty::KSafety);
  ASSERT_EQ(reception.verdict, Verdict::Violated);
  EXPECT_NE(reception.counterexample->explanation.find("eventual reception"), std::string::npos);
  EXPECT_EQ(reception.counterexample->at.queues.at(0).messages, std::vector<std::string>{"a"});
  // kmc's rule: k-exhaustive at k=1, so k-MC is decided there, as false.
  const auto mc = least(orphan, AsyncProperty::KMc);
  EXPECT_EQ(mc.verdict, Verdict::Violated);
  EXPECT_EQ(mc.k, 1u);

  const auto waiting = kmc("A: end\nB: A?a; end\n");
  const auto progress = at_k(waiting, 1, AsyncProperty::KSafety);
  ASSERT_EQ(progress.verdict, Verdict::Violated);
  EXPECT_TRUE(progress.counterexample->prefix.empty());
  EXPECT_NE(progress.counterexample->explanation.find("progress"), std::string::npos);
}

TEST(AsyncProperties, OutputIndependence) {
  // C blocks on D, so A's queue to C stays full while the one to B has room.
  const auto system = kmc("A: C!x; {B!a; end, C!b; end}\nB: A?a; end\nC: D?d; A?x; A?b; end\nD: end\n");
  const auto obi = at_k(system, 1, AsyncProperty::KObi);
  ASSERT_EQ(obi.verdict, Verdict::Violated);
  EXPECT_EQ(steps(*obi.counterexample), std::vector<std::string>{"A → C ! x"});
  EXPECT_EQ(at_k(system, 2, AsyncProperty::KObi).verdict, Verdict::Holds);
  EXPECT_EQ(at_k(kmc(kSendSendReceive), 1, AsyncProperty::KObi).verdict, Verdict::Holds);
}

TEST(AsyncProperties, RacingSendersBreakSibiAndCibi) {
  const auto system = kmc("A: B!a; end\nC: B!c; end\nB: {A?a; C?c; end, C?c; A?a; end}\n");
  // As soon as a is queued, c may still come: a race one step in, before
  // both messages are even queued together (two steps in).
  for (const auto property : {AsyncProperty::KSibi, AsyncProperty::KCibi}) {
    const auto result = at_k(system, 1, property);
    ASSERT_EQ(result.verdict, Verdict::Violated) << properties::name(property);
    EXPECT_EQ(steps(*result.counterexample), std::vector<std::string>{"A → B ! a"});
    EXPECT_NE(result.counterexample->explanation.find("race"), std::string::npos);
  }
}

// B may receive a from A or c from C. C only sends c after B, having taken
// a, tells it to: a later c depends on the receive (k-CIBI holds) although
// it can still come (k-SIBI fails).
constexpr const char* kDependentSender =
    "A: B!a; end\nB: {A?a; C!go; C?c; end, C?c; end}\nC: B?go; B!c; end\n";

TEST(AsyncProperties, CibiSeesCausalDependenceWhereSibiDoesNot) {
  const auto system = kmc(kDependentSender);
  const auto sibi = at_k(system, 1, AsyncProperty::KSibi);
  ASSERT_EQ(sibi.verdict, Verdict::Violated);
  EXPECT_FALSE(sibi.counterexample->continuation.empty());  // the run on to C's send
  EXPECT_EQ(sibi.counterexample->continuation.back().text, "C → B ! c");
  EXPECT_EQ(at_k(system, 1, AsyncProperty::KCibi).verdict, Verdict::Holds);
  // Not directed, so kmc's rule needs k-OBI and k-CIBI: k-MC at k = 1.
  EXPECT_EQ(at_k(system, 1, AsyncProperty::Directedness).verdict, Verdict::Violated);
  const auto mc = least(system, AsyncProperty::KMc);
  EXPECT_EQ(mc.verdict, Verdict::Holds);
  EXPECT_EQ(mc.k, 1u);
}

TEST(AsyncProperties, CibiFailsWhenTheOtherSendIsIndependent) {
  // Here C's c follows A's go, which does not wait for B's receive.
  const auto system = kmc("A: B!a; C!go; end\nB: {A?a; C?c; end, C?c; A?a; end}\nC: A?go; B!c; end\n");
  const auto cibi = at_k(system, 1, AsyncProperty::KCibi);
  ASSERT_EQ(cibi.verdict, Verdict::Violated);
  EXPECT_EQ(cibi.counterexample->continuation.front().text, "A → B ? a");
  EXPECT_EQ(cibi.counterexample->continuation.back().text, "C → B ! c");
  EXPECT_EQ(least(system, AsyncProperty::KMc).verdict, Verdict::Unknown);
}

TEST(AsyncProperties, DeadlockFreedomOfTheProduct) {
  const auto stuck = kmc("A: B?b; B!a; end\nB: A?a; A!b; end\n");
  const auto deadlock = at_k(stuck, 1, AsyncProperty::DeadlockFreedom);
  ASSERT_EQ(deadlock.verdict, Verdict::Violated);
  EXPECT_TRUE(deadlock.counterexample->prefix.empty());
  EXPECT_NE(deadlock.counterexample->explanation.find("A waits"), std::string::npos);
  // Beside a pair that runs forever, the stuck pair never stops the system.
  const auto forever = kmc("A: B?b; B!a; end\nB: A?a; A!b; end\nC: rec x . D!c; x\nD: rec y . C?c; y\n");
  EXPECT_EQ(at_k(forever, 1, AsyncProperty::DeadlockFreedom).verdict, Verdict::Holds);
  AsyncExploreOptions whole;
  whole.decompose = false;
  EXPECT_EQ(at_k(forever, 1, AsyncProperty::DeadlockFreedom, whole).verdict, Verdict::Holds);
  // Beside a pair that terminates, it does: the run finishes that pair too.
  const auto finishing = kmc("A: B?b; B!a; end\nB: A?a; A!b; end\nC: D!c; end\nD: C?c; end\n");
  const auto both = at_k(finishing, 1, AsyncProperty::DeadlockFreedom);
  ASSERT_EQ(both.verdict, Verdict::Violated);
  EXPECT_EQ(steps(*both.counterexample), (std::vector<std::string>{"C → D ! c", "C → D ? c"}));
  EXPECT_EQ(at_k(finishing, 1, AsyncProperty::DeadlockFreedom, whole).verdict, Verdict::Violated);
}

TEST(AsyncProperties, OrphanMessages) {
  const auto system = kmc("A: B!a; B!b; end\nB: A?a; end\n");
  const auto orphans = at_k(system, 1, AsyncProperty::OrphanMessages);
  ASSERT_EQ(orphans.verdict, Verdict::Violated);
  EXPECT_EQ(steps(*orphans.counterexample), (std::vector<std::string>{"A → B ! a", "A → B ? a", "A → B ! b"}));
  EXPECT_EQ(orphans.counterexample->at.queues.at(0).messages, std::vector<std::string>{"b"});
  EXPECT_EQ(at_k(kmc("A: B!a; end\nB: A?a; end\n"), 1, AsyncProperty::OrphanMessages).verdict, Verdict::Holds);
}

TEST(AsyncProperties, LeastKUnknownWithinTheRange) {
  const auto flood = kmc("A: rec x . B!a; x\nB: C?c; rec y . A?a; y\nC: end\n");
  const auto mc = least(flood, AsyncProperty::KMc, 1, 6);
  EXPECT_EQ(mc.verdict, Verdict::Unknown);
  ASSERT_TRUE(mc.counterexample);  // why k = 6 fails
  EXPECT_EQ(mc.counterexample->at.queues.at(0).messages.size(), 6u);
  // Other properties report the least k at which they hold.
  const auto exhaustive = least(kmc(kSendSendReceive), AsyncProperty::KExhaustivity);
  EXPECT_EQ(exhaustive.verdict, Verdict::Holds);
  EXPECT_EQ(exhaustive.k, 2u);
}

TEST(AsyncProperties, AutomataProperties) {
  const auto system = kmc("A: {B!a; C!x; end, B!a; C!y; end}\nB: A?a; end\nC: {A?x; end, A?y; end}\n");
  const auto csa = properties::check_csa(system);
  EXPECT_EQ(csa.verdict, Verdict::Violated);
  EXPECT_NE(csa.detail.find("line 1"), std::string::npos) << csa.detail;
  EXPECT_EQ(properties::check_directedness(system).verdict, Verdict::Holds);
  EXPECT_TRUE(properties::is_basic(system));
  EXPECT_FALSE(properties::is_basic(kmc("A: {B!a; end, C?b; end}\nB: A?a; end\nC: A!b; end\n")));
}

TEST(AsyncProperties, ResourceLimitsMakeVerdictsInconclusive) {
  const auto system = kmc("A: rec x . {B!a; x, C!b; x}\nB: rec y . A?a; y\nC: D?d; rec z . A?b; z\nD: end\n");
  AsyncExploreOptions options;
  options.limits.max_states = 3;
  BoundedAnalysis analysis(system, 3, options);
  EXPECT_EQ(analysis.completion(), explore::Completion::StateLimit);
  EXPECT_EQ(analysis.check(AsyncProperty::KSafety).verdict, Verdict::Inconclusive);
  const auto limited = properties::check_least_k(system, {AsyncProperty::KMc, AsyncProperty::KSafety}, 1, 4, options);
  EXPECT_EQ(limited.results[0].verdict, Verdict::Inconclusive);
  EXPECT_EQ(limited.results[1].verdict, Verdict::Inconclusive);
}

TEST(AsyncProperties, TimeoutBranchesAreInternalMoves) {
  // A lim spec with a timeout, if the language has them: otherwise nothing to check.
  auto spec = pipeline::load_spec_text("t.lim", "a: b&{ m . end, timeout(5ms) . end }\nb: a⊕m . end\n");
  if (!spec.ok()) GTEST_SKIP() << "no timeout branches in this build of the language";
  BoundedAnalysis analysis(*spec.system, 1, {});
  EXPECT_EQ(analysis.check(AsyncProperty::DeadlockFreedom).verdict, Verdict::Violated)
      << "after the timeout, b's m is never received";
  EXPECT_EQ(analysis.check(AsyncProperty::OrphanMessages).verdict, Verdict::Violated);
}

TEST(AsyncProperties, PipelineReportsSemanticsAndBounds) {
  const auto system = kmc(kSendSendReceive);
  pipeline::AsyncCheckOptions options;
  options.bounds = *pipeline::parse_bound_range("1..5");
  const auto report = pipeline::check_asynchronous("s.txt", system, options);
  EXPECT_EQ(report.semantics, "asynchronous k=1..5");
  ASSERT_EQ(report.results.size(), properties::default_async_properties().size());
  for (const auto& result : report.results) EXPECT_EQ(result.verdict, Verdict::Holds) << result.property;
  EXPECT_FALSE(pipeline::parse_bound_range("0"));
  EXPECT_FALSE(pipeline::parse_bound_range("3..2"));
  EXPECT_FALSE(pipeline::parse_bound_range("x"));
  EXPECT_EQ(pipeline::parse_bound_range("7")->search, false);
}

}  // namespace
}  // namespace lim
