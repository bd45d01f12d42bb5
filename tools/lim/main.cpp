// lim — command-line front end. It only parses options and calls the
// libraries; each subcommand lives in its own *_command.cpp and registers
// itself (commands.hpp).
#include <vector>

#include "commands.hpp"

int main(int argc, char** argv) {
  CLI::App app{"lim — verify multiparty session types written one local type per role"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "lim 0.1.0");
  std::vector<lim::cli::Subcommand> subcommands;
  for (const auto& [name, factory] : lim::cli::registered_commands()) subcommands.push_back(factory(app));
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    const int code = app.exit(error);
    return code == 0 ? 0 : lim::cli::kInputError;
  }
  for (const auto& subcommand : subcommands)
    if (subcommand.app->parsed()) return subcommand.run();
  return lim::cli::kInputError;
}
