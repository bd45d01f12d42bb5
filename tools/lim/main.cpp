// lim — command-line front end. It only parses options and calls the
// libraries; each subcommand lives in its own *_command.cpp and registers
// itself (commands.hpp).
#include <string_view>
#include <vector>

#include "commands.hpp"

namespace {

// The output format asked for, found without the parser that just failed:
// a CI job that asked for JSON or SARIF gets its error in that format too.
lim::cli::OutputFormat requested_format(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    const std::string_view argument = argv[i];
    std::string_view value;
    if (argument == "--format" && i + 1 < argc) value = argv[i + 1];
    else if (argument.starts_with("--format=")) value = argument.substr(9);
    if (const auto format = lim::cli::parse_output_format(value)) return *format;
  }
  return lim::cli::OutputFormat::Text;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"lim — verify multiparty session types written one local type per role"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("lim ") + lim::cli::kVersion);
  std::vector<lim::cli::Subcommand> subcommands;
  for (const auto& [name, factory] : lim::cli::registered_commands()) subcommands.push_back(factory(app));
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    const auto format = requested_format(argc, argv);
    if (error.get_exit_code() == 0 || format == lim::cli::OutputFormat::Text) {
      const int code = app.exit(error);
      return code == 0 ? 0 : lim::cli::kInputError;
    }
    return lim::cli::command_line_error(error.what(), format);
  }
  for (const auto& subcommand : subcommands)
    if (subcommand.app->parsed()) return subcommand.run();
  return lim::cli::kInputError;
}
