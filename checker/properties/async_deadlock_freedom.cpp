// Asynchronous deadlock freedom (lim's own, beyond kmc): no reachable
// configuration without moves, unless every role is final and every queue
// empty. In the k-bounded semantics a role can also be stuck on a full
// queue; that is a deadlock of the bounded system too.
//
// With environment roles (docs/asynchronous.md, "Environments"): an
// environment may stop at any time and never waits for anyone, but it can
// usually always move (send until its queues are full, receive whatever is
// sent to it). So a configuration is *stuck* when no role other than an
// environment can move, there or after any moves of the environments alone;
// and a stuck configuration is fine when every non-environment role is final
// and every queue between two non-environment roles is empty. Messages in a
// queue to an environment are its to take or leave; messages an environment
// sent to a role that has ended are dropped with that role's endpoint.
// Without environments this is exactly the rule above.
#include <stdexcept>

#include <fmt/format.h>

#include "async_support.hpp"
#include "lim/properties/asynchronous_properties.hpp"
#include "lim/properties/guarded_reachability.hpp"
#include "lim/support/budget.hpp"

namespace lim::properties {

TerminalConfigurations find_stuck_configurations(const ComponentSpace& component, const ReverseGraph* reverse) {
  const auto& semantics = *component.semantics;
  const auto& system = semantics.system();
  const FieldReader read(component);
  bool environment = false;
  for (const auto role : semantics.roles()) environment = environment || system.is_environment(role);
  // live[state]: a non-environment role moves there or after environment moves.
  std::vector<char> live;
  if (environment) {
    // Environments make "stuck" a backward reachability: only the graph has it.
    if (!component.space) throw std::logic_error("deadlock freedom with environments needs the graph store");
    const auto& space = *component.space;
    std::optional<ReverseGraph> own;
    if (!reverse) reverse = &own.emplace(properties::reverse(space));
    const auto by_environment = [&](EdgeIndex edge) {
      return system.is_environment(semantics.mover(space.move(edge)));
    };
    live = can_reach_along(space, *reverse,
                           states_with_edge(space, [&](EdgeIndex edge) { return !by_environment(edge); }),
                           [&](EdgeIndex edge, StateIndex) { return by_environment(edge); });
  }
  TerminalConfigurations found;
  for (StateIndex state = 0; state < component.expanded(); ++state) {
    poll_budget();
    if (environment ? live[state] != 0 : component.has_successors(state)) continue;
    if (!found.any) found.any = state;
    std::string waiting;
    for (std::uint32_t local = 0; local < semantics.roles().size(); ++local) {
      const automata::RoleId role = semantics.roles()[local];
      if (system.is_environment(role)) continue;  // it may stop at any time
      const auto machine_state = read.state(state, local);
      if (system.machines[role].kind(machine_state) == automata::StateKind::Final) continue;
      waiting += fmt::format("{}{} waits at {}", waiting.empty() ? "" : "; ", system.role_names[role],
                             state_text(semantics, role, machine_state));
    }
    std::size_t queued = 0;
    for (std::uint32_t channel = 0; channel < semantics.channels().size(); ++channel) {
      const auto& c = semantics.channels()[channel];
      if (system.is_environment(c.from) || system.is_environment(c.to)) continue;
      queued += read.length(state, channel);
    }
    if (waiting.empty() && queued == 0) continue;
    found.bad = state;
    found.explanation = waiting.empty()
                            ? fmt::format("every role has ended but {} message{} are never received", queued,
                                          queued == 1 ? "" : "s")
                            : fmt::format("no role can move{}: {}", environment ? " (whatever the environment does)" : "",
                                          waiting);
    break;
  }
  return found;
}

}  // namespace lim::properties
