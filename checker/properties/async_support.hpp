#pragma once
// Reading single fields of stored asynchronous configurations, shared by the
// k-MC property passes (each touches one or two fields per state, so
// unpacking whole configurations would dominate their cost).
// Private to checker/properties/.
#include <string>

#include <fmt/format.h>

#include "lim/properties/asynchronous_trace.hpp"

namespace lim::properties {

class FieldReader {
 public:
  explicit FieldReader(const ComponentSpace& component)
      : semantics_(*component.semantics),
        space_(component.space),
        compact_(component.compact),
        layout_(compact_ ? compact_->layout : space_->layout) {
    words_.resize(compact_ ? compact_->states.words_per_state() : space_->states.words_per_state());
  }

  // The machine state of the role at position `local` of semantics.roles().
  std::uint32_t state(explore::StateIndex state, std::uint32_t local) const {
    return layout_.get(words(state), local);
  }
  std::uint32_t length(explore::StateIndex state, std::uint32_t channel) const {
    return layout_.get(words(state), semantics_.channels()[channel].length_field);
  }
  std::uint32_t head(explore::StateIndex state, std::uint32_t channel) const {
    const auto& c = semantics_.channels()[channel];
    return c.has_slots() ? layout_.get(words(state), c.first_slot) : 0;
  }

 private:
  // Both stores rebuild a configuration's words (the compact one from its
  // tree): once per state, since the passes read a few fields of one state
  // in a row.
  std::span<const std::uint64_t> words(explore::StateIndex state) const {
    if (state != cached_) {
      if (compact_)
        compact_->states.get(state, words_);
      else
        space_->states.get(state, words_);
      cached_ = state;
    }
    return words_;
  }

  const semantics::AsynchronousSemantics& semantics_;
  const explore::StateSpace* space_;
  const explore::CompactSpace* compact_;
  const explore::PackedLayout& layout_;
  mutable std::vector<std::uint64_t> words_;
  mutable explore::StateIndex cached_ = ~explore::StateIndex{0};
};

// Guarded copies of one receive (`ack(s: segment) if g1 . …, ack(s: segment)
// if g2 . …`) are one message: the receiver takes it, then chooses a copy
// by its data. Two actions are the same message when they agree on
// everything but the guard.
inline bool same_message(const automata::Action& a, const automata::Action& b) {
  return a.direction == b.direction && a.peer == b.peer && a.label == b.label && a.payload == b.payload;
}

// Whether `role` in machine state `state` waits for `peer`: it offers a
// receive from it, or a timeout on it.
inline bool waits_for(const automata::System& system, automata::RoleId role, automata::StateId state,
                      automata::RoleId peer) {
  for (const auto& transition : system.machines[role].outgoing(state))
    if (transition.action.direction != automata::Direction::Send && transition.action.peer == peer) return true;
  return false;
}

inline const std::string& role_name(const semantics::AsynchronousSemantics& semantics, automata::RoleId role) {
  return semantics.system().role_names[role];
}

// `alice → bob`
inline std::string channel_name(const semantics::AsynchronousSemantics& semantics, std::uint32_t channel) {
  const auto& c = semantics.channels()[channel];
  return fmt::format("{} → {}", role_name(semantics, c.from), role_name(semantics, c.to));
}

inline std::string message_name(const semantics::AsynchronousSemantics& semantics, std::uint32_t channel,
                                std::uint32_t message) {
  return describe_message(semantics.system(), semantics.channels()[channel].alphabet[message]);
}

// `bob⊕{hello, bye}` or `end`: what a role's state offers.
inline std::string state_text(const semantics::AsynchronousSemantics& semantics, automata::RoleId role,
                              automata::StateId state) {
  return semantics.system().describe_state(role, state);
}

}  // namespace lim::properties
