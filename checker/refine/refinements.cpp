#include "lim/refine/refinements.hpp"

namespace lim::refine {

std::optional<std::uint32_t> Record::field(std::string_view name) const {
  for (std::uint32_t i = 0; i < fields.size(); ++i)
    if (fields[i].name == name) return i;
  return std::nullopt;
}

const Record* Refinements::record(std::string_view name) const {
  for (const Record& candidate : records)
    if (candidate.name == name) return &candidate;
  return nullptr;
}

PayloadShape Refinements::shape_of(std::string_view sort) const {
  PayloadShape shape;
  for (std::uint32_t i = 0; i < records.size(); ++i)
    if (records[i].name == sort) shape.record = i;
  if (!shape.record) shape.scalar = parse_scalar(sort);
  return shape;
}

std::size_t Refinements::size(const PayloadShape& shape) const {
  if (shape.record) return records.at(*shape.record).fields.size();
  return shape.scalar ? 1 : 0;
}

std::string Refinements::payload_name(const Guard& guard, std::uint32_t field) const {
  const std::string base = guard.binder.empty() ? "payload" : guard.binder;
  if (guard.payload.record) return base + "." + records.at(*guard.payload.record).fields.at(field).name;
  return base;
}

const std::vector<Field>& Refinements::state_of(std::uint32_t role) const {
  static const std::vector<Field> none;
  return role < state.size() ? state[role] : none;
}

Scalar Refinements::payload_type(const PayloadShape& shape, std::uint32_t field) const {
  if (shape.record) return records.at(*shape.record).fields.at(field).type;
  return shape.scalar.value_or(Scalar::U64);
}

}  // namespace lim::refine
