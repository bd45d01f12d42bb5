#pragma once
// One role's automaton, run step by step: the engine under both the monitored
// and the generated API. It knows the current state, finds the transition an
// action takes (or explains why there is none), and advances.
#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "lim/runtime/clock/clock.hpp"
#include "lim/runtime/endpoint/protocol_violation.hpp"
#include "lim/runtime/gate/protocol.hpp"

namespace lim::runtime {

class RoleMonitor {
 public:
  static constexpr std::uint32_t kNoTransition = ~std::uint32_t{0};

  // What a receiving state waits for, worked out once per state.
  struct Waiting {
    std::vector<automata::RoleId> peers;    // distinct senders it receives from
    std::vector<std::uint32_t> timeouts;    // its timeout branches (transition indices)
    bool guarded = false;                   // a receive has a guard: choosing needs the role's variables
  };

  RoleMonitor(const Protocol& protocol, automata::RoleId role);

  automata::StateId state() const { return state_.load(std::memory_order_relaxed); }
  std::uint64_t operations() const { return operations_.load(std::memory_order_relaxed); }
  bool final() const { return machine_.outgoing(state()).empty(); }
  automata::StateKind kind() const { return machine_.kind(state()); }
  std::span<const automata::Transition> outgoing() const { return machine_.outgoing(state()); }
  const automata::Transition& transition(std::uint32_t index) const { return machine_.transitions()[index]; }
  const Waiting& waiting() const { return waiting_[state()]; }

  // The index of the current state's transition for this action, or
  // kNoTransition (the first match: guarded receives are chosen by the
  // endpoint, with refine::select_branch).
  std::uint32_t find(automata::Direction direction, automata::RoleId peer, automata::LabelId label) const;
  void advance(std::uint32_t transition) {
    state_.store(machine_.transitions()[transition].target, std::memory_order_relaxed);
    operations_.fetch_add(1, std::memory_order_relaxed);
  }

  // The actions the current state allows, e.g. "send title(String) to seller".
  std::vector<std::string> expected() const;
  ProtocolViolation violation(ProtocolViolation::Culprit culprit, std::string attempted, std::string peer) const;
  std::string state_name() const;
  std::string state_type() const;
  SourceLocation state_location() const;

 private:
  std::string describe(const automata::Transition& transition) const;

  const Protocol& protocol_;
  automata::RoleId role_;
  const automata::Cfsm& machine_;
  std::vector<Waiting> waiting_;  // index = StateId
  std::atomic<automata::StateId> state_;
  std::atomic<std::uint64_t> operations_{0};
};

}  // namespace lim::runtime
