#pragma once
// Each `lim` subcommand lives in its own file and registers itself here:
// it declares its options on `app` and returns the function to run when the
// subcommand was given, whose result is the process exit code.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include <CLI/CLI.hpp>

#include "lim/pipeline/check.hpp"
#include "lim/report/summary.hpp"

namespace lim::cli {

// Exit codes (REFERENCE §6): CI gates on these.
inline constexpr int kAllHold = report::kAllHold;
inline constexpr int kViolated = report::kViolated;
inline constexpr int kInputError = report::kInputError;
inline constexpr int kResourceLimit = report::kResourceLimit;

inline constexpr const char* kVersion = "0.1.0";

using Runner = std::function<int()>;

struct Subcommand {
  CLI::App* app;
  Runner run;
};

// Subcommands register themselves from their own file with a static
//   const CommandRegistration registration{"name", add_name_command};
// so adding one never touches main.cpp.
using CommandFactory = Subcommand (*)(CLI::App& app);
struct CommandRegistration {
  CommandRegistration(const char* name, CommandFactory factory);
};
// Registered factories, sorted by name (for a stable --help).
std::vector<std::pair<std::string, CommandFactory>> registered_commands();

// ---- limits (limits.cpp): one rule for every limit, a message otherwise.
std::variant<std::uint64_t, std::string> parse_count(std::string_view option, std::string_view text);
std::variant<std::uint64_t, std::string> parse_bytes(std::string_view option, std::string_view text);
std::variant<double, std::string> parse_seconds(std::string_view option, std::string_view text);
// What --max-memory is without the option: 3/4 of the memory this process
// may have, so that a run too large for the machine ends with exit code 3
// rather than in the kernel's OOM killer.
std::uint64_t default_memory_limit();

// ---- inputs (inputs.cpp)
struct Inputs {
  std::vector<std::string> files;          // in command-line order, directories expanded
  std::vector<report::FileError> errors;   // paths that could not be used
};
// Files as given, directories searched (sorted) for specs, `-` for stdin.
Inputs expand_inputs(const std::vector<std::string>& arguments);

// ---- output (output.cpp)
enum class OutputFormat { Text, Json, Sarif, Junit, Csv };
std::optional<OutputFormat> parse_output_format(std::string_view name);
// Writes all of `text` to standard output and flushes it: the reason
// (strerror) when that failed, e.g. on a full disk.
std::optional<std::string> write_standard_output(std::string_view text);
// A report on standard output; a failed write is an error on stderr and exit
// code 2, whatever the verdicts were.
int write_report(std::string_view text, int exit_code);
// An error that stops the command before any file is checked (a bad option):
// on stderr, and in the machine-readable formats as a document with the
// error in it, exit code 2.
int command_line_error(const std::string& message, OutputFormat format);

// Located diagnostics of a spec that failed to load, on stderr.
void print_diagnostics(const pipeline::LoadedSpec& spec);

}  // namespace lim::cli
