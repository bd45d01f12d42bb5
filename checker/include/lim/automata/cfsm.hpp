#pragma once
// Communicating finite-state machines (REFERENCE §3), one per role.
//
// The machine is held in a Boost.Graph adjacency list (the representation
// that analyses and DOT output work on). `freeze()` derives a flat,
// source-sorted transition array that the state-space engine reads in its
// inner loop without chasing per-edge allocations.
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include <boost/graph/adjacency_list.hpp>

#include "lim/syntax/source.hpp"

namespace lim::automata {

using RoleId = std::uint16_t;
using LabelId = std::uint32_t;
using SortId = std::uint32_t;
using StateId = std::uint32_t;

enum class Direction : std::uint8_t {
  Send,
  Receive,
  // An internal step of a role waiting in a receiving state, taken when its
  // deadline passes (a `timeout(d).T` branch). `peer` is the role waited for,
  // `label` indexes System::timeouts, `payload` is unused.
  Timeout,
};

// A receive guarded by a condition on the payload and the role's state
// (`ack(s: segment) if acceptable(s)`): an index into
// System::refinements->guards, or kNoGuard.
using GuardId = std::uint32_t;
inline constexpr GuardId kNoGuard = ~GuardId{0};

// `pq!a` (p sends a to q) or `qp?a` (p receives a from q), seen from the
// machine's own role p; `peer` is q.
//
// Receives of one label may come in several guarded copies that lead to
// different states: the guard is part of the action, so such copies are
// distinct actions (the choice between them is the receiver's, made by
// data; refine/guard_checks proves it deterministic).
struct Action {
  Direction direction = Direction::Send;
  RoleId peer = 0;
  LabelId label = 0;
  SortId payload = 0;
  GuardId guard = kNoGuard;
  friend bool operator==(const Action&, const Action&) = default;
};

struct StateProperties {
  std::string name;         // e.g. "q3" from an fsm file; generated otherwise
  SourceLocation location;  // where the state's type starts in the spec
};

struct TransitionProperties {
  Action action;
  SourceLocation location;  // of the label in the spec
};

using CfsmGraph = boost::adjacency_list<boost::vecS, boost::vecS, boost::bidirectionalS,
                                        StateProperties, TransitionProperties>;

// A transition as the engine sees it.
struct Transition {
  StateId source = 0;
  StateId target = 0;
  Action action;
  SourceLocation location;
};

enum class StateKind : std::uint8_t { Final, Sending, Receiving, Mixed };

class Cfsm {
 public:
  CfsmGraph graph;
  StateId initial = 0;

  StateId add_state(StateProperties properties);
  void add_transition(StateId source, StateId target, TransitionProperties properties);
  std::size_t state_count() const { return boost::num_vertices(graph); }

  // Builds the flat transition table; call after the last add_transition.
  void freeze();
  bool frozen() const { return !first_outgoing_.empty(); }
  std::span<const Transition> outgoing(StateId state) const {
    return {transitions_.data() + first_outgoing_[state],
            transitions_.data() + first_outgoing_[state + 1]};
  }
  // Transitions in source order; a transition's index here is its local id.
  const std::vector<Transition>& transitions() const { return transitions_; }
  std::uint32_t first_outgoing_index(StateId state) const { return first_outgoing_[state]; }
  StateKind kind(StateId state) const { return kinds_[state]; }

 private:
  std::vector<Transition> transitions_;
  std::vector<std::uint32_t> first_outgoing_;
  std::vector<StateKind> kinds_;
};

}  // namespace lim::automata
