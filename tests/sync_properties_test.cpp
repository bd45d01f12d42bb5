// The seven synchronous properties on small contexts written for the
// purpose: each property's positive and negative case, the shape of its
// counterexample, payload subtyping, and resource limits.
#include <gtest/gtest.h>

#include "lim/pipeline/check.hpp"
#include "test_support.hpp"

namespace lim {
namespace {

using properties::SyncProperty;
using report::Verdict;

report::PropertyResult verdict_of(const std::string& text, SyncProperty property,
                                  const properties::SyncExploreOptions& explore_options = {}) {
  const auto system = testing::system_of(text);
  pipeline::CheckOptions options;
  options.properties = {property};
  options.explore = explore_options;
  auto report = pipeline::check_synchronous("test.lim", system, options);
  return report.results.at(0);
}

std::vector<std::string> texts(const std::vector<report::TraceStep>& steps) {
  std::vector<std::string> out;
  for (const auto& step : steps) out.push_back(step.text);
  return out;
}

TEST(SyncSafety, LabelMismatchIsUnsafeInTheInitialConfiguration) {
  const auto result = verdict_of("p: q⊕foo . end\nq: p&bar . end\n", SyncProperty::Safety);
  ASSERT_EQ(result.verdict, Verdict::Violated);
  ASSERT_TRUE(result.counterexample);
  EXPECT_TRUE(result.counterexample->prefix.empty());
  EXPECT_NE(result.counterexample->explanation.find("p may send foo to q"), std::string::npos)
      << result.counterexample->explanation;
  EXPECT_NE(result.counterexample->explanation.find("{bar}"), std::string::npos);
}

TEST(SyncSafety, UnsafeStateFoundAfterAShortestTrace) {
  // Two ways to the bad state: a→b directly, or a loop through c first.
  const char* text = R"(
    a: b⊕{ go . c⊕bad . end, wait . c⊕ok . b⊕go . c⊕bad . end }
    b: a&{ go . end, wait . a&go . end }
    c: a&{ ok . a&ok2 . end, fine . end }
  )";
  const auto result = verdict_of(text, SyncProperty::Safety);
  ASSERT_EQ(result.verdict, Verdict::Violated);
  EXPECT_EQ(texts(result.counterexample->prefix), std::vector<std::string>{"a → b: go"});
}

TEST(SyncSafety, PayloadSortsMustBeSubtypes) {
  EXPECT_EQ(verdict_of("p: q⊕m(Int)\nq: p&m(String)\n", SyncProperty::Safety).verdict, Verdict::Violated);
  EXPECT_EQ(verdict_of("p: q⊕m(Int)\nq: p&m(int)\n", SyncProperty::Safety).verdict, Verdict::Holds);
  // Branch subtyping: a session payload offering fewer inputs may be sent
  // where more are expected, not the other way round.
  EXPECT_EQ(verdict_of("p: q⊕m(μ(t)r&m1.t)\nq: p&m(μ(t)r&{m1.t, m2.t})\n", SyncProperty::Safety).verdict,
            Verdict::Holds);
  EXPECT_EQ(verdict_of("p: q⊕m(μ(t)r&{m1.t, m2.t})\nq: p&m(μ(t)r&m1.t)\n", SyncProperty::Safety).verdict,
            Verdict::Violated);
  // Select subtyping is the dual: a payload making more outputs is a subtype.
  EXPECT_EQ(verdict_of("p: q⊕m(r⊕{a, b})\nq: p&m(r⊕a)\n", SyncProperty::Safety).verdict, Verdict::Holds);
  EXPECT_EQ(verdict_of("p: q⊕m(r⊕a)\nq: p&m(r⊕{a, b})\n", SyncProperty::Safety).verdict, Verdict::Violated);
  // Unfolding on one side only: μ(t) r⊕a.t is r⊕a.r⊕a.…
  EXPECT_EQ(verdict_of("p: q⊕m(μ(t) r⊕a.t)\nq: p&m(r⊕a.μ(u) r⊕a.u)\n", SyncProperty::Safety).verdict,
            Verdict::Holds);
}

TEST(SyncDeadlockFreedom, CircularWaitIsADeadlockWithShortestTrace) {
  const char* text = R"(
    p: q⊕start . r&m1 . end
    q: p&start . r&m2 . end
    r: q⊕m2 . p⊕m1 . end
  )";
  EXPECT_EQ(verdict_of(text, SyncProperty::DeadlockFreedom).verdict, Verdict::Holds);
  const char* deadlocked = R"(
    p: q⊕start . r&m1 . q⊕m3 . end
    q: p&start . p&m3 . r&m2 . end
    r: q⊕m2 . p⊕m1 . end
  )";
  const auto result = verdict_of(deadlocked, SyncProperty::DeadlockFreedom);
  ASSERT_EQ(result.verdict, Verdict::Violated);
  EXPECT_EQ(texts(result.counterexample->prefix), std::vector<std::string>{"p → q: start"});
  EXPECT_NE(result.counterexample->explanation.find("deadlock"), std::string::npos);
  ASSERT_EQ(result.counterexample->at.roles.size(), 3u);
  EXPECT_EQ(result.counterexample->at.roles[0].type, "r&{m1}");
}

TEST(SyncTermination, InfiniteLoopGivesALasso) {
  const char* text = "p: μ(t) q⊕{ more . t, stop . end }\nq: μ(t) p&{ more . t, stop . end }\n";
  const auto result = verdict_of(text, SyncProperty::Termination);
  ASSERT_EQ(result.verdict, Verdict::Violated);
  EXPECT_TRUE(result.counterexample->prefix.empty());
  EXPECT_EQ(texts(result.counterexample->cycle), std::vector<std::string>{"p → q: more"});
  EXPECT_EQ(verdict_of("p: q⊕a . q⊕b\nq: p&a . p&b\n", SyncProperty::Termination).verdict, Verdict::Holds);
  // A deadlock is not termination.
  EXPECT_EQ(verdict_of("p: q⊕a . q&b\nq: p&a . p&b\n", SyncProperty::Termination).verdict, Verdict::Violated);
}

TEST(SyncNeverTermination, EndingOrStuckContextsTerminate) {
  EXPECT_EQ(verdict_of("p: μ(t) q⊕a . t\nq: μ(t) p&a . t\n", SyncProperty::NeverTermination).verdict,
            Verdict::Holds);
  const auto result = verdict_of("p: q⊕a . q⊕b\nq: p&a . p&b\n", SyncProperty::NeverTermination);
  ASSERT_EQ(result.verdict, Verdict::Violated);
  EXPECT_EQ(result.counterexample->prefix.size(), 2u);
}

constexpr const char* kStarvingLogger = R"(
  client: rec ping . server⊕request(Int) . server&response(Int) . ping
  server: rec pong . client&{ request(Int) . client⊕response(Int) . pong,
                              quit . logger⊕summary(String) . end }
  logger: server&summary(String) . end
)";

TEST(SyncLiveness, StarvedRoleIsNotLiveAndTheRunLoops) {
  EXPECT_EQ(verdict_of(kStarvingLogger, SyncProperty::DeadlockFreedom).verdict, Verdict::Holds);
  const auto result = verdict_of(kStarvingLogger, SyncProperty::Liveness);
  ASSERT_EQ(result.verdict, Verdict::Violated);
  EXPECT_TRUE(result.counterexample->prefix.empty());
  EXPECT_NE(result.counterexample->explanation.find("logger waits for a message from server"), std::string::npos)
      << result.counterexample->explanation;
  EXPECT_EQ(texts(result.counterexample->cycle),
            (std::vector<std::string>{"client → server: request(Int)", "server → client: response(Int)"}));
}

// Separating examples of REFERENCE §2 (the same as mpstk's popl19-ex5.6/5.7,
// written in lim's syntax so the test does not need ../shared).
TEST(SyncLiveness, LiveButNotLivePlus) {
  const char* text = R"(
    p: μ(t) q⊕{ m1 . t, m2 }
    q: μ(t) p&{ m1 . t, m2 . r⊕m3 }
    r: q&m3
  )";
  EXPECT_EQ(verdict_of(text, SyncProperty::Liveness).verdict, Verdict::Holds);
  const auto result = verdict_of(text, SyncProperty::LivenessPlus);
  ASSERT_EQ(result.verdict, Verdict::Violated);
  EXPECT_EQ(texts(result.counterexample->cycle), std::vector<std::string>{"p → q: m1"});
}

TEST(SyncLiveness, LivePlusButNotLivePlusPlus) {
  const char* text = R"(
    p: q⊕m1 . q2⊕m2
    q: p&m1 . end
    q2: p&m2 . end
    r1: μ(t) r2⊕m2 . t
    r2: μ(t) r1&m2 . t
  )";
  EXPECT_EQ(verdict_of(text, SyncProperty::LivenessPlus).verdict, Verdict::Holds);
  const auto result = verdict_of(text, SyncProperty::LivenessPlusPlus);
  ASSERT_EQ(result.verdict, Verdict::Violated);
  EXPECT_EQ(texts(result.counterexample->cycle), std::vector<std::string>{"r1 → r2: m2"});
}

TEST(SyncLiveness, LivePlusPlusWhenEveryRunInteracts) {
  const char* text = "p: μ(t) q⊕m(t) . end\nq: p&m( μ(t) q⊕m(t) ) . end\n";
  for (const auto property : {SyncProperty::Liveness, SyncProperty::LivenessPlus, SyncProperty::LivenessPlusPlus,
                              SyncProperty::Termination})
    EXPECT_EQ(verdict_of(text, property).verdict, Verdict::Holds) << properties::name(property);
}

TEST(SyncLimits, StateLimitMakesAbsentViolationsInconclusive) {
  std::string text;
  for (int i = 0; i < 6; ++i)
    text += "s" + std::to_string(i) + ": rec t . k" + std::to_string(i) + "⊕{ a . t, b . end }\n" + "k" +
            std::to_string(i) + ": rec t . s" + std::to_string(i) + "&{ a . t, b . end }\n";
  // --max-states bounds each exploration; the one product of the six pairs
  // (2^6 configurations) passes 50.
  properties::SyncExploreOptions options;
  options.decompose = false;
  options.limits.max_states = 50;
  EXPECT_EQ(verdict_of(text, SyncProperty::Safety, options).verdict, Verdict::Inconclusive);
  EXPECT_EQ(verdict_of(text, SyncProperty::Liveness, options).verdict, Verdict::Inconclusive);
  EXPECT_EQ(verdict_of(text, SyncProperty::Safety).verdict, Verdict::Holds);
  // A violation found before the limit is still a fact.
  EXPECT_EQ(verdict_of(text + "x: y⊕oops\ny: x&fine\n", SyncProperty::Safety, options).verdict, Verdict::Violated);
  // Explored pair by pair, no exploration comes near the limit.
  options.decompose = true;
  EXPECT_EQ(verdict_of(text, SyncProperty::Liveness, options).verdict, Verdict::Holds);
}

}  // namespace
}  // namespace lim
