#pragma once
// The explored graph: configurations, BFS parent links (for shortest
// counterexamples) and the successor relation in compressed-row form (for the
// properties, which are analyses over this graph rather than re-explorations).
#include <cstdint>
#include <string>
#include <vector>

#include "lim/explore/big_vector.hpp"
#include "lim/explore/packed_layout.hpp"
#include "lim/explore/state_store.hpp"

namespace lim::explore {

using EdgeIndex = std::uint64_t;

// A step of the semantics; what the two numbers mean is up to the semantics
// (synchronous: the send and the receive transition; asynchronous: one
// transition and an unused second field).
struct Move {
  std::uint32_t first = 0;
  std::uint32_t second = 0;
};

enum class Completion {
  Complete,
  StateLimit,
  MemoryLimit,
  TimeLimit,
  Stopped,  // ExploreOptions::stop asked to end it
};
std::string to_string(Completion completion);

class StateSpace {
 public:
  PackedLayout layout;
  StateStore states;
  BigVector<StateIndex> parent;        // parent[0] == 0
  BigVector<EdgeIndex> parent_edge;    // the edge that discovered the state
  BigVector<EdgeIndex> first_edge;     // size expanded() + 1
  BigVector<StateIndex> edge_target;
  BigVector<Move> edge_move;
  Completion completion = Completion::Complete;
  double seconds = 0;

  bool complete() const { return completion == Completion::Complete; }
  std::size_t size() const { return states.size(); }
  // States whose successors are recorded (all of them when complete()).
  std::size_t expanded() const { return first_edge.empty() ? 0 : first_edge.size() - 1; }
  std::size_t edge_count() const { return edge_target.size(); }
  EdgeIndex edges_begin(StateIndex state) const { return first_edge[state]; }
  EdgeIndex edges_end(StateIndex state) const { return first_edge[state + 1]; }
  bool has_successors(StateIndex state) const { return edges_begin(state) != edges_end(state); }
  std::vector<std::uint32_t> configuration(StateIndex state) const;
  // Edges of a shortest path from the initial configuration to `state`.
  std::vector<EdgeIndex> path_to(StateIndex state) const;
  std::size_t memory_bytes() const;
};

}  // namespace lim::explore
