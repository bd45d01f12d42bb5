#pragma once
// Reachability restricted to some edges, the building block of the k-MC
// properties ("some path made of moves of the other roles reaches …").
// Templates, so that the edge filter inlines into the loops: the analyses
// run over every edge of state spaces of 10^8 configurations, and each
// loop polls the budget in force (a check's time and memory limits hold
// inside them too, not only between them).
#include <algorithm>
#include <deque>
#include <type_traits>
#include <unordered_map>
#include <vector>

#include "lim/properties/graph_analysis.hpp"
#include "lim/support/budget.hpp"

namespace lim::properties {

// Follows every edge: can_reach_along() then reads sources only.
struct FollowEvery {};

// Least fixpoint μY. target ∨ ⟨t⟩Y over the edges t with follow(t, source
// of t): the states from which a path of followed edges reaches a target.
// The source comes along as the reverse graph holds it; the edge is
// recovered from it (ReverseGraph::edge) only for a filter that asks.
template <class Follow>
std::vector<char> can_reach_along(const StateSpace& space, const ReverseGraph& reverse, std::vector<char> targets,
                                  Follow&& follow) {
  std::vector<StateIndex> worklist;
  for (StateIndex state = 0; state < space.size(); ++state)
    if (targets[state]) worklist.push_back(state);
  while (!worklist.empty()) {
    poll_budget();
    const StateIndex state = worklist.back();
    worklist.pop_back();
    for (EdgeIndex i = reverse.first(state); i < reverse.first(state + 1); ++i) {
      const StateIndex source = reverse.source(i);
      if (targets[source]) continue;
      if constexpr (!std::is_same_v<std::remove_cvref_t<Follow>, FollowEvery>)
        if (!follow(reverse.edge(space, i), source)) continue;
      targets[source] = 1;
      worklist.push_back(source);
    }
  }
  return targets;
}

// The states with an outgoing edge satisfying `wanted`.
template <class Wanted>
std::vector<char> states_with_edge(const StateSpace& space, Wanted&& wanted) {
  std::vector<char> marked(space.size(), 0);
  for (StateIndex state = 0; state < space.expanded(); ++state) {
    poll_budget();
    for (EdgeIndex edge = space.edges_begin(state); edge < space.edges_end(state); ++edge)
      if (wanted(edge)) {
        marked[state] = 1;
        break;
      }
  }
  return marked;
}

// A shortest path from `from` whose last edge satisfies `goal` (breadth
// first over the recorded edges); empty when there is none.
template <class Goal>
std::vector<EdgeIndex> shortest_path_to_edge(const StateSpace& space, StateIndex from, Goal&& goal) {
  std::unordered_map<StateIndex, EdgeIndex> reached_by;  // state → edge that reached it first
  std::deque<StateIndex> queue{from};
  reached_by.emplace(from, ~EdgeIndex{0});
  const auto path_to = [&](StateIndex state, EdgeIndex last) {
    std::vector<EdgeIndex> path{last};
    while (state != from) {
      const EdgeIndex via = reached_by.at(state);
      path.push_back(via);
      state = space.source(via);
    }
    return std::vector<EdgeIndex>(path.rbegin(), path.rend());
  };
  while (!queue.empty()) {
    poll_budget();
    const StateIndex state = queue.front();
    queue.pop_front();
    if (state >= space.expanded()) continue;
    for (EdgeIndex edge = space.edges_begin(state); edge < space.edges_end(state); ++edge) {
      if (goal(edge)) return path_to(state, edge);
      const StateIndex target = space.target(edge);
      if (reached_by.emplace(target, edge).second) queue.push_back(target);
    }
  }
  return {};
}

}  // namespace lim::properties
