// Properties of the automata alone (REFERENCE §3): CSA (deterministic, no
// mixed states) and directedness. kmc's CSA check only looks at mixed
// states; lim also requires determinism, as the definition does.
#include <fmt/format.h>

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
    const auto& machine = system.machines[found.role];
    problems.push_back(fmt::format("{} both sends and receives in state {}: {}{}", system.role_names[found.role],
                                   machine.graph[found.state].name, system.describe_state(found.role, found.state),
                                   at(machine.graph[found.state].location)));
  }
  for (const auto& found : automata::find_nondeterminism(system)) {
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
    const auto& machine = system.machines[found.role];
    problems.push_back(fmt::format("{} talks to several roles in state {}: {}{}", system.role_names[found.role],
                                   machine.graph[found.state].name, system.describe_state(found.role, found.state),
                                   at(machine.graph[found.state].location)));
  }
  return result(AsyncProperty::Directedness, std::move(problems));
}

bool is_basic(const automata::System& system) {
  return automata::find_undirected_states(system).empty() && automata::find_mixed_states(system).empty();
}

}  // namespace lim::properties
