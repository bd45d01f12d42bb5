#pragma once
// Everything the data-aware parts of a spec compile to: records, constants,
// each role's state variables, every guard as a Program, and the durations
// of timeout branches. A System carries one (System::refinements) so that
// the checks (refine/guard_checks) and the runtime (refine/branch_selection)
// read the same compiled guards.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "lim/refine/program.hpp"
#include "lim/refine/scalar.hpp"
#include "lim/syntax/ast.hpp"
#include "lim/syntax/source.hpp"

namespace lim::refine {

using GuardId = std::uint32_t;
inline constexpr GuardId kNoGuard = ~GuardId{0};

struct Field {
  std::string name;
  Scalar type = Scalar::U32;
  SourceLocation location;
};

struct Record {
  std::string name;
  std::vector<Field> fields;
  SourceLocation location;
  std::optional<std::uint32_t> field(std::string_view name) const;
};

struct Constant {
  std::string name;
  Scalar type = Scalar::U32;
  std::uint64_t value = 0;
  SourceLocation location;
};

// What a guard reads as "the payload": the fields of a record, one scalar,
// or nothing (a payload such as Int, String or end has no value guards can
// read).
struct PayloadShape {
  std::optional<std::uint32_t> record;  // index into Refinements::records
  std::optional<Scalar> scalar;
  friend bool operator==(const PayloadShape&, const PayloadShape&) = default;
};

struct Guard {
  Program program;
  std::uint32_t role = 0;  // the role's entry index, which is its RoleId
  PayloadShape payload;
  std::string binder;  // the payload's name in the spec; may be empty
  std::string text;    // the guard as the spec writes it
  SourceLocation location;
};

// A timeout's duration: milliseconds when known (a literal or a constant),
// else the name of a state variable whose value the runtime supplies.
struct Duration {
  std::optional<std::uint64_t> milliseconds;
  std::string name;
  SourceLocation location;
};

using ChoiceKey = std::pair<syntax::TypeId, std::uint32_t>;  // (Select/Branch node, choice index)

struct Refinements {
  std::vector<Record> records;
  std::vector<Constant> constants;
  std::vector<std::vector<Field>> state;  // per role (entry index)
  std::vector<Guard> guards;              // indexed by GuardId
  std::map<ChoiceKey, GuardId> choice_guards;
  std::map<ChoiceKey, Duration> choice_timeouts;

  const Record* record(std::string_view name) const;
  // The shape of a payload of sort `sort` (a record name, u8…u64, Bool).
  PayloadShape shape_of(std::string_view sort) const;
  // How many values a payload of this shape has (fields, 1, or 0).
  std::size_t size(const PayloadShape& shape) const;
  // The spec's name of payload field `field` (`s.seq`, or `n` for a scalar
  // binder, or `payload` when unnamed) and of state variable `variable`.
  std::string payload_name(const Guard& guard, std::uint32_t field) const;
  const std::vector<Field>& state_of(std::uint32_t role) const;
  // The type of payload value `field` of `shape`.
  Scalar payload_type(const PayloadShape& shape, std::uint32_t field) const;
};

}  // namespace lim::refine
