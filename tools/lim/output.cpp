// Everything `lim` prints as its result goes through here, so that a write
// that fails (a full disk, a closed pipe, /dev/full) is exit code 2 with the
// reason instead of a silent success.
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iostream>

#include <fmt/format.h>

#include "commands.hpp"
#include "lim/report/csv_report.hpp"
#include "lim/report/json_report.hpp"
#include "lim/report/junit_report.hpp"
#include "lim/report/sarif_report.hpp"

namespace lim::cli {

std::optional<OutputFormat> parse_output_format(std::string_view name) {
  if (name == "text") return OutputFormat::Text;
  if (name == "json") return OutputFormat::Json;
  if (name == "sarif") return OutputFormat::Sarif;
  if (name == "junit") return OutputFormat::Junit;
  if (name == "csv") return OutputFormat::Csv;
  return std::nullopt;
}

std::optional<std::string> write_standard_output(std::string_view text) {
  std::cout.flush();  // anything a library wrote through iostreams goes first
  errno = 0;
  const std::size_t written = std::fwrite(text.data(), 1, text.size(), stdout);
  const bool flushed = std::fflush(stdout) == 0;
  if (written == text.size() && flushed && !std::ferror(stdout)) return std::nullopt;
  return std::string(errno != 0 ? std::strerror(errno) : "write error");
}

int write_report(std::string_view text, int exit_code) {
  if (const auto failure = write_standard_output(text)) {
    std::cerr << fmt::format("lim: error: cannot write to standard output: {}\n", *failure);
    return kInputError;
  }
  return exit_code;
}

int command_line_error(const std::string& message, OutputFormat format) {
  std::cerr << "lim: error: " << message << "\n";
  const std::vector<report::FileReport> none;
  const std::vector<report::FileError> errors{{"", {Severity::Error, {}, message}}};
  switch (format) {
    case OutputFormat::Text: return kInputError;
    case OutputFormat::Json: return write_report(report::render_json(none, errors).dump(2) + "\n", kInputError);
    case OutputFormat::Sarif:
      return write_report(report::render_sarif(none, errors, {kVersion, false}).dump(2) + "\n", kInputError);
    case OutputFormat::Junit: return write_report(report::render_junit(none, errors), kInputError);
    case OutputFormat::Csv: return write_report(report::render_csv(none, errors), kInputError);
  }
  return kInputError;
}

}  // namespace lim::cli
