#pragma once
// The compact exploration on two cores, as a pipeline of two threads that
// keeps the single thread's order: a generator expands the configurations
// in index order — successors generated, packed and interned in the left
// side of the tree (CompactStore::prepare_side) — and an inserter interns
// them, in that same order, in the right side and inserts their roots,
// numbering the new ones and handing their words back to the generator as
// its next sources. Each table has one writer (the generator the left
// side's, the inserter the right side's and the root) and the other thread
// never reads it, so no table is shared and none needs a lock; the threads
// meet only at batches. Splitting the interning between the two is what
// balances them: the generator also runs the successor function. Because the below-root tables
// see the same sequence of pairs as in one thread, and the root the same
// sequence of roots, every id, index, BFS layer and counterexample is the
// one thread's (tests/explore_parallel_test.cpp compares them).
//
// The generator reads its sources from what the inserter passed on (the
// frontier, a few layers' worth at most): the words of each new
// configuration and the ids of its nodes below the root, which the
// two threads found when they prepared it. So it neither rebuilds a source from
// the tree, whose root it may not read, nor looks its nodes up again.
#include <algorithm>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <memory>
#include <mutex>
#include <span>
#include <thread>
#include <vector>

#include "lim/explore/compact_space.hpp"

namespace lim::explore {

// Continues an exploration whose configurations [state, size) are not
// expanded yet, until it is complete, the state cap is reached, or
// `limits_reached(expanded, memory_bytes)` says to stop (it sets the
// completion). Returns after both threads are done.
template <class Semantics, class LimitsReached>
void explore_compact_pipelined(const Semantics& semantics, CompactSpace& space, StateIndex state,
                               std::uint64_t state_cap, LimitsReached&& limits_reached) {
  const std::size_t width = space.layout.word_count();
  const std::size_t fields = space.layout.field_count();
  const std::size_t nodes = space.states.below_root_nodes();
  // Sources per batch: large enough that the threads meet rarely, small
  // enough that a narrow first layer already feeds both.
  constexpr std::size_t kBatch = 256;
  constexpr std::size_t kInFlight = 4;  // batches generated ahead of the inserter
  struct Batch {
    StateIndex first = 0;                   // sources first, first + 1, ...
    std::vector<std::size_t> ends;          // per source: the end of its successors
    std::vector<std::uint64_t> base_words;  // per source, what its successors are interned against
    std::vector<std::uint32_t> base_ids;
    std::vector<std::uint64_t> words;       // width words per successor
    std::vector<std::uint32_t> ids;         // per successor, its nodes' below the root
    std::vector<std::uint32_t> left;        // per successor, the root's left child
    std::size_t bytes() const {
      return (base_words.size() + words.size()) * sizeof(std::uint64_t) +
             (base_ids.size() + ids.size() + left.size()) * sizeof(std::uint32_t);
    }
  };
  using Side = CompactStore::Side;
  struct Chunk {  // consecutive new configurations
    std::vector<std::uint64_t> words;
    std::vector<std::uint32_t> ids;
    std::size_t bytes() const { return words.size() * sizeof(std::uint64_t) + ids.size() * sizeof(std::uint32_t); }
  };

  std::mutex mutex;
  std::condition_variable to_generator, to_inserter;
  std::deque<Chunk> frontier;  // after the generator's own sources, in index order
  std::size_t frontier_bytes = 0;
  std::deque<std::unique_ptr<Batch>> full, spare;
  std::size_t in_flight = 0;   // batches generated and not yet inserted
  bool abort = false;          // set by the inserter: stop generating
  bool done = false;           // set by the generator: nothing more will come
  std::exception_ptr failure;  // the generator's
  std::size_t left_bytes = space.states.side_memory_bytes(Side::Left);
  const std::size_t fixed_bytes = space.states.fixed_memory_bytes();

  {
    Chunk first;
    auto base = space.states.base();
    for (StateIndex i = state; i < space.states.size(); ++i) {
      space.states.get(i, base);
      first.words.insert(first.words.end(), base.words().begin(), base.words().end());
      const auto ids = space.states.below_root_ids(base);
      first.ids.insert(first.ids.end(), ids.begin(), ids.end());
    }
    frontier_bytes = first.bytes();
    frontier.push_back(std::move(first));
  }

  const auto generate = [&] {
    try {
      std::vector<std::uint32_t> current(fields), scratch(fields);
      std::vector<CompactStore::Base> bases(kBatch, space.states.base());
      std::deque<Chunk> sources;  // taken from the frontier
      std::size_t at = 0;         // next configuration in sources.front()
      StateIndex next = state;
      for (;;) {
        std::unique_ptr<Batch> batch;
        {
          std::unique_lock lock(mutex);
          const auto have = [&] { return !sources.empty() || !frontier.empty(); };
          to_generator.wait(lock, [&] { return abort || (have() && in_flight < kInFlight) || (!have() && in_flight == 0); });
          if (abort) return;
          if (!have()) {
            // Every batch is inserted and none found a new configuration.
            done = true;
            to_inserter.notify_one();
            return;
          }
          for (auto& chunk : frontier) {
            frontier_bytes -= chunk.bytes();
            sources.push_back(std::move(chunk));
          }
          frontier.clear();
          if (!spare.empty()) {
            batch = std::move(spare.front());
            spare.pop_front();
          }
          ++in_flight;
        }
        if (!batch) batch = std::make_unique<Batch>();
        batch->first = next;
        batch->ends.clear();
        batch->words.clear();
        batch->ids.clear();
        batch->left.clear();
        batch->base_words.clear();
        batch->base_ids.clear();
        std::size_t count = 0;
        for (; count < kBatch && !sources.empty(); ++count, ++next) {
          const auto& chunk = sources.front();
          auto& base = bases[count];
          const std::span<const std::uint64_t> source_words(chunk.words.data() + at * width, width);
          const std::span<const std::uint32_t> source_ids(chunk.ids.data() + at * nodes, nodes);
          batch->base_words.insert(batch->base_words.end(), source_words.begin(), source_words.end());
          batch->base_ids.insert(batch->base_ids.end(), source_ids.begin(), source_ids.end());
          space.states.base_of(source_words, source_ids, base);
          ++at;
          if (at * width == chunk.words.size()) {
            sources.pop_front();
            at = 0;
          }
          space.layout.unpack(base.words(), current);
          const auto keep = [&](Move, std::span<const std::uint32_t> successor) {
            const std::size_t offset = batch->words.size();
            batch->words.resize(offset + width);
            const std::span<std::uint64_t> packed(batch->words.data() + offset, width);
            space.layout.pack(successor, packed);
            space.states.prefetch_leaves(packed, base, Side::Left);
          };
          if constexpr (requires { semantics.for_each_ample_successor(current, scratch, keep); })
            static_cast<void>(semantics.for_each_ample_successor(std::span<const std::uint32_t>(current),
                                                                 std::span<std::uint32_t>(scratch), keep));
          else
            semantics.for_each_successor(std::span<const std::uint32_t>(current), std::span<std::uint32_t>(scratch),
                                         keep);
          batch->ends.push_back(batch->words.size() / width);
        }
        batch->ids.resize(batch->words.size() / width * nodes);
        for (std::size_t successor = 0, source = 0; source < count; ++source)
          for (; successor < batch->ends[source]; ++successor)
            batch->left.push_back(space.states.prepare_side(
                std::span<const std::uint64_t>(batch->words.data() + successor * width, width), bases[source],
                Side::Left, std::span<std::uint32_t>(batch->ids.data() + successor * nodes, nodes)));
        const std::size_t bytes = space.states.side_memory_bytes(Side::Left);
        {
          std::lock_guard lock(mutex);
          left_bytes = bytes;
          full.push_back(std::move(batch));
        }
        to_inserter.notify_one();
      }
    } catch (...) {
      std::lock_guard lock(mutex);
      failure = std::current_exception();
      done = true;
      to_inserter.notify_one();
    }
  };

  std::thread generator(generate);
  // However the inserter leaves (a limit, an exception), the generator is
  // stopped and joined first.
  struct Join {
    std::thread& thread;
    std::mutex& mutex;
    std::condition_variable& wake;
    bool& abort;
    ~Join() {
      {
        std::lock_guard lock(mutex);
        abort = true;
      }
      wake.notify_one();
      thread.join();
    }
  };
  {
    Join join{generator, mutex, to_generator, abort};
    std::size_t since_check = 0;
    std::vector<CompactStore::Base> bases(kBatch, space.states.base());
    std::vector<CompactStore::Root> roots;
    for (;;) {
      std::unique_ptr<Batch> batch;
      std::size_t pending_bytes = 0, left = 0;
      {
        std::unique_lock lock(mutex);
        to_inserter.wait(lock, [&] { return !full.empty() || done; });
        if (full.empty()) break;
        batch = std::move(full.front());
        full.pop_front();
        pending_bytes = frontier_bytes;
        for (const auto& waiting : full) pending_bytes += waiting->bytes();
        left = left_bytes;
      }
      // The right side of every successor first, each root's slot
      // prefetched as soon as it is known: the batch's other preparations
      // then hide its miss.
      roots.clear();
      space.states.make_room(batch->words.size() / width);
      for (std::size_t successor = 0, i = 0; i < batch->ends.size(); ++i) {
        auto& base = bases[i];
        space.states.base_of(std::span<const std::uint64_t>(batch->base_words.data() + i * width, width),
                             std::span<const std::uint32_t>(batch->base_ids.data() + i * nodes, nodes), base);
        for (; successor < batch->ends[i]; ++successor) {
          const std::uint32_t right = space.states.prepare_side(
              std::span<const std::uint64_t>(batch->words.data() + successor * width, width), base, Side::Right,
              std::span<std::uint32_t>(batch->ids.data() + successor * nodes, nodes));
          roots.push_back(CompactStore::root_of(batch->left[successor], right));
          space.states.prefetch(roots.back());
        }
      }
      const StateIndex batch_first = batch->first;
      Chunk found;
      bool capped = false;
      std::size_t successor = 0;
      StateIndex source = batch->first;
      for (std::size_t i = 0; i < batch->ends.size() && !capped; ++i, ++source) {
        if (source == space.layer_start.back()) space.layer_start.push_back(static_cast<StateIndex>(space.states.size()));
        const std::size_t first = successor;
        for (; successor < batch->ends[i]; ++successor) {
          const auto& root = roots[successor];
          if (space.states.size() >= state_cap) {
            if (!space.states.find(root)) {
              capped = true;
              break;
            }
            continue;
          }
          if (space.states.insert(root).inserted) {
            const auto words = batch->words.begin() + static_cast<std::ptrdiff_t>(successor * width);
            found.words.insert(found.words.end(), words, words + static_cast<std::ptrdiff_t>(width));
            const auto ids = batch->ids.begin() + static_cast<std::ptrdiff_t>(successor * nodes);
            found.ids.insert(found.ids.end(), ids, ids + static_cast<std::ptrdiff_t>(nodes));
          }
        }
        if (capped) break;
        space.edges += successor - first;
        space.mark_expanded(source, successor != first);
      }
      {
        std::lock_guard lock(mutex);
        if (!found.words.empty()) {
          frontier_bytes += found.bytes();
          frontier.push_back(std::move(found));
        }
        --in_flight;
        spare.push_back(std::move(batch));
      }
      to_generator.notify_one();
      if (capped) {
        space.completion = Completion::StateLimit;
        break;
      }
      since_check += source - batch_first;
      if (since_check >= 4096) {
        since_check = 0;
        const std::size_t memory = space.states.root_memory_bytes() + left + fixed_bytes +
                                   space.states.side_memory_bytes(Side::Right) + space.bookkeeping_bytes() +
                                   pending_bytes;
        if (limits_reached(source, memory)) break;
      }
    }
  }
  if (failure) std::rethrow_exception(failure);
}

}  // namespace lim::explore
