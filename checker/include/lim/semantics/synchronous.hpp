#pragma once
// Synchronous reduction of a typing context (REFERENCE §1): a send of p to q
// and a matching receive of q from p fire together when the labels agree and
// the sent payload sort is a subtype of the expected one.
//
// Two extensions (docs/language.md §14–§16):
// - a timeout branch is an internal step of the waiting role alone, possible
//   whenever it waits in that state (untimed: the deadline may pass at any
//   moment), so every property is checked with timeouts firing at any time;
// - guarded receives of one label are separate receive transitions, so the
//   receiver's choice among them is made in the same step as the receive —
//   a sound over-approximation of the choice its data would make.
#include <optional>
#include <span>
#include <vector>

#include "lim/automata/system.hpp"
#include "lim/explore/packed_layout.hpp"
#include "lim/explore/state_space.hpp"

namespace lim::semantics {

using automata::RoleId;
using automata::TransitionRef;

// What a synchronous step did: an interaction `from → to`, or, when
// `internal`, the timeout transition `send` (== `receive`) of role `to`
// waiting for `from`.
struct Interaction {
  RoleId from = 0;
  RoleId to = 0;
  TransitionRef send;
  TransitionRef receive;
  bool internal = false;
  // The role whose choice the step is: the sender of an interaction, the
  // waiting role of a timeout.
  RoleId actor() const { return internal ? to : from; }
};

class SynchronousSemantics {
 public:
  // Move::second of an internal step (a timeout firing).
  static constexpr std::uint32_t kInternal = ~std::uint32_t{0};

  // `roles` empty means every role of the system. Otherwise the semantics is
  // that of those roles alone, which must be closed under communication (an
  // independent component, see independent_components.hpp): configurations
  // then hold their states only, in the order of roles().
  explicit SynchronousSemantics(const automata::System& system, std::vector<RoleId> roles = {});

  const automata::System& system() const { return system_; }
  const explore::PackedLayout& layout() const { return layout_; }
  // The roles in scope, sorted; field i of a configuration is roles()[i]'s state.
  const std::vector<RoleId>& roles() const { return roles_; }
  // Position of `role` in roles(), or nullopt when out of scope.
  std::optional<std::uint32_t> local_index(RoleId role) const;
  automata::StateId state_of(std::span<const std::uint32_t> configuration, RoleId role) const {
    return configuration[*local_index(role)];
  }

  // A configuration is one machine state per role.
  void initial(std::span<std::uint32_t> configuration) const;

  template <class Emit>
  void for_each_successor(std::span<const std::uint32_t> from, std::span<std::uint32_t> to,
                          Emit&& emit) const {
    for (std::uint32_t local = 0; local < roles_.size(); ++local) {
      const RoleId sender = roles_[local];
      const auto& machine = system_.machines[sender];
      const auto sender_base = machine.first_outgoing_index(from[local]);
      const auto sends = machine.outgoing(from[local]);
      for (std::size_t i = 0; i < sends.size(); ++i) {
        const auto& send = sends[i];
        if (send.action.direction == automata::Direction::Timeout) {
          std::copy(from.begin(), from.end(), to.begin());
          to[local] = send.target;
          emit(explore::Move{global_index(local, sender_base + static_cast<std::uint32_t>(i)), kInternal},
               std::span<const std::uint32_t>(to.data(), to.size()));
          continue;
        }
        if (send.action.direction != automata::Direction::Send) continue;
        const std::uint32_t receiver = local_of_peer_[first_global_[local] + sender_base + i];
        if (receiver == kOutOfScope) continue;
        const auto& peer_machine = system_.machines[roles_[receiver]];
        const auto receiver_base = peer_machine.first_outgoing_index(from[receiver]);
        const auto receives = peer_machine.outgoing(from[receiver]);
        for (std::size_t j = 0; j < receives.size(); ++j) {
          const auto& receive = receives[j];
          if (!matches(sender, send.action, receive.action)) continue;
          std::copy(from.begin(), from.end(), to.begin());
          to[local] = send.target;
          to[receiver] = receive.target;
          emit(explore::Move{global_index(local, sender_base + static_cast<std::uint32_t>(i)),
                             global_index(receiver, receiver_base + static_cast<std::uint32_t>(j))},
               std::span<const std::uint32_t>(to.data(), to.size()));
        }
      }
    }
  }

  // Does receive action `receive` (of the peer of `send`) accept `send` from `sender`?
  bool matches(RoleId sender, const automata::Action& send, const automata::Action& receive) const {
    return receive.direction == automata::Direction::Receive && receive.peer == sender &&
           receive.label == send.label && system_.sorts.is_subsort(send.payload, receive.payload);
  }

  Interaction interaction(explore::Move move) const;

 private:
  static constexpr std::uint32_t kOutOfScope = ~std::uint32_t{0};

  std::uint32_t global_index(std::uint32_t local_role, std::uint32_t transition) const {
    return first_global_[local_role] + transition;
  }

  const automata::System& system_;
  std::vector<RoleId> roles_;
  explore::PackedLayout layout_;
  // Per role in scope, and per transition of those roles: tables whose size
  // is that of the component, so that a system of 10^4 independent pairs
  // costs 10^4 small semantics rather than 10^4 copies of the system's.
  std::vector<std::uint32_t> first_global_;
  std::vector<TransitionRef> global_;
  std::vector<std::uint32_t> local_of_peer_;  // per transition: its peer's position in roles_
};

}  // namespace lim::semantics
