#include "lim/automata/cfsm.hpp"

#include <algorithm>

namespace lim::automata {

StateId Cfsm::add_state(StateProperties properties) {
  first_outgoing_.clear();
  return static_cast<StateId>(boost::add_vertex(std::move(properties), graph));
}

void Cfsm::add_transition(StateId source, StateId target, TransitionProperties properties) {
  first_outgoing_.clear();
  boost::add_edge(source, target, std::move(properties), graph);
}

void Cfsm::freeze() {
  const auto states = state_count();
  transitions_.clear();
  first_outgoing_.assign(states + 1, 0);
  kinds_.assign(states, StateKind::Final);
  for (StateId state = 0; state < states; ++state) {
    first_outgoing_[state] = static_cast<std::uint32_t>(transitions_.size());
    bool sends = false;
    bool receives = false;
    for (auto [edge, end] = boost::out_edges(state, graph); edge != end; ++edge) {
      const auto& properties = graph[*edge];
      transitions_.push_back(Transition{state, static_cast<StateId>(boost::target(*edge, graph)),
                                        properties.action, properties.location});
      (properties.action.direction == Direction::Send ? sends : receives) = true;
    }
    kinds_[state] = sends && receives ? StateKind::Mixed
                    : sends           ? StateKind::Sending
                    : receives        ? StateKind::Receiving
                                      : StateKind::Final;
  }
  first_outgoing_[states] = static_cast<std::uint32_t>(transitions_.size());
}

}  // namespace lim::automata
