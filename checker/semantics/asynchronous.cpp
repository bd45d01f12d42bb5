#include "lim/semantics/asynchronous.hpp"

#include <algorithm>

namespace lim::semantics {

AsynchronousSemantics::AsynchronousSemantics(const automata::System& system, unsigned bound,
                                             std::vector<RoleId> roles)
    : system_(system), bound_(bound), roles_(std::move(roles)) {
  if (roles_.empty())
    for (RoleId role = 0; role < system.role_count(); ++role) roles_.push_back(role);
  std::sort(roles_.begin(), roles_.end());
  const auto scope = static_cast<std::uint32_t>(roles_.size());

  for (const RoleId role : roles_) {
    first_global_.push_back(static_cast<std::uint32_t>(global_.size()));
    for (std::uint32_t index = 0; index < system.machines[role].transitions().size(); ++index)
      global_.push_back({role, index});
  }

  // Channels: every (sender, receiver) pair in scope with a send between
  // them, each with the alphabet of messages the sender may put on it.
  channel_of_pair_.assign(std::size_t{scope} * scope, kNoChannel);
  transition_channel_.assign(global_.size(), kNoChannel);
  transition_message_.assign(global_.size(), 0);
  for (std::uint32_t local = 0; local < scope; ++local) {
    const RoleId role = roles_[local];
    const auto& transitions = system.machines[role].transitions();
    for (std::uint32_t index = 0; index < transitions.size(); ++index) {
      const auto& action = transitions[index].action;
      const auto peer = local_index(action.peer);
      if (action.direction != automata::Direction::Send || !peer) continue;
      auto& slot = channel_of_pair_[std::size_t{local} * scope + *peer];
      if (slot == kNoChannel) {
        slot = static_cast<std::uint32_t>(channels_.size());
        channels_.push_back({role, action.peer, {}, 0, 0});
      }
      auto& alphabet = channels_[slot].alphabet;
      auto it = std::find_if(alphabet.begin(), alphabet.end(), [&](const Message& message) {
        return message.label == action.label && message.payload == action.payload;
      });
      if (it == alphabet.end()) it = alphabet.insert(alphabet.end(), {action.label, action.payload});
      const auto global = first_global_[local] + index;
      transition_channel_[global] = slot;
      transition_message_[global] = static_cast<std::uint32_t>(it - alphabet.begin());
    }
  }

  // Receives accept the messages of their channel with their label and a
  // payload sort below theirs (equality for formats without subtyping).
  accept_offset_.assign(global_.size(), 0);
  accepted_.push_back(0);  // offset 0: accepts nothing
  for (std::uint32_t local = 0; local < scope; ++local) {
    const RoleId role = roles_[local];
    const auto& transitions = system.machines[role].transitions();
    for (std::uint32_t index = 0; index < transitions.size(); ++index) {
      const auto& action = transitions[index].action;
      const auto peer = local_index(action.peer);
      if (action.direction != automata::Direction::Receive || !peer) continue;
      const auto channel = channel_of_pair_[std::size_t{*peer} * scope + local];
      if (channel == kNoChannel) continue;
      const auto global = first_global_[local] + index;
      transition_channel_[global] = channel;
      accept_offset_[global] = static_cast<std::uint32_t>(accepted_.size());
      for (const auto& message : channels_[channel].alphabet)
        accepted_.push_back(message.label == action.label && system.sorts.is_subsort(message.payload, action.payload)
                                ? 1
                                : 0);
    }
  }

  std::vector<std::uint32_t> bounds;
  for (const RoleId role : roles_) bounds.push_back(static_cast<std::uint32_t>(system.machines[role].state_count()));
  for (auto& channel : channels_) {
    channel.length_field = static_cast<std::uint32_t>(bounds.size());
    bounds.push_back(bound_ + 1);
    channel.first_slot = static_cast<std::uint32_t>(bounds.size());
    if (channel.has_slots())
      bounds.insert(bounds.end(), bound_, static_cast<std::uint32_t>(channel.alphabet.size()));
  }
  layout_ = explore::PackedLayout(bounds);

  // What each transition may write, as for_each_move_of writes it.
  for (std::uint32_t local = 0; local < scope; ++local) {
    for (std::uint32_t index = 0; index < system.machines[roles_[local]].transitions().size(); ++index) {
      const auto global = first_global_[local] + index;
      written_offset_.push_back(static_cast<std::uint32_t>(written_.size()));
      written_.push_back(local);
      if (transition_channel_[global] == kNoChannel) continue;
      const Channel& channel = channels_[transition_channel_[global]];
      written_.push_back(channel.length_field);
      if (channel.has_slots())
        for (std::uint32_t slot = 0; slot < bound_; ++slot) written_.push_back(channel.first_slot + slot);
    }
  }
  written_offset_.push_back(static_cast<std::uint32_t>(written_.size()));
}

std::optional<std::uint32_t> AsynchronousSemantics::local_index(RoleId role) const {
  const auto found = std::lower_bound(roles_.begin(), roles_.end(), role);
  if (found == roles_.end() || *found != role) return std::nullopt;
  return static_cast<std::uint32_t>(found - roles_.begin());
}

std::optional<std::uint32_t> AsynchronousSemantics::channel_index(RoleId from, RoleId to) const {
  const auto sender = local_index(from);
  const auto receiver = local_index(to);
  if (!sender || !receiver) return std::nullopt;
  const auto channel = channel_of_pair_[std::size_t{*sender} * roles_.size() + *receiver];
  if (channel == kNoChannel) return std::nullopt;
  return channel;
}

void AsynchronousSemantics::initial(std::span<std::uint32_t> configuration) const {
  std::fill(configuration.begin(), configuration.end(), 0);
  for (std::uint32_t local = 0; local < roles_.size(); ++local)
    configuration[local] = system_.machines[roles_[local]].initial;
}

AsyncStep AsynchronousSemantics::step(explore::Move move) const {
  const auto ref = global_.at(move.first);
  const auto& action = system_.transition(ref).action;
  return {ref.role, ref, action.direction, transition_channel_[move.first], move.second};
}

std::vector<std::uint32_t> AsynchronousSemantics::storage_order() const {
  std::vector<std::uint32_t> order;
  std::vector<char> placed(layout_.field_count(), 0);
  const auto add = [&](std::uint32_t field) {
    if (placed[field]) return;
    placed[field] = 1;
    order.push_back(field);
  };
  for (std::uint32_t local = 0; local < roles_.size(); ++local) {
    add(local);
    for (const auto& channel : channels_) {
      if (channel.from != roles_[local]) continue;
      add(channel.length_field);
      if (channel.has_slots())
        for (unsigned slot = 0; slot < bound_; ++slot) add(channel.first_slot + slot);
    }
  }
  for (std::uint32_t field = 0; field < layout_.field_count(); ++field) add(field);
  return order;
}

}  // namespace lim::semantics
