#include "lim/semantics/synchronous.hpp"

#include <algorithm>

namespace lim::semantics {

SynchronousSemantics::SynchronousSemantics(const automata::System& system, std::vector<RoleId> roles)
    : system_(system), roles_(std::move(roles)) {
  if (roles_.empty())
    for (RoleId role = 0; role < system.role_count(); ++role) roles_.push_back(role);
  std::sort(roles_.begin(), roles_.end());
  std::vector<std::uint32_t> bounds;
  for (const RoleId role : roles_) {
    const auto& machine = system.machines[role];
    bounds.push_back(static_cast<std::uint32_t>(machine.state_count()));
    first_global_.push_back(static_cast<std::uint32_t>(global_.size()));
    for (std::uint32_t index = 0; index < machine.transitions().size(); ++index) {
      global_.push_back({role, index});
      const auto peer = local_index(machine.transitions()[index].action.peer);
      local_of_peer_.push_back(peer ? *peer : kOutOfScope);
    }
  }
  layout_ = explore::PackedLayout(bounds);
}

std::optional<std::uint32_t> SynchronousSemantics::local_index(RoleId role) const {
  const auto found = std::lower_bound(roles_.begin(), roles_.end(), role);
  if (found == roles_.end() || *found != role) return std::nullopt;
  return static_cast<std::uint32_t>(found - roles_.begin());
}

void SynchronousSemantics::initial(std::span<std::uint32_t> configuration) const {
  for (std::uint32_t local = 0; local < roles_.size(); ++local)
    configuration[local] = system_.machines[roles_[local]].initial;
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
