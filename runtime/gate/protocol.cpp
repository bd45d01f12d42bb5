#include "lim/runtime/gate/protocol.hpp"

#include <stdexcept>

#include <fmt/format.h>

#include "gate_state.hpp"
#include "lim/refine/branch_selection.hpp"
#include "lim/refine/refinements.hpp"
#include "lim/runtime/gate/content_hash.hpp"

namespace lim::runtime {

std::string fingerprint(const automata::System& system) {
  // A canonical text of everything the runtime and generated code rely on:
  // role order, state numbering, transition order, label and sort names.
  std::string text = "lim automata v2\n";
  if (const auto& refinements = system.refinements) {
    for (const auto& record : refinements->records) {
      text += "record " + record.name;
      for (const auto& field : record.fields) text += fmt::format(" {}:{}", field.name, refine::name(field.type));
      text += "\n";
    }
  }
  for (automata::RoleId role = 0; role < system.role_count(); ++role) {
    const auto& machine = system.machines[role];
    text += fmt::format("role {}{} states {} initial {}\n", system.is_environment(role) ? "env " : "",
                        system.role_names[role], machine.state_count(), machine.initial);
    if (system.refinements)
      for (const auto& variable : system.refinements->state_of(role))
        text += fmt::format("  state {}:{}\n", variable.name, refine::name(variable.type));
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
      if (action.guard != automata::kNoGuard && system.refinements)
        text += " if " + system.refinements->guards.at(action.guard).text;
      text += "\n";
    }
  }
  return sha256_hex(text);
}

Protocol::Protocol(ConstructionKey, std::shared_ptr<detail::GateState> gate, Origin origin, automata::System system)
    : gate_(std::move(gate)), origin_(std::move(origin)), system_(std::move(system)) {
  fingerprint_ = runtime::fingerprint(system_);
  for (automata::SortId sort = 0; sort < system_.sorts.size(); ++sort) {
    const auto& display = system_.sorts.display(sort);
    SortInfo info{runtime::payload_kind(display), 0, std::nullopt};
    if (const auto scalar = refine::parse_scalar(display); scalar && *scalar != refine::Scalar::Bool)
      info.width = refine::width(*scalar);
    if (system_.refinements)
      if (const auto shape = system_.refinements->shape_of(display); shape.record) {
        info.kind = PayloadKind::Record;
        info.record = shape.record;
      }
    sorts_.push_back(info);
  }
  for (automata::LabelId label = 0; label < system_.labels.size(); ++label)
    labels_.emplace(system_.labels.name(label), label);
  established_.push_back(Requirement{});  // the gate checked the synchronous properties
}

bool Protocol::accepts(automata::SortId sort, const Payload& payload, std::string& why) const {
  const auto& info = sorts_.at(sort);
  switch (info.kind) {
    case PayloadKind::Scalar: {
      if (conforms(payload, PayloadKind::Scalar) && payload.get<std::uint64_t>() <= refine::mask(info.width))
        return true;
      why = fmt::format("{} is not a u{}", payload.dump(), info.width);
      return false;
    }
    case PayloadKind::Record: {
      const refine::PayloadShape shape{info.record, std::nullopt};
      return refine::payload_values(*system_.refinements, shape, payload, why).has_value();
    }
    default:
      if (conforms(payload, info.kind)) return true;
      why = fmt::format("{} is not {}", payload.is_null() ? "no payload" : payload.dump(), to_string(info.kind));
      return false;
  }
}

std::vector<std::uint64_t> Protocol::guard_values(automata::SortId sort, const Payload& payload) const {
  const auto& info = sorts_.at(sort);
  if (info.kind == PayloadKind::Scalar) return {payload.get<std::uint64_t>()};
  if (info.kind == PayloadKind::Bool) return {payload.get<bool>() ? 1u : 0u};
  if (info.kind == PayloadKind::Record) {
    std::string why;
    return refine::payload_values(*system_.refinements, {info.record, std::nullopt}, payload, why).value_or(
        std::vector<std::uint64_t>{});
  }
  return {};
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
