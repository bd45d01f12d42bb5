#include "lim/properties/stuck_configuration.hpp"

#include <fmt/format.h>

#include "lim/properties/synchronous_trace.hpp"

namespace lim::properties {

std::string pending_roles(const semantics::SynchronousSemantics& semantics,
                          const std::vector<std::uint32_t>& configuration) {
  const auto& system = semantics.system();
  std::string text;
  for (automata::RoleId role = 0; role < system.role_count(); ++role) {
    if (system.machines[role].kind(configuration[role]) == automata::StateKind::Final) continue;
    // An environment may stop at any time: it never waits for anyone.
    if (system.is_environment(role)) continue;
    text += fmt::format("{}{} waits at {}", text.empty() ? "" : "; ", system.role_names[role],
                        system.describe_state(role, configuration[role]));
  }
  return text;
}

std::optional<report::Counterexample> first_deadlock(const semantics::SynchronousSemantics& semantics,
                                                     const explore::StateSpace& space) {
  for (explore::StateIndex state = 0; state < space.expanded(); ++state) {
    if (space.has_successors(state)) continue;
    const auto waiting = pending_roles(semantics, space.configuration(state));
    if (waiting.empty()) continue;
    return counterexample_at(semantics, space, state, "deadlock: no interaction is possible, but " + waiting);
  }
  return std::nullopt;
}

}  // namespace lim::properties
