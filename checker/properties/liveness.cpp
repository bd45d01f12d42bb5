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
// Up to 64 obligations share one fixpoint pass over the explored graph;
// everything that does not depend on the obligation (which edges fulfil
// what, edge groups, predecessor lists) is computed once.
#include <algorithm>
#include <array>
#include <map>
#include <optional>
#include <tuple>

#include <fmt/format.h>

#include "lim/properties/graph_analysis.hpp"
#include "lim/properties/synchronous_properties.hpp"
#include "lim/properties/synchronous_trace.hpp"
#include "lim/support/budget.hpp"

namespace lim::properties {
namespace {

using automata::Direction;
using automata::RoleId;
constexpr std::uint32_t kNone = ~std::uint32_t{0};

// `from` of an input obligation raised in a state that receives from several
// peers: the wait is fulfilled by a message from any of them (as kmc's
// progress asks of a receiving state), not by one peer in particular.
constexpr RoleId kAnyPeer = ~RoleId{0};

struct Obligation {
  bool input = false;  // an input of `to` from `from` (kAnyPeer: from any peer); otherwise an output
  RoleId from = 0;
  RoleId to = 0;
  automata::LabelId label = 0;   // outputs only
  automata::SortId payload = 0;  // outputs only
  RoleId owner() const { return input ? to : from; }
  auto key() const { return std::tuple(input, from, to, label, payload); }
  friend bool operator<(const Obligation& a, const Obligation& b) { return a.key() < b.key(); }
};

// Every obligation the automata can ever raise, and for each the machine
// states of its owner where it is pending. Depends on the automata only.
// An environment role owes nothing (it may stay silent or stop listening at
// any time), and a timeout branch is no obligation but a way out of a wait.
struct ObligationTable {
  std::vector<Obligation> obligations;
  std::vector<std::vector<char>> pending_in;  // per obligation, per owner machine state
  std::map<Obligation, std::uint32_t> ids;

  explicit ObligationTable(const SynchronousSemantics& semantics) {
    const auto& system = semantics.system();
    for (const RoleId role : semantics.roles()) {
      if (system.is_environment(role)) continue;
      const auto& machine = system.machines[role];
      for (automata::StateId state = 0; state < machine.state_count(); ++state) {
        const auto outgoing = machine.outgoing(state);
        std::optional<RoleId> first_peer;
        bool several_peers = false;
        for (const auto& transition : outgoing) {
          if (transition.action.direction != Direction::Receive) continue;
          if (!first_peer) first_peer = transition.action.peer;
          several_peers = several_peers || transition.action.peer != *first_peer;
        }
        for (const auto& transition : outgoing) {
          const auto& action = transition.action;
          if (action.direction == Direction::Send)
            mark({false, role, action.peer, action.label, action.payload}, machine.state_count(), state);
          else if (action.direction == Direction::Receive)
            mark({true, several_peers ? kAnyPeer : action.peer, role, 0, 0}, machine.state_count(), state);
        }
      }
    }
  }

  std::uint32_t find(const Obligation& obligation) const {
    auto it = ids.find(obligation);
    return it == ids.end() ? kNone : it->second;
  }

 private:
  void mark(const Obligation& obligation, std::size_t owner_states, automata::StateId state) {
    auto [it, inserted] = ids.try_emplace(obligation, static_cast<std::uint32_t>(obligations.size()));
    if (inserted) {
      obligations.push_back(obligation);
      pending_in.emplace_back(owner_states, 0);
    }
    pending_in[it->second][state] = 1;
  }
};

// The obligations a step fulfils (kNone in the slots it does not need): an
// input by a message from the awaited peer (or from any peer, for a state
// that waits for several) or by the waiter's timeout (the wait is over
// either way), an output only by that very message.
std::array<std::uint32_t, 3> fulfilled_by(const SynchronousSemantics& semantics, const ObligationTable& table,
                                          explore::Move move) {
  const auto interaction = semantics.interaction(move);
  const auto& action = semantics.system().transition(interaction.send).action;
  const auto input = table.find({true, interaction.from, interaction.to, 0, 0});
  const auto any_input = table.find({true, kAnyPeer, interaction.to, 0, 0});
  const auto output = interaction.internal
                          ? kNone
                          : table.find({false, interaction.from, interaction.to, action.label, action.payload});
  return {input, any_input, output};
}

// For each obligation, the states with an outgoing edge that fulfils it.
struct FulfillingSources {
  std::vector<std::size_t> first;  // per obligation, into `states`
  std::vector<explore::StateIndex> states;

  FulfillingSources(const SynchronousSemantics& semantics, const explore::StateSpace& space,
                    const ObligationTable& table) {
    std::vector<std::pair<std::uint32_t, explore::StateIndex>> pairs;
    for (explore::StateIndex state = 0; state < space.expanded(); ++state)
      for (auto edge = space.edges_begin(state); edge < space.edges_end(state); ++edge) {
        poll_budget();
        for (const auto id : fulfilled_by(semantics, table, space.move(edge)))
          if (id != kNone) pairs.emplace_back(id, state);
      }
    first.assign(table.obligations.size() + 1, 0);
    for (const auto& [id, state] : pairs) ++first[id + 1];
    for (std::size_t i = 1; i < first.size(); ++i) first[i] += first[i - 1];
    states.resize(pairs.size());
    auto fill = first;
    for (const auto& [id, state] : pairs) states[fill[id]++] = state;
  }
};

std::string describe(const automata::System& system, const Obligation& obligation) {
  if (obligation.input && obligation.from == kAnyPeer)
    return fmt::format("{} waits for a message", system.role_names[obligation.to]);
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
  const ObligationTable table(semantics);
  const FulfillingSources fulfilling(semantics, space, table);
  const auto reverse_graph = reverse(space);
  EdgeGroups groups;
  if (variant != SyncProperty::Liveness) {
    std::vector<std::uint32_t> key_of_edge(space.edge_count(), 0);
    if (variant == SyncProperty::LivenessPlus)
      for (explore::EdgeIndex edge = 0; edge < space.edge_count(); ++edge)
        key_of_edge[edge] = semantics.interaction(space.move(edge)).actor();
    groups = group_edges(space, key_of_edge);
  }

  // Obligations are decided 64 at a time, one bit each (graph_analysis.hpp).
  auto worst = static_cast<explore::StateIndex>(space.expanded());
  std::uint32_t violated = kNone;
  std::vector<char> violated_region;  // states from which the violated obligation can be dodged forever
  const auto count = static_cast<std::uint32_t>(table.obligations.size());
  for (std::uint32_t base = 0; base < count; base += 64) {
    const std::uint32_t batch = std::min<std::uint32_t>(64, count - base);
    // Unexplored states count as fulfilling, so that a violation found on a
    // partial state space is still a real one.
    BitSets targets(space.size(), 0);
    for (auto state = static_cast<explore::StateIndex>(space.expanded()); state < space.size(); ++state)
      targets[state] = ~std::uint64_t{0};
    for (std::uint32_t bit = 0; bit < batch; ++bit)
      for (auto i = fulfilling.first[base + bit]; i < fulfilling.first[base + bit + 1]; ++i)
        targets[fulfilling.states[i]] |= std::uint64_t{1} << bit;
    BitSets unfulfillable;
    if (variant == SyncProperty::Liveness) {
      unfulfillable = can_reach_each(space, reverse_graph, std::move(targets));
      for (auto& bits : unfulfillable) bits = ~bits;
    } else {
      unfulfillable = can_avoid_each(space, reverse_graph, targets, groups);
    }
    std::vector<std::uint64_t> words(space.states.words_per_state());
    for (explore::StateIndex state = 0; state < worst; ++state) {
      poll_budget();
      if (unfulfillable[state] == 0) continue;
      space.states.get(state, words);
      for (std::uint32_t bit = 0; bit < batch; ++bit) {
        if (!(unfulfillable[state] >> bit & 1)) continue;
        const auto id = base + bit;
        if (!table.pending_in[id][space.layout.get(words, *semantics.local_index(table.obligations[id].owner()))]) continue;
        worst = state;
        violated = id;
        violated_region.assign(space.size(), 0);
        for (std::size_t i = 0; i < space.size(); ++i) violated_region[i] = unfulfillable[i] >> bit & 1;
        break;
      }
    }
  }
  if (violated == kNone) return no_violation_found(property, space);

  report::PropertyResult result;
  result.property = property;
  result.verdict = report::Verdict::Violated;
  result.counterexample = counterexample_at(semantics, space, worst,
                                            describe(system, table.obligations[violated]) + ", " + consequence(variant));
  result.counterexample->role = system.role_names[table.obligations[violated].owner()];
  // Inside that region every state has a step that stays inside (or none):
  // walking those steps gives the run that never fulfils the obligation.
  const auto lasso = walk_within(space, worst, violated_region);
  result.counterexample->continuation = describe_path(semantics, space, lasso.stem);
  result.counterexample->cycle = describe_path(semantics, space, lasso.cycle);
  if (lasso.cycle.empty()) result.counterexample->explanation += "; the run below ends with no interaction possible";
  return result;
}

std::optional<PendingObligation> first_obligation_not_enabled(const SynchronousSemantics& semantics,
                                                              const explore::StateSpace& space) {
  const auto& system = semantics.system();
  const ObligationTable table(semantics);
  // The obligations pending in each machine state of each role in scope.
  std::vector<std::vector<std::vector<std::uint32_t>>> pending(semantics.roles().size());
  for (std::uint32_t local = 0; local < semantics.roles().size(); ++local)
    pending[local].resize(system.machines[semantics.roles()[local]].state_count());
  for (std::uint32_t id = 0; id < table.obligations.size(); ++id) {
    const auto local = *semantics.local_index(table.obligations[id].owner());
    for (std::size_t state = 0; state < table.pending_in[id].size(); ++state)
      if (table.pending_in[id][state]) pending[local][state].push_back(id);
  }
  std::vector<std::uint32_t> fulfilled;
  std::vector<std::uint64_t> words(space.states.words_per_state());
  for (explore::StateIndex state = 0; state < space.expanded(); ++state) {
    poll_budget();
    fulfilled.clear();
    for (auto edge = space.edges_begin(state); edge < space.edges_end(state); ++edge)
      for (const auto id : fulfilled_by(semantics, table, space.move(edge))) fulfilled.push_back(id);
    space.states.get(state, words);
    for (std::uint32_t local = 0; local < semantics.roles().size(); ++local)
      for (const auto id : pending[local][space.layout.get(words, local)])
        if (std::find(fulfilled.begin(), fulfilled.end(), id) == fulfilled.end())
          return PendingObligation{state, describe(system, table.obligations[id]),
                                   table.obligations[id].owner()};
  }
  return std::nullopt;
}

}  // namespace lim::properties
