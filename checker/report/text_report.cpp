#include "lim/report/text_report.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace lim::report {
namespace {

// Display width of UTF-8 text: one column per code point is right for the
// symbols lim prints (✓ ✗ → ⊕ μ).
std::size_t display_width(const std::string& text) {
  return static_cast<std::size_t>(
      std::count_if(text.begin(), text.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

std::string pad(const std::string& text, std::size_t width) {
  const auto current = display_width(text);
  return current >= width ? text : text + std::string(width - current, ' ');
}

std::string symbol(Verdict verdict, bool color) {
  const std::string plain(report::symbol(verdict));
  if (!color) return plain;
  switch (verdict) {
    case Verdict::Holds: return "\x1b[32m" + plain + "\x1b[0m";
    case Verdict::Violated:
    case Verdict::Unknown: return "\x1b[31m" + plain + "\x1b[0m";
    case Verdict::Inconclusive: return "\x1b[33m" + plain + "\x1b[0m";
  }
  return plain;
}

std::string legend(Verdict verdict) {
  switch (verdict) {
    case Verdict::Holds: return "holds";
    case Verdict::Violated: return "violated";
    case Verdict::Unknown: return "unknown: no k of the range decides";
    case Verdict::Inconclusive: return "inconclusive: a resource limit stopped the check";
  }
  return "";
}

std::string render_steps(const std::vector<TraceStep>& steps, const std::string& indent) {
  std::string text;
  for (const auto& step : steps) text += fmt::format("{}{}\n", indent, step.text);
  return text;
}

std::string render_location(const std::string& file, const SourceLocation& location) {
  // file:line:col so that editors and terminals can jump to the spec.
  return location.known() ? fmt::format("   at {}:{}:{}", file, location.line, location.column) : "";
}

}  // namespace

std::string render_table(const std::vector<FileReport>& reports, const TextOptions& options,
                         const std::vector<FileError>& errors) {
  // Columns are the union of the properties asked for, in first-seen order.
  std::vector<std::string> columns;
  for (const auto& report : reports)
    for (const auto& result : report.results)
      if (std::find(columns.begin(), columns.end(), result.property) == columns.end())
        columns.push_back(result.property);
  std::size_t file_width = display_width("file");
  for (const auto& report : reports) file_width = std::max(file_width, display_width(report.file));
  std::vector<std::string> failed;  // files that did not load, in order
  for (const auto& error : errors)
    if (!error.file.empty() && std::find(failed.begin(), failed.end(), error.file) == failed.end()) {
      failed.push_back(error.file);
      file_width = std::max(file_width, display_width(error.file));
    }

  std::string text = pad("file", file_width);
  for (const auto& column : columns) text += "  " + column;
  text += "\n";
  for (const auto& report : reports) {
    text += pad(report.file, file_width);
    for (const auto& column : columns) {
      auto it = std::find_if(report.results.begin(), report.results.end(),
                             [&](const PropertyResult& result) { return result.property == column; });
      std::string cell = it == report.results.end() ? "-" : symbol(it->verdict, options.color);
      if (it != report.results.end() && it->verdict == Verdict::Holds && it->k)
        cell += fmt::format(" k={}", *it->k);
      // Centre the symbol under its column name.
      const auto width = display_width(column);
      const auto cell_width = it != report.results.end() && it->k ? display_width(cell) : 1;
      const auto left = width > cell_width ? (width - cell_width) / 2 : 0;
      text += "  " + std::string(left, ' ') + cell + std::string(width > cell_width + left ? width - cell_width - left : 0, ' ');
    }
    text += "\n";
  }
  if (!options.summary) return text;
  for (const auto& file : failed) text += pad(file, file_width) + "  error: does not load (see above)\n";
  // The symbols shown, with what each means for the exit code.
  std::vector<Verdict> shown;
  for (const auto& report : reports)
    for (const auto& result : report.results)
      if (std::find(shown.begin(), shown.end(), result.verdict) == shown.end()) shown.push_back(result.verdict);
  std::sort(shown.begin(), shown.end());
  if (shown.size() > 1 || (shown.size() == 1 && shown.front() != Verdict::Holds)) {
    std::string line;
    for (const auto verdict : shown)
      line += fmt::format("{}{} {}", line.empty() ? "" : "   ", symbol(verdict, options.color), legend(verdict));
    text += line + "\n";
  }
  text += to_string(summarize(reports, errors)) + "\n";
  return text;
}

std::string render_counterexample(const Counterexample& counterexample, const std::string& file) {
  std::string text;
  if (counterexample.prefix.empty())
    text += "    (in the initial configuration)\n";
  else
    text += render_steps(counterexample.prefix, "    ");
  text += fmt::format("    ▸ {}\n", counterexample.explanation);
  for (const auto& role : counterexample.at.roles)
    text += fmt::format("      {}: {}{}\n", role.role, role.type,
                        role.type == "end" ? "" : render_location(file, role.location));
  for (const auto& queue : counterexample.at.queues) {
    std::string messages;
    for (const auto& message : queue.messages) messages += (messages.empty() ? "" : ", ") + message;
    text += fmt::format("      queue {} → {}: [{}]\n", queue.from, queue.to, messages);
  }
  if (!counterexample.continuation.empty()) {
    text += "    then:\n";
    text += render_steps(counterexample.continuation, "    ");
  }
  if (!counterexample.cycle.empty()) {
    text += "    then forever:\n";
    text += render_steps(counterexample.cycle, "    ↻ ");
  }
  return text;
}

std::string render_details(const FileReport& report) {
  std::string text;
  for (const auto& finding : report.findings)
    // file:line:col first, as for every other diagnostic, so editors and CI
    // annotations jump to the place.
    text += finding.location.known() ? fmt::format("{}:{}:{}: note: {}\n", report.file, finding.location.line,
                                                   finding.location.column, finding.message)
                                     : fmt::format("{}: note: {}\n", report.file, finding.message);
  for (const auto& result : report.results) {
    if (result.verdict == Verdict::Holds) continue;
    text += fmt::format("\n{}: {} {}{}\n", report.file, result.property, to_string(result.verdict),
                        result.detail.empty() ? "" : " (" + result.detail + ")");
    if (result.counterexample) text += render_counterexample(*result.counterexample, report.file);
  }
  return text;
}

std::string render_text(const std::vector<FileReport>& reports, const TextOptions& options,
                        const std::vector<FileError>& errors) {
  std::string text = render_table(reports, options, errors);
  for (const auto& report : reports) text += render_details(report);
  return text;
}

}  // namespace lim::report
