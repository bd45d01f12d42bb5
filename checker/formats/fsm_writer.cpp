#include "lim/formats/fsm_writer.hpp"

#include <algorithm>
#include <set>

#include <fmt/format.h>

namespace lim::formats {
namespace {

bool is_plain_name(const std::string& text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  });
}

}  // namespace

std::optional<std::string> write_gmc_fsm(const automata::System& system, Diagnostics& diagnostics) {
  std::string text;
  bool failed = false;
  for (automata::RoleId role = 0; role < system.role_count(); ++role) {
    const auto& machine = system.machines[role];
    const SourceLocation where =
        role < system.role_locations.size() ? system.role_locations[role] : SourceLocation{};
    if (machine.transitions().empty()) {
      diagnostics.error(where, fmt::format("role '{}' has no transitions, which the fsm format cannot express",
                                           system.role_names[role]));
      failed = true;
      continue;
    }
    // Keep the states' own names when they can be written back and read
    // again unchanged (fsm files round-trip); number them otherwise.
    std::set<std::string> names;
    bool keep_names = true;
    for (automata::StateId state = 0; state < machine.state_count(); ++state)
      keep_names = keep_names && is_plain_name(machine.graph[state].name) && names.insert(machine.graph[state].name).second;
    const auto state_name = [&](automata::StateId state) {
      return keep_names ? machine.graph[state].name : fmt::format("q{}", state);
    };
    text += fmt::format("{}-- {} == {}\n.outputs\n.state graph\n", role == 0 ? "" : "\n", system.role_names[role], role);
    for (const auto& transition : machine.transitions()) {
      const auto& action = transition.action;
      // kmc's automata have neither internal moves nor data: writing a
      // timeout as a receive, or guarded copies as plain ones, would hand kmc
      // a different protocol without a word.
      if (action.direction == automata::Direction::Timeout || action.guard != automata::kNoGuard) {
        diagnostics.error(transition.location,
                          fmt::format("the {} `{}` of role '{}' cannot be written: the fsm format has no {}",
                                      action.direction == automata::Direction::Timeout ? "timeout" : "guarded branch",
                                      system.describe_label(action), system.role_names[role],
                                      action.direction == automata::Direction::Timeout ? "internal moves" : "guards"));
        failed = true;
        continue;
      }
      const auto& payload = system.sorts.display(action.payload);
      if (!payload.empty() && !is_plain_name(payload)) {
        diagnostics.error(transition.location,
                          fmt::format("the payload '{}' of {} is not a plain name, which the fsm format cannot express",
                                      payload, system.describe_action(role, action)));
        failed = true;
        continue;
      }
      text += fmt::format("{} {} {} {}{} {}\n", state_name(transition.source), action.peer,
                          action.direction == automata::Direction::Send ? "!" : "?", system.labels.name(action.label),
                          payload.empty() ? std::string() : "<" + payload + ">", state_name(transition.target));
    }
    text += fmt::format(".marking {}\n.end\n", state_name(machine.initial));
  }
  if (failed) return std::nullopt;
  return text;
}

}  // namespace lim::formats
