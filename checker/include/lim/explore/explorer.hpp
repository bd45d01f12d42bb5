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
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <vector>

#include "lim/explore/state_space.hpp"

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

struct ExploreOptions {
  Limits limits;
  ProgressSink progress;          // called about once per progress_interval
  double progress_interval = 1.0;  // seconds
};

template <class Semantics>
StateSpace explore(const Semantics& semantics, const ExploreOptions& options = {}) {
  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  auto last_report = start;
  StateSpace space;
  space.layout = semantics.layout();
  space.states = StateStore(space.layout.word_count());
  const std::size_t fields = space.layout.field_count();
  std::vector<std::uint32_t> current(fields), scratch(fields);
  std::vector<std::uint64_t> packed(space.layout.word_count());

  semantics.initial(current);
  space.layout.pack(current, packed);
  space.states.insert(packed);
  space.parent.push_back(0);
  space.parent_edge.push_back(0);
  space.first_edge.push_back(0);

  const auto elapsed = [&] { return std::chrono::duration<double>(Clock::now() - start).count(); };
  const auto& limits = options.limits;
  for (StateIndex state = 0; state < space.states.size(); ++state) {
    // Limits and progress are looked at every 4096 expansions: cheap enough
    // to be invisible, frequent enough to stop within a fraction of a second.
    if ((state & 0xfff) == 0 && state != 0) {
      if (limits.timeout_seconds && elapsed() > *limits.timeout_seconds) {
        space.completion = Completion::TimeLimit;
        break;
      }
      if (limits.max_memory_bytes && space.memory_bytes() > *limits.max_memory_bytes) {
        space.completion = Completion::MemoryLimit;
        break;
      }
      if (options.progress) {
        const auto now = Clock::now();
        if (std::chrono::duration<double>(now - last_report).count() >= options.progress_interval) {
          last_report = now;
          options.progress({space.states.size(), state, space.edge_target.size(),
                            space.memory_bytes(), elapsed()});
        }
      }
    }
    const auto words = space.states[state];
    space.layout.unpack(words, current);
    bool stopped = false;
    semantics.for_each_successor(
        std::span<const std::uint32_t>(current), std::span<std::uint32_t>(scratch),
        [&](Move move, std::span<const std::uint32_t> next) {
          if (stopped) return;
          space.layout.pack(next, packed);
          const EdgeIndex edge = space.edge_target.size();
          StateIndex index;
          if (limits.max_states && space.states.size() >= *limits.max_states) {
            // At the limit only successors already known may be recorded.
            const auto found = space.states.find(packed);
            if (!found) {
              stopped = true;
              return;
            }
            index = *found;
          } else {
            const auto insertion = space.states.insert(packed);
            index = insertion.index;
            if (insertion.inserted) {
              space.parent.push_back(state);
              space.parent_edge.push_back(edge);
            }
          }
          space.edge_target.push_back(index);
          space.edge_move.push_back(move);
        });
    if (stopped) {
      // The last state's successor list is incomplete: drop it so that every
      // recorded state's successors are exact.
      space.edge_target.resize(space.first_edge.back());
      space.edge_move.resize(space.first_edge.back());
      space.completion = Completion::StateLimit;
      break;
    }
    space.first_edge.push_back(space.edge_target.size());
  }
  space.seconds = elapsed();
  if (options.progress)
    options.progress({space.states.size(), space.expanded(), space.edge_target.size(),
                      space.memory_bytes(), space.seconds});
  return space;
}

}  // namespace lim::explore
