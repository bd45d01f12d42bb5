// Liveness, liveness+ and liveness++ (mpstk, REFERENCE §2).
//
// A pending action is an obligation: an enabled input of q from p must be
// followed by an interaction p → q (any label), an enabled output p → q of m
// by that very interaction. The three properties ask that, from every
// reachable configuration where an obligation is pending, its interaction is
//   liveness:   reachable on some path                      (EF)
//   liveness+:  reached whatever the choices of the senders
//               along the way                               (attractor, one group per sender)
//   liveness++: reached on every path, in finitely many steps (attractor, one group per state)
// Each obligation costs one linear fixpoint pass over the explored graph.
#include <map>
#include <tuple>

#include <fmt/format.h>

#include "lim/properties/graph_analysis.hpp"
#include "lim/properties/synchronous_properties.hpp"
#include "lim/properties/synchronous_trace.hpp"

namespace lim::properties {
namespace {

using automata::Direction;
using automata::RoleId;

struct Obligation {
  bool input = false;  // an input of `to` from `from`; otherwise an output
  RoleId from = 0;
  RoleId to = 0;
  automata::LabelId label = 0;   // outputs only
  automata::SortId payload = 0;  // outputs only
  auto key() const { return std::tuple(input, from, to, label, payload); }
  friend bool operator<(const Obligation& a, const Obligation& b) { return a.key() < b.key(); }
};

// Obligations pending at a configuration, keyed by the role that owes them.
std::vector<Obligation> pending(const automata::System& system, const std::vector<std::uint32_t>& configuration) {
  std::vector<Obligation> obligations;
  for (RoleId role = 0; role < system.role_count(); ++role)
    for (const auto& transition : system.machines[role].outgoing(configuration[role])) {
      const auto& action = transition.action;
      if (action.direction == Direction::Receive)
        obligations.push_back({true, action.peer, role, 0, 0});
      else
        obligations.push_back({false, role, action.peer, action.label, action.payload});
    }
  return obligations;
}

bool fulfils(const SynchronousSemantics& semantics, explore::Move move, const Obligation& obligation) {
  const auto interaction = semantics.interaction(move);
  if (interaction.from != obligation.from || interaction.to != obligation.to) return false;
  if (obligation.input) return true;
  const auto& action = semantics.system().transition(interaction.send).action;
  return action.label == obligation.label && action.payload == obligation.payload;
}

std::string describe(const automata::System& system, const Obligation& obligation) {
  if (obligation.input)
    return fmt::format("{} waits for a message from {}", system.role_names[obligation.to],
                       system.role_names[obligation.from]);
  return fmt::format("{} offers to send {} to {}", system.role_names[obligation.from],
                     system.describe_label({Direction::Send, obligation.to, obligation.label, obligation.payload}),
                     system.role_names[obligation.to]);
}

std::string consequence(SyncProperty variant) {
  switch (variant) {
    case SyncProperty::Liveness: return "but no continuation of this run ever lets that interaction happen";
    case SyncProperty::LivenessPlus:
      return "but the choices of the roles can postpone that interaction forever (as in the run below)";
    default: return "but some run never performs that interaction (as in the run below)";
  }
}

}  // namespace

report::PropertyResult check_liveness(const SynchronousSemantics& semantics, const explore::StateSpace& space,
                                      SyncProperty variant) {
  const auto& system = semantics.system();
  const std::string property(name(variant));
  std::map<Obligation, std::vector<char>> obligations;  // → states where pending
  for (explore::StateIndex state = 0; state < space.expanded(); ++state)
    for (const auto& obligation : pending(system, space.configuration(state))) {
      auto& states = obligations[obligation];
      if (states.empty()) states.assign(space.expanded(), 0);
      states[state] = 1;
    }

  const auto reverse_graph = reverse(space);
  explore::StateIndex worst = static_cast<explore::StateIndex>(space.expanded());
  const Obligation* violated = nullptr;
  std::vector<char> violated_fixpoint;
  for (const auto& [obligation, pending_at] : obligations) {
    std::vector<char> targets(space.size(), 0);
    // Unexplored states count as fulfilling, so that a violation found on a
    // partial state space is still a real one.
    for (auto state = static_cast<explore::StateIndex>(space.expanded()); state < space.size(); ++state)
      targets[state] = 1;
    for (explore::StateIndex state = 0; state < space.expanded(); ++state)
      for (auto edge = space.edges_begin(state); edge < space.edges_end(state); ++edge)
        if (fulfils(semantics, space.edge_move[edge], obligation)) targets[state] = 1;
    std::vector<char> fixpoint;
    if (variant == SyncProperty::Liveness) {
      fixpoint = can_reach(space, reverse_graph, std::move(targets));
    } else if (variant == SyncProperty::LivenessPlus) {
      fixpoint = attractor(space, reverse_graph, std::move(targets), [&](explore::EdgeIndex edge) {
        return static_cast<std::uint32_t>(semantics.interaction(space.edge_move[edge]).from);
      });
    } else {
      fixpoint = attractor(space, reverse_graph, std::move(targets), [](explore::EdgeIndex) { return 0u; });
    }
    for (explore::StateIndex state = 0; state < worst; ++state)
      if (pending_at[state] && !fixpoint[state]) {
        worst = state;
        violated = &obligation;
        violated_fixpoint = std::move(fixpoint);
        break;
      }
  }
  if (violated == nullptr) return no_violation_found(property, space);

  report::PropertyResult result;
  result.property = property;
  result.verdict = report::Verdict::Violated;
  result.counterexample = counterexample_at(semantics, space, worst,
                                            describe(system, *violated) + ", " + consequence(variant));
  // Outside the fixpoint every state has a step that stays outside (or none):
  // walking those steps gives the run that never fulfils the obligation.
  std::vector<char> outside(violated_fixpoint.size());
  for (std::size_t i = 0; i < outside.size(); ++i) outside[i] = !violated_fixpoint[i];
  const auto lasso = walk_within(space, worst, outside);
  result.counterexample->continuation = describe_path(semantics, space, lasso.stem);
  result.counterexample->cycle = describe_path(semantics, space, lasso.cycle);
  if (lasso.cycle.empty()) result.counterexample->explanation += "; the run below ends with no interaction possible";
  return result;
}

}  // namespace lim::properties
