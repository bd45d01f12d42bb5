#include "lim/runtime/gate/protocol.hpp"

#include <stdexcept>

#include <fmt/format.h>

#include "gate_state.hpp"
#include "lim/runtime/gate/content_hash.hpp"

namespace lim::runtime {

std::string fingerprint(const automata::System& system) {
  // A canonical text of everything the runtime and generated code rely on:
  // role order, state numbering, transition order, label and sort names.
  std::string text = "lim automata v1\n";
  for (automata::RoleId role = 0; role < system.role_count(); ++role) {
    const auto& machine = system.machines[role];
    text += fmt::format("role {} states {} initial {}\n", system.role_names[role], machine.state_count(),
                        machine.initial);
    for (const auto& transition : machine.transitions()) {
      const auto& action = transition.action;
      const char* direction = action.direction == automata::Direction::Send      ? "!"
                              : action.direction == automata::Direction::Receive ? "?"
                                                                                 : "#";
      text += fmt::format("  {} {} {} {} ", transition.source, transition.target, direction, action.peer);
      if (action.direction == automata::Direction::Timeout)
        text += system.describe_timeout(action.label);
      else
        text += fmt::format("{} <{}>", system.labels.name(action.label), system.sorts.display(action.payload));
      text += "\n";
    }
  }
  return sha256_hex(text);
}

Protocol::Protocol(ConstructionKey, std::shared_ptr<detail::GateState> gate, Origin origin, automata::System system)
    : gate_(std::move(gate)), origin_(std::move(origin)), system_(std::move(system)) {
  fingerprint_ = runtime::fingerprint(system_);
  for (automata::SortId sort = 0; sort < system_.sorts.size(); ++sort)
    payload_kinds_.push_back(runtime::payload_kind(system_.sorts.display(sort)));
  for (automata::LabelId label = 0; label < system_.labels.size(); ++label)
    labels_.emplace(system_.labels.name(label), label);
  established_.push_back(Requirement{});  // the gate checked the synchronous properties
}

std::optional<automata::RoleId> Protocol::find_role(std::string_view name) const {
  for (automata::RoleId role = 0; role < system_.role_count(); ++role)
    if (system_.role_names[role] == name) return role;
  return std::nullopt;
}

automata::RoleId Protocol::role(std::string_view name) const {
  if (const auto role = find_role(name)) return *role;
  std::string roles;
  for (const auto& role_name : system_.role_names) roles += (roles.empty() ? "" : ", ") + role_name;
  throw std::invalid_argument(fmt::format("{} has no role '{}' (its roles: {})", spec_path(), name, roles));
}

std::optional<automata::LabelId> Protocol::find_label(std::string_view name) const {
  const auto found = labels_.find(name);
  if (found == labels_.end()) return std::nullopt;
  return found->second;
}

std::string Protocol::location_text(SourceLocation location) const {
  if (!location.known()) return spec_path();
  return fmt::format("{}:{}:{}", spec_path(), location.line, location.column);
}

void Protocol::require(const Requirement& requirement) const {
  const std::lock_guard lock(mutex_);
  for (const auto& done : established_)
    if (done == requirement) return;
  detail::establish(*gate_, *this, requirement);
  established_.push_back(requirement);
}

bool Protocol::established(const Requirement& requirement) const {
  const std::lock_guard lock(mutex_);
  for (const auto& done : established_)
    if (done == requirement) return true;
  return false;
}

std::vector<std::string> Protocol::verified() const {
  const std::lock_guard lock(mutex_);
  std::vector<std::string> properties{"safety", "deadlock-freedom"};
  for (const auto& requirement : established_)
    if (requirement.k != 0)
      properties.push_back(fmt::format("k-mc{} (k={})", requirement.unbounded ? " for unbounded queues" : "",
                                       requirement.k));
  return properties;
}

}  // namespace lim::runtime
