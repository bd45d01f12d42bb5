#pragma once
// SARIF 2.1.0 (OASIS), the format CI systems read static-analysis results
// in (GitHub code scanning, GitLab, Azure DevOps): one result per property
// that does not hold, at the spec location of the role it is about, with
// the counterexample as a code flow; findings as informational results;
// files that did not load as errors at their first diagnostic.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "lim/report/summary.hpp"
#include "lim/report/verdict.hpp"

namespace lim::report {

struct SarifOptions {
  std::string tool_version;
  // Command-line errors and failed writes end the run without results.
  bool execution_successful = true;
};

nlohmann::json render_sarif(const std::vector<FileReport>& reports, const std::vector<FileError>& errors,
                            const SarifOptions& options);

}  // namespace lim::report
