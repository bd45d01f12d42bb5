#pragma once
// C++ names for spec names: labels, roles and states become identifiers,
// never keywords, never two the same in one scope.
#include <set>
#include <string>
#include <string_view>

namespace lim::runtime::codegen {

// Letters, digits and '_' kept, anything else '_'; a leading digit or a
// keyword gets an extra '_'.
std::string identifier(std::string_view name);

// Whether `text` names a namespace the generated header can open:
// identifiers (no keywords, nothing reserved) joined by "::".
bool valid_namespace(std::string_view text);

// Hands out identifiers unique within one scope.
class Scope {
 public:
  explicit Scope(std::set<std::string> reserved = {}) : taken_(std::move(reserved)) {}
  std::string claim(std::string_view wanted);

 private:
  std::set<std::string> taken_;
};

// A C++ string literal with `text` in it.
std::string string_literal(std::string_view text);

}  // namespace lim::runtime::codegen
