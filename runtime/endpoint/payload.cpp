#include "lim/runtime/endpoint/payload.hpp"

#include <algorithm>
#include <cctype>

namespace lim::runtime {

PayloadKind payload_kind(std::string_view sort) {
  // The lim front end spells builtins canonically; kmc and fsm files carry
  // whatever their authors wrote, hence the lower-case forms.
  if (sort.empty() || sort == "end" || sort == "Unit" || sort == "unit") return PayloadKind::Unit;
  if (sort == "Bool" || sort == "bool") return PayloadKind::Bool;
  if (sort == "Int" || sort == "int") return PayloadKind::Int;
  if (sort == "String" || sort == "string" || sort == "Str" || sort == "str") return PayloadKind::String;
  if (sort == "u8" || sort == "u16" || sort == "u32" || sort == "u64") return PayloadKind::Scalar;
  // A ground sort is a name; anything else is a printed session type.
  const bool name = (std::isalpha(static_cast<unsigned char>(sort.front())) != 0 || sort.front() == '_') &&
                    std::all_of(sort.begin(), sort.end(), [](char c) {
                      return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_';
                    });
  return name ? PayloadKind::Opaque : PayloadKind::Session;
}

bool conforms(const Payload& payload, PayloadKind kind) {
  switch (kind) {
    case PayloadKind::Unit: return payload.is_null();
    case PayloadKind::Bool: return payload.is_boolean();
    case PayloadKind::Int: return payload.is_number_integer();
    case PayloadKind::String: return payload.is_string();
    case PayloadKind::Scalar: return payload.is_number_unsigned() || (payload.is_number_integer() && payload >= 0);
    case PayloadKind::Record: return payload.is_object();
    case PayloadKind::Opaque: return true;
    case PayloadKind::Session: return false;
  }
  return false;
}

std::string_view to_string(PayloadKind kind) {
  switch (kind) {
    case PayloadKind::Unit: return "no payload";
    case PayloadKind::Bool: return "a boolean";
    case PayloadKind::Int: return "an integer";
    case PayloadKind::String: return "a string";
    case PayloadKind::Scalar: return "an unsigned integer";
    case PayloadKind::Record: return "a record";
    case PayloadKind::Opaque: return "any value";
    case PayloadKind::Session: return "a session (delegation)";
  }
  return "?";
}

}  // namespace lim::runtime
