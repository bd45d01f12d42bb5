#include "lim/report/junit_report.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "lim/report/text_report.hpp"

namespace lim::report {
namespace {

// XML 1.0 text: the five escapes, and no control characters (which XML 1.0
// cannot hold at all, escaped or not).
std::string xml(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t' && c != '\r')
          out += '?';
        else
          out += c;
    }
  }
  return out;
}

}  // namespace

std::string render_junit(const std::vector<FileReport>& reports, const std::vector<FileError>& errors) {
  std::string suites;
  std::size_t tests = 0, failures = 0, error_count = 0;
  double total = 0;
  // Files that did not load: one test case in error with every diagnostic.
  std::vector<std::string> failed;
  for (const auto& error : errors)
    if (std::find(failed.begin(), failed.end(), error.file) == failed.end()) failed.push_back(error.file);
  for (const auto& file : failed) {
    std::string diagnostics, first;
    for (const auto& error : errors) {
      if (error.file != file) continue;
      const auto& location = error.diagnostic.location;
      const auto line = location.known() ? fmt::format("{}:{}:{}: {}", file.empty() ? "lim" : file, location.line,
                                                       location.column, error.diagnostic.message)
                                         : fmt::format("{}: {}", file.empty() ? "lim" : file, error.diagnostic.message);
      if (first.empty()) first = error.diagnostic.message;
      diagnostics += line + "\n";
    }
    const std::string name = file.empty() ? "lim" : file;
    suites += fmt::format(
        "  <testsuite name=\"{0}\" tests=\"1\" failures=\"0\" errors=\"1\" skipped=\"0\" time=\"0\">\n"
        "    <testcase classname=\"{0}\" name=\"{1}\" time=\"0\">\n"
        "      <error type=\"input-error\" message=\"{2}\">{3}</error>\n"
        "    </testcase>\n"
        "  </testsuite>\n",
        xml(name), file.empty() ? "command line" : "load", xml(first), xml(diagnostics));
    ++tests;
    ++error_count;
  }
  for (const auto& report : reports) {
    std::string cases;
    std::size_t suite_failures = 0, suite_errors = 0;
    for (const auto& result : report.results) {
      cases += fmt::format("    <testcase classname=\"{}\" name=\"{}\" time=\"{:.6f}\"", xml(report.file),
                           xml(result.property), result.seconds);
      if (result.verdict == Verdict::Holds) {
        cases += "/>\n";
        continue;
      }
      const bool failure = result.verdict != Verdict::Inconclusive;
      (failure ? suite_failures : suite_errors) += 1;
      const std::string message = fmt::format("{} {}{}", result.property, to_string(result.verdict),
                                              result.detail.empty() ? "" : " (" + result.detail + ")");
      const std::string body = result.counterexample ? render_counterexample(*result.counterexample, report.file) : "";
      cases += fmt::format(">\n      <{0} type=\"{1}\" message=\"{2}\">{3}</{0}>\n    </testcase>\n",
                           failure ? "failure" : "error", to_string(result.verdict), xml(message), xml(body));
    }
    std::string properties;
    if (!report.findings.empty()) {
      std::string notes;
      for (const auto& finding : report.findings)
        notes += finding.location.known() ? fmt::format("{}:{}:{}: note: {}\n", report.file, finding.location.line,
                                                        finding.location.column, finding.message)
                                          : fmt::format("{}: note: {}\n", report.file, finding.message);
      properties = fmt::format("    <system-out>{}</system-out>\n", xml(notes));
    }
    suites += fmt::format(
        "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"0\" time=\"{:.6f}\">\n{}{}"
        "  </testsuite>\n",
        xml(report.file), report.results.size(), suite_failures, suite_errors, report.seconds, cases, properties);
    tests += report.results.size();
    failures += suite_failures;
    error_count += suite_errors;
    total += report.seconds;
  }
  return fmt::format(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<testsuites name=\"lim check\" tests=\"{}\" failures=\"{}\" errors=\"{}\" time=\"{:.6f}\">\n{}</testsuites>\n",
      tests, failures, error_count, total, suites);
}

}  // namespace lim::report
