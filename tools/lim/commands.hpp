#pragma once
// Each `lim` subcommand lives in its own file and registers itself here:
// it declares its options on `app` and returns the function to run when the
// subcommand was given, whose result is the process exit code.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <CLI/CLI.hpp>

#include "lim/pipeline/check.hpp"

namespace lim::cli {

// Exit codes (REFERENCE §6): CI gates on these.
inline constexpr int kAllHold = 0;
inline constexpr int kViolated = 1;
inline constexpr int kInputError = 2;
inline constexpr int kResourceLimit = 3;

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

// "512M", "4G", "100000" → bytes.
std::optional<std::uint64_t> parse_size(const std::string& text);
// Located diagnostics of a spec that failed to load, on stderr.
void print_diagnostics(const pipeline::LoadedSpec& spec);

}  // namespace lim::cli
