#pragma once
// Machine-readable output; the schema is documented in docs/json-schema.md and
// is versioned by its "schema" field.
#include <nlohmann/json.hpp>
#include <vector>

#include "lim/report/summary.hpp"
#include "lim/report/verdict.hpp"

namespace lim::report {

// docs/json-schema.md; docs/lim-check.schema.json is the JSON Schema every
// document validates against.
inline constexpr int kJsonSchemaVersion = 2;

nlohmann::json to_json(const Counterexample& counterexample);
nlohmann::json to_json(const PropertyResult& result);
nlohmann::json to_json(const FileReport& report);
nlohmann::json to_json(const FileError& error);
nlohmann::json to_json(const Summary& summary);
nlohmann::json render_json(const std::vector<FileReport>& reports, const std::vector<FileError>& errors);

}  // namespace lim::report
