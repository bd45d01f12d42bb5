#pragma once
// Human-readable output: an mpstk-style table (one row per file, one column
// per property) followed by the counterexamples.
#include <string>
#include <vector>

#include "lim/report/verdict.hpp"

namespace lim::report {

struct TextOptions {
  bool color = false;  // ANSI colours for ✓/✗ when writing to a terminal
};

std::string render_table(const std::vector<FileReport>& reports, const TextOptions& options = {});
// `file` is used to print spec locations as file:line:col.
std::string render_counterexample(const Counterexample& counterexample, const std::string& file);
std::string render_details(const FileReport& report);  // counterexamples and findings
std::string render_text(const std::vector<FileReport>& reports, const TextOptions& options = {});

}  // namespace lim::report
