#include "lim/report/summary.hpp"

#include <set>

#include <fmt/format.h>

namespace lim::report {

FileStatus status(const FileReport& report) {
  FileStatus worst = FileStatus::Holds;
  for (const auto& result : report.results) {
    switch (result.verdict) {
      case Verdict::Holds: break;
      case Verdict::Violated: return FileStatus::Violated;
      case Verdict::Unknown: worst = FileStatus::Unknown; break;
      case Verdict::Inconclusive:
        if (worst == FileStatus::Holds) worst = FileStatus::Inconclusive;
        break;
    }
  }
  return worst;
}

std::string_view symbol(Verdict verdict) {
  switch (verdict) {
    case Verdict::Holds: return "✓";
    case Verdict::Violated: return "✗";
    case Verdict::Unknown: return "~";
    case Verdict::Inconclusive: return "?";
  }
  return " ";
}

int exit_code(Verdict verdict) {
  switch (verdict) {
    case Verdict::Holds: return kAllHold;
    case Verdict::Violated:
    case Verdict::Unknown: return kViolated;
    case Verdict::Inconclusive: return kResourceLimit;
  }
  return kInputError;
}

Summary summarize(const std::vector<FileReport>& reports, const std::vector<FileError>& errors) {
  Summary summary;
  for (const auto& report : reports) {
    switch (status(report)) {
      case FileStatus::Holds: ++summary.hold; break;
      case FileStatus::Violated: ++summary.violated; break;
      case FileStatus::Unknown: ++summary.unknown; break;
      case FileStatus::Inconclusive: ++summary.inconclusive; break;
    }
  }
  // A file with several diagnostics is one file in error.
  std::set<std::string> failed;
  for (const auto& error : errors) {
    if (error.diagnostic.severity != Severity::Error) continue;
    if (error.file.empty() || failed.insert(error.file).second) ++summary.errors;
  }
  summary.files = reports.size() + failed.size();
  summary.exit_code = summary.errors > 0                          ? kInputError
                      : summary.violated > 0 || summary.unknown > 0 ? kViolated
                      : summary.inconclusive > 0                    ? kResourceLimit
                                                                    : kAllHold;
  return summary;
}

std::string to_string(const Summary& summary) {
  std::string text = fmt::format("{} file{}: {} hold", summary.files, summary.files == 1 ? "" : "s", summary.hold);
  const auto part = [&](std::size_t count, const char* one, const char* many) {
    if (count > 0) text += fmt::format(", {} {}", count, count == 1 ? one : many);
  };
  part(summary.violated, "violated", "violated");
  part(summary.unknown, "unknown", "unknown");
  part(summary.inconclusive, "inconclusive", "inconclusive");
  part(summary.errors, "error", "errors");
  return text;
}

}  // namespace lim::report
