#include "lim/formats/format_detection.hpp"

#include <string>

namespace lim::formats {

std::string_view name(InputFormat format) {
  switch (format) {
    case InputFormat::Lim: return "lim";
    case InputFormat::KmcSessionTypes: return "kmc";
    case InputFormat::GmcFsm: return "fsm";
  }
  return "lim";
}

std::optional<InputFormat> parse_input_format(std::string_view text) {
  for (const auto format : {InputFormat::Lim, InputFormat::KmcSessionTypes, InputFormat::GmcFsm})
    if (name(format) == text) return format;
  return std::nullopt;
}

namespace {

bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v'; }

// The text without the comments of either family (`#`, `//` for lim; `--`,
// `/* */` for kmc): a word in a comment must not decide the format.
std::string without_comments(std::string_view text) {
  std::string code;
  code.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    const std::string_view rest = text.substr(i);
    if (rest.starts_with("#") || rest.starts_with("//") || rest.starts_with("--")) {
      while (i < text.size() && text[i] != '\n') ++i;
    } else if (rest.starts_with("/*")) {
      const auto close = text.find("*/", i + 2);
      i = close == std::string_view::npos ? text.size() : close + 2;
    } else {
      code += text[i++];
    }
  }
  return code;
}

}  // namespace

InputFormat detect_format(std::string_view text) {
  for (std::size_t start = 0; start < text.size();) {
    std::size_t i = start;
    while (i < text.size() && is_blank(text[i])) ++i;
    if (text.substr(i).starts_with(".outputs")) return InputFormat::GmcFsm;
    const auto end = text.find('\n', start);
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  const std::string code = without_comments(text);
  for (const std::string_view marker : {"⊕", "(+)", "&", "μ", "µ"})
    if (code.find(marker) != std::string::npos) return InputFormat::Lim;
  if (code.find('!') != std::string::npos || code.find('?') != std::string::npos)
    return InputFormat::KmcSessionTypes;
  return InputFormat::Lim;
}

}  // namespace lim::formats
