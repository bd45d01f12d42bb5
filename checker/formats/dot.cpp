#include "lim/formats/dot.hpp"

#include <fmt/format.h>

namespace lim::formats {
namespace {

std::string quoted(const std::string& text) {
  std::string out = "\"";
  for (const char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

}  // namespace

std::string to_dot(const automata::System& system, std::optional<automata::RoleId> only) {
  std::string text = "digraph lim {\n  rankdir=LR;\n  node [shape=circle, fontsize=10];\n";
  for (automata::RoleId role = 0; role < system.role_count(); ++role) {
    if (only && *only != role) continue;
    const auto& machine = system.machines[role];
    const auto node = [&](automata::StateId state) { return quoted(fmt::format("{}.{}", role, state)); };
    text += fmt::format("  subgraph {} {{\n    label={};\n", quoted("cluster_" + std::to_string(role)),
                        quoted(system.role_names[role]));
    text += fmt::format("    {} [shape=point, label=\"\"];\n", quoted(fmt::format("{}.start", role)));
    for (automata::StateId state = 0; state < machine.state_count(); ++state) {
      const bool final = machine.kind(state) == automata::StateKind::Final;
      text += fmt::format("    {} [label={}{}];\n", node(state), quoted(machine.graph[state].name),
                          final ? ", shape=doublecircle" : "");
    }
    text += fmt::format("    {} -> {};\n", quoted(fmt::format("{}.start", role)), node(machine.initial));
    // The cluster names the role, so an edge says only the partner and the
    // message (`seller!quote(Int)`), its guard, or the timeout.
    for (const auto& transition : machine.transitions()) {
      const auto& action = transition.action;
      const auto label =
          action.direction == automata::Direction::Timeout
              ? system.describe_label(action)
              : fmt::format("{}{}{}", system.role_names[action.peer],
                            action.direction == automata::Direction::Send ? "!" : "?", system.describe_label(action));
      text += fmt::format("    {} -> {} [label={}];\n", node(transition.source), node(transition.target), quoted(label));
    }
    text += "  }\n";
  }
  return text + "}\n";
}

}  // namespace lim::formats
