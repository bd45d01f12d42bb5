#include "lim/runtime/endpoint/role_monitor.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace lim::runtime {

using automata::Direction;

RoleMonitor::RoleMonitor(const Protocol& protocol, automata::RoleId role)
    : protocol_(protocol),
      role_(role),
      machine_(protocol.system().machines.at(role)),
      waiting_(machine_.state_count()),
      state_(machine_.initial) {
  for (std::uint32_t index = 0; index < machine_.transitions().size(); ++index) {
    const auto& transition = machine_.transitions()[index];
    auto& waiting = waiting_[transition.source];
    const auto& action = transition.action;
    if (action.direction == Direction::Receive) {
      if (std::find(waiting.peers.begin(), waiting.peers.end(), action.peer) == waiting.peers.end())
        waiting.peers.push_back(action.peer);
      waiting.guarded = waiting.guarded || action.guard != automata::kNoGuard;
    } else if (action.direction == Direction::Timeout) {
      waiting.timeouts.push_back(index);
    }
  }
}

std::uint32_t RoleMonitor::find(Direction direction, automata::RoleId peer, automata::LabelId label) const {
  const auto state = this->state();
  const auto first = machine_.first_outgoing_index(state);
  const auto outgoing = machine_.outgoing(state);
  for (std::uint32_t i = 0; i < outgoing.size(); ++i) {
    const auto& action = outgoing[i].action;
    if (action.direction == direction && action.peer == peer && action.label == label) return first + i;
  }
  return kNoTransition;
}

std::string RoleMonitor::describe(const automata::Transition& transition) const {
  const auto& system = protocol_.system();
  const auto& action = transition.action;
  const auto& peer = system.role_names[action.peer];
  switch (action.direction) {
    case Direction::Send: return fmt::format("send {} to {}", system.describe_label(action), peer);
    case Direction::Receive: return fmt::format("receive {} from {}", system.describe_label(action), peer);
    case Direction::Timeout: return fmt::format("{} waiting for {}", system.describe_label(action), peer);
  }
  return {};
}

std::vector<std::string> RoleMonitor::expected() const {
  std::vector<std::string> actions;
  for (const auto& transition : outgoing()) actions.push_back(describe(transition));
  return actions;
}

std::string RoleMonitor::state_name() const { return machine_.graph[state()].name; }

std::string RoleMonitor::state_type() const { return protocol_.system().describe_state(role_, state()); }

SourceLocation RoleMonitor::state_location() const { return machine_.graph[state()].location; }

ProtocolViolation RoleMonitor::violation(ProtocolViolation::Culprit culprit, std::string attempted,
                                         std::string peer) const {
  ProtocolViolation::Details details;
  details.culprit = culprit;
  details.role = protocol_.role_name(role_);
  details.peer = std::move(peer);
  details.attempted = std::move(attempted);
  details.expected = expected();
  details.state = state_name();
  details.state_type = state_type();
  details.spec = protocol_.spec_path();
  details.location = state_location();
  return ProtocolViolation(std::move(details));
}

}  // namespace lim::runtime
