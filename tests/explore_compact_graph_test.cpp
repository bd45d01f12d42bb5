// The graph store's packed parts: bit-packed arrays that widen as values
// grow, the dictionary of distinct moves, the StateSpace built on them, and
// the reverse graph the backward fixpoints build from it.
#include <algorithm>
#include <chrono>
#include <map>
#include <random>
#include <tuple>
#include <vector>

#include <gtest/gtest.h>

#include "lim/explore/explorer.hpp"
#include "lim/explore/move_table.hpp"
#include "lim/explore/packed_array.hpp"
#include "lim/explore/packed_state_store.hpp"
#include "lim/properties/guarded_reachability.hpp"
#include "lim/properties/reverse_graph.hpp"
#include "lim/semantics/asynchronous.hpp"
#include "lim/support/budget.hpp"
#include "test_support.hpp"

namespace lim::explore {
namespace {

// Values of growing magnitude, so that the array widens many times, with
// small ones mixed in (a widening must keep them exact too).
std::vector<std::uint64_t> growing_values(std::size_t count, unsigned max_bits, unsigned seed) {
  std::mt19937_64 random(seed);
  std::vector<std::uint64_t> values;
  for (std::size_t i = 0; i < count; ++i) {
    const unsigned bits = static_cast<unsigned>(1 + i * max_bits / count);
    const std::uint64_t limit = bits >= 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << bits) - 1;
    values.push_back(random() % 3 == 0 ? random() % 8 : random() & limit);
  }
  return values;
}

TEST(ExploreCompactGraph, PackedArrayReadsBackEveryValueAcrossWidenings) {
  for (const unsigned max_bits : {1U, 7U, 24U, 33U, 57U, 58U, 63U, 64U}) {
    const auto values = growing_values(20'000, max_bits, max_bits);
    PackedArray array;
    for (std::size_t i = 0; i < values.size(); ++i) {
      array.push_back(values[i]);
      // Every so often, all of it: a widening rewrites the whole array.
      if (i % 4999 == 0) {
        for (std::size_t j = 0; j <= i; ++j) ASSERT_EQ(array[j], values[j]) << max_bits << " " << i << " " << j;
      }
    }
    ASSERT_EQ(array.size(), values.size());
    std::uint64_t largest = 0;
    for (std::size_t i = 0; i < values.size(); ++i) {
      ASSERT_EQ(array[i], values[i]) << max_bits << " " << i;
      largest = std::max(largest, values[i]);
    }
    EXPECT_EQ(array.width(), static_cast<unsigned>(std::bit_width(largest)));
    EXPECT_EQ(array.back(), values.back());
  }
}

TEST(ExploreCompactGraph, PackedArrayIsAsNarrowAsItsLargestValue) {
  PackedArray array;
  for (std::uint64_t i = 0; i < 1'000'000; ++i) array.push_back(i % 1000);  // 10 bits
  EXPECT_EQ(array.width(), 10u);
  // A million 10-bit values in about 1.25 MB, not 8 MB: at most an eighth
  // of growth slack and a few words more.
  EXPECT_LE(array.memory_bytes(), 1'000'000 * 10 / 8 * 9 / 8 + 1024);
  EXPECT_GE(array.memory_bytes(), 1'000'000 * 10 / 8);
}

TEST(ExploreCompactGraph, PackedArrayTruncatesAndGrowsAgainExactly) {
  const auto values = growing_values(5'000, 40, 3);
  PackedArray array;
  for (const auto value : values) array.push_back(value);
  array.truncate(1234);
  ASSERT_EQ(array.size(), 1234u);
  // The dropped bits were cleared: values pushed after are not mixed with
  // what was there.
  const auto more = growing_values(3'000, 20, 4);
  for (const auto value : more) array.push_back(value);
  ASSERT_EQ(array.size(), 1234u + more.size());
  for (std::size_t i = 0; i < 1234; ++i) ASSERT_EQ(array[i], values[i]) << i;
  for (std::size_t i = 0; i < more.size(); ++i) ASSERT_EQ(array[1234 + i], more[i]) << i;
}

TEST(ExploreCompactGraph, PackedArrayOfZerosAndFromZeroWidth) {
  PackedArray array;
  for (int i = 0; i < 100; ++i) array.push_back(0);
  EXPECT_EQ(array.width(), 0u);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(array[i], 0u);
  array.push_back(~std::uint64_t{0});
  EXPECT_EQ(array.width(), 64u);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(array[i], 0u);
  EXPECT_EQ(array[100], ~std::uint64_t{0});
}

// The reverse graph's counting sort fills its slots out of order: every
// width, across the 57 bits one unaligned load covers, and element counts
// that end anywhere in a word, read back as a reference vector has them.
TEST(ExploreCompactGraph, PackedArraySetsInAnyOrderAtAnAssignedWidth) {
  std::mt19937_64 random(5);
  for (unsigned width = 0; width <= 64; ++width) {
    const std::uint64_t mask = width == 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << width) - 1;
    for (const std::size_t count : {1, 63, 64, 65, 1000}) {
      PackedArray array;
      array.push_back(~std::uint64_t{0});  // what assign() replaces
      array.assign(count, width);
      ASSERT_EQ(array.size(), count);
      ASSERT_EQ(array.width(), width);
      for (std::size_t i = 0; i < count; ++i) ASSERT_EQ(array[i], 0u) << width << " " << i;
      std::vector<std::uint64_t> expected(count, 0);
      std::vector<std::size_t> order(count);
      for (std::size_t i = 0; i < count; ++i) order[i] = i;
      // Twice over, so that every element is overwritten, with all-ones
      // among the values: a set must clear the bits it replaces and no
      // neighbour's.
      for (int round = 0; round < 2; ++round) {
        std::shuffle(order.begin(), order.end(), random);
        for (const auto index : order) {
          const std::uint64_t value = random() % 4 == 0 ? mask : random() & mask;
          array.set(index, value);
          expected[index] = value;
        }
        for (std::size_t i = 0; i < count; ++i) ASSERT_EQ(array[i], expected[i]) << width << " " << count << " " << i;
      }
      // Pushed past the assigned ones, at the same width, it still reads back.
      array.push_back(mask);
      expected.push_back(mask);
      for (std::size_t i = 0; i < expected.size(); ++i) ASSERT_EQ(array[i], expected[i]) << width << " " << i;
    }
  }
}

TEST(ExploreCompactGraph, MoveTableGivesDenseIdsInFirstSeenOrder) {
  MoveTable table;
  std::mt19937 random(11);
  std::vector<Move> distinct;
  for (std::uint32_t i = 0; i < 500; ++i) distinct.push_back({static_cast<std::uint32_t>(random() % 100), static_cast<std::uint32_t>(random() % 3)});
  std::vector<std::uint32_t> expected;  // per `distinct` entry: its id
  std::vector<Move> by_id;
  for (const auto& move : distinct) {
    std::uint32_t id = static_cast<std::uint32_t>(by_id.size());
    for (std::uint32_t known = 0; known < by_id.size(); ++known)
      if (by_id[known].first == move.first && by_id[known].second == move.second) id = known;
    if (id == by_id.size()) by_id.push_back(move);
    expected.push_back(id);
  }
  for (int round = 0; round < 3; ++round)
    for (std::size_t i = 0; i < distinct.size(); ++i) ASSERT_EQ(table.intern(distinct[i]), expected[i]) << i;
  ASSERT_EQ(table.size(), by_id.size());
  for (std::uint32_t id = 0; id < by_id.size(); ++id) {
    EXPECT_EQ(table[id].first, by_id[id].first);
    EXPECT_EQ(table[id].second, by_id[id].second);
  }
}

// Configurations of several layouts (one word; words whose used bits
// straddle the 64-bit chunks; a full 64-bit field; a field-less word), far
// more than the initial table holds: every insertion numbered as a
// reference map numbers it, every one found and rebuilt exactly.
TEST(ExploreCompactGraph, PackedStateStoreNumbersFindsAndRebuildsEveryConfiguration) {
  const std::vector<std::vector<std::uint32_t>> layouts = {
      {7, 300, 5},
      {1u << 31, 1u << 31, 1u << 31, 1000, 3, 1u << 20, 1u << 31, 77},
      {1, 1, 2},
  };
  for (const auto& bounds : layouts) {
    const PackedLayout layout(bounds);
    PackedStateStore store(layout);
    std::mt19937_64 random(bounds.size());
    std::map<std::vector<std::uint64_t>, StateIndex> reference;
    std::vector<std::vector<std::uint64_t>> by_index;
    std::vector<std::uint32_t> values(bounds.size());
    std::vector<std::uint64_t> words(layout.word_count()), back(layout.word_count());
    for (int round = 0; round < 60'000; ++round) {
      // Small values often, so that many configurations repeat.
      for (std::size_t i = 0; i < bounds.size(); ++i)
        values[i] = static_cast<std::uint32_t>((round % 2 == 0 ? random() % 4 : random()) % bounds[i]);
      layout.pack(values, words);
      const auto [it, fresh] = reference.emplace(words, static_cast<StateIndex>(by_index.size()));
      if (fresh) by_index.push_back(words);
      const auto insertion = store.insert(words);
      ASSERT_EQ(insertion.inserted, fresh) << round;
      ASSERT_EQ(insertion.index, it->second) << round;
    }
    ASSERT_EQ(store.size(), by_index.size());
    EXPECT_GT(store.size(), bounds[0] > 1 ? 1000u : 1u);  // the last layout holds two
    for (StateIndex index = 0; index < by_index.size(); ++index) {
      store.get(index, back);
      ASSERT_EQ(back, by_index[index]) << index;
      ASSERT_EQ(store.find(by_index[index]), std::optional<StateIndex>(index));
    }
    // One never inserted: a field at a value no round drew.
    std::fill(values.begin(), values.end(), 0);
    values[0] = bounds[0] - 1;
    layout.pack(values, words);
    if (!reference.contains(words)) {
      EXPECT_FALSE(store.find(words).has_value());
    }
  }
}

// A graph of known shape: state n has successors 2n+1 and 2n+2 (moves 0
// and 1) while they are below `limit`, and, for every third state, an edge
// back to 0 (move n % 5 + 2).
class Tree {
 public:
  explicit Tree(std::uint32_t limit) : limit_(limit), layout_(std::vector<std::uint32_t>{limit}) {}
  const PackedLayout& layout() const { return layout_; }
  void initial(std::span<std::uint32_t> configuration) const { configuration[0] = 0; }
  template <class Emit>
  void for_each_successor(std::span<const std::uint32_t> from, std::span<std::uint32_t> scratch, Emit&& emit) const {
    const std::uint32_t n = from[0];
    for (std::uint32_t child = 0; child < 2; ++child)
      if (2 * n + 1 + child < limit_) {
        scratch[0] = 2 * n + 1 + child;
        emit(Move{child, 0}, std::span<const std::uint32_t>(scratch));
      }
    if (n % 3 == 0) {
      scratch[0] = 0;
      emit(Move{n % 5 + 2, 7}, std::span<const std::uint32_t>(scratch));
    }
  }

 private:
  std::uint32_t limit_;
  PackedLayout layout_;
};

TEST(ExploreCompactGraph, StateSpaceReturnsEveryEdgeAsExplored) {
  const std::uint32_t limit = 300'000;
  const auto space = explore(Tree{limit});
  ASSERT_TRUE(space.complete());
  ASSERT_EQ(space.size(), limit);
  // BFS of this tree numbers each configuration by its value.
  std::uint64_t edges = 0;
  for (StateIndex state = 0; state < space.size(); ++state) {
    ASSERT_EQ(space.configuration(state)[0], state);
    std::vector<std::pair<StateIndex, Move>> expected;
    for (std::uint32_t child = 0; child < 2; ++child)
      if (2 * state + 1 + child < limit) {
        expected.push_back({2 * state + 1 + child, Move{child, 0}});
      }
    if (state % 3 == 0) expected.push_back({0, Move{state % 5 + 2, 7}});
    ASSERT_EQ(space.edges_end(state) - space.edges_begin(state), expected.size()) << state;
    std::size_t i = 0;
    for (const auto edge : space.edges(state)) {
      ASSERT_EQ(space.source(edge), state) << edge;
      ASSERT_EQ(space.target(edge), expected[i].first) << edge;
      ASSERT_EQ(space.move(edge).first, expected[i].second.first) << edge;
      ASSERT_EQ(space.move(edge).second, expected[i].second.second) << edge;
      ++i;
    }
    edges += expected.size();
    if (state != 0) {
      ASSERT_EQ(space.parent(state), (state - 1) / 2);
      ASSERT_EQ(space.target(space.parent_edge(state)), state);
      ASSERT_EQ(space.path_to(state).size(), static_cast<std::size_t>(std::bit_width(state + 1) - 1)) << state;
    }
  }
  EXPECT_EQ(space.edge_count(), edges);
  // 19 bits per target and 3 per move id (7 distinct moves); 19 per row
  // offset and 18 per parent; an eighth of growth slack at most. Fixed-width
  // arrays spent 12 bytes per edge and 20 per configuration.
  const std::uint64_t bits = edges * (19 + 3) + std::uint64_t{limit} * (19 + 18);
  EXPECT_LE(space.memory_bytes() - space.states.memory_bytes(), bits / 8 * 9 / 8 + 4096);
}

// Each corpus file's and spec's asynchronous space at k = 2, explored as
// a graph up to 20,000 configurations, with its path.
template <class Visit>
void for_each_corpus_space(Visit&& visit) {
  for (const auto& path : testing::corpus_and_specs()) {
    auto spec = pipeline::load_spec_file(path.string());
    if (!spec.ok()) continue;
    const semantics::AsynchronousSemantics semantics(*spec.system, 2);
    ExploreOptions options;
    options.limits.max_states = 20'000;
    visit(path, explore(semantics, options));
  }
}

// On explored spaces of every corpus file and spec, each state's incoming
// entries are the (source, edge) pairs a plain scan of the rows finds, and
// a larger space takes a few bytes per edge where plain vectors took 12.
TEST(ExploreCompactGraph, ReverseGraphHoldsEveryIncomingEdgeInFewBytes) {
  std::size_t files = 0, largest_edges = 0;
  double largest_bytes_per_edge = 0;
  for_each_corpus_space([&](const auto& path, const StateSpace& space) {
    const properties::ReverseGraph reverse(space);
    std::vector<std::vector<std::pair<StateIndex, EdgeIndex>>> expected(space.size());
    for (StateIndex state = 0; state < space.expanded(); ++state)
      for (const auto edge : space.edges(state)) expected[space.target(edge)].push_back({state, edge});
    ASSERT_EQ(reverse.first(0), 0u) << path;
    for (StateIndex state = 0; state < space.size(); ++state) {
      std::vector<std::pair<StateIndex, EdgeIndex>> incoming;
      for (auto i = reverse.first(state); i < reverse.first(state + 1); ++i)
        incoming.push_back({reverse.source(i), reverse.edge(space, i)});
      std::sort(incoming.begin(), incoming.end());
      ASSERT_EQ(incoming, expected[state]) << path << " " << state;
    }
    ASSERT_EQ(reverse.first(static_cast<StateIndex>(space.size())), space.edge_count()) << path;
    if (space.edge_count() > largest_edges) {
      largest_edges = space.edge_count();
      largest_bytes_per_edge = static_cast<double>(reverse.memory_bytes()) / static_cast<double>(largest_edges);
    }
    ++files;
  });
  EXPECT_GE(files, 150u);
  EXPECT_GE(largest_edges, 50'000u);
  EXPECT_LT(largest_bytes_per_edge, 6.0);
}

// The backward analyses the k-MC properties are built of poll the budget
// in force inside their loops: with a spent time limit each one stops
// with BudgetExhausted (which a check turns into an inconclusive verdict)
// instead of running to its end, and without a budget each runs through.
TEST(GraphAnalysisBudget, EachBackwardAnalysisStopsInsideItsLoopOnceTheTimeIsSpent) {
  StateSpace space;
  for_each_corpus_space([&](const auto&, StateSpace explored) {
    if (explored.expanded() > space.expanded()) space = std::move(explored);
  });
  // More than one poll's worth of iterations in every loop below.
  ASSERT_GT(space.expanded(), 4096u);
  const properties::ReverseGraph reverse(space);
  const std::vector<char> every(space.size(), 1);
  const auto follow_none = [](EdgeIndex, StateIndex) { return false; };
  const auto no_edge = [](EdgeIndex) { return false; };

  const auto reached = properties::can_reach_along(space, reverse, every, properties::FollowEvery{});
  EXPECT_EQ(reached, every);
  EXPECT_EQ(properties::states_with_edge(space, no_edge), std::vector<char>(space.size(), 0));
  EXPECT_TRUE(properties::shortest_path_to_edge(space, 0, no_edge).empty());

  Budget spent(Budget::Limits{.seconds = 0.0, .bytes = std::nullopt},
               Budget::Clock::now() - std::chrono::seconds(1));
  BudgetScope scope(spent);
  const auto ran_out_of_time = [](auto&& analysis) {
    try {
      analysis();
    } catch (const BudgetExhausted& exhausted) {
      return exhausted.what_ran_out() == Exhaustion::Time;
    }
    return false;
  };
  EXPECT_TRUE(ran_out_of_time([&] { properties::can_reach_along(space, reverse, every, properties::FollowEvery{}); }));
  EXPECT_TRUE(ran_out_of_time([&] { properties::can_reach_along(space, reverse, every, follow_none); }));
  EXPECT_TRUE(ran_out_of_time([&] { properties::states_with_edge(space, no_edge); }));
  EXPECT_TRUE(ran_out_of_time([&] { properties::shortest_path_to_edge(space, 0, no_edge); }));
}

}  // namespace
}  // namespace lim::explore
