// The state-space engine: packing, the state store, BFS limits.
#include <random>

#include <gtest/gtest.h>

#include "lim/explore/explorer.hpp"
#include "lim/explore/packed_layout.hpp"
#include "lim/explore/state_store.hpp"

namespace lim::explore {
namespace {

TEST(ExploreLayout, PacksAndUnpacksEveryFieldExactly) {
  const std::vector<std::uint32_t> bounds = {2, 3, 1, 1000, 70000, 1u << 31, 5, 17, 64, 65};
  const PackedLayout layout(bounds);
  std::mt19937 random(7);
  std::vector<std::uint32_t> values(bounds.size()), back(bounds.size());
  std::vector<std::uint64_t> words(layout.word_count());
  for (int round = 0; round < 1000; ++round) {
    for (std::size_t i = 0; i < bounds.size(); ++i) values[i] = random() % bounds[i];
    layout.pack(values, words);
    layout.unpack(words, back);
    ASSERT_EQ(values, back);
  }
  // 1+2+0+10+17+31+3+5+6+7 = 82 bits: two words, fields never straddle.
  EXPECT_EQ(layout.word_count(), 2u);
}

TEST(ExploreStateStore, DeduplicatesAcrossGrowth) {
  StateStore store(2);
  for (std::uint64_t i = 0; i < 100000; ++i) {
    const std::uint64_t words[2] = {i * 7919, i};
    const auto insertion = store.insert(words);
    ASSERT_TRUE(insertion.inserted);
    ASSERT_EQ(insertion.index, i);
  }
  for (std::uint64_t i = 0; i < 100000; i += 997) {
    const std::uint64_t words[2] = {i * 7919, i};
    EXPECT_FALSE(store.insert(words).inserted);
    EXPECT_EQ(store.find(words), std::optional<StateIndex>(static_cast<StateIndex>(i)));
    EXPECT_EQ(store[static_cast<StateIndex>(i)][1], i);
  }
  const std::uint64_t absent[2] = {1, 1};
  EXPECT_FALSE(store.find(absent).has_value());
  EXPECT_EQ(store.size(), 100000u);
}

// A counter that wraps: n states in one cycle, or a binary tree of depth d.
struct Counter {
  std::uint32_t n;
  PackedLayout layout_ = PackedLayout({n});
  const PackedLayout& layout() const { return layout_; }
  void initial(std::span<std::uint32_t> c) const { c[0] = 0; }
  template <class Emit>
  void for_each_successor(std::span<const std::uint32_t> from, std::span<std::uint32_t> to, Emit&& emit) const {
    to[0] = (from[0] + 1) % n;
    emit(Move{from[0], 0}, std::span<const std::uint32_t>(to.data(), 1));
    to[0] = (from[0] * 2 + 1) % n;
    emit(Move{from[0], 1}, std::span<const std::uint32_t>(to.data(), 1));
  }
};

TEST(ExploreBfs, VisitsEveryStateOnceWithShortestParents) {
  const Counter counter{1000};
  const auto space = explore(counter);
  EXPECT_TRUE(space.complete());
  EXPECT_EQ(space.size(), 1000u);
  EXPECT_EQ(space.edge_count(), 2000u);
  // Parent links give shortest paths: compare with distances computed here
  // by a plain BFS over the same successor function.
  std::vector<int> distance(1000, -1);
  std::vector<std::uint32_t> queue{0};
  distance[0] = 0;
  for (std::size_t head = 0; head < queue.size(); ++head) {
    const auto value = queue[head];
    for (const auto next : {(value + 1) % 1000, (value * 2 + 1) % 1000})
      if (distance[next] < 0) {
        distance[next] = distance[value] + 1;
        queue.push_back(next);
      }
  }
  for (StateIndex state = 0; state < space.size(); ++state) {
    const auto path = space.path_to(state);
    std::uint32_t value = 0;
    for (const auto edge : path) value = space.configuration(space.target(edge))[0];
    ASSERT_EQ(value, space.configuration(state)[0]);
    ASSERT_EQ(static_cast<int>(path.size()), distance[value]);
  }
}

TEST(ExploreBfs, StopsAtStateLimitWithConsistentGraph) {
  const Counter counter{100000};
  ExploreOptions options;
  options.limits.max_states = 500;
  const auto space = explore(counter, options);
  EXPECT_EQ(space.completion, Completion::StateLimit);
  EXPECT_EQ(space.size(), 500u);
  for (StateIndex state = 1; state < space.size(); ++state) {
    EXPECT_LT(space.parent(state), state);
    EXPECT_EQ(space.source(space.parent_edge(state)), space.parent(state));
    EXPECT_EQ(space.target(space.parent_edge(state)), state);
  }
  EXPECT_LT(space.expanded(), space.size());
  for (StateIndex state = 0; state < space.expanded(); ++state)
    EXPECT_EQ(space.edges_end(state) - space.edges_begin(state), 2u);
}

TEST(ExploreBfs, StopsAtTimeAndMemoryLimits) {
  const Counter counter{5'000'000};
  ExploreOptions by_time;
  by_time.limits.timeout_seconds = 0.05;
  EXPECT_EQ(explore(counter, by_time).completion, Completion::TimeLimit);
  ExploreOptions by_memory;
  by_memory.limits.max_memory_bytes = 1 << 20;
  const auto space = explore(counter, by_memory);
  EXPECT_EQ(space.completion, Completion::MemoryLimit);
  EXPECT_LT(space.memory_bytes(), 4u << 20);
}

}  // namespace
}  // namespace lim::explore
