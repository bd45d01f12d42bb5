#include "cpp_identifiers.hpp"

#include <array>
#include <cctype>

#include <fmt/format.h>

namespace lim::runtime::codegen {
namespace {

constexpr std::array<std::string_view, 97> kKeywords = {
    "alignas", "alignof", "and", "and_eq", "asm", "auto", "bitand", "bitor", "bool", "break", "case", "catch",
    "char", "char8_t", "char16_t", "char32_t", "class", "compl", "concept", "const", "consteval", "constexpr",
    "constinit", "const_cast", "continue", "co_await", "co_return", "co_yield", "decltype", "default", "delete",
    "do", "double", "dynamic_cast", "else", "enum", "explicit", "export", "extern", "false", "float", "for",
    "friend", "goto", "if", "inline", "int", "long", "mutable", "namespace", "new", "noexcept", "not", "not_eq",
    "nullptr", "operator", "or", "or_eq", "private", "protected", "public", "register", "reinterpret_cast",
    "requires", "return", "short", "signed", "sizeof", "static", "static_assert", "static_cast", "struct",
    "switch", "template", "this", "thread_local", "throw", "true", "try", "typedef", "typeid", "typename",
    "union", "unsigned", "using", "virtual", "void", "volatile", "wchar_t", "while", "xor", "xor_eq", "final",
    "override", "import", "module"};

}  // namespace

std::string identifier(std::string_view name) {
  std::string result;
  for (const char c : name)
    result += (std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_') ? c : '_';
  if (result.empty() || std::isdigit(static_cast<unsigned char>(result.front())) != 0) result.insert(0, "_");
  for (const auto keyword : kKeywords)
    if (result == keyword) return result + "_";
  // Names with a double underscore or _Capital are the implementation's.
  if (result.find("__") != std::string::npos || (result.size() > 1 && result[0] == '_' && std::isupper(result[1])))
    result.insert(0, "x");
  return result;
}

bool valid_namespace(std::string_view text) {
  while (true) {
    const auto separator = text.find("::");
    const auto part = text.substr(0, separator);
    // identifier() changes nothing only for a well-formed, unreserved name.
    if (part.empty() || identifier(part) != part) return false;
    if (separator == std::string_view::npos) return true;
    text.remove_prefix(separator + 2);
  }
}

std::string Scope::claim(std::string_view wanted) {
  const auto base = identifier(wanted);
  auto name = base;
  for (int suffix = 2; taken_.contains(name); ++suffix) name = fmt::format("{}_{}", base, suffix);
  taken_.insert(name);
  return name;
}

std::string string_literal(std::string_view text) {
  std::string literal = "\"";
  for (const char c : text) {
    if (c == '"' || c == '\\') literal += '\\';
    if (c == '\n') {
      literal += "\\n";
      continue;
    }
    literal += c;
  }
  return literal + "\"";
}

}  // namespace lim::runtime::codegen
