#pragma once
// Synchronous reduction of a typing context (REFERENCE §1): a send of p to q
// and a matching receive of q from p fire together when the labels agree and
// the sent payload sort is a subtype of the expected one.
#include <span>
#include <vector>

#include "lim/automata/system.hpp"
#include "lim/explore/packed_layout.hpp"
#include "lim/explore/state_space.hpp"

namespace lim::semantics {

using automata::RoleId;
using automata::TransitionRef;

// What a synchronous step did.
struct Interaction {
  RoleId from = 0;
  RoleId to = 0;
  TransitionRef send;
  TransitionRef receive;
};

class SynchronousSemantics {
 public:
  explicit SynchronousSemantics(const automata::System& system);

  const automata::System& system() const { return system_; }
  const explore::PackedLayout& layout() const { return layout_; }

  // A configuration is one machine state per role.
  void initial(std::span<std::uint32_t> configuration) const;

  template <class Emit>
  void for_each_successor(std::span<const std::uint32_t> from, std::span<std::uint32_t> to,
                          Emit&& emit) const {
    const auto roles = system_.role_count();
    for (RoleId sender = 0; sender < roles; ++sender) {
      const auto& machine = system_.machines[sender];
      const auto sender_base = machine.first_outgoing_index(from[sender]);
      const auto sends = machine.outgoing(from[sender]);
      for (std::size_t i = 0; i < sends.size(); ++i) {
        const auto& send = sends[i];
        if (send.action.direction != automata::Direction::Send) continue;
        const RoleId receiver = send.action.peer;
        const auto& peer_machine = system_.machines[receiver];
        const auto receiver_base = peer_machine.first_outgoing_index(from[receiver]);
        const auto receives = peer_machine.outgoing(from[receiver]);
        for (std::size_t j = 0; j < receives.size(); ++j) {
          const auto& receive = receives[j];
          if (!matches(sender, send.action, receive.action)) continue;
          std::copy(from.begin(), from.end(), to.begin());
          to[sender] = send.target;
          to[receiver] = receive.target;
          emit(explore::Move{global_index(sender, sender_base + static_cast<std::uint32_t>(i)),
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
  std::uint32_t global_index(RoleId role, std::uint32_t local) const {
    return first_global_[role] + local;
  }

  const automata::System& system_;
  explore::PackedLayout layout_;
  std::vector<std::uint32_t> first_global_;
  std::vector<TransitionRef> global_;
};

}  // namespace lim::semantics
