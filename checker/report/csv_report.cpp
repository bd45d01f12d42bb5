#include "lim/report/csv_report.hpp"

#include <fmt/format.h>

namespace lim::report {
namespace {

// RFC 4180: a field with a comma, a quote or a line break is quoted, and
// quotes inside are doubled.
std::string field(std::string_view text) {
  if (text.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(text);
  std::string quoted = "\"";
  for (const char c : text) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + "\"";
}

}  // namespace

std::string render_csv(const std::vector<FileReport>& reports, const std::vector<FileError>& errors) {
  std::string text = "file,semantics,property,verdict,states,transitions,seconds,detail\r\n";
  for (const auto& error : errors) {
    if (error.diagnostic.severity != Severity::Error) continue;
    const auto& location = error.diagnostic.location;
    const auto detail = location.known() ? fmt::format("{}:{}: {}", location.line, location.column,
                                                       error.diagnostic.message)
                                         : error.diagnostic.message;
    text += fmt::format("{},,,error,,,,{}\r\n", field(error.file), field(detail));
  }
  for (const auto& report : reports)
    for (const auto& result : report.results)
      text += fmt::format("{},{},{},{},{},{},{:.6f},{}\r\n", field(report.file), field(report.semantics),
                          field(result.property), to_string(result.verdict), report.states, report.transitions,
                          result.seconds, field(result.detail));
  return text;
}

}  // namespace lim::report
