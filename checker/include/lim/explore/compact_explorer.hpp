#pragma once
// The breadth-first search of explorer.hpp, storing a CompactSpace: the same
// order of expansion and insertion, hence the same indices, limits, stop
// predicate and progress reports, but no edges. Used when every property
// asked is a property of reachable configurations (compact_space.hpp).
// It is a copy of explore()'s loop rather than a policy of it, so that the
// graph exploration, which the fixpoint properties need, keeps its code.
//
// A reduced semantics (one with for_each_ample_successor, e.g.
// semantics/ample_sets.hpp) is explored by its ample sets. When it asks for
// the cycle proviso, a configuration whose ample successors include one
// already known at its own BFS depth or less is expanded fully: an edge
// that does not go one layer down closes every cycle of the reduced graph
// (depths only grow along the other edges), so every cycle then holds a
// fully expanded configuration and no move is ignored forever on it. The
// BFS layers are those of the reduced graph: a rebuilt run (path_to) is a
// real run, shortest within the reduced graph, not always in the full one.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "lim/explore/compact_space.hpp"
#include "lim/explore/explorer.hpp"
#include "lim/explore/pipelined_compact_explorer.hpp"
#include "lim/support/budget.hpp"

namespace lim::explore {

template <class Semantics>
CompactSpace explore_compact(const Semantics& semantics, const ExploreOptions& options = {}) {
  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  auto last_report = start;
  CompactSpace space;
  // A semantics may say which fields belong together (a role's state and
  // its queues): placed side by side, they fall into the same half of the
  // tree, whose halves are then nearly independent and few.
  if constexpr (requires { semantics.storage_order(); })
    space.layout = semantics.layout().placed_in(semantics.storage_order());
  else
    space.layout = semantics.layout();
  const std::size_t width = space.layout.word_count();
  space.states = CompactStore(space.layout);
  const std::size_t fields = space.layout.field_count();
  std::vector<std::uint32_t> current(fields), scratch(fields);
  std::vector<std::uint64_t> packed(width);

  semantics.initial(current);
  space.layout.pack(current, packed);
  space.states.insert(packed);
  space.layer_start = {0, 1};

  // Per transition, the tree nodes its successors may differ in from their
  // source (CompactStore::nodes_over): only those are interned again.
  // Not for a root over two leaves: only one node is left to skip there,
  // and its test costs less than carrying the nodes (1% more instructions
  // on pairs 3,1,5, against 9% fewer with six nodes below the root).
  constexpr bool knows_writes = requires { semantics.written_fields(Move{}); semantics.transition_count(); };
  const bool track_changes = knows_writes && space.states.below_root_nodes() > 2;
  std::vector<std::uint64_t> changed_by;
  if constexpr (knows_writes) {
    changed_by.assign(semantics.transition_count(), 0);
    for (std::uint32_t transition = 0; transition < changed_by.size(); ++transition)
      for (const auto field : semantics.written_fields(Move{transition, 0}))
        changed_by[transition] |= space.states.nodes_over(space.layout.word_of(field), space.layout.shift_of(field),
                                                           space.layout.width_of(field));
  }
  std::vector<std::uint64_t> successor_changes;  // per successor of the window, when track_changes

  // As explore(), a window at a time, in stages whose memory accesses
  // overlap: the window's successors are generated and packed, and the
  // slots of the leaves they change prefetched; then interned below the
  // root, each against its source's tree (CompactStore::Base: its
  // successors share most of it), each root slot prefetched as soon as it
  // is known; only then is any inserted.
  constexpr std::size_t kWindow = 64;
  std::vector<CompactStore::Base> sources(kWindow, space.states.base());
  std::vector<std::uint64_t> successor_words;  // [0, successor_end) in use
  std::size_t successor_end = 0;
  std::vector<CompactStore::Root> successors;
  std::vector<std::size_t> window_ends;
  constexpr bool reduced = requires { semantics.needs_proviso(); };
  [[maybe_unused]] bool proviso = false;
  if constexpr (reduced) proviso = semantics.needs_proviso();
  std::vector<char> partial;  // per window configuration: some of its moves were left out

  const auto elapsed = [&] { return std::chrono::duration<double>(Clock::now() - start).count(); };
  const auto& limits = options.limits;
  constexpr std::uint64_t kIndexCapacity = std::uint64_t{~StateIndex{0}} - 1;
  const std::uint64_t state_cap = std::min(limits.max_states.value_or(kIndexCapacity), kIndexCapacity);
  // Whether a limit is reached (it sets the completion), with `state` the
  // next configuration to expand; progress is reported from here too.
  const auto limits_reached = [&](StateIndex state, std::size_t memory) {
    if (limits.timeout_seconds && elapsed() > *limits.timeout_seconds) {
      space.completion = Completion::TimeLimit;
      return true;
    }
    if (limits.max_memory_bytes && memory > *limits.max_memory_bytes) {
      space.completion = Completion::MemoryLimit;
      return true;
    }
    if (auto* budget = current_budget()) {
      if (const auto spent = budget->exhausted(memory)) {
        space.completion = *spent == Exhaustion::Time ? Completion::TimeLimit : Completion::MemoryLimit;
        return true;
      }
      budget->tick();
    }
    if (options.progress) {
      const auto now = Clock::now();
      if (std::chrono::duration<double>(now - last_report).count() >= options.progress_interval) {
        last_report = now;
        options.progress({space.states.size(), state, static_cast<std::size_t>(space.edges), memory, elapsed()});
      }
    }
    return false;
  };
  bool pipelined = options.threads >= 2 && !options.stop;
  if constexpr (reduced) pipelined = pipelined && !proviso;
  std::size_t since_check = 0;
  for (StateIndex state = 0; state < space.states.size();) {
    if (pipelined && space.states.size() >= options.parallel_from) {
      std::optional<std::size_t> ceiling = limits.max_memory_bytes;
      if (const auto* budget = current_budget(); budget != nullptr)
        if (const auto left = budget->remaining_bytes()) ceiling = std::min(ceiling.value_or(*left), *left);
      explore_compact_pipelined(semantics, space, state, state_cap, std::max<std::size_t>(1, options.balance_every),
                                limits_reached, ceiling);
      break;
    }
    if (since_check >= 4096) {
      since_check = 0;
      if (limits_reached(state, space.memory_bytes())) break;
    }
    const StateIndex window_end =
        static_cast<StateIndex>(std::min<std::size_t>(space.states.size(), std::size_t{state} + kWindow));
    successors.clear();
    successor_changes.clear();
    successor_end = 0;
    window_ends.clear();
    partial.clear();
    StateIndex generated_end = window_end;
    bool stop_requested = false;
    for (StateIndex source = state; source < window_end; ++source) {
      auto& tree = sources[source - state];
      space.states.get(source, tree);
      space.layout.unpack(tree.words(), current);
      if (options.stop && options.stop(source, current)) {
        generated_end = source;
        stop_requested = true;
        break;
      }
      const auto keep = [&](Move move, std::span<const std::uint32_t> next) __attribute__((always_inline)) {
        const std::size_t at = successor_end;
        // Grown by hand, never shrunk: a resize() per successor was a call.
        if (at + width > successor_words.size()) successor_words.resize(2 * (at + width));
        successor_end = at + width;
        const std::span<std::uint64_t> words(successor_words.data() + at, width);
        if constexpr (knows_writes) {
          space.layout.repack(current, tree.words(), next, semantics.written_fields(move), words);
          if (track_changes) successor_changes.push_back(changed_by[move.first]);
        } else {
          space.layout.pack(next, words);
        }
        space.states.prefetch_leaves(words, tree);
      };
      if constexpr (reduced) {
        const bool full = semantics.for_each_ample_successor(std::span<const std::uint32_t>(current),
                                                             std::span<std::uint32_t>(scratch), keep);
        partial.push_back(full ? 0 : 1);
      } else {
        semantics.for_each_successor(std::span<const std::uint32_t>(current), std::span<std::uint32_t>(scratch),
                                     keep);
      }
      window_ends.push_back(successor_end / width);
    }
    // Each root slot is prefetched as soon as its successor is prepared:
    // the window's other preparations then hide its miss.
    space.states.make_room(successor_end / width);
    for (std::size_t next = 0, source = 0; source < window_ends.size(); ++source) {
      for (; next < window_ends[source]; ++next) {
        // Prefetched from the registers it is returned in: read back from
        // the vector, it waited on its own store.
        const std::span<const std::uint64_t> words(successor_words.data() + next * width, width);
        const auto root = [&] {
          if constexpr (knows_writes) {
            if (track_changes) return space.states.prepare(words, sources[source], successor_changes[next]);
          }
          return space.states.prepare(words, sources[source]);
        }();
        space.states.prefetch(root);
        successors.push_back(root);
      }
    }

    bool stopped = false;
    std::size_t next = 0;
    for (StateIndex source = state; source < generated_end && !stopped; ++source) {
      // The first configuration of the newest layer is being expanded: every
      // configuration of that layer is known, and the next layer starts here.
      if (source == space.layer_start.back()) space.layer_start.push_back(static_cast<StateIndex>(space.states.size()));
      const std::size_t first = next;
      // Whether an ample successor was known at this depth or less.
      [[maybe_unused]] bool closes = false;
      const auto add = [&](const CompactStore::Root& successor) {
        [[maybe_unused]] StateIndex index;
        [[maybe_unused]] bool inserted = false;
        if (space.states.size() >= state_cap) {
          const auto found = space.states.find(successor);
          if (!found) return false;
          index = *found;
        } else {
          const auto insertion = space.states.insert(successor);
          index = insertion.index;
          inserted = insertion.inserted;
        }
        if constexpr (reduced) closes = closes || (!inserted && index < space.layer_start.back());
        return true;
      };
      for (; next < window_ends[source - state]; ++next) {
        if (!add(successors[next])) {
          stopped = true;
          break;
        }
      }
      std::size_t more = 0;
      if constexpr (reduced) {
        if (!stopped && proviso && closes && partial[source - state]) {
          const auto& tree = sources[source - state];
          space.layout.unpack(tree.words(), current);
          semantics.for_each_other_successor(std::span<const std::uint32_t>(current),
                                             std::span<std::uint32_t>(scratch),
                                             [&](Move, std::span<const std::uint32_t> next_values) {
                                               if (stopped) return;
                                               space.layout.pack(next_values, packed);
                                               if (!add(space.states.prepare(packed, tree))) stopped = true;
                                               ++more;
                                             });
          ++space.fully_expanded_by_proviso;
        }
      }
      if (stopped) {
        space.completion = Completion::StateLimit;
        break;
      }
      space.edges += next - first + more;
      space.mark_expanded(source, next != first || more != 0);
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
    options.progress({space.states.size(), space.expanded(), static_cast<std::size_t>(space.edges),
                      space.memory_bytes(), space.seconds});
  return space;
}

}  // namespace lim::explore
