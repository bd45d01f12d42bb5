// The pipelined compact exploration (explore/pipelined_compact_explorer.hpp):
// on two threads it must store exactly what one thread stores — the same
// configurations under the same indices, the same BFS layers, moves and
// edge count, the same completion under a state limit — so that every
// verdict and counterexample is the one thread's.
#include <iostream>
#include <string>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "lim/explore/compact_explorer.hpp"
#include "lim/pipeline/check.hpp"
#include "lim/properties/asynchronous_properties.hpp"
#include "lim/properties/partial_order.hpp"
#include "lim/semantics/ample_sets.hpp"
#include "lim/semantics/asynchronous.hpp"
#include "lim/semantics/synchronous.hpp"
#include "test_support.hpp"

namespace lim {
namespace {

using explore::StateIndex;
using properties::AsyncProperty;
using properties::BoundedAnalysis;
using properties::StateStorage;

void expect_same(const explore::CompactSpace& one, const explore::CompactSpace& two, const std::string& where) {
  ASSERT_EQ(two.completion, one.completion) << where;
  ASSERT_EQ(two.size(), one.size()) << where;
  ASSERT_EQ(two.expanded(), one.expanded()) << where;
  ASSERT_EQ(two.edges, one.edges) << where;
  ASSERT_EQ(two.layer_start, one.layer_start) << where;
  for (StateIndex state = 0; state < one.expanded(); ++state)
    ASSERT_EQ(two.has_successors(state), one.has_successors(state)) << where << " state " << state;
  for (StateIndex state = 0; state < one.size(); ++state)
    ASSERT_EQ(two.packed(state), one.packed(state)) << where << " state " << state;
}

struct Pipelined {
  std::size_t states = 0;      // configurations stored by a pipeline
  std::uint64_t handovers = 0;  // its handover's moves between the threads
};

// Pipelined from the first configuration on, from the middle of a run,
// balancing at every batch (the handover moving back and forth), and with a
// state limit that stops it inside a batch.
template <class Semantics>
void compare_threads(const Semantics& semantics, const std::string& where, Pipelined& pipelined) {
  explore::ExploreOptions options;
  options.limits.max_states = 100'000;
  const auto one = explore::explore_compact(semantics, options);
  options.threads = 2;
  for (const std::size_t from : {std::size_t{0}, std::size_t{40}}) {
    options.parallel_from = from;
    const auto two = explore::explore_compact(semantics, options);
    expect_same(one, two, fmt::format("{} from {}", where, from));
    if (two.size() > from) pipelined.states += two.size() - from;
  }
  options.parallel_from = 0;
  options.balance_every = 1;
  const auto balanced = explore::explore_compact(semantics, options);
  expect_same(one, balanced, where + " balanced at every batch");
  pipelined.handovers += balanced.handover_moves;
  options.balance_every = explore::ExploreOptions{}.balance_every;
  if (one.size() > 300) {
    options.limits.max_states = one.size() / 2 + 7;
    options.threads = 1;
    const auto capped_one = explore::explore_compact(semantics, options);
    options.threads = 2;
    options.parallel_from = 0;
    const auto capped_two = explore::explore_compact(semantics, options);
    ASSERT_EQ(capped_one.completion, explore::Completion::StateLimit) << where;
    expect_same(capped_one, capped_two, where + " capped");
  }
}

TEST(ExploreParallel, TwoThreadsStoreWhatOneStoresOnTheCorpus) {
  std::size_t files = 0;
  Pipelined pipelined;
  for (const auto& path : testing::corpus_and_specs()) {
    auto spec = pipeline::load_spec_file(path.string());
    if (!spec.ok()) continue;
    const auto& system = *spec.system;
    ++files;
    const auto name = path.filename().string();
    for (const unsigned k : {1U, 2U, 3U}) {
      const semantics::AsynchronousSemantics asynchronous(system, k);
      compare_threads(asynchronous, fmt::format("{} k={}", name, k), pipelined);
      if (::testing::Test::HasFatalFailure()) return;
    }
    // The reduction for deadlocks alone needs no proviso, so it is
    // pipelined too: its ample sets are chosen by the generator.
    if (properties::is_reachability_property(AsyncProperty::DeadlockFreedom, system)) {
      const semantics::AsynchronousSemantics asynchronous(system, 2);
      const semantics::AmpleSets ample(
          asynchronous, properties::visible_transitions(asynchronous, {AsyncProperty::DeadlockFreedom}));
      if (!ample.needs_proviso()) compare_threads(ample, name + " ample k=2", pipelined);
    }
    const semantics::SynchronousSemantics synchronous(system);
    compare_threads(synchronous, name + " synchronous", pipelined);
    if (::testing::Test::HasFatalFailure()) return;
  }
  EXPECT_GE(files, 150u);
  // Enough to cross many batches, and the handover moved often.
  EXPECT_GE(pipelined.states, 1'000'000u);
  EXPECT_GE(pipelined.handovers, 100u);
  std::cout << pipelined.handovers << " handover moves\n";
}

// Through the analysis `lim check --k` runs: same verdicts and
// counterexamples with --threads 2 (the default on two cores) as with 1.
// The pipeline starts at its default size, which the corpus's larger files
// (and the specs' TCP server) pass.
TEST(ExploreParallel, SameVerdictsAndCounterexamplesWithTwoThreads) {
  std::size_t compared = 0, violations = 0, pipelined = 0;
  for (const auto& path : testing::corpus_and_specs()) {
    auto spec = pipeline::load_spec_file(path.string());
    if (!spec.ok()) continue;
    const auto& system = *spec.system;
    std::vector<AsyncProperty> asked = {AsyncProperty::KObi, AsyncProperty::OrphanMessages,
                                        AsyncProperty::DeadlockFreedom};
    if (!properties::is_reachability_property(AsyncProperty::DeadlockFreedom, system)) asked.pop_back();
    properties::AsyncExploreOptions options;
    options.decompose = false;
    options.limits.max_states = 200'000;
    options.storage = StateStorage::Compact;
    BoundedAnalysis one(system, 3, options);
    options.threads = 2;
    BoundedAnalysis two(system, 3, options);
    const auto where = path.filename().string();
    if (one.states() > explore::ExploreOptions{}.parallel_from) ++pipelined;
    ASSERT_EQ(two.completion(), one.completion()) << where;
    ASSERT_EQ(two.states(), one.states()) << where;
    ASSERT_EQ(two.transitions(), one.transitions()) << where;
    for (const auto property : asked) {
      const auto expected = one.check(property);
      const auto actual = two.check(property);
      ASSERT_EQ(actual.verdict, expected.verdict) << where;
      ASSERT_EQ(actual.detail, expected.detail) << where;
      ASSERT_EQ(actual.counterexample.has_value(), expected.counterexample.has_value()) << where;
      if (expected.counterexample) {
        ASSERT_EQ(actual.counterexample->prefix.size(), expected.counterexample->prefix.size()) << where;
        for (std::size_t i = 0; i < expected.counterexample->prefix.size(); ++i)
          ASSERT_EQ(actual.counterexample->prefix[i].text, expected.counterexample->prefix[i].text) << where;
        ++violations;
      }
      ++compared;
    }
  }
  EXPECT_GE(compared, 300u);
  EXPECT_GE(violations, 50u);
  EXPECT_GE(pipelined, 3u);
  std::cout << pipelined << " files pipelined\n";
}

}  // namespace
}  // namespace lim
