#include <algorithm>
#include <iostream>

#include "commands.hpp"

namespace lim::cli {
namespace {

std::vector<std::pair<std::string, CommandFactory>>& registry() {
  static std::vector<std::pair<std::string, CommandFactory>> commands;
  return commands;
}

}  // namespace

CommandRegistration::CommandRegistration(const char* name, CommandFactory factory) {
  registry().emplace_back(name, factory);
}

std::vector<std::pair<std::string, CommandFactory>> registered_commands() {
  auto commands = registry();
  std::sort(commands.begin(), commands.end());
  return commands;
}

std::optional<std::uint64_t> parse_size(const std::string& text) {
  if (text.empty()) return std::nullopt;
  std::size_t used = 0;
  double value = 0;
  try {
    value = std::stod(text, &used);
  } catch (const std::exception&) {
    return std::nullopt;
  }
  const std::string suffix = text.substr(used);
  double scale = 1;
  if (suffix.empty() || suffix == "B") scale = 1;
  else if (suffix == "K" || suffix == "KiB" || suffix == "k") scale = 1024.0;
  else if (suffix == "M" || suffix == "MiB") scale = 1024.0 * 1024;
  else if (suffix == "G" || suffix == "GiB") scale = 1024.0 * 1024 * 1024;
  else return std::nullopt;
  if (value <= 0) return std::nullopt;
  return static_cast<std::uint64_t>(value * scale);
}

void print_diagnostics(const pipeline::LoadedSpec& spec) {
  std::cerr << format_diagnostics(spec.source, spec.diagnostics);
}

}  // namespace lim::cli
