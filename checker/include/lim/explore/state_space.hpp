#pragma once
// The explored graph: configurations, BFS parent links (for shortest
// counterexamples) and the successor relation in compressed-row form (for the
// properties, which are analyses over this graph rather than re-explorations).
//
// Stored compactly, so that the fixpoint properties fit graphs of 10^8
// configurations: the configurations at the bits they use
// (PackedStateStore), every per-edge and per-configuration number
// bit-packed at the width of the counts (PackedArray), moves as ids into the
// few distinct ones (MoveTable). No edge that discovered a configuration is stored: it is
// the first edge to it in its BFS parent's row, which is short.
#include <cstdint>
#include <string>
#include <vector>

#include "lim/explore/move_table.hpp"
#include "lim/explore/packed_array.hpp"
#include "lim/explore/packed_layout.hpp"
#include "lim/explore/packed_state_store.hpp"
#include "lim/explore/state_store.hpp"

namespace lim::explore {

using EdgeIndex = std::uint64_t;

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
  StateSpace() { first_edge_.push_back(0); }

  PackedLayout layout;
  PackedStateStore states;
  Completion completion = Completion::Complete;
  double seconds = 0;

  bool complete() const { return completion == Completion::Complete; }
  std::size_t size() const { return states.size(); }
  // States whose successors are recorded (all of them when complete()).
  std::size_t expanded() const { return first_edge_.empty() ? 0 : first_edge_.size() - 1; }
  std::size_t edge_count() const { return first_edge_.back(); }
  EdgeIndex edges_begin(StateIndex state) const { return first_edge_[state]; }
  EdgeIndex edges_end(StateIndex state) const { return first_edge_[std::size_t{state} + 1]; }
  // The edges leaving an expanded state, as indices. A range of its own, not
  // std::views::iota: clang (clang-tidy in CI) rejects libstdc++ 12's.
  struct EdgeRange {
    struct iterator {
      EdgeIndex edge;
      EdgeIndex operator*() const { return edge; }
      iterator& operator++() {
        ++edge;
        return *this;
      }
      bool operator==(const iterator&) const = default;
    };
    EdgeIndex first, last;
    iterator begin() const { return {first}; }
    iterator end() const { return {last}; }
  };
  EdgeRange edges(StateIndex state) const { return {edges_begin(state), edges_end(state)}; }
  bool has_successors(StateIndex state) const { return edges_begin(state) != edges_end(state); }
  StateIndex target(EdgeIndex edge) const { return static_cast<StateIndex>(targets_[edge]); }
  Move move(EdgeIndex edge) const { return moves_[static_cast<std::uint32_t>(move_ids_[edge])]; }
  // The state whose row holds `edge` (a binary search of the rows).
  StateIndex source(EdgeIndex edge) const;
  StateIndex parent(StateIndex state) const { return static_cast<StateIndex>(parents_[state]); }  // parent(0) == 0
  // The edge that discovered `state` (state != 0).
  EdgeIndex parent_edge(StateIndex state) const;
  std::vector<std::uint64_t> packed(StateIndex state) const;
  std::vector<std::uint32_t> configuration(StateIndex state) const;
  // Edges of a shortest path from the initial configuration to `state`.
  std::vector<EdgeIndex> path_to(StateIndex state) const;
  std::size_t memory_bytes() const;

  // Building, for explore(): each state stored gets its parent, in index
  // order; the rows are filled in index order, each closed by end_row().
  void add_parent(StateIndex parent) { parents_.push_back(parent); }
  void add_edge(StateIndex target, Move move) {
    targets_.push_back(target);
    move_ids_.push_back(moves_.intern(move));
  }
  // A row never closed (the exploration stopped within it) is no row: its
  // state counts as unexpanded, so that every recorded row is exact. Its
  // edges stay stored past edge_count(), as the parent edges of the states
  // it discovered, for their runs (path_to).
  void end_row() { first_edge_.push_back(targets_.size()); }

 private:
  PackedArray parents_;
  PackedArray first_edge_;  // size expanded() + 1
  PackedArray targets_;
  PackedArray move_ids_;    // into moves_
  MoveTable moves_;
};

}  // namespace lim::explore
