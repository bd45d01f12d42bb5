// Asynchronous deadlock freedom (lim's own, beyond kmc): no reachable
// configuration without moves, unless every role is final and every queue
// empty. In the k-bounded semantics a role can also be stuck on a full
// queue; that is a deadlock of the bounded system too.
#include <fmt/format.h>

#include "async_support.hpp"
#include "lim/properties/asynchronous_properties.hpp"

namespace lim::properties {

TerminalConfigurations find_stuck_configurations(const ComponentSpace& component) {
  const auto& semantics = *component.semantics;
  const auto& space = *component.space;
  const auto& system = semantics.system();
  const FieldReader read(component);
  TerminalConfigurations found;
  for (StateIndex state = 0; state < space.expanded(); ++state) {
    if (space.has_successors(state)) continue;
    if (!found.any) found.any = state;
    std::string waiting;
    for (std::uint32_t local = 0; local < semantics.roles().size(); ++local) {
      const automata::RoleId role = semantics.roles()[local];
      const auto machine_state = read.state(state, local);
      if (system.machines[role].kind(machine_state) == automata::StateKind::Final) continue;
      waiting += fmt::format("{}{} waits at {}", waiting.empty() ? "" : "; ", system.role_names[role],
                             state_text(semantics, role, machine_state));
    }
    std::size_t queued = 0;
    for (std::uint32_t channel = 0; channel < semantics.channels().size(); ++channel)
      queued += read.length(state, channel);
    if (waiting.empty() && queued == 0) continue;
    found.bad = state;
    found.explanation = waiting.empty()
                            ? fmt::format("every role has ended but {} message{} are never received", queued,
                                          queued == 1 ? "" : "s")
                            : "no role can move: " + waiting;
    break;
  }
  return found;
}

}  // namespace lim::properties
