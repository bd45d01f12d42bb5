#include "lim/properties/stuck_configuration.hpp"

#include <fmt/format.h>

#include "lim/properties/synchronous_trace.hpp"
#include "lim/support/budget.hpp"

namespace lim::properties {

std::vector<automata::RoleId> waiting_roles(const semantics::SynchronousSemantics& semantics,
                                           const std::vector<std::uint32_t>& configuration) {
  const auto& system = semantics.system();
  std::vector<automata::RoleId> waiting;
  for (const automata::RoleId role : semantics.roles()) {
    if (system.machines[role].kind(semantics.state_of(configuration, role)) == automata::StateKind::Final) continue;
    // An environment may stop at any time: it never waits for anyone.
    if (system.is_environment(role)) continue;
    waiting.push_back(role);
  }
  return waiting;
}

std::string pending_roles(const semantics::SynchronousSemantics& semantics,
                          const std::vector<std::uint32_t>& configuration) {
  const auto& system = semantics.system();
  std::string text;
  for (const auto role : waiting_roles(semantics, configuration))
    text += fmt::format("{}{} waits at {}", text.empty() ? "" : "; ", system.role_names[role],
                        system.describe_state(role, semantics.state_of(configuration, role)));
  return text;
}

namespace {

template <class Space>
StuckConfigurations stuck_configurations_in(const semantics::SynchronousSemantics& semantics, const Space& space) {
  StuckConfigurations found;
  for (explore::StateIndex state = 0; state < space.expanded() && !found.bad; ++state) {
    poll_budget();
    if (space.has_successors(state)) continue;
    if (!found.any) found.any = state;
    if (!waiting_roles(semantics, space.configuration(state)).empty()) found.bad = state;
  }
  return found;
}

}  // namespace

StuckConfigurations find_stuck_configurations(const semantics::SynchronousSemantics& semantics,
                                              const explore::StateSpace& space) {
  return stuck_configurations_in(semantics, space);
}

StuckConfigurations find_stuck_configurations(const semantics::SynchronousSemantics& semantics,
                                              const explore::CompactSpace& space) {
  return stuck_configurations_in(semantics, space);
}

std::optional<report::Counterexample> first_deadlock(const semantics::SynchronousSemantics& semantics,
                                                     const explore::StateSpace& space) {
  const auto stuck = find_stuck_configurations(semantics, space);
  if (!stuck.bad) return std::nullopt;
  const auto configuration = space.configuration(*stuck.bad);
  auto counterexample = counterexample_at(semantics, space, *stuck.bad,
                                          "deadlock: no interaction is possible, but " +
                                              pending_roles(semantics, configuration));
  counterexample.role = semantics.system().role_names[waiting_roles(semantics, configuration).front()];
  return counterexample;
}

}  // namespace lim::properties
