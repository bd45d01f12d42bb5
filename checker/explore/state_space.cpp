#include "lim/explore/state_space.hpp"

#include <algorithm>

namespace lim::explore {

std::string to_string(Completion completion) {
  switch (completion) {
    case Completion::Complete: return "complete";
    case Completion::StateLimit: return "state limit reached";
    case Completion::MemoryLimit: return "memory limit reached";
    case Completion::TimeLimit: return "time limit reached";
    case Completion::Stopped: return "stopped at a violation";
  }
  return "unknown";
}

std::vector<std::uint32_t> StateSpace::configuration(StateIndex state) const {
  std::vector<std::uint32_t> values(layout.field_count());
  layout.unpack(states[state], values);
  return values;
}

std::vector<EdgeIndex> StateSpace::path_to(StateIndex state) const {
  std::vector<EdgeIndex> path;
  while (state != 0) {
    path.push_back(parent_edge[state]);
    state = parent[state];
  }
  std::reverse(path.begin(), path.end());
  return path;
}

std::size_t StateSpace::memory_bytes() const {
  return states.memory_bytes() + parent.capacity() * sizeof(StateIndex) +
         parent_edge.capacity() * sizeof(EdgeIndex) + first_edge.capacity() * sizeof(EdgeIndex) +
         edge_target.capacity() * sizeof(StateIndex) + edge_move.capacity() * sizeof(Move);
}

}  // namespace lim::explore
