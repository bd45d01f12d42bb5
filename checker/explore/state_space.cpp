#include "lim/explore/state_space.hpp"

#include <algorithm>
#include <stdexcept>

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

StateIndex StateSpace::source(EdgeIndex edge) const {
  // The last row that starts at or before `edge`: empty rows start where the
  // next one does, and are passed over.
  std::size_t low = 0, high = first_edge_.size();  // first_edge_[low] <= edge < first_edge_[high]
  while (high - low > 1) {
    const std::size_t middle = low + (high - low) / 2;
    if (first_edge_[middle] <= edge)
      low = middle;
    else
      high = middle;
  }
  return static_cast<StateIndex>(low);
}

EdgeIndex StateSpace::parent_edge(StateIndex state) const {
  // The BFS inserted `state` at the first edge to it that it met, which is
  // the first one in its parent's row.
  const StateIndex from = parent(state);
  const EdgeIndex end = from < expanded() ? edges_end(from) : targets_.size();  // or the row left open
  for (EdgeIndex edge = edges_begin(from); edge < end; ++edge)
    if (target(edge) == state) return edge;
  throw std::logic_error("a configuration that its BFS parent has no edge to");
}

std::vector<std::uint64_t> StateSpace::packed(StateIndex state) const {
  std::vector<std::uint64_t> words(states.words_per_state());
  states.get(state, words);
  return words;
}

std::vector<std::uint32_t> StateSpace::configuration(StateIndex state) const {
  std::vector<std::uint32_t> values(layout.field_count());
  layout.unpack(packed(state), values);
  return values;
}

std::vector<EdgeIndex> StateSpace::path_to(StateIndex state) const {
  std::vector<EdgeIndex> path;
  while (state != 0) {
    path.push_back(parent_edge(state));
    state = parent(state);
  }
  std::reverse(path.begin(), path.end());
  return path;
}

std::size_t StateSpace::memory_bytes() const {
  return states.memory_bytes() + parents_.memory_bytes() + first_edge_.memory_bytes() + targets_.memory_bytes() +
         move_ids_.memory_bytes() + moves_.memory_bytes();
}

}  // namespace lim::explore
