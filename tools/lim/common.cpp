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

void print_diagnostics(const pipeline::LoadedSpec& spec) {
  std::cerr << format_diagnostics(spec.source, spec.diagnostics);
}

}  // namespace lim::cli
