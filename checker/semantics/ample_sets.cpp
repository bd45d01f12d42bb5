#include "lim/semantics/ample_sets.hpp"

#include <algorithm>
#include <stdexcept>

namespace lim::semantics {

AmpleSets::AmpleSets(const AsynchronousSemantics& semantics, std::vector<char> visible)
    : semantics_(semantics), visible_(std::move(visible)) {
  const auto transitions = semantics.transition_count();
  if (visible_.empty()) visible_.assign(transitions, 0);
  if (visible_.size() != transitions) throw std::invalid_argument("one visibility flag per transition");
  proviso_ = std::any_of(visible_.begin(), visible_.end(), [](char flag) { return flag != 0; });
  kind_.assign(transitions, Kind::Never);
  for (std::uint32_t global = 0; global < transitions; ++global) {
    const auto direction = semantics.system().transition(semantics.transition_ref(global)).action.direction;
    if (direction == automata::Direction::Timeout)
      kind_[global] = Kind::Internal;
    else if (semantics.transition_channel(global) != AsynchronousSemantics::kNoChannel)
      kind_[global] = direction == automata::Direction::Send ? Kind::Send : Kind::Receive;
    // else a receive from a role that never sends here: it is never taken,
    // so nothing can enable it and it needs nothing in the set.
  }
  for (const auto& channel : semantics.channels()) {
    channel_from_.push_back(*semantics.local_index(channel.from));
    channel_to_.push_back(*semantics.local_index(channel.to));
  }
  const auto roles = semantics.roles().size();
  chosen_.assign(roles, 0);
  member_.assign(roles, 0);
  enabled_.assign(roles, 0);
  role_visible_.assign(roles, 0);
}

std::uint32_t AmpleSets::enabled_moves(std::uint32_t local, std::span<const std::uint32_t> from,
                                       bool& visible) const {
  const auto& machine = semantics_.system().machines[semantics_.roles()[local]];
  const std::uint32_t state = from[local];
  const std::uint32_t base = semantics_.first_transition(local) + machine.first_outgoing_index(state);
  const auto count = static_cast<std::uint32_t>(machine.outgoing(state).size());
  std::uint32_t enabled = 0;
  visible = false;
  for (std::uint32_t global = base; global < base + count; ++global) {
    bool can = false;
    switch (kind_[global]) {
      case Kind::Never: break;
      case Kind::Internal: can = true; break;
      case Kind::Send: can = semantics_.queue_length(from, semantics_.transition_channel(global)) < semantics_.bound(); break;
      case Kind::Receive: {
        const auto channel = semantics_.transition_channel(global);
        can = semantics_.queue_length(from, channel) > 0 &&
              semantics_.accepts(global, semantics_.queued_message(from, channel, 0));
        break;
      }
    }
    if (!can) continue;
    ++enabled;
    visible = visible || visible_[global] != 0;
  }
  return enabled;
}

bool AmpleSets::choose(std::span<const std::uint32_t> from) const {
  const auto roles = static_cast<std::uint32_t>(enabled_.size());
  std::uint32_t total = 0, active = 0;
  for (std::uint32_t local = 0; local < roles; ++local) {
    bool visible = false;
    enabled_[local] = enabled_moves(local, from, visible);
    role_visible_[local] = visible ? 1 : 0;
    total += enabled_[local];
    if (enabled_[local] > 0) ++active;
  }
  // One role with moves: its moves are all the moves.
  if (active <= 1) return false;
  // No closed set has fewer moves than its seed: once one has as few as the
  // fewest of any role, the later seeds cannot do better.
  std::uint32_t floor = total;
  for (std::uint32_t local = 0; local < roles; ++local)
    if (enabled_[local] > 0 && !role_visible_[local]) floor = std::min(floor, enabled_[local]);
  std::uint32_t best = total;
  for (std::uint32_t seed = 0; seed < roles && best > floor; ++seed) {
    if (enabled_[seed] == 0 || role_visible_[seed]) continue;
    std::fill(member_.begin(), member_.end(), 0);
    worklist_.assign(1, seed);
    member_[seed] = 1;
    std::uint32_t moves = 0;
    bool usable = true;
    const auto add = [&](std::uint32_t role) {
      if (member_[role]) return;
      member_[role] = 1;
      worklist_.push_back(role);
    };
    while (!worklist_.empty() && usable) {
      const std::uint32_t local = worklist_.back();
      worklist_.pop_back();
      if (enabled_[local] > 0) {
        moves += enabled_[local];
        // A visible move makes the set worth no more than expanding fully
        // (C2), and one as large as the best so far is no better.
        if (role_visible_[local] || moves >= best) usable = false;
      }
      const auto& machine = semantics_.system().machines[semantics_.roles()[local]];
      const std::uint32_t state = from[local];
      const std::uint32_t base = semantics_.first_transition(local) + machine.first_outgoing_index(state);
      const auto count = static_cast<std::uint32_t>(machine.outgoing(state).size());
      for (std::uint32_t global = base; global < base + count && usable; ++global) {
        if (kind_[global] != Kind::Send && kind_[global] != Kind::Receive) continue;
        const auto channel = semantics_.transition_channel(global);
        const auto length = semantics_.queue_length(from, channel);
        // The only moves of other roles that can enable this one: a receive
        // on the full queue (its receiver), a send to the empty one (its sender).
        if (kind_[global] == Kind::Send && length >= semantics_.bound()) add(channel_to_[channel]);
        if (kind_[global] == Kind::Receive && length == 0) add(channel_from_[channel]);
      }
    }
    if (!usable) continue;
    best = moves;
    chosen_ = member_;
  }
  return best < total;
}

std::vector<std::uint32_t> AmpleSets::ample_roles(std::span<const std::uint32_t> from) const {
  std::vector<std::uint32_t> roles;
  const bool reduced = choose(from);
  for (std::uint32_t local = 0; local < chosen_.size(); ++local)
    if (!reduced || chosen_[local]) roles.push_back(local);
  return roles;
}

}  // namespace lim::semantics
