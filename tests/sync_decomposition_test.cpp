// The synchronous check explores independent components one by one
// (synchronous_analysis.hpp); its verdicts must be those of the one product
// state space, property by property. Pinned on systems made of small
// components of every kind (terminating, looping, deadlocking, unsafe, live
// but not live+, timeouts, environments) put side by side, and on every
// spec and corpus file whose product is small enough to explore.
#include <filesystem>

#include <gtest/gtest.h>

#include "lim/pipeline/check.hpp"
#include "test_support.hpp"

namespace lim {
namespace {

using properties::SyncProperty;

// Components written with the roles `<x>0`, `<x>1`, `<x>2`.
const std::vector<std::pair<std::string, std::string>>& components() {
  static const std::vector<std::pair<std::string, std::string>> kinds = {
      {"ends", "@0: @1⊕a . end\n@1: @0&a . end\n"},
      {"loops", "@0: rec t . @1⊕a . t\n@1: rec t . @0&a . t\n"},
      {"may-stop", "@0: rec t . @1⊕{ a . t, b . end }\n@1: rec t . @0&{ a . t, b . end }\n"},
      {"deadlocks", "@0: @1&m1 . @2⊕m2\n@1: @2&m3 . @0⊕m1\n@2: @0&m2 . @1⊕m3\n"},
      {"unsafe", "@0: @1⊕foo . end\n@1: @0&bar . end\n"},
      {"live-not-live+", "@0: rec t . @1⊕{ m1 . t, m2 }\n@1: rec t . @0&{ m1 . t, m2 . @2⊕m3 }\n@2: @1&m3\n"},
      {"waits", "@0: @1&a . end\n@1: end\n"},
      {"times-out", "@0: @1&{ a . end, timeout(500ms) . end }\n@1: rec t . @0⊕a . t\n"},
      {"environment", "env @2: @0⊕m\n@0: rec t . @2&m . @1⊕n . t\n@1: rec t . @0&n . t\n"},
  };
  return kinds;
}

std::string instance(const std::string& text, const std::string& prefix) {
  std::string out;
  for (const char c : text) out += c == '@' ? prefix : std::string(1, c);
  return out;
}

report::FileReport check(const automata::System& system, bool decompose) {
  pipeline::CheckOptions options;
  options.explore.decompose = decompose;
  options.explore.limits.max_states = 200000;
  return pipeline::check_synchronous("spec", system, options);
}

// Verdict by verdict; for the properties whose counterexample is a shortest
// run to one configuration, its length too.
void expect_same_verdicts(const automata::System& system, const std::string& what) {
  const auto split = check(system, true);
  const auto whole = check(system, false);
  if (whole.exploration != "complete") return;  // the product is too large to compare with
  ASSERT_EQ(split.exploration, "complete") << what;
  ASSERT_EQ(split.results.size(), whole.results.size());
  for (std::size_t i = 0; i < whole.results.size(); ++i) {
    const auto& expected = whole.results[i];
    const auto& actual = split.results[i];
    ASSERT_EQ(actual.property, expected.property);
    EXPECT_EQ(actual.verdict, expected.verdict) << what << ": " << expected.property;
    const bool shortest = expected.property == "safety" || expected.property == "deadlock-freedom" ||
                          expected.property == "never-termination";
    if (shortest && expected.counterexample && actual.counterexample) {
      EXPECT_EQ(actual.counterexample->prefix.size(), expected.counterexample->prefix.size())
          << what << ": " << expected.property;
    }
  }
}

TEST(SyncDecomposition, ComponentsSideBySideKeepTheProductsVerdicts) {
  const auto& kinds = components();
  for (std::size_t a = 0; a < kinds.size(); ++a)
    for (std::size_t b = a; b < kinds.size(); ++b) {
      const auto text = instance(kinds[a].second, "x") + instance(kinds[b].second, "y");
      const auto system = testing::system_of(text);
      expect_same_verdicts(system, kinds[a].first + " + " + kinds[b].first);
    }
  // Three at once: liveness++ may fail through any other component that runs forever.
  for (std::size_t a = 0; a < kinds.size(); ++a) {
    const auto& b = kinds[(a + 1) % kinds.size()];
    const auto& c = kinds[(a + 4) % kinds.size()];
    const auto text = instance(kinds[a].second, "x") + instance(b.second, "y") + instance(c.second, "z");
    expect_same_verdicts(testing::system_of(text), kinds[a].first + " + " + b.first + " + " + c.first);
  }
}

// popl19-ex5.7 (mpstk): live+ but not live++, only because an independent
// pair can interact forever while p's second output waits.
TEST(SyncDecomposition, LivenessPlusPlusFailsThroughAnIndependentLoop) {
  const auto system = testing::system_of(
      "p: q⊕m1 . q2⊕m2\nq: p&m1 . end\nq2: p&m2 . end\nr1: rec t . r2⊕m2 . t\nr2: rec t . r1&m2 . t\n");
  pipeline::CheckOptions options;
  options.properties = {SyncProperty::LivenessPlus, SyncProperty::LivenessPlusPlus};
  const auto report = pipeline::check_synchronous("ex5.7", system, options);
  EXPECT_EQ(report.components, 2u);
  EXPECT_EQ(report.results[0].verdict, report::Verdict::Holds);
  ASSERT_EQ(report.results[1].verdict, report::Verdict::Violated);
  const auto& counterexample = *report.results[1].counterexample;
  EXPECT_EQ(counterexample.role, "q2");
  ASSERT_EQ(counterexample.cycle.size(), 1u);
  EXPECT_EQ(counterexample.cycle[0].text, "r1 → r2: m2");
}

TEST(SyncDecomposition, EverySpecAndCorpusFileKeepsItsVerdicts) {
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(testing::source_dir() / "specs"))
    if (entry.path().extension() == ".lim") files.push_back(entry.path());
  for (const auto* corpus : {"mpstk", "kmc"}) {
    const auto directory = testing::shared_dir() / "corpus" / corpus;
    if (!std::filesystem::exists(directory)) continue;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(directory))
      if (entry.path().extension() == ".ctx" || entry.path().extension() == ".txt") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  ASSERT_GT(files.size(), 10u);
  for (const auto& file : files) {
    const auto spec = pipeline::load_spec_file(file.string());
    if (!spec.ok()) continue;  // the corpus has files that must not load
    expect_same_verdicts(*spec.system, file.string());
  }
}

}  // namespace
}  // namespace lim
