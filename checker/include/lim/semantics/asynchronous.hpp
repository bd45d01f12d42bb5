#pragma once
// The k-bounded asynchronous semantics of communicating automata
// (REFERENCE §4): a configuration is a machine state per role and one FIFO
// queue per ordered pair of roles p → q that communicate (p has a transition
// sending to q). `pq!a` appends a to queue pq while it holds fewer than k
// messages; `qp?a` (q's receive from p) takes a from its head. A move is one
// transition of one role. A timeout branch (Direction::Timeout) is an
// internal move of its role, possible whenever the role is in that state.
//
// Environment roles (`env`) and guarded copies of one receive are plain
// transitions here: an environment's one state sends its alphabet whenever
// its queues have room and receives whatever heads a queue to it, and each
// guarded copy accepts the message its label and sort accept (the receiver
// picks a copy in the same step). What an environment owes, and that copies
// count as one receive, is decided by the properties (docs/asynchronous.md).
//
// Configuration layout (unpacked, one small integer per field):
//   [ state of each role in scope ] then per channel [ length, slot 0 … slot k-1 ]
// Slots hold message ids of the channel's alphabet, head first, 0 beyond the
// length; a channel with a one-message alphabet has no slots at all (its
// length says everything), which keeps counting protocols at a few bits.
//
// The semantics may be restricted to a set of roles closed under
// communication (an independent component, see independent_components.hpp):
// the other roles then simply do not exist for it.
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "lim/automata/system.hpp"
#include "lim/explore/packed_layout.hpp"
#include "lim/explore/state_space.hpp"

namespace lim::semantics {

using automata::RoleId;
using automata::TransitionRef;

// A (label, payload) pair that can travel on a channel.
struct Message {
  automata::LabelId label = 0;
  automata::SortId payload = 0;
};

struct Channel {
  RoleId from = 0;
  RoleId to = 0;
  std::vector<Message> alphabet;  // what `from` can send to `to`; index = message id
  std::uint32_t length_field = 0;
  std::uint32_t first_slot = 0;   // meaningful only when has_slots()
  bool has_slots() const { return alphabet.size() > 1; }
};

// What one asynchronous move did.
struct AsyncStep {
  RoleId role = 0;  // the role that moved
  TransitionRef transition;
  automata::Direction direction = automata::Direction::Send;
  std::uint32_t channel = 0;  // kNoChannel for a timeout
  std::uint32_t message = 0;  // id in the channel's alphabet
};

class AsynchronousSemantics {
 public:
  static constexpr std::uint32_t kNoChannel = ~std::uint32_t{0};

  // `roles` empty means every role of the system.
  AsynchronousSemantics(const automata::System& system, unsigned bound, std::vector<RoleId> roles = {});

  const automata::System& system() const { return system_; }
  unsigned bound() const { return bound_; }
  const explore::PackedLayout& layout() const { return layout_; }
  const std::vector<RoleId>& roles() const { return roles_; }
  // Position of `role` in roles(), or nullopt when out of scope.
  std::optional<std::uint32_t> local_index(RoleId role) const;

  void initial(std::span<std::uint32_t> configuration) const;
  // Fields role by role: each role's state, then the queues it sends on.
  // The compact store (explore/compact_explorer.hpp) packs them in this order.
  std::vector<std::uint32_t> storage_order() const;

  template <class Emit>
  [[gnu::always_inline]] void for_each_successor(std::span<const std::uint32_t> from, std::span<std::uint32_t> to,
                                                 Emit&& emit) const {
    // `to` starts as a copy of `from`; each successor is written into it,
    // emitted, and undone, which touches only the fields a move changes.
    std::copy(from.begin(), from.end(), to.begin());
    for (std::uint32_t local = 0; local < roles_.size(); ++local) for_each_move_of(local, from, to, emit);
  }

  // The moves of one role (position `local` of roles()), as above; `to`
  // must equal `from` on entry, and does again on return. A partial-order
  // reduction (ample_sets.hpp) expands some roles and not others.
  // Always inline, as for_each_successor() and the explorers' emit
  // functions are: the loop over every role's moves is the exploration's
  // innermost, and GCC's inliner otherwise moved it out of line or not as
  // the explorer around it grew (3% of the instructions either way).
  template <class Emit>
  [[gnu::always_inline]] void for_each_move_of(std::uint32_t local, std::span<const std::uint32_t> from, std::span<std::uint32_t> to,
                        Emit&& emit) const {
    const std::span<const std::uint32_t> next(to.data(), to.size());
    const RoleId role = roles_[local];
    const auto& machine = system_.machines[role];
    const std::uint32_t state = from[local];
    const std::uint32_t base = first_global_[local] + machine.first_outgoing_index(state);
    const auto outgoing = machine.outgoing(state);
    for (std::uint32_t i = 0; i < outgoing.size(); ++i) {
      const std::uint32_t global = base + i;
      const std::uint32_t channel_index = transition_channel_[global];
      if (outgoing[i].action.direction == automata::Direction::Timeout) {
        // Untimed, a deadline may pass whenever the role waits there.
        to[local] = outgoing[i].target;
        emit(explore::Move{global, 0}, next);
        to[local] = state;
        continue;
      }
      if (channel_index == kNoChannel) continue;
      const Channel& channel = channels_[channel_index];
      const std::uint32_t length = from[channel.length_field];
      if (outgoing[i].action.direction == automata::Direction::Send) {
        if (length >= bound_) continue;
        const std::uint32_t message = transition_message_[global];
        to[local] = outgoing[i].target;
        to[channel.length_field] = length + 1;
        if (channel.has_slots()) to[channel.first_slot + length] = message;
        emit(explore::Move{global, message}, next);
        to[local] = state;
        to[channel.length_field] = length;
        if (channel.has_slots()) to[channel.first_slot + length] = 0;
      } else {
        if (length == 0) continue;
        const std::uint32_t head = channel.has_slots() ? from[channel.first_slot] : 0;
        if (!accepts(global, head)) continue;
        to[local] = outgoing[i].target;
        to[channel.length_field] = length - 1;
        if (channel.has_slots()) {
          for (std::uint32_t slot = 0; slot + 1 < length; ++slot)
            to[channel.first_slot + slot] = from[channel.first_slot + slot + 1];
          to[channel.first_slot + length - 1] = 0;
        }
        emit(explore::Move{global, head}, next);
        to[local] = state;
        to[channel.length_field] = length;
        if (channel.has_slots())
          for (std::uint32_t slot = 0; slot < length; ++slot)
            to[channel.first_slot + slot] = from[channel.first_slot + slot];
      }
    }
  }

  // ---- reading configurations -------------------------------------------------
  const std::vector<Channel>& channels() const { return channels_; }
  std::optional<std::uint32_t> channel_index(RoleId from, RoleId to) const;
  automata::StateId state_of(std::span<const std::uint32_t> configuration, RoleId role) const {
    return configuration[*local_index(role)];
  }
  std::uint32_t queue_length(std::span<const std::uint32_t> configuration, std::uint32_t channel) const {
    return configuration[channels_[channel].length_field];
  }
  // Message id at `position` (0 = head) of a channel's queue.
  std::uint32_t queued_message(std::span<const std::uint32_t> configuration, std::uint32_t channel,
                               std::uint32_t position) const {
    const Channel& c = channels_[channel];
    return c.has_slots() ? configuration[c.first_slot + position] : 0;
  }

  // ---- transitions and moves ------------------------------------------------------
  std::uint32_t transition_count() const { return static_cast<std::uint32_t>(global_.size()); }
  // Transitions are numbered within the roles in scope.
  std::uint32_t global_index(TransitionRef ref) const { return first_global_[*local_index(ref.role)] + ref.index; }
  TransitionRef transition_ref(std::uint32_t global) const { return global_[global]; }
  // The global index of the first transition of the role at position `local`.
  std::uint32_t first_transition(std::uint32_t local) const { return first_global_[local]; }
  // The channel a transition sends on or receives from (kNoChannel for a
  // receive from a role that never sends to this one, or a role out of scope).
  std::uint32_t transition_channel(std::uint32_t global) const { return transition_channel_[global]; }
  // Does receive transition `global` accept message `message` of its channel?
  bool accepts(std::uint32_t global, std::uint32_t message) const {
    return accepted_[accept_offset_[global] + message] != 0;
  }
  // The message id a send transition enqueues.
  std::uint32_t sent_message(std::uint32_t global) const { return transition_message_[global]; }
  RoleId mover(explore::Move move) const { return global_[move.first].role; }
  // The fields in which a move's successor may differ from its source: its
  // role's state and the length and slots of the channel it uses, a few of
  // dozens. The compact explorer packs a successor from its source's words
  // by these alone (PackedLayout::repack).
  std::span<const std::uint32_t> written_fields(explore::Move move) const {
    const std::uint32_t first = written_offset_[move.first];
    return {written_.data() + first, written_offset_[move.first + 1] - first};
  }
  AsyncStep step(explore::Move move) const;

 private:
  const automata::System& system_;
  unsigned bound_;
  std::vector<RoleId> roles_;  // sorted
  explore::PackedLayout layout_;
  std::vector<Channel> channels_;
  // Every table is sized by the roles in scope, never by the system: a
  // system of n independent pairs costs n small semantics, linear in n.
  std::vector<std::uint32_t> channel_of_pair_;  // local from * roles + local to → channel or kNoChannel
  std::vector<std::uint32_t> first_global_;     // per role in scope
  std::vector<TransitionRef> global_;
  std::vector<std::uint32_t> transition_channel_;
  std::vector<std::uint32_t> transition_message_;  // sends: message id
  std::vector<std::uint32_t> accept_offset_;       // receives: into accepted_
  std::vector<char> accepted_;
  std::vector<std::uint32_t> written_;         // per transition, its written fields
  std::vector<std::uint32_t> written_offset_;  // per transition, into written_; one more at the end
};

}  // namespace lim::semantics
