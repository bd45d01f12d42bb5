#pragma once
// The incoming edges of every state, for the backward fixpoints (liveness,
// k-safety, k-exhaustivity, k-SIBI, deadlock with environments), which run
// on graphs of 10^8 configurations and must fit beside the graph store.
//
// Packed as the store it inverts is: each incoming entry holds its source
// and the edge's position in the source's row, at the widths the counts
// need. An edge index would take as many bits as the source (log2 of the
// edge count) and a by-edge source array as many again; the position takes
// the few bits of the out-degree, and the source's row gives the edge back.
// The fixpoints that only follow sources never pay for that.
#include <cstddef>

#include "lim/explore/packed_array.hpp"
#include "lim/explore/state_space.hpp"

namespace lim::properties {

using explore::EdgeIndex;
using explore::StateIndex;
using explore::StateSpace;

class ReverseGraph {
 public:
  ReverseGraph() = default;
  explicit ReverseGraph(const StateSpace& space);

  // The incoming entries of `state` are first(state) to first(state + 1),
  // in the order of their edges; a state past the explored frontier is a
  // target too.
  EdgeIndex first(StateIndex state) const { return first_[state]; }
  StateIndex source(EdgeIndex entry) const { return static_cast<StateIndex>(sources_[entry]); }
  EdgeIndex edge(const StateSpace& space, EdgeIndex entry) const {
    return space.edges_begin(source(entry)) + positions_[entry];
  }
  std::size_t memory_bytes() const {
    return first_.memory_bytes() + sources_.memory_bytes() + positions_.memory_bytes();
  }

 private:
  explore::PackedArray first_;  // size() + 1
  explore::PackedArray sources_;
  explore::PackedArray positions_;
};

inline ReverseGraph reverse(const StateSpace& space) { return ReverseGraph(space); }

}  // namespace lim::properties
