// The k-bounded FIFO semantics: queues per communicating pair, sends
// enabled while a queue has room, receives take the head, and independent
// components whose product is the whole state space.
#include <gtest/gtest.h>

#include "lim/explore/explorer.hpp"
#include "lim/semantics/asynchronous.hpp"
#include "lim/semantics/independent_components.hpp"
#include "test_support.hpp"

namespace lim {
namespace {

using semantics::AsynchronousSemantics;

automata::System kmc(const std::string& text) { return testing::system_of(text, "test.txt"); }

TEST(AsyncSemantics, SendsWaitForRoomInTheQueue) {
  const auto system = kmc("A: B!a; B!b; end\nB: A?a; A?b; end\n");
  const AsynchronousSemantics one(system, 1);
  // k = 1: A cannot send b before B took a: a single run of 5 configurations.
  const auto space1 = explore::explore(one);
  EXPECT_TRUE(space1.complete());
  EXPECT_EQ(space1.size(), 5u);
  EXPECT_EQ(space1.edge_count(), 4u);
  const AsynchronousSemantics two(system, 2);
  EXPECT_EQ(explore::explore(two).size(), 6u);  // and now [a, b] can be queued
}

TEST(AsyncSemantics, QueuesAreFifo) {
  const auto system = kmc("A: B!a; B!b; B!c; end\nB: A?a; A?b; A?c; end\n");
  const AsynchronousSemantics semantics(system, 3);
  ASSERT_EQ(semantics.channels().size(), 1u);
  const auto& channel = semantics.channels()[0];
  EXPECT_EQ(channel.alphabet.size(), 3u);
  const auto space = explore::explore(semantics);
  bool saw_full = false;
  for (explore::StateIndex state = 0; state < space.size(); ++state) {
    const auto values = space.configuration(state);
    if (semantics.queue_length(values, 0) != 3) continue;
    saw_full = true;
    EXPECT_EQ(system.labels.name(channel.alphabet[semantics.queued_message(values, 0, 0)].label), "a");
    EXPECT_EQ(system.labels.name(channel.alphabet[semantics.queued_message(values, 0, 2)].label), "c");
  }
  EXPECT_TRUE(saw_full);
}

TEST(AsyncSemantics, ReceivesNeedTheRightHead) {
  const auto system = kmc("A: B!a; end\nB: A?b; end\n");
  const auto space = explore::explore(AsynchronousSemantics(system, 1));
  EXPECT_EQ(space.size(), 2u);  // a is sent, and never received
  EXPECT_FALSE(space.has_successors(1));
}

TEST(AsyncSemantics, OneQueuePerCommunicatingPair) {
  const auto system = kmc("A: B!a; C!c; end\nB: A?a; end\nC: A?c; end\n");
  const AsynchronousSemantics semantics(system, 2);
  EXPECT_EQ(semantics.channels().size(), 2u);
  EXPECT_TRUE(semantics.channel_index(0, 1));
  EXPECT_FALSE(semantics.channel_index(1, 0));
  // One-message channels need no slots: a state per role plus a length per queue.
  EXPECT_EQ(semantics.layout().field_count(), 3u + 2u);
}

TEST(AsyncSemantics, MovesDecodeToTransitionsAndMessages) {
  const auto system = kmc("A: {B!x; end, B!y<int>; end}\nB: {A?x; end, A?y<int>; end}\n");
  const AsynchronousSemantics semantics(system, 1);
  const auto space = explore::explore(semantics);
  std::set<std::string> seen;
  for (explore::EdgeIndex edge = 0; edge < space.edge_count(); ++edge) {
    const auto step = semantics.step(space.move(edge));
    const auto& message = semantics.channels()[step.channel].alphabet[step.message];
    seen.insert(system.role_names[step.role] + (step.direction == automata::Direction::Send ? "!" : "?") +
                system.labels.name(message.label) + "<" + system.sorts.display(message.payload) + ">");
  }
  EXPECT_EQ(seen, (std::set<std::string>{"A!x<>", "A!y<int>", "B?x<>", "B?y<int>"}));
}

TEST(AsyncSemantics, IndependentComponentsMultiply) {
  const auto system = kmc("A: rec x . B!a; B?b; x\nB: rec y . A?a; A!b; y\n"
                          "C: C2!c; C2!c; end\nC2: C?c; C?c; end\nE: end\n");
  const auto components = semantics::independent_components(system);
  ASSERT_EQ(components.size(), 3u);
  EXPECT_EQ(components[0], (std::vector<automata::RoleId>{0, 1}));
  EXPECT_EQ(components[1], (std::vector<automata::RoleId>{2, 3}));
  EXPECT_EQ(components[2], (std::vector<automata::RoleId>{4}));
  for (unsigned k = 1; k <= 3; ++k) {
    std::size_t product = 1;
    for (const auto& roles : components) product *= explore::explore(AsynchronousSemantics(system, k, roles)).size();
    EXPECT_EQ(explore::explore(AsynchronousSemantics(system, k)).size(), product) << "k=" << k;
  }
}

TEST(AsyncSemantics, LimSpecsRunAsynchronously) {
  const auto system = testing::system_of("alice: bob⊕hello(Int) . bob&bye . end\nbob: alice&hello(Int) . alice⊕bye . end\n");
  const auto space = explore::explore(AsynchronousSemantics(system, 1));
  EXPECT_EQ(space.size(), 5u);
  EXPECT_FALSE(space.has_successors(4));
}

// The explorer's stop predicate, which the least-k screening uses: the
// exploration ends at the configuration it names, every state expanded
// before it keeps its exact successors, and its shortest run is intact.
TEST(AsyncEngine, StopPredicateEndsTheExplorationConsistently) {
  const auto system = kmc("A: rec x . {B!a; x, B!b; x}\nB: rec y . {A?a; y, A?b; y}\n");
  const AsynchronousSemantics semantics(system, 4);
  const auto full = explore::explore(semantics);
  explore::ExploreOptions options;
  explore::StateIndex stopped_at = 0;
  options.stop = [&](explore::StateIndex state, std::span<const std::uint32_t> values) {
    if (semantics.queue_length(values, 0) < 3) return false;
    stopped_at = state;
    return true;
  };
  const auto partial = explore::explore(semantics, options);
  EXPECT_EQ(partial.completion, explore::Completion::Stopped);
  EXPECT_EQ(partial.expanded(), stopped_at);
  EXPECT_EQ(partial.path_to(stopped_at).size(), 3u);  // three sends
  // Same BFS numbering as the complete exploration, same successors.
  for (explore::StateIndex state = 0; state < partial.expanded(); ++state) {
    ASSERT_EQ(partial.configuration(state), full.configuration(state));
    ASSERT_EQ(partial.edges_end(state) - partial.edges_begin(state), full.edges_end(state) - full.edges_begin(state));
  }
}

}  // namespace
}  // namespace lim
