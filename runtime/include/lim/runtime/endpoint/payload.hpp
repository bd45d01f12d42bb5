#pragma once
// Message payloads. At run time a payload is a JSON value (nlohmann::json),
// which every transport serialises to CBOR; the spec's sort of a message
// decides which values are allowed, and both the sender's and the receiver's
// monitor check that before a message goes out or is accepted.
#include <string_view>

#include <nlohmann/json.hpp>

namespace lim::runtime {

using Payload = nlohmann::json;

// How the runtime represents a spec sort.
enum class PayloadKind {
  Unit,    // no payload (`m`, `m(end)`, `m(Unit)`): JSON null
  Bool,    // JSON boolean
  Int,     // JSON integer
  String,  // JSON string
  Scalar,  // u8, u16, u32, u64: a JSON integer that fits the width
  Record,  // a record of the spec (`record segment {…}`): a JSON object with its fields
  Opaque,  // a sort declared in the spec (`sort Video;`): any JSON value
  Session, // a session type as payload (delegation): not executable
};

// From a sort as the checker's SortTable displays it (records, which only
// the spec's refinements know, come out as Opaque: Protocol refines this).
PayloadKind payload_kind(std::string_view sort_display);
// For the kinds that need no more than the JSON type (not Scalar, Record).
bool conforms(const Payload& payload, PayloadKind kind);
std::string_view to_string(PayloadKind kind);

}  // namespace lim::runtime
