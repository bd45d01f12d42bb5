#pragma once
// Machine-readable output; the schema is documented in docs/json-schema.md and
// is versioned by its "schema" field.
#include <nlohmann/json.hpp>
#include <vector>

#include "lim/report/verdict.hpp"
#include "lim/syntax/diagnostic.hpp"

namespace lim::report {

inline constexpr int kJsonSchemaVersion = 1;

struct FileError {
  std::string file;
  Diagnostic diagnostic;
};

nlohmann::json to_json(const Counterexample& counterexample);
nlohmann::json to_json(const PropertyResult& result);
nlohmann::json to_json(const FileReport& report);
nlohmann::json render_json(const std::vector<FileReport>& reports, const std::vector<FileError>& errors);

}  // namespace lim::report
