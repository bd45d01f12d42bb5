#include "lim/refine/branch_selection.hpp"

#include <fmt/format.h>

#include "lim/refine/evaluate.hpp"

namespace lim::refine {

namespace {

// One value of `type` from JSON, or an explanation.
std::optional<std::uint64_t> scalar_value(Scalar type, const nlohmann::json& value, const std::string& name,
                                          std::string& error) {
  if (type == Scalar::Bool) {
    if (value.is_boolean()) return value.get<bool>() ? 1 : 0;
    error = fmt::format("{} must be a boolean, not {}", name, value.dump());
    return std::nullopt;
  }
  if (!value.is_number_unsigned() && !(value.is_number_integer() && value.get<std::int64_t>() >= 0)) {
    error = fmt::format("{} must be a non-negative integer, not {}", name, value.dump());
    return std::nullopt;
  }
  const auto number = value.get<std::uint64_t>();
  if (number > mask(width(type))) {
    error = fmt::format("{} = {} does not fit in {}", name, number, refine::name(type));
    return std::nullopt;
  }
  return number;
}

}  // namespace

std::optional<std::uint32_t> select_branch(const automata::System& system, automata::RoleId role,
                                           automata::StateId state, automata::RoleId peer, automata::LabelId label,
                                           std::span<const std::uint64_t> payload,
                                           std::span<const std::uint64_t> state_values) {
  const auto& machine = system.machines.at(role);
  const auto base = machine.first_outgoing_index(state);
  const auto outgoing = machine.outgoing(state);
  for (std::uint32_t i = 0; i < outgoing.size(); ++i) {
    const auto& action = outgoing[i].action;
    if (action.direction != automata::Direction::Receive || action.peer != peer || action.label != label) continue;
    if (action.guard == automata::kNoGuard) return base + i;
    if (!system.refinements) continue;
    if (holds(system.refinements->guards.at(action.guard).program, payload, state_values)) return base + i;
  }
  return std::nullopt;
}

std::optional<std::vector<std::uint64_t>> payload_values(const Refinements& refinements, const PayloadShape& shape,
                                                         const nlohmann::json& payload, std::string& error) {
  std::vector<std::uint64_t> values;
  if (shape.scalar) {
    const auto value = scalar_value(*shape.scalar, payload, "the payload", error);
    if (!value) return std::nullopt;
    values.push_back(*value);
  } else if (shape.record) {
    const Record& record = refinements.records.at(*shape.record);
    if (!payload.is_object()) {
      error = fmt::format("a {} payload must be an object with fields {}", record.name, payload.dump());
      return std::nullopt;
    }
    for (const Field& field : record.fields) {
      const auto member = payload.find(field.name);
      if (member == payload.end()) {
        error = fmt::format("the {} payload lacks field '{}'", record.name, field.name);
        return std::nullopt;
      }
      const auto value = scalar_value(field.type, *member, record.name + "." + field.name, error);
      if (!value) return std::nullopt;
      values.push_back(*value);
    }
  }
  return values;
}

std::optional<std::vector<std::uint64_t>> state_values(const Refinements& refinements, std::uint32_t role,
                                                       const nlohmann::json& values, std::string& error) {
  std::vector<std::uint64_t> result;
  for (const Field& variable : refinements.state_of(role)) {
    const auto member = values.is_object() ? values.find(variable.name) : values.end();
    if (!values.is_object() || member == values.end()) {
      error = fmt::format("no value for state variable '{}'", variable.name);
      return std::nullopt;
    }
    const auto value = scalar_value(variable.type, *member, variable.name, error);
    if (!value) return std::nullopt;
    result.push_back(*value);
  }
  return result;
}

}  // namespace lim::refine
