#include "lim/syntax/diagnostic.hpp"

#include <algorithm>
#include <utility>
#include <vector>

#include "lim/syntax/lexer.hpp"

namespace lim {

namespace {

// A quoted name longer than this many code points is shown by its start:
// a generated spec may have a 10^5-character name, and a message that
// repeats it helps nobody.
constexpr std::size_t kMaxQuotedName = 80;
constexpr std::size_t kQuotedNameShown = 40;

std::size_t code_points(std::string_view text) {
  return static_cast<std::size_t>(
      std::count_if(text.begin(), text.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

// 'aaaa…aaaa' becomes 'aaaa…' (100000 characters). Only quoted runs without
// spaces are names; a quoted phrase is left alone.
std::string shorten_quoted_names(std::string message) {
  std::string out;
  std::size_t i = 0;
  while (i < message.size()) {
    const auto open = message.find('\'', i);
    if (open == std::string::npos) break;
    const auto close = message.find('\'', open + 1);
    if (close == std::string::npos) break;
    const std::string_view name(message.data() + open + 1, close - open - 1);
    out.append(message, i, open + 1 - i);
    const auto length = code_points(name);
    if (length > kMaxQuotedName && name.find_first_of(" \t\n") == std::string_view::npos) {
      std::size_t cut = 0;
      for (std::size_t shown = 0; cut < name.size() && shown < kQuotedNameShown; ++shown) {
        ++cut;
        while (cut < name.size() && (static_cast<unsigned char>(name[cut]) & 0xC0) == 0x80) ++cut;
      }
      out.append(name.substr(0, cut));
      out += "…' (" + std::to_string(length) + " characters)";
    } else {
      out.append(name);
      out += '\'';
    }
    i = close + 1;
  }
  out.append(message, std::min(i, message.size()), std::string::npos);
  return out;
}

}  // namespace

void Diagnostics::error(SourceLocation where, std::string message) {
  items_.push_back({Severity::Error, where, shorten_quoted_names(std::move(message))});
}

void Diagnostics::warning(SourceLocation where, std::string message) {
  items_.push_back({Severity::Warning, where, shorten_quoted_names(std::move(message))});
}

void Diagnostics::note(SourceLocation where, std::string message) {
  items_.push_back({Severity::Note, where, shorten_quoted_names(std::move(message))});
}

bool Diagnostics::has_errors() const {
  return std::any_of(items_.begin(), items_.end(),
                     [](const Diagnostic& d) { return d.severity == Severity::Error; });
}

namespace {

std::string_view severity_name(Severity severity) {
  switch (severity) {
    case Severity::Error: return "error";
    case Severity::Warning: return "warning";
    case Severity::Note: return "note";
  }
  return "error";
}

// A line longer than this many code points is quoted as a window around the
// column: a generated spec may hold 10^5 tokens on one line.
constexpr std::size_t kMaxQuotedColumns = 160;
constexpr std::size_t kWindowRadius = 60;

// The quoted line is made of one display unit per code point, so the caret
// line can mirror it unit by unit. Tabs stay tabs (the terminal expands both
// lines alike); control characters and invalid UTF-8 become '?' so that a
// binary file cannot garble the terminal.
struct DisplayUnit {
  std::string_view bytes;  // empty: print '?'
  bool tab = false;
};

std::vector<DisplayUnit> display_units(std::string_view line) {
  std::vector<DisplayUnit> units;
  for (std::size_t i = 0; i < line.size();) {
    const syntax::Utf8Char c = syntax::decode_utf8(line, i);
    DisplayUnit unit;
    if (c.valid && c.code == U'\t') {
      unit.tab = true;
      unit.bytes = line.substr(i, 1);
    } else if (c.valid && c.code >= 0x20 && c.code != 0x7F && !(c.code >= 0x80 && c.code < 0xA0)) {
      unit.bytes = line.substr(i, c.length);
    }
    units.push_back(unit);
    i += c.length;
  }
  return units;
}

void append_quote(std::string& out, std::string_view line, std::uint32_t column) {
  const std::vector<DisplayUnit> units = display_units(line);
  const std::size_t caret = column == 0 ? 0 : column - 1;  // 0-based unit index
  std::size_t first = 0;
  std::size_t last = units.size();
  if (units.size() > kMaxQuotedColumns) {
    first = caret > kWindowRadius ? std::min(caret - kWindowRadius, units.size()) : 0;
    last = std::min(units.size(), caret + kWindowRadius);
  }
  const std::string_view ellipsis = "...";
  std::string text;
  std::string marker;
  if (first > 0) {
    text += ellipsis;
    marker.append(ellipsis.size(), ' ');
  }
  for (std::size_t i = first; i < last; ++i) {
    if (units[i].bytes.empty()) {
      text += '?';
    } else {
      text += units[i].bytes;
    }
    if (i < caret) marker += units[i].tab ? '\t' : ' ';
  }
  if (last < units.size()) text += ellipsis;
  // The column may lie past the end of the line ("unexpected end of input").
  if (caret > last) marker.append(caret - last, ' ');
  out += text;
  out += '\n';
  out += marker;
  out += "^\n";
}

}  // namespace

std::string format_diagnostic(const SourceFile& file, const Diagnostic& diagnostic) {
  std::string out = file.path();
  if (diagnostic.location.known()) {
    out += ':' + std::to_string(diagnostic.location.line) + ':' +
           std::to_string(diagnostic.location.column);
  }
  out += ": ";
  out += severity_name(diagnostic.severity);
  out += ": ";
  out += diagnostic.message;
  out += '\n';
  if (diagnostic.location.known() && diagnostic.location.line <= file.line_count()) {
    std::string_view line = file.line_text(diagnostic.location.line);
    // The lexer skips a byte order mark without counting a column.
    if (diagnostic.location.line == 1 && line.starts_with("\xEF\xBB\xBF")) line.remove_prefix(3);
    append_quote(out, line, diagnostic.location.column);
  }
  return out;
}

std::string format_diagnostics(const SourceFile& file, const Diagnostics& diagnostics) {
  std::string out;
  for (const Diagnostic& diagnostic : diagnostics.all()) out += format_diagnostic(file, diagnostic);
  return out;
}

}  // namespace lim
