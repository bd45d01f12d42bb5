// The visible transitions of each property (C2 of the ample-set conditions,
// semantics/ample_sets.hpp): those that can change the truth of an atomic
// proposition the property's violation is made of. With C0–C3 the reduced
// state space passes, along some run, through every sequence of valuations
// of those propositions that a run of the full one does (stuttering aside),
// so a violating valuation is reachable in one iff in the other
// (docs/performance.md, "Partial-order reduction").
#include "lim/properties/partial_order.hpp"

#include <algorithm>
#include <stdexcept>

#include <fmt/format.h>

namespace lim::properties {

std::vector<AsyncProperty> reduction_for(const AsyncExploreOptions& options,
                                         const std::vector<AsyncProperty>& properties,
                                         const automata::System& system) {
  if (!why_not_reduced(options, properties, system).empty() || !options.partial_order) return {};
  return properties;
}

std::string why_not_reduced(const AsyncExploreOptions& options, const std::vector<AsyncProperty>& properties,
                            const automata::System& system) {
  if (!options.partial_order) return "";
  for (const auto property : properties)
    if (!is_reachability_property(property, system))
      return fmt::format("{} looks at every interleaving", name(property));
  if (options.storage != StateStorage::Compact) return "the graph store keeps every interleaving";
  return "";
}

namespace {

// k-OBI's propositions: "role r is at a state whose sends use two or more
// queues" and "queue c is full" for those queues. Visible: a move into or
// out of such a state, and any send or receive on such a queue.
void mark_k_obi(const semantics::AsynchronousSemantics& semantics, std::vector<char>& visible) {
  const auto& system = semantics.system();
  std::vector<char> watched(semantics.channels().size(), 0);
  std::vector<std::vector<char>> several(semantics.roles().size());
  for (std::uint32_t local = 0; local < semantics.roles().size(); ++local) {
    const auto role = semantics.roles()[local];
    const auto& machine = system.machines[role];
    several[local].assign(machine.state_count(), 0);
    if (system.is_environment(role)) continue;  // k-OBI asks nothing of it
    for (automata::StateId state = 0; state < machine.state_count(); ++state) {
      std::vector<std::uint32_t> channels;
      for (const auto& transition : machine.outgoing(state)) {
        if (transition.action.direction != automata::Direction::Send) continue;
        const auto channel = semantics.channel_index(role, transition.action.peer);
        if (channel && std::find(channels.begin(), channels.end(), *channel) == channels.end())
          channels.push_back(*channel);
      }
      if (channels.size() < 2) continue;
      several[local][state] = 1;
      for (const auto channel : channels) watched[channel] = 1;
    }
  }
  for (std::uint32_t global = 0; global < semantics.transition_count(); ++global) {
    const auto ref = semantics.transition_ref(global);
    const auto& transition = system.transition(ref);
    const auto& states = several[*semantics.local_index(ref.role)];
    const auto channel = semantics.transition_channel(global);
    if (states[transition.source] || states[transition.target] ||
        (channel != semantics::AsynchronousSemantics::kNoChannel && watched[channel]))
      visible[global] = 1;
  }
}

// Orphan messages' propositions: "every non-environment role is final" and
// "... and a queue between two of them holds a message". A final state has
// no moves, so once the first holds the queues between non-environment
// roles never change again (environments do not touch them): both change
// only with the move that brings the last role into a final state. Without
// an environment that configuration has no move at all, a deadlock, which
// the reduction keeps with nothing visible.
void mark_orphan_messages(const semantics::AsynchronousSemantics& semantics, std::vector<char>& visible) {
  const auto& system = semantics.system();
  const auto& roles = semantics.roles();
  if (std::none_of(roles.begin(), roles.end(), [&](automata::RoleId role) { return system.is_environment(role); }))
    return;
  for (std::uint32_t global = 0; global < semantics.transition_count(); ++global) {
    const auto ref = semantics.transition_ref(global);
    if (system.is_environment(ref.role)) continue;
    if (system.machines[ref.role].kind(system.transition(ref).target) == automata::StateKind::Final)
      visible[global] = 1;
  }
}

}  // namespace

std::vector<char> visible_transitions(const semantics::AsynchronousSemantics& semantics,
                                      const std::vector<AsyncProperty>& properties) {
  std::vector<char> visible(semantics.transition_count(), 0);
  for (const auto property : properties) {
    switch (property) {
      case AsyncProperty::Csa:
      case AsyncProperty::Directedness: break;  // read off the automata
      case AsyncProperty::DeadlockFreedom:
        // Without environments (reduction_for): configurations without moves,
        // every one of which a persistent-set reduction reaches.
        for (const auto role : semantics.roles())
          if (semantics.system().is_environment(role))
            throw std::logic_error("deadlock freedom with an environment cannot be reduced");
        break;
      case AsyncProperty::KObi: mark_k_obi(semantics, visible); break;
      case AsyncProperty::OrphanMessages: mark_orphan_messages(semantics, visible); break;
      default: throw std::logic_error(fmt::format("{} cannot be decided on a reduced state space", name(property)));
    }
  }
  return visible;
}

}  // namespace lim::properties
