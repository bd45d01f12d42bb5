#include "lim/properties/reverse_graph.hpp"

#include <algorithm>
#include <bit>

#include "lim/support/budget.hpp"

namespace lim::properties {

namespace {

unsigned width_of(std::uint64_t largest) { return static_cast<unsigned>(std::bit_width(largest)); }

}  // namespace

ReverseGraph::ReverseGraph(const StateSpace& space) {
  // A counting sort by target, with first_ as its only cursor: no array of
  // the graph's size beyond the result is ever held.
  const std::size_t states = space.size();
  const EdgeIndex edges = space.edge_count();
  first_.assign(states + 1, width_of(edges));
  EdgeIndex widest_row = 0;
  for (StateIndex state = 0; state < space.expanded(); ++state) {
    widest_row = std::max(widest_row, space.edges_end(state) - space.edges_begin(state));
    for (const EdgeIndex edge : space.edges(state)) {
      poll_budget();
      const StateIndex target = space.target(edge);
      first_.set(target, first_[target] + 1);
    }
  }
  // Each state's count becomes the end of its run; the fill below steps it
  // back to the start.
  for (std::size_t state = 1; state <= states; ++state) first_.set(state, first_[state - 1] + first_[state]);
  sources_.assign(edges, width_of(space.expanded() == 0 ? 0 : space.expanded() - 1));
  positions_.assign(edges, width_of(widest_row == 0 ? 0 : widest_row - 1));
  // Backwards, so that each run comes out in the order of its edges.
  for (auto state = static_cast<StateIndex>(space.expanded()); state-- > 0;) {
    const EdgeIndex begin = space.edges_begin(state);
    for (EdgeIndex edge = space.edges_end(state); edge-- > begin;) {
      poll_budget();
      const StateIndex target = space.target(edge);
      const EdgeIndex entry = first_[target] - 1;
      first_.set(target, entry);
      sources_.set(entry, state);
      positions_.set(entry, edge - begin);
    }
  }
}

}  // namespace lim::properties
