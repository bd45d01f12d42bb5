#pragma once
// Partial-order reduction of the k-bounded asynchronous semantics: at each
// configuration, the moves of a few roles (an ample set) instead of every
// move, chosen so that the reduced state space keeps every deadlock and,
// with `visible` transitions and the explorer's cycle proviso, every
// reachable valuation of what the property looks at (docs/performance.md,
// "Partial-order reduction", has the argument in full).
//
// Why a set of roles rather than of transitions: in this semantics two
// moves that can both be taken only ever interfere through the local state
// of one role. A queue p → q has one sender (p) and one receiver (q); a send
// needs room, a receive a head it accepts, and when both can be taken the
// queue holds a message and has room, so the send neither changes the head
// nor is blocked by the receive, and the two orders end in the same queue.
// Two sends to one queue, or two receives from it, are moves of one role.
// What a role's move can do to another is *enable* it: a receive makes room
// for a send to a full queue, a send gives a receive on an empty queue its
// message. So the set of roles R is closed under
//   r ∈ R, r's state offers a send on a full queue p → q   ⇒  q ∈ R
//   r ∈ R, r's state offers a receive on an empty queue   ⇒  its sender ∈ R
// and the moves of R's roles in their current states are then a persistent
// set: no run of the other roles' moves can take a role of R out of its
// state, enable one of its transitions or disable one (the closure's
// conditions are exactly the ways one of those could become enabled; a
// receive whose message is at the head but not accepted waits for its own
// role, already in R).
//
// C2 (visibility): an ample set with a visible move is no reduction at all;
// such roles are passed over, and when every candidate has one the
// configuration is expanded fully. C3 (the ignoring problem) is the
// explorer's: it expands a configuration fully when one of its ample
// successors was already known at its depth or less (compact_explorer.hpp),
// which leaves no cycle without a fully expanded configuration. Deadlocks
// alone need neither (Godefroid 1996, Theorem 4.3): with no visible
// transition needs_proviso() is false.
//
// Used by explore_compact() in place of the semantics: for_each_successor
// is the semantics' own (which the counterexample rebuild needs), the rest
// is the reduction.
#include <cstdint>
#include <span>
#include <vector>

#include "lim/semantics/asynchronous.hpp"

namespace lim::semantics {

class AmpleSets {
 public:
  // `visible`: per global transition of `semantics`, whether it can change
  // the value of what the property being checked looks at; empty means none.
  AmpleSets(const AsynchronousSemantics& semantics, std::vector<char> visible = {});

  const AsynchronousSemantics& semantics() const { return semantics_; }
  const explore::PackedLayout& layout() const { return semantics_.layout(); }
  void initial(std::span<std::uint32_t> configuration) const { semantics_.initial(configuration); }
  std::vector<std::uint32_t> storage_order() const { return semantics_.storage_order(); }
  std::span<const std::uint32_t> written_fields(explore::Move move) const { return semantics_.written_fields(move); }
  std::uint32_t transition_count() const { return semantics_.transition_count(); }
  template <class Emit>
  void for_each_successor(std::span<const std::uint32_t> from, std::span<std::uint32_t> to, Emit&& emit) const {
    semantics_.for_each_successor(from, to, emit);
  }

  // Whether the explorer must apply the cycle proviso: some transition is visible.
  bool needs_proviso() const { return proviso_; }

  // The moves of an ample set of `from`; true when they are all of its moves
  // (nothing smaller would do), false when some were left out.
  template <class Emit>
  bool for_each_ample_successor(std::span<const std::uint32_t> from, std::span<std::uint32_t> to,
                                Emit&& emit) const {
    std::copy(from.begin(), from.end(), to.begin());
    const bool reduced = choose(from);
    for (std::uint32_t local = 0; local < chosen_.size(); ++local)
      if (!reduced || chosen_[local]) semantics_.for_each_move_of(local, from, to, emit);
    return !reduced;
  }
  // The moves for_each_ample_successor(from) left out.
  template <class Emit>
  void for_each_other_successor(std::span<const std::uint32_t> from, std::span<std::uint32_t> to,
                                Emit&& emit) const {
    std::copy(from.begin(), from.end(), to.begin());
    if (!choose(from)) return;
    for (std::uint32_t local = 0; local < chosen_.size(); ++local)
      if (!chosen_[local]) semantics_.for_each_move_of(local, from, to, emit);
  }

  // The roles (positions in semantics().roles()) whose moves form the ample
  // set at `from`, or every role when the configuration is not reduced.
  std::vector<std::uint32_t> ample_roles(std::span<const std::uint32_t> from) const;

 private:
  enum class Kind : std::uint8_t { Never, Send, Receive, Internal };
  // Picks the smallest closed set of roles with an enabled move and no
  // visible one into chosen_; false when there is none smaller than all.
  bool choose(std::span<const std::uint32_t> from) const;
  // The enabled moves of role `local` at `from`, and whether one is visible.
  std::uint32_t enabled_moves(std::uint32_t local, std::span<const std::uint32_t> from, bool& visible) const;

  const AsynchronousSemantics& semantics_;
  std::vector<char> visible_;       // per global transition
  bool proviso_ = false;
  std::vector<Kind> kind_;          // per global transition
  std::vector<std::uint32_t> channel_from_, channel_to_;  // per channel: positions of its sender, receiver

  // Scratch of one configuration at a time: an AmpleSets serves one
  // exploring thread.
  mutable std::vector<char> chosen_, member_;
  mutable std::vector<std::uint32_t> enabled_, worklist_;
  mutable std::vector<char> role_visible_;
};

}  // namespace lim::semantics
