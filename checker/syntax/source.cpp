#include "lim/syntax/source.hpp"

#include <utility>

namespace lim {

SourceFile::SourceFile(std::string path, std::string text)
    : path_(std::move(path)), text_(std::move(text)) {
  // Classic Mac OS ended lines with a lone '\r'. Every reader (and every
  // comment running to the end of its line) knows only '\n', so such a file
  // would be one long line: it is read as the lines it shows.
  for (std::size_t i = 0; i < text_.size(); ++i)
    if (text_[i] == '\r' && (i + 1 == text_.size() || text_[i + 1] != '\n')) text_[i] = '\n';
  // Index line starts once so that diagnostics can quote any line in O(1).
  line_starts_.push_back(0);
  for (std::size_t i = 0; i < text_.size(); ++i) {
    if (text_[i] == '\n') line_starts_.push_back(i + 1);
  }
}

std::string_view SourceFile::line_text(std::uint32_t line) const {
  if (line == 0 || line > line_starts_.size()) return {};
  const std::size_t begin = line_starts_[line - 1];
  std::size_t end = line < line_starts_.size() ? line_starts_[line] - 1 : text_.size();
  // Files written on Windows end their lines with "\r\n"; the '\r' is part of
  // the terminator, not of the line.
  if (end > begin && text_[end - 1] == '\r') --end;
  return std::string_view(text_).substr(begin, end - begin);
}

}  // namespace lim
