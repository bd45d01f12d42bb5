// `lim graph FILE [--role R]`: the automata in Graphviz DOT.
#include <iostream>
#include <memory>

#include <fmt/format.h>

#include "commands.hpp"
#include "lim/formats/dot.hpp"

namespace lim::cli {
namespace {

int run_graph(const std::string& file, const std::string& role_name) {
  auto spec = pipeline::load_spec_file(file);
  if (!spec.ok()) {
    print_diagnostics(spec);
    return kInputError;
  }
  std::optional<automata::RoleId> role;
  if (!role_name.empty()) {
    const auto& names = spec.system->role_names;
    for (automata::RoleId id = 0; id < names.size(); ++id)
      if (names[id] == role_name) role = id;
    if (!role) {
      std::string known;
      for (const auto& name : names) known += (known.empty() ? "" : ", ") + name;
      std::cerr << fmt::format("lim: error: {} has no role '{}' (roles: {})\n", file, role_name, known);
      return kInputError;
    }
  }
  return write_report(formats::to_dot(*spec.system, role), kAllHold);
}

}  // namespace

Subcommand add_graph_command(CLI::App& app) {
  struct Arguments {
    std::string file;
    std::string role;
  };
  auto arguments = std::make_shared<Arguments>();
  auto* command = app.add_subcommand("graph", "print the automata in Graphviz DOT");
  command->add_option("file", arguments->file, "spec file, or - for standard input")->required();
  command->add_option("--role", arguments->role, "only this role's automaton");
  return {command, [arguments] { return run_graph(arguments->file, arguments->role); }};
}

const CommandRegistration graph_registration{"graph", add_graph_command};

}  // namespace lim::cli
