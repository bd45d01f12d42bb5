#pragma once
// Each `lim` subcommand lives in its own file and registers itself here:
// it declares its options on `app` and returns the function to run when the
// subcommand was given, whose result is the process exit code.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

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

Subcommand add_check_command(CLI::App& app);
Subcommand add_graph_command(CLI::App& app);

// "512M", "4G", "100000" → bytes.
std::optional<std::uint64_t> parse_size(const std::string& text);
// Located diagnostics of a spec that failed to load, on stderr.
void print_diagnostics(const pipeline::LoadedSpec& spec);

}  // namespace lim::cli
