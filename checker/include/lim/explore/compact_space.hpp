#pragma once
// What a reachability check needs of an exploration, and no edges: the
// configurations (CompactStore), whether each expanded one has a move, and
// where each BFS layer starts. StateSpace stores every edge and a parent
// per configuration, bit-packed: ~4 bytes per edge and ~20 per
// configuration (state_space.hpp), which only the properties that look at
// the graph (backward reachability, cycles, fixpoints) need.
//
// A shortest run to a configuration is rebuilt, when a counterexample asks
// for one, by replaying the layers: the configuration's BFS parent is the
// first configuration of the layer before whose successors include it, and
// its edge the first such successor — exactly the parent and edge the
// graph exploration records, so both stores report the same run. After a
// reduced exploration (partial-order reduction, compact_explorer.hpp) the
// layers are the reduced graph's: the run is real, and shortest in that graph.
#include <algorithm>
#include <cstdint>
#include <span>
#include <stdexcept>
#include <vector>

#include "lim/explore/big_vector.hpp"
#include "lim/explore/compact_store.hpp"
#include "lim/explore/packed_layout.hpp"
#include "lim/explore/state_space.hpp"

namespace lim::explore {

class CompactSpace {
 public:
  PackedLayout layout;
  CompactStore states;
  BigVector<std::uint64_t> moves_out;  // bit per expanded configuration: it has a successor
  std::vector<StateIndex> layer_start;  // [d]: the first index at distance d
  std::size_t expanded_count = 0;
  std::uint64_t edges = 0;  // the edges a graph exploration would have stored
  // A reduced exploration (compact_explorer.hpp): configurations the cycle
  // proviso expanded fully.
  std::uint64_t fully_expanded_by_proviso = 0;
  // A pipelined exploration (pipelined_compact_explorer.hpp): how often it
  // moved the handover between its threads.
  std::uint64_t handover_moves = 0;
  Completion completion = Completion::Complete;
  double seconds = 0;

  bool complete() const { return completion == Completion::Complete; }
  std::size_t size() const { return states.size(); }
  std::size_t expanded() const { return expanded_count; }
  std::size_t edge_count() const { return edges; }
  // Configurations are expanded in index order: `state` is the next.
  void mark_expanded(StateIndex state, bool moves) {
    if (moves_out.size() <= state / 64) moves_out.push_back(0);
    if (moves) moves_out[state / 64] |= std::uint64_t{1} << (state % 64);
    ++expanded_count;
  }
  bool has_successors(StateIndex state) const { return (moves_out[state / 64] >> (state % 64)) & 1U; }
  std::size_t depth(StateIndex state) const {
    return static_cast<std::size_t>(std::upper_bound(layer_start.begin(), layer_start.end(), state) -
                                    layer_start.begin()) -
           1;
  }
  std::vector<std::uint64_t> packed(StateIndex state) const {
    std::vector<std::uint64_t> words(states.words_per_state());
    states.get(state, words);
    return words;
  }
  std::vector<std::uint32_t> configuration(StateIndex state) const {
    std::vector<std::uint32_t> values(layout.field_count());
    layout.unpack(packed(state), values);
    return values;
  }
  std::size_t memory_bytes() const { return states.memory_bytes() + bookkeeping_bytes(); }
  // What is held beside the store: the move bits and the layer starts.
  std::size_t bookkeeping_bytes() const {
    return moves_out.capacity() * sizeof(std::uint64_t) + layer_start.capacity() * sizeof(StateIndex);
  }
};

// The moves of a shortest run from the initial configuration to `state`.
// It re-expands, at worst, every configuration closer than `state`: a
// re-exploration without storage, paid once per counterexample.
template <class Semantics>
std::vector<Move> path_to(const Semantics& semantics, const CompactSpace& space, StateIndex state) {
  const std::size_t fields = space.layout.field_count();
  std::vector<std::uint32_t> current(fields), scratch(fields);
  std::vector<std::uint64_t> words(space.states.words_per_state()), target(words.size());
  std::vector<Move> path;
  for (std::size_t depth = space.depth(state); depth > 0; --depth) {
    space.states.get(state, target);
    bool found = false;
    for (StateIndex source = space.layer_start[depth - 1]; source < space.layer_start[depth] && !found; ++source) {
      space.states.get(source, words);
      space.layout.unpack(words, current);
      semantics.for_each_successor(std::span<const std::uint32_t>(current), std::span<std::uint32_t>(scratch),
                                   [&](Move move, std::span<const std::uint32_t> next) {
                                     if (found) return;
                                     space.layout.pack(next, words);
                                     if (words != target) return;
                                     found = true;
                                     path.push_back(move);
                                     state = source;
                                   });
    }
    // The layers say the configuration was found from the layer before.
    if (!found) throw std::logic_error("a configuration without a parent in the layer before it");
  }
  std::reverse(path.begin(), path.end());
  return path;
}

}  // namespace lim::explore
