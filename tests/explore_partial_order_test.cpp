// Partial-order reduction (semantics/ample_sets.hpp, properties/partial_order.hpp,
// the proviso in explore/compact_explorer.hpp): it reduces, it keeps every
// deadlock — including one only a particular interleaving reaches — and
// every verdict of the properties it serves, on the whole corpus.
#include <algorithm>
#include <filesystem>
#include <iostream>
#include <set>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "lim/explore/compact_explorer.hpp"
#include "lim/pipeline/check.hpp"
#include "lim/properties/asynchronous_properties.hpp"
#include "lim/properties/partial_order.hpp"
#include "lim/semantics/ample_sets.hpp"
#include "lim/semantics/asynchronous.hpp"
#include "test_support.hpp"

namespace lim {
namespace {

using explore::StateIndex;
using properties::AsyncProperty;
using properties::BoundedAnalysis;
using properties::StateStorage;

automata::System fsm_system(const std::string& text) {
  auto spec = pipeline::load_spec_text("test.fsm", text, formats::InputFormat::GmcFsm);
  if (!spec.ok()) {
    ADD_FAILURE() << format_diagnostics(spec.source, spec.diagnostics);
    return {};
  }
  return std::move(*spec.system);
}

// The properties a reduction serves, as `lim check --k N --por on` would ask them.
std::vector<AsyncProperty> reducible(const automata::System& system) {
  std::vector<AsyncProperty> asked = {AsyncProperty::KObi, AsyncProperty::OrphanMessages,
                                      AsyncProperty::DeadlockFreedom};
  if (!properties::is_reachability_property(AsyncProperty::DeadlockFreedom, system)) asked.pop_back();
  return asked;
}

// Configurations without moves, unpacked, of a complete exploration.
std::set<std::vector<std::uint32_t>> deadlocks(const explore::CompactSpace& space) {
  std::set<std::vector<std::uint32_t>> found;
  for (StateIndex state = 0; state < space.expanded(); ++state)
    if (!space.has_successors(state)) found.insert(space.configuration(state));
  return found;
}

// n pairs that never talk to each other: each sends `messages` to its
// partner, which sends as many back, then both receive.
automata::System independent_pairs(int pairs, int messages) {
  std::string text;
  for (int pair = 0; pair < pairs; ++pair) {
    for (int side = 0; side < 2; ++side) {
      const int partner = 2 * pair + 1 - side;
      text += ".outputs\n.state graph\n";
      for (int i = 0; i < messages; ++i) text += fmt::format("s{} {} ! m s{}\n", i, partner, i + 1);
      for (int i = 0; i < messages; ++i)
        text += fmt::format("{} {} ? m r{}\n", i == 0 ? fmt::format("s{}", messages) : fmt::format("r{}", i), partner,
                            i + 1);
      text += ".marking s0\n.end\n\n";
    }
  }
  return fsm_system(text);
}

TEST(ExplorePartialOrder, ExploresStrictlyFewerConfigurationsOfIndependentPairs) {
  const auto system = independent_pairs(3, 2);
  const semantics::AsynchronousSemantics semantics(system, 2);
  const semantics::AmpleSets ample(semantics, properties::visible_transitions(semantics, reducible(system)));
  EXPECT_FALSE(ample.needs_proviso());  // deadlocks and final configurations only
  const auto full = explore::explore_compact(semantics);
  const auto reduced = explore::explore_compact(ample);
  ASSERT_TRUE(full.complete());
  ASSERT_TRUE(reduced.complete());
  // The full space is the product of the three pairs' spaces; a reduced
  // one needs little more than one pair's interleavings at a time.
  EXPECT_LT(reduced.size() * 10, full.size()) << reduced.size() << " of " << full.size();
  EXPECT_EQ(deadlocks(reduced), deadlocks(full));
  // The initial configuration: every role can send, one role is enough.
  std::vector<std::uint32_t> initial(semantics.layout().field_count());
  semantics.initial(initial);
  EXPECT_EQ(ample.ample_roles(initial).size(), 1u);

  // And through the check: the same verdicts from far fewer configurations.
  properties::AsyncExploreOptions options;
  options.decompose = false;
  options.storage = StateStorage::Compact;
  BoundedAnalysis plain(system, 2, options);
  options.partial_order = true;
  options.reduce_for = properties::reduction_for(options, reducible(system), system);
  ASSERT_EQ(options.reduce_for, reducible(system));
  BoundedAnalysis por(system, 2, options);
  EXPECT_TRUE(por.reduced());
  EXPECT_FALSE(plain.reduced());
  EXPECT_LT(por.states() * 10, plain.states());
  for (const auto property : reducible(system))
    EXPECT_EQ(por.check(property).verdict, plain.check(property).verdict) << properties::name(property);
}

// The configuration after the first move of role `local` from the initial one.
std::vector<std::uint32_t> after_first_move_of(const semantics::AsynchronousSemantics& semantics,
                                               std::uint32_t local) {
  std::vector<std::uint32_t> initial(semantics.layout().field_count()), scratch(initial.size()), after;
  semantics.initial(initial);
  scratch = initial;
  semantics.for_each_move_of(local, initial, scratch, [&](explore::Move, std::span<const std::uint32_t> next) {
    if (after.empty()) after.assign(next.begin(), next.end());
  });
  return after;
}

// b takes m from a or n from c, whichever is there; after n first it waits
// for an x nobody sends — a deadlock only if c's send comes before b's
// receive of m. A reduction that expands one role with a move at a time
// (the first) has a send m, then b's receive, and never sees it.
constexpr const char* kRace =
    ".outputs\n.state graph\nq0 1 ! m q1\n.marking q0\n.end\n\n"
    ".outputs\n.state graph\nq0 0 ? m q1\nq1 2 ? n q2\nq0 2 ? n q3\nq3 0 ? x q4\n.marking q0\n.end\n\n"
    ".outputs\n.state graph\nq0 1 ! n q1\n.marking q0\n.end\n\n";

// The naive reduction: the moves of the first role that has any.
class FirstRoleOnly {
 public:
  explicit FirstRoleOnly(const semantics::AsynchronousSemantics& semantics) : semantics_(semantics) {}
  const explore::PackedLayout& layout() const { return semantics_.layout(); }
  void initial(std::span<std::uint32_t> configuration) const { semantics_.initial(configuration); }
  template <class Emit>
  void for_each_successor(std::span<const std::uint32_t> from, std::span<std::uint32_t> to, Emit&& emit) const {
    semantics_.for_each_successor(from, to, emit);
  }
  bool needs_proviso() const { return false; }
  template <class Emit>
  bool for_each_ample_successor(std::span<const std::uint32_t> from, std::span<std::uint32_t> to, Emit&& emit) const {
    std::copy(from.begin(), from.end(), to.begin());
    for (std::uint32_t local = 0; local < semantics_.roles().size(); ++local) {
      bool any = false;
      semantics_.for_each_move_of(local, from, to, [&](explore::Move move, std::span<const std::uint32_t> next) {
        any = true;
        emit(move, next);
      });
      if (any) return false;
    }
    return true;
  }
  template <class Emit>
  void for_each_other_successor(std::span<const std::uint32_t>, std::span<std::uint32_t>, Emit&&) const {}

 private:
  const semantics::AsynchronousSemantics& semantics_;
};

TEST(ExplorePartialOrder, KeepsADeadlockThatOnlyOneInterleavingReaches) {
  const auto system = fsm_system(kRace);
  const semantics::AsynchronousSemantics semantics(system, 1);
  const auto full = explore::explore_compact(semantics);
  const auto bad = [&](const std::set<std::vector<std::uint32_t>>& found) {
    // b (role 1) stuck at q3 = state 3 with m still queued from a.
    return std::any_of(found.begin(), found.end(), [](const auto& configuration) { return configuration[1] == 3; });
  };
  ASSERT_TRUE(bad(deadlocks(full)));
  // The system does need the interleaving: the naive reduction misses it.
  const FirstRoleOnly naive(semantics);
  EXPECT_FALSE(bad(deadlocks(explore::explore_compact(naive))));

  const semantics::AmpleSets ample(semantics);
  const auto reduced = explore::explore_compact(ample);
  EXPECT_EQ(deadlocks(reduced), deadlocks(full));
  // After a's send, b's receive of m alone is not an ample set: b also
  // offers a receive on the empty queue from c, which c's send can enable.
  const auto after = after_first_move_of(semantics, 0);
  const auto roles = ample.ample_roles(after);
  EXPECT_TRUE(std::find(roles.begin(), roles.end(), 1u) == roles.end() ||
              std::find(roles.begin(), roles.end(), 2u) != roles.end());

  // Through `lim check`'s analysis: the deadlock is reported, with a run
  // that has c send before b receives.
  properties::AsyncExploreOptions options;
  options.storage = StateStorage::Compact;
  options.partial_order = true;
  options.reduce_for = {AsyncProperty::DeadlockFreedom};
  BoundedAnalysis analysis(system, 1, options);
  ASSERT_TRUE(analysis.reduced());
  const auto result = analysis.check(AsyncProperty::DeadlockFreedom);
  ASSERT_EQ(result.verdict, report::Verdict::Violated);
  ASSERT_TRUE(result.counterexample);
  EXPECT_NE(result.counterexample->explanation.find("waits"), std::string::npos) << result.counterexample->explanation;
}

TEST(ExplorePartialOrder, AReceiveThatFreesAFullQueueJoinsTheSendersSet) {
  // k = 1. a sends m to b, then a second m to b or n to c. After the first
  // send a's queue to b is full: a's one enabled move (n to c) alone would
  // look like an ample set, but b's receive enables a's other send, and
  // without it the run where a's second m goes to b (c left waiting) is lost.
  const auto system = fsm_system(
      ".outputs\n.state graph\nq0 1 ! m q1\nq1 1 ! m q2\nq1 2 ! n q2\n.marking q0\n.end\n\n"
      ".outputs\n.state graph\nq0 0 ? m q1\nq1 0 ? m q2\n.marking q0\n.end\n\n"
      ".outputs\n.state graph\nq0 0 ? n q1\n.marking q0\n.end\n\n");
  const semantics::AsynchronousSemantics semantics(system, 1);
  const semantics::AmpleSets ample(semantics);
  const auto configuration = after_first_move_of(semantics, 0);
  ASSERT_EQ(configuration[0], 1u);  // a at q1, its queue to b full
  // {a} would need b; b alone (its receive) is the smallest closed set.
  EXPECT_EQ(ample.ample_roles(configuration), std::vector<std::uint32_t>{1});
  const auto full = explore::explore_compact(semantics);
  EXPECT_EQ(deadlocks(explore::explore_compact(ample)), deadlocks(full));
  EXPECT_EQ(deadlocks(full).size(), 2u);
}

// Ample sets as they are, without the cycle proviso.
class WithoutProviso {
 public:
  explicit WithoutProviso(const semantics::AmpleSets& ample) : ample_(ample) {}
  const explore::PackedLayout& layout() const { return ample_.layout(); }
  void initial(std::span<std::uint32_t> configuration) const { ample_.initial(configuration); }
  template <class Emit>
  void for_each_successor(std::span<const std::uint32_t> from, std::span<std::uint32_t> to, Emit&& emit) const {
    ample_.for_each_successor(from, to, emit);
  }
  bool needs_proviso() const { return false; }
  template <class Emit>
  bool for_each_ample_successor(std::span<const std::uint32_t> from, std::span<std::uint32_t> to, Emit&& emit) const {
    return ample_.for_each_ample_successor(from, to, emit);
  }
  template <class Emit>
  void for_each_other_successor(std::span<const std::uint32_t> from, std::span<std::uint32_t> to, Emit&& emit) const {
    ample_.for_each_other_successor(from, to, emit);
  }

 private:
  const semantics::AmpleSets& ample_;
};

// k-OBI's violation needs the proviso: d loops forever (a
// ping-pong with e), and a reduction that always picks d's invisible
// move would never let a fill one of its two queues.
TEST(ExplorePartialOrder, TheCycleProvisoKeepsAVisibleMoveFromBeingIgnored) {
  const auto system = fsm_system(
      // a: sends to b or to c, twice (its second send state is where one
      // queue is full and the other is not).
      ".outputs\n.state graph\nq0 1 ! m q1\nq0 2 ! m q1\nq1 1 ! m q2\nq1 2 ! m q2\n.marking q0\n.end\n\n"
      ".outputs\n.state graph\nq0 0 ? m q1\n.marking q0\n.end\n\n"
      ".outputs\n.state graph\nq0 0 ? m q1\n.marking q0\n.end\n\n"
      // d and e ping-pong forever.
      ".outputs\n.state graph\nq0 4 ! p q1\nq1 4 ? p q0\n.marking q0\n.end\n\n"
      ".outputs\n.state graph\nq0 3 ? p q1\nq1 3 ! p q0\n.marking q0\n.end\n\n");
  properties::AsyncExploreOptions options;
  options.decompose = false;
  options.storage = StateStorage::Compact;
  BoundedAnalysis plain(system, 1, options);
  ASSERT_EQ(plain.check(AsyncProperty::KObi).verdict, report::Verdict::Violated);
  options.partial_order = true;
  options.reduce_for = {AsyncProperty::KObi};
  BoundedAnalysis por(system, 1, options);
  ASSERT_TRUE(por.reduced());
  EXPECT_EQ(por.check(AsyncProperty::KObi).verdict, report::Verdict::Violated);
  EXPECT_LE(por.states(), plain.states());

  // The same ample sets without the proviso go round d and e's cycle and
  // never take a's sends.
  const semantics::AsynchronousSemantics semantics(system, 1);
  const semantics::AmpleSets ample(semantics, properties::visible_transitions(semantics, {AsyncProperty::KObi}));
  ASSERT_TRUE(ample.needs_proviso());
  const auto with = explore::explore_compact(ample);
  EXPECT_GT(with.fully_expanded_by_proviso, 0u);
  EXPECT_TRUE(properties::find_k_obi_violation({&semantics, nullptr, &with}).has_value());
  const WithoutProviso ignoring(ample);
  const auto without = explore::explore_compact(ignoring);
  EXPECT_EQ(without.fully_expanded_by_proviso, 0u);
  EXPECT_FALSE(properties::find_k_obi_violation({&semantics, nullptr, &without}).has_value());
}

// Orphan messages with an environment: two environment roles ping-pong
// forever, and a's moves into its final state are what the reduction must
// not postpone. Without them visible (and so without the proviso), the
// reduction keeps taking the environments' smaller ample sets — a has four
// sends to choose from — and never sees a and b end with a message left.
TEST(ExplorePartialOrder, OrphanMessagesWithAnEnvironmentMakeTheLastMoveToAnEndVisible) {
  const auto system = testing::system_of(
      "env e1: e2⊕{t}\n"
      "env e2: e1⊕{t}\n"
      "a: b⊕{m1 . b⊕m . end, m2 . b⊕m . end, m3 . b⊕m . end, m4 . b⊕m . end}\n"
      "b: a&{m1 . end, m2 . end, m3 . end, m4 . end}\n");
  properties::AsyncExploreOptions options;
  options.decompose = false;  // one product, the environments' cycle beside a and b
  options.storage = StateStorage::Compact;
  BoundedAnalysis plain(system, 2, options);
  ASSERT_EQ(plain.check(AsyncProperty::OrphanMessages).verdict, report::Verdict::Violated);
  options.partial_order = true;
  options.reduce_for = properties::reduction_for(options, {AsyncProperty::OrphanMessages}, system);
  BoundedAnalysis por(system, 2, options);
  ASSERT_TRUE(por.reduced());
  EXPECT_EQ(por.check(AsyncProperty::OrphanMessages).verdict, report::Verdict::Violated);

  const semantics::AsynchronousSemantics semantics(system, 2);
  const auto visible = properties::visible_transitions(semantics, {AsyncProperty::OrphanMessages});
  // Only a's and b's moves into `end`.
  EXPECT_EQ(std::count(visible.begin(), visible.end(), 1), 4 + 4);
  const semantics::AmpleSets ample(semantics, visible);
  const auto with = explore::explore_compact(ample);
  EXPECT_TRUE(properties::find_final_configurations({&semantics, nullptr, &with}).bad.has_value());
  const semantics::AmpleSets blind(semantics);
  const auto without = explore::explore_compact(blind);
  EXPECT_FALSE(properties::find_final_configurations({&semantics, nullptr, &without}).bad.has_value());
}

TEST(ExplorePartialOrder, EveryVerdictOfTheCorpusIsTheSameWithAndWithout) {
  std::size_t files = 0, compared = 0, violations = 0, smaller = 0;
  std::uint64_t full_states = 0, reduced_states = 0;
  for (const auto& path : testing::corpus_and_specs()) {
    auto spec = pipeline::load_spec_file(path.string());
    if (!spec.ok()) continue;
    const auto& system = *spec.system;
    ++files;
    const auto asked = reducible(system);
    for (const unsigned k : {1U, 2U, 3U}) {
      for (const bool decompose : {true, false}) {
        properties::AsyncExploreOptions options;
        options.decompose = decompose;
        options.limits.max_states = 200'000;
        options.storage = StateStorage::Compact;
        BoundedAnalysis plain(system, k, options);
        options.partial_order = true;
        options.reduce_for = properties::reduction_for(options, asked, system);
        ASSERT_EQ(options.reduce_for, asked);
        BoundedAnalysis por(system, k, options);
        ASSERT_TRUE(por.reduced());
        const auto where = fmt::format("{} k={} decompose={}", path.filename().string(), k, decompose);
        // A reduced exploration stores a subset: within a limit the full one keeps to.
        if (plain.complete()) {
          ASSERT_TRUE(por.complete()) << where;
        }
        ASSERT_LE(por.states(), plain.states()) << where;
        if (por.states() < plain.states()) ++smaller;
        for (const auto property : asked) {
          const auto expected = plain.check(property);
          const auto actual = por.check(property);
          if (!plain.complete()) {
            // Only k-OBI decides on a partial space, and its violations are real.
            if (expected.verdict == report::Verdict::Violated && por.complete()) {
              EXPECT_EQ(actual.verdict, report::Verdict::Violated) << where << " " << properties::name(property);
            }
            continue;
          }
          ASSERT_EQ(actual.verdict, expected.verdict) << where << " " << properties::name(property);
          ++compared;
          if (expected.verdict != report::Verdict::Violated) continue;
          ++violations;
          ASSERT_TRUE(actual.counterexample) << where;
          // The full exploration's run is a shortest one; the reduced one's
          // is a run of the reduced graph, never shorter.
          EXPECT_GE(actual.counterexample->prefix.size(), expected.counterexample->prefix.size()) << where;
          EXPECT_FALSE(actual.counterexample->explanation.empty()) << where;
        }
        if (plain.complete()) {
          full_states += plain.states();
          reduced_states += por.states();
        }
      }
    }
  }
  EXPECT_GE(files, 150u);
  EXPECT_GE(violations, 50u) << compared;
  EXPECT_GE(smaller, 100u);
  RecordProperty("states_without", std::to_string(full_states));
  RecordProperty("states_with", std::to_string(reduced_states));
  std::cout << fmt::format("[ partial order ] {} verdicts compared, {} violations; {} configurations with the "
                           "reduction, {} without\n",
                           compared, violations, reduced_states, full_states);
}

// Below the verdicts: every configuration a reduced exploration stores is
// reachable by the run rebuilt for it (each step a move of the semantics
// from the configuration before), and the reduced explorations keep every
// deadlock of the full one.
TEST(ExplorePartialOrder, StoresOnlyReachableConfigurationsWithRealRunsAndEveryDeadlock) {
  std::size_t checked = 0, runs = 0;
  for (const auto& path : testing::corpus_and_specs()) {
    auto spec = pipeline::load_spec_file(path.string());
    if (!spec.ok()) continue;
    const auto& system = *spec.system;
    for (const unsigned k : {1U, 2U}) {
      const semantics::AsynchronousSemantics semantics(system, k);
      const semantics::AmpleSets ample(semantics, properties::visible_transitions(semantics, reducible(system)));
      explore::ExploreOptions options;
      options.limits.max_states = 20'000;
      const auto full = explore::explore_compact(semantics, options);
      if (!full.complete()) continue;
      const auto reduced = explore::explore_compact(ample, options);
      ASSERT_TRUE(reduced.complete()) << path;
      const auto where = fmt::format("{} k={}", path.filename().string(), k);
      std::vector<std::uint64_t> words(full.states.words_per_state());
      for (StateIndex state = 0; state < reduced.size(); ++state) {
        const auto configuration = reduced.configuration(state);
        full.layout.pack(configuration, words);
        ASSERT_TRUE(full.states.find(words).has_value()) << where << " " << state;
        if (state % 31 != 0 && state + 1 != reduced.size()) continue;
        std::vector<std::uint32_t> at(configuration.size()), scratch(configuration.size());
        semantics.initial(at);
        for (const auto move : explore::path_to(semantics, reduced, state)) {
          bool taken = false;
          std::vector<std::uint32_t> next;
          semantics.for_each_successor(at, scratch, [&](explore::Move m, std::span<const std::uint32_t> values) {
            if (taken || m.first != move.first || m.second != move.second) return;
            taken = true;
            next.assign(values.begin(), values.end());
          });
          ASSERT_TRUE(taken) << where << " " << state;
          at = next;
        }
        ASSERT_EQ(at, configuration) << where << " " << state;
        ++runs;
      }
      ASSERT_EQ(deadlocks(reduced), deadlocks(full)) << where;
      ++checked;
    }
  }
  EXPECT_GE(checked, 200u);
  EXPECT_GE(runs, 1000u);
}

}  // namespace
}  // namespace lim
