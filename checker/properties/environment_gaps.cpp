#include "lim/properties/environment_gaps.hpp"

#include <algorithm>
#include <map>
#include <tuple>

#include "lim/support/budget.hpp"

namespace lim::properties {

using automata::Direction;
using automata::RoleId;

namespace {

// Reads only the configurations: the same for either store.
template <class Space>
std::vector<EnvironmentGap> environment_gaps_in(const semantics::SynchronousSemantics& semantics, const Space& space) {
  const auto& system = semantics.system();
  std::vector<RoleId> environments;
  for (const RoleId role : semantics.roles())
    if (system.is_environment(role)) environments.push_back(role);
  std::vector<EnvironmentGap> gaps;
  if (environments.empty()) return gaps;
  // A gap depends only on the role's and the environment's machine states,
  // so each (role, state, environment, environment state) is examined once.
  std::map<std::tuple<RoleId, std::uint32_t, RoleId, std::uint32_t>, bool> examined;
  for (explore::StateIndex index = 0; index < space.size(); ++index) {
    const auto configuration = space.configuration(index);
    for (const RoleId environment : environments) {
      const auto environment_state = semantics.state_of(configuration, environment);
      for (const RoleId role : semantics.roles()) {
        if (system.is_environment(role)) continue;
        poll_budget();
        const auto state = semantics.state_of(configuration, role);
        const auto key = std::tuple(role, state, environment, environment_state);
        if (!examined.emplace(key, true).second) continue;
        const auto receives = system.machines[role].outgoing(state);
        const bool waits = std::any_of(receives.begin(), receives.end(), [&](const automata::Transition& t) {
          return t.action.direction == Direction::Receive && t.action.peer == environment;
        });
        if (!waits) continue;
        EnvironmentGap gap{role, state, environment, {}, index};
        for (const auto& send : system.machines[environment].outgoing(environment_state)) {
          if (send.action.direction != Direction::Send || send.action.peer != role) continue;
          const bool accepted = std::any_of(receives.begin(), receives.end(), [&](const automata::Transition& t) {
            return semantics.matches(environment, send.action, t.action);
          });
          if (!accepted) gap.unhandled.push_back(send.action);
        }
        if (!gap.unhandled.empty()) gaps.push_back(std::move(gap));
      }
    }
  }
  return gaps;
}

}  // namespace

std::vector<EnvironmentGap> environment_gaps(const semantics::SynchronousSemantics& semantics,
                                             const explore::StateSpace& space) {
  return environment_gaps_in(semantics, space);
}

std::vector<EnvironmentGap> environment_gaps(const semantics::SynchronousSemantics& semantics,
                                             const explore::CompactSpace& space) {
  return environment_gaps_in(semantics, space);
}

}  // namespace lim::properties
