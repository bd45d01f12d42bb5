#pragma once
// Fixpoint computations over an explored state space. Every property is one
// or two of these passes over the recorded graph, linear in its size.
#include <cstdint>
#include <optional>
#include <vector>

#include "lim/explore/state_space.hpp"
#include "lim/properties/reverse_graph.hpp"

namespace lim::properties {

// The fixpoints below decide 64 properties at once: bit b of a state's word
// answers the question for target set b, so one pass over the graph serves
// up to 64 obligations.
using BitSets = std::vector<std::uint64_t>;  // one word per state

// Least fixpoint μY. target ∨ ⟨t⟩Y per bit: bit b of result[s] is set iff
// some path from s reaches a state whose bit b is set in `targets` ("EF").
BitSets can_reach_each(const StateSpace& space, const ReverseGraph& reverse, BitSets targets);

// A partition of each state's outgoing edges into groups (e.g. by the role
// that takes the step).
struct EdgeGroups {
  std::vector<std::uint32_t> group_of_edge;
  std::vector<std::uint32_t> first_group;  // per expanded state, size expanded() + 1
};
// Edges of one state with equal keys form a group.
EdgeGroups group_edges(const StateSpace& space, const std::vector<std::uint32_t>& key_of_edge);

// Greatest fixpoint νZ. ¬target ∧ ∀g. ⟨t_g⟩Z per bit — the complement of the
// attractor μY. target ∨ ∃g. (⟨t_g⟩true ∧ [t_g]Y): bit b of result[s] is
// set iff the steps can avoid target set b forever from s, whatever group
// is asked to move (a state without steps avoids it by standing still).
// With one group per state this is the complement of "AF target".
BitSets can_avoid_each(const StateSpace& space, const ReverseGraph& reverse, const BitSets& targets,
                       const EdgeGroups& groups);

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

// The BFS-first explored state on a cycle, and a shortest cycle through it:
// the witness that some run goes on forever.
struct CycleWitness {
  StateIndex state = 0;
  std::vector<EdgeIndex> cycle;
};
std::optional<CycleWitness> first_cycle(const StateSpace& space);

}  // namespace lim::properties
