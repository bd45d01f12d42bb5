#pragma once
// The outcome of a run over many files, as CI reads it: one status per file,
// the counts (`12 files: 10 hold, 1 violated, 1 error`) and the exit code
// (REFERENCE §6), the same whatever the output format.
#include <cstddef>
#include <string>
#include <vector>

#include "lim/report/verdict.hpp"
#include "lim/syntax/diagnostic.hpp"

namespace lim::report {

// Exit codes; when files disagree, the first that applies wins: an input
// error (2) over a violation or an unknown verdict (1) over a resource
// limit (3) over success (0).
inline constexpr int kAllHold = 0;
inline constexpr int kViolated = 1;
inline constexpr int kInputError = 2;
inline constexpr int kResourceLimit = 3;

// An input that could not be checked: a file that did not load, or (with an
// empty `file`) a command-line error or a failed write.
struct FileError {
  std::string file;
  Diagnostic diagnostic;
};

// A file's status is its worst property: violated, then unknown (no k of
// the range decides; exit code 1 like a violation), then inconclusive.
enum class FileStatus { Holds, Violated, Unknown, Inconclusive };
FileStatus status(const FileReport& report);
// What the symbol of a verdict means and which exit code it leads to, for
// the legend under the table and the documentation.
std::string_view symbol(Verdict verdict);  // ✓ ✗ ~ ?
int exit_code(Verdict verdict);

struct Summary {
  std::size_t files = 0;  // checked or failed to load
  std::size_t hold = 0;
  std::size_t violated = 0;
  std::size_t unknown = 0;
  std::size_t inconclusive = 0;
  std::size_t errors = 0;  // files that did not load, plus errors about no file
  int exit_code = kAllHold;
};
Summary summarize(const std::vector<FileReport>& reports, const std::vector<FileError>& errors);
// `3 files: 1 hold, 1 violated, 1 error`
std::string to_string(const Summary& summary);

}  // namespace lim::report
