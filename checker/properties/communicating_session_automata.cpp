// Properties of the automata alone (REFERENCE §3): CSA (deterministic, no
// mixed states) and directedness. kmc's CSA check only looks at mixed
// states; lim also requires determinism, as the definition does.
//
// An environment role (`env`, docs/language.md §16) owes nothing: its one
// state sends its alphabet and receives anything by design, so none of these
// speaks about its machine. Guarded copies of one receive differ in their
// guard, which is part of the action: they are not nondeterminism (Z3 proves
// them disjoint, `guards-disjoint`).
#include <algorithm>

#include <fmt/format.h>

#include "async_support.hpp"
#include "lim/automata/csa.hpp"
#include "lim/properties/asynchronous_properties.hpp"

namespace lim::properties {
namespace {

std::string at(const SourceLocation& location) {
  return location.known() ? fmt::format(" (line {}, column {})", location.line, location.column) : "";
}

report::PropertyResult result(AsyncProperty property, std::vector<std::string> problems) {
  report::PropertyResult result;
  result.property = std::string(name(property));
  if (problems.empty()) return result;
  result.verdict = report::Verdict::Violated;
  result.detail = problems.front();
  if (problems.size() > 1) result.detail += fmt::format("; and {} more", problems.size() - 1);
  return result;
}

}  // namespace

report::PropertyResult check_csa(const automata::System& system) {
  std::vector<std::string> problems;
  for (const auto& found : automata::find_mixed_states(system)) {
    if (system.is_environment(found.role)) continue;
    const auto& machine = system.machines[found.role];
    problems.push_back(fmt::format("{} both sends and receives in state {}: {}{}", system.role_names[found.role],
                                   machine.graph[found.state].name, system.describe_state(found.role, found.state),
                                   at(machine.graph[found.state].location)));
  }
  for (const auto& found : automata::find_nondeterminism(system)) {
    if (system.is_environment(found.role)) continue;
    const auto& machine = system.machines[found.role];
    const auto& transition = machine.transitions()[found.second];
    problems.push_back(fmt::format("{} has two transitions {} from state {}{}", system.role_names[found.role],
                                   system.describe_action(found.role, transition.action),
                                   machine.graph[found.state].name, at(transition.location)));
  }
  return result(AsyncProperty::Csa, std::move(problems));
}

report::PropertyResult check_directedness(const automata::System& system) {
  std::vector<std::string> problems;
  for (const auto& found : automata::find_undirected_states(system)) {
    if (system.is_environment(found.role)) continue;
    const auto& machine = system.machines[found.role];
    problems.push_back(fmt::format("{} talks to several roles in state {}: {}{}", system.role_names[found.role],
                                   machine.graph[found.state].name, system.describe_state(found.role, found.state),
                                   at(machine.graph[found.state].location)));
  }
  return result(AsyncProperty::Directedness, std::move(problems));
}

bool is_basic(const automata::System& system) {
  const auto environment = [&](const auto& found) { return system.is_environment(found.role); };
  const auto undirected = automata::find_undirected_states(system);
  const auto mixed = automata::find_mixed_states(system);
  return std::all_of(undirected.begin(), undirected.end(), environment) &&
         std::all_of(mixed.begin(), mixed.end(), environment);
}

bool unbounded_theorem_applies(const automata::System& system) {
  for (automata::RoleId role = 0; role < system.role_count(); ++role) {
    if (system.is_environment(role)) return false;
    const auto& machine = system.machines[role];
    for (automata::StateId state = 0; state < machine.state_count(); ++state) {
      const auto outgoing = machine.outgoing(state);
      // A timeout is an internal move: the theorem is about automata with
      // sends and receives only.
      for (const auto& transition : outgoing)
        if (transition.action.direction == automata::Direction::Timeout) return false;
      for (std::size_t i = 0; i < outgoing.size(); ++i)
        for (std::size_t j = i + 1; j < outgoing.size(); ++j)
          if (outgoing[i].action.direction == automata::Direction::Receive &&
              outgoing[i].action.guard != outgoing[j].action.guard &&
              same_message(outgoing[i].action, outgoing[j].action))
            return false;
    }
  }
  return true;
}

}  // namespace lim::properties
