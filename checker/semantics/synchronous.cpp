#include "lim/semantics/synchronous.hpp"

namespace lim::semantics {

SynchronousSemantics::SynchronousSemantics(const automata::System& system) : system_(system) {
  std::vector<std::uint32_t> bounds;
  for (RoleId role = 0; role < system.role_count(); ++role) {
    const auto& machine = system.machines[role];
    bounds.push_back(static_cast<std::uint32_t>(machine.state_count()));
    first_global_.push_back(static_cast<std::uint32_t>(global_.size()));
    for (std::uint32_t index = 0; index < machine.transitions().size(); ++index)
      global_.push_back({role, index});
  }
  layout_ = explore::PackedLayout(bounds);
}

void SynchronousSemantics::initial(std::span<std::uint32_t> configuration) const {
  for (RoleId role = 0; role < system_.role_count(); ++role)
    configuration[role] = system_.machines[role].initial;
}

Interaction SynchronousSemantics::interaction(explore::Move move) const {
  const auto send = global_.at(move.first);
  if (move.second == kInternal) {
    const auto& timeout = system_.transition(send);
    return {timeout.action.peer, send.role, send, send, true};
  }
  const auto receive = global_.at(move.second);
  return {send.role, receive.role, send, receive, false};
}

}  // namespace lim::semantics
