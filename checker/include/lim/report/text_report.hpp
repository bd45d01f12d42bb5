#pragma once
// Human-readable output: an mpstk-style table (one row per file, one column
// per property) followed by the counterexamples.
#include <string>
#include <vector>

#include "lim/report/summary.hpp"
#include "lim/report/verdict.hpp"

namespace lim::report {

struct TextOptions {
  bool color = false;  // ANSI colours for ✓/✗ when writing to a terminal
  // Close the table with the files that did not load, a legend of the
  // symbols shown and the summary line (`3 files: 1 hold, 1 violated, 1 error`).
  bool summary = false;
};

std::string render_table(const std::vector<FileReport>& reports, const TextOptions& options = {},
                         const std::vector<FileError>& errors = {});
// `file` is used to print spec locations as file:line:col.
std::string render_counterexample(const Counterexample& counterexample, const std::string& file);
std::string render_details(const FileReport& report);  // counterexamples and findings
std::string render_text(const std::vector<FileReport>& reports, const TextOptions& options = {},
                        const std::vector<FileError>& errors = {});

}  // namespace lim::report
