#pragma once
// Fixpoint computations over an explored state space. Every property is one
// or two of these passes over the recorded graph, linear in its size.
#include <cstdint>
#include <functional>
#include <vector>

#include "lim/explore/state_space.hpp"

namespace lim::properties {

using explore::EdgeIndex;
using explore::StateIndex;
using explore::StateSpace;

// Incoming edges in compressed-row form.
struct ReverseGraph {
  std::vector<EdgeIndex> first;   // size expanded() + 1... indexed by target state
  std::vector<EdgeIndex> edges;   // edge indices grouped by target
  std::vector<StateIndex> source; // source state of each edge (indexed by edge)
};
ReverseGraph reverse(const StateSpace& space);

// Least fixpoint μY. target ∨ ⟨t⟩Y: the states from which some path reaches
// a target state ("EF target").
std::vector<char> can_reach(const StateSpace& space, const ReverseGraph& reverse,
                            std::vector<char> targets);

// Least fixpoint μY. target ∨ ∃g. (⟨t_g⟩true ∧ [t_g]Y), where the edges of a
// state are partitioned into groups by `group_key(edge)`: the states from
// which the targets are reached whatever the steps of some group
// choose. With a single group per state this is "AF target" over
// non-terminal states.
std::vector<char> attractor(const StateSpace& space, const ReverseGraph& reverse,
                            std::vector<char> targets,
                            const std::function<std::uint32_t(EdgeIndex)>& group_key);

// Strongly connected components (iterative Tarjan); component ids per state.
std::vector<std::uint32_t> strongly_connected_components(const StateSpace& space);

// A path that never leaves `region`, starting at `from` (which must be in it):
// it either ends in a state without successors (`cycle` empty) or loops.
struct Lasso {
  std::vector<EdgeIndex> stem;
  std::vector<EdgeIndex> cycle;
};
Lasso walk_within(const StateSpace& space, StateIndex from, const std::vector<char>& region);

// A shortest cycle through `state` inside its strongly connected component.
std::vector<EdgeIndex> shortest_cycle_through(const StateSpace& space, StateIndex state,
                                              const std::vector<std::uint32_t>& component);

}  // namespace lim::properties
