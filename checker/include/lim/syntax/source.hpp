#pragma once
// A spec file held in memory, and positions inside it.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace lim {

// 1-based line and column; columns count Unicode code points so that a caret
// printed under the source line lands on the right character even after `⊕`.
// line == 0 means "no location" (e.g. an error about the file as a whole).
struct SourceLocation {
  std::uint32_t line = 0;
  std::uint32_t column = 0;
  bool known() const { return line != 0; }
  friend bool operator==(const SourceLocation&, const SourceLocation&) = default;
};

class SourceFile {
 public:
  // Lines end with "\n", "\r\n" or a lone "\r" (which the text then holds as "\n").
  SourceFile(std::string path, std::string text);
  const std::string& path() const { return path_; }
  const std::string& text() const { return text_; }
  // Text of line `line` (1-based) without its terminator; empty when out of range.
  std::string_view line_text(std::uint32_t line) const;
  std::uint32_t line_count() const { return static_cast<std::uint32_t>(line_starts_.size()); }

 private:
  std::string path_;
  std::string text_;
  std::vector<std::size_t> line_starts_;
};

}  // namespace lim
