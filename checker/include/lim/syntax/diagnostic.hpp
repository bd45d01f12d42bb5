#pragma once
// Errors are values: every problem in a spec becomes a Diagnostic with a
// location; printing follows the `file:line:col: error: message` convention
// that editors and CI log parsers understand.
#include <string>
#include <vector>

#include "lim/syntax/source.hpp"

namespace lim {

enum class Severity { Error, Warning, Note };

struct Diagnostic {
  Severity severity = Severity::Error;
  SourceLocation location;
  std::string message;
};

class Diagnostics {
 public:
  void error(SourceLocation where, std::string message);
  void warning(SourceLocation where, std::string message);
  void note(SourceLocation where, std::string message);
  bool has_errors() const;
  const std::vector<Diagnostic>& all() const { return items_; }
  bool empty() const { return items_.empty(); }

 private:
  std::vector<Diagnostic> items_;
};

// `file:line:col: error: message`, then the source line and a caret under the
// column (both omitted when the location is unknown).
std::string format_diagnostic(const SourceFile& file, const Diagnostic& diagnostic);
std::string format_diagnostics(const SourceFile& file, const Diagnostics& diagnostics);

}  // namespace lim
