#pragma once
// The one exploration engine: breadth-first search over any semantics.
//
// A semantics is a successor function over unpacked configurations:
//   const PackedLayout& layout() const;
//   void initial(std::span<std::uint32_t> configuration) const;
//   template <class Emit> void for_each_successor(std::span<const std::uint32_t> from,
//                                                 std::span<std::uint32_t> scratch, Emit&& emit) const;
//     where emit(Move, std::span<const std::uint32_t> to) is called per step.
// It is a template parameter so the successor function inlines into the loop.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <vector>

#include "lim/explore/state_space.hpp"
#include "lim/support/budget.hpp"

namespace lim::explore {

struct Limits {
  std::optional<std::uint64_t> max_states;
  std::optional<std::uint64_t> max_memory_bytes;
  std::optional<double> timeout_seconds;
};

struct ProgressReport {
  std::size_t states = 0;
  std::size_t expanded = 0;  // states - expanded = BFS frontier size
  std::size_t edges = 0;
  std::size_t memory_bytes = 0;
  double seconds = 0;
};
using ProgressSink = std::function<void(const ProgressReport&)>;

// Called with each configuration as it is about to be expanded (BFS order);
// returning true ends the exploration there (Completion::Stopped), leaving
// that configuration and the rest of the frontier unexpanded. Analyses use
// it to stop as soon as one configuration proves what they wanted to know.
using StopPredicate = std::function<bool(StateIndex, std::span<const std::uint32_t>)>;

struct ExploreOptions {
  Limits limits;
  StopPredicate stop;
  ProgressSink progress;          // called about once per progress_interval
  double progress_interval = 1.0;  // seconds
  // The compact exploration (compact_explorer.hpp) on two threads, a
  // generator and an inserter (pipelined_compact_explorer.hpp), once this
  // many configurations are stored: below that a thread costs more than it
  // brings. Same configurations, indices, layers and verdicts as one
  // thread. Not with a stop predicate or the cycle proviso, which need the
  // insertions' answers before the next configuration is expanded.
  unsigned threads = 1;
  std::size_t parallel_from = std::size_t{1} << 16;
  // The batches of 256 configurations the pipeline times before it may
  // move the work between its threads; tests set 1 to move it often.
  std::size_t balance_every = 32;
};

template <class Semantics>
StateSpace explore(const Semantics& semantics, const ExploreOptions& options = {}) {
  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  auto last_report = start;
  StateSpace space;
  space.layout = semantics.layout();
  const std::size_t width = space.layout.word_count();
  space.states = PackedStateStore(space.layout);
  const std::size_t fields = space.layout.field_count();
  std::vector<std::uint32_t> current(fields), scratch(fields);
  std::vector<std::uint64_t> packed(width);

  semantics.initial(current);
  space.layout.pack(current, packed);
  space.states.insert(packed);
  space.add_parent(0);

  // States are expanded a window at a time: the successors of the whole
  // window are generated and packed, their hash-table slots prefetched, and
  // only then looked up. The random accesses of a table far larger than the
  // caches overlap instead of waiting one after another. Insertion order —
  // hence BFS order and indices — is the same as one state at a time.
  constexpr std::size_t kWindow = 64;
  struct Successor {
    std::uint64_t hash;
    Move move;
  };
  std::vector<Successor> successors;
  std::vector<std::uint64_t> successor_words;
  std::vector<std::size_t> window_ends;  // per window state: end of its successors

  const auto elapsed = [&] { return std::chrono::duration<double>(Clock::now() - start).count(); };
  const auto& limits = options.limits;
  // State indices are 32-bit: beyond that the exploration ends as if at a
  // --max-states limit rather than failing.
  constexpr std::uint64_t kIndexCapacity = std::uint64_t{~StateIndex{0}} - 1;
  const std::uint64_t state_cap = std::min(limits.max_states.value_or(kIndexCapacity), kIndexCapacity);
  std::size_t since_check = 0;
  for (StateIndex state = 0; state < space.states.size();) {
    // Limits and progress are looked at every 4096 expansions: cheap enough
    // to be invisible, frequent enough to stop within a fraction of a second.
    if (since_check >= 4096) {
      since_check = 0;
      if (limits.timeout_seconds && elapsed() > *limits.timeout_seconds) {
        space.completion = Completion::TimeLimit;
        break;
      }
      if (limits.max_memory_bytes && space.memory_bytes() > *limits.max_memory_bytes) {
        space.completion = Completion::MemoryLimit;
        break;
      }
      // The check's budget (support/budget.hpp) covers this exploration too.
      if (auto* budget = current_budget()) {
        if (const auto spent = budget->exhausted(space.memory_bytes())) {
          space.completion = *spent == Exhaustion::Time ? Completion::TimeLimit : Completion::MemoryLimit;
          break;
        }
        budget->tick();
      }
      if (options.progress) {
        const auto now = Clock::now();
        if (std::chrono::duration<double>(now - last_report).count() >= options.progress_interval) {
          last_report = now;
          options.progress({space.states.size(), state, space.edge_count(), space.memory_bytes(), elapsed()});
        }
      }
    }
    const StateIndex window_end =
        static_cast<StateIndex>(std::min<std::size_t>(space.states.size(), std::size_t{state} + kWindow));
    successors.clear();
    successor_words.clear();
    window_ends.clear();
    StateIndex generated_end = window_end;
    bool stop_requested = false;
    for (StateIndex source = state; source < window_end; ++source) {
      space.states.get(source, packed);
      space.layout.unpack(packed, current);
      if (options.stop && options.stop(source, current)) {
        generated_end = source;
        stop_requested = true;
        break;
      }
      semantics.for_each_successor(std::span<const std::uint32_t>(current), std::span<std::uint32_t>(scratch),
                                   [&](Move move, std::span<const std::uint32_t> next) {
                                     const std::size_t at = successor_words.size();
                                     successor_words.resize(at + width);
                                     const std::span<std::uint64_t> words(successor_words.data() + at, width);
                                     space.layout.pack(next, words);
                                     successors.push_back({space.states.hash(words), move});
                                   });
      window_ends.push_back(successors.size());
    }
    space.states.make_room(successors.size());
    for (const auto& successor : successors) space.states.prefetch(successor.hash);

    bool stopped = false;
    std::size_t next = 0;
    for (StateIndex source = state; source < generated_end && !stopped; ++source) {
      for (; next < window_ends[source - state]; ++next) {
        const std::span<const std::uint64_t> words(successor_words.data() + next * width, width);
        const auto& successor = successors[next];
        StateIndex index;
        if (space.states.size() >= state_cap) {
          // At the limit only successors already known may be recorded.
          const auto found = space.states.find(words, successor.hash);
          if (!found) {
            stopped = true;
            break;
          }
          index = *found;
        } else {
          const auto insertion = space.states.insert(words, successor.hash);
          index = insertion.index;
          if (insertion.inserted) space.add_parent(source);
        }
        space.add_edge(index, successor.move);
      }
      if (stopped) {
        // This state's successor list is incomplete: its row stays open, so
        // that every recorded state's successors are exact.
        space.completion = Completion::StateLimit;
        break;
      }
      space.end_row();
    }
    if (stopped) break;
    if (stop_requested) {
      space.completion = Completion::Stopped;
      break;
    }
    since_check += window_end - state;
    state = window_end;
  }
  space.seconds = elapsed();
  if (options.progress)
    options.progress({space.states.size(), space.expanded(), space.edge_count(), space.memory_bytes(),
                      space.seconds});
  return space;
}

}  // namespace lim::explore
