#include "lim/properties/graph_analysis.hpp"

#include <algorithm>
#include <deque>
#include <unordered_map>

#include "lim/support/budget.hpp"

namespace lim::properties {

BitSets can_reach_each(const StateSpace& space, const ReverseGraph& reverse, BitSets targets) {
  std::vector<StateIndex> worklist;
  std::vector<char> queued(space.size(), 0);
  for (StateIndex state = 0; state < space.size(); ++state)
    if (targets[state] != 0) {
      worklist.push_back(state);
      queued[state] = 1;
    }
  while (!worklist.empty()) {
    poll_budget();
    const StateIndex state = worklist.back();
    worklist.pop_back();
    queued[state] = 0;
    for (EdgeIndex i = reverse.first(state); i < reverse.first(state + 1); ++i) {
      const StateIndex source = reverse.source(i);
      const auto merged = targets[source] | targets[state];
      if (merged == targets[source]) continue;
      targets[source] = merged;
      if (!queued[source]) {
        queued[source] = 1;
        worklist.push_back(source);
      }
    }
  }
  return targets;
}

EdgeGroups group_edges(const StateSpace& space, const std::vector<std::uint32_t>& key_of_edge) {
  EdgeGroups groups;
  groups.group_of_edge.resize(space.edge_count());
  groups.first_group.assign(space.expanded() + 1, 0);
  std::vector<std::uint32_t> keys;  // distinct keys of one state, in first-seen order
  std::uint32_t next = 0;
  for (StateIndex state = 0; state < space.expanded(); ++state) {
    poll_budget();
    groups.first_group[state] = next;
    keys.clear();
    for (EdgeIndex edge = space.edges_begin(state); edge < space.edges_end(state); ++edge) {
      const auto key = key_of_edge[edge];
      auto it = std::find(keys.begin(), keys.end(), key);
      if (it == keys.end()) it = keys.insert(keys.end(), key);
      groups.group_of_edge[edge] = next + static_cast<std::uint32_t>(it - keys.begin());
    }
    next += static_cast<std::uint32_t>(keys.size());
  }
  groups.first_group[space.expanded()] = next;
  return groups;
}

BitSets can_avoid_each(const StateSpace& space, const ReverseGraph& reverse, const BitSets& targets,
                       const EdgeGroups& groups) {
  // Start from "every non-target state avoids" and remove bits until stable;
  // a state is re-examined only when a successor lost bits.
  BitSets avoid(space.size(), 0);
  std::vector<StateIndex> worklist;
  std::vector<char> queued(space.size(), 0);
  for (StateIndex state = 0; state < space.expanded(); ++state) {
    avoid[state] = ~targets[state];
    worklist.push_back(state);
    queued[state] = 1;
  }
  std::vector<std::uint64_t> per_group;
  while (!worklist.empty()) {
    poll_budget();
    const StateIndex state = worklist.back();
    worklist.pop_back();
    queued[state] = 0;
    if (avoid[state] == 0 || !space.has_successors(state)) continue;
    const auto first = groups.first_group[state];
    per_group.assign(groups.first_group[state + 1] - first, 0);
    for (EdgeIndex edge = space.edges_begin(state); edge < space.edges_end(state); ++edge)
      per_group[groups.group_of_edge[edge] - first] |= avoid[space.target(edge)];
    std::uint64_t every_group = ~std::uint64_t{0};
    for (const auto bits : per_group) every_group &= bits;
    const auto reduced = avoid[state] & every_group;
    if (reduced == avoid[state]) continue;
    avoid[state] = reduced;
    for (EdgeIndex i = reverse.first(state); i < reverse.first(state + 1); ++i) {
      const StateIndex source = reverse.source(i);
      if (!queued[source] && avoid[source] != 0) {
        queued[source] = 1;
        worklist.push_back(source);
      }
    }
  }
  return avoid;
}

std::vector<std::uint32_t> strongly_connected_components(const StateSpace& space) {
  constexpr std::uint32_t kUnvisited = ~std::uint32_t{0};
  const std::size_t states = space.expanded();
  std::vector<std::uint32_t> index(states, kUnvisited), lowlink(states, 0), component(space.size(), kUnvisited);
  std::vector<char> on_stack(states, 0);
  std::vector<StateIndex> stack;
  struct Frame {
    StateIndex state;
    EdgeIndex next_edge;
  };
  std::vector<Frame> call_stack;
  std::uint32_t next_index = 0, next_component = 0;
  // States past the explored frontier have unknown successors: each is its
  // own trivial component.
  for (StateIndex state = static_cast<StateIndex>(states); state < space.size(); ++state)
    component[state] = next_component++;
  for (StateIndex root = 0; root < states; ++root) {
    if (index[root] != kUnvisited) continue;
    call_stack.push_back({root, space.edges_begin(root)});
    index[root] = lowlink[root] = next_index++;
    stack.push_back(root);
    on_stack[root] = 1;
    while (!call_stack.empty()) {
      poll_budget();
      auto& frame = call_stack.back();
      const StateIndex state = frame.state;
      if (frame.next_edge < space.edges_end(state)) {
        const StateIndex target = space.target(frame.next_edge++);
        if (target >= states) continue;
        if (index[target] == kUnvisited) {
          index[target] = lowlink[target] = next_index++;
          stack.push_back(target);
          on_stack[target] = 1;
          call_stack.push_back({target, space.edges_begin(target)});
        } else if (on_stack[target]) {
          lowlink[state] = std::min(lowlink[state], index[target]);
        }
        continue;
      }
      if (lowlink[state] == index[state]) {
        StateIndex member;
        do {
          member = stack.back();
          stack.pop_back();
          on_stack[member] = 0;
          component[member] = next_component;
        } while (member != state);
        ++next_component;
      }
      call_stack.pop_back();
      if (!call_stack.empty()) {
        const StateIndex caller = call_stack.back().state;
        lowlink[caller] = std::min(lowlink[caller], lowlink[state]);
      }
    }
  }
  return component;
}

Lasso walk_within(const StateSpace& space, StateIndex from, const std::vector<char>& region) {
  Lasso lasso;
  std::unordered_map<StateIndex, std::size_t> position;  // state → index in stem
  StateIndex state = from;
  while (true) {
    poll_budget();
    position.emplace(state, lasso.stem.size());
    if (state >= space.expanded()) return lasso;
    EdgeIndex chosen = space.edges_end(state);
    for (EdgeIndex edge = space.edges_begin(state); edge < space.edges_end(state); ++edge)
      if (region[space.target(edge)]) {
        chosen = edge;
        break;
      }
    if (chosen == space.edges_end(state)) return lasso;
    lasso.stem.push_back(chosen);
    state = space.target(chosen);
    if (auto it = position.find(state); it != position.end()) {
      lasso.cycle.assign(lasso.stem.begin() + static_cast<std::ptrdiff_t>(it->second), lasso.stem.end());
      lasso.stem.resize(it->second);
      return lasso;
    }
  }
}

std::vector<EdgeIndex> shortest_cycle_through(const StateSpace& space, StateIndex state,
                                              const std::vector<std::uint32_t>& component) {
  // BFS from `state` inside its component until an edge returns to it.
  std::unordered_map<StateIndex, EdgeIndex> reached_by;
  std::deque<StateIndex> queue{state};
  std::vector<EdgeIndex> cycle;
  while (!queue.empty()) {
    poll_budget();
    const StateIndex current = queue.front();
    queue.pop_front();
    for (EdgeIndex edge = space.edges_begin(current); edge < space.edges_end(current); ++edge) {
      const StateIndex target = space.target(edge);
      if (target >= space.expanded() || component[target] != component[state]) continue;
      if (target == state) {
        cycle.push_back(edge);
        for (StateIndex back = current; back != state;) {
          const EdgeIndex via = reached_by.at(back);
          cycle.push_back(via);
          // The source of `via` is the state it was expanded from.
          back = space.source(via);
        }
        std::reverse(cycle.begin(), cycle.end());
        return cycle;
      }
      if (reached_by.emplace(target, edge).second) queue.push_back(target);
    }
  }
  return cycle;
}

std::optional<CycleWitness> first_cycle(const StateSpace& space) {
  const auto component = strongly_connected_components(space);
  std::vector<std::uint32_t> component_size(space.size() + 1, 0);
  for (StateIndex state = 0; state < space.size(); ++state) ++component_size[component[state]];
  for (StateIndex state = 0; state < space.expanded(); ++state) {
    poll_budget();
    bool on_cycle = component_size[component[state]] > 1;
    for (auto edge = space.edges_begin(state); !on_cycle && edge < space.edges_end(state); ++edge)
      on_cycle = space.target(edge) == state;
    if (on_cycle) return CycleWitness{state, shortest_cycle_through(space, state, component)};
  }
  return std::nullopt;
}

}  // namespace lim::properties
