// `lim export FILE --to fsm|dot|lim [--from kmc|fsm|lim] [-o OUT]`: the
// automata of a spec in another tool's format, so that systems move between
// lim and kmc/GMC in both directions.
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <memory>

#include <fmt/format.h>

#include "commands.hpp"
#include "lim/formats/dot.hpp"
#include "lim/formats/fsm_writer.hpp"
#include "lim/formats/lim_writer.hpp"

namespace lim::cli {
namespace {

struct ExportArguments {
  std::string file;
  std::string to;
  std::string from;
  std::string output;
};

int run_export(const ExportArguments& arguments) {
  std::optional<formats::InputFormat> from;
  if (!arguments.from.empty()) from = formats::parse_input_format(arguments.from);
  auto spec = pipeline::load_spec_file(arguments.file, from);
  if (!spec.ok()) {
    print_diagnostics(spec);
    return kInputError;
  }
  Diagnostics problems;
  std::optional<std::string> text;
  if (arguments.to == "dot")
    text = formats::to_dot(*spec.system);
  else if (arguments.to == "fsm")
    text = formats::write_gmc_fsm(*spec.system, problems);
  else
    text = formats::write_lim(*spec.system, problems);
  if (!text) {
    std::cerr << format_diagnostics(spec.source, problems);
    return kInputError;
  }
  if (arguments.output.empty() || arguments.output == "-") return write_report(*text, kAllHold);
  errno = 0;
  std::ofstream out(arguments.output, std::ios::binary);
  if (out) out << *text << std::flush;
  if (!out) {
    std::cerr << fmt::format("lim: error: cannot write {}: {}\n", arguments.output,
                             std::strerror(errno != 0 ? errno : EIO));
    return kInputError;
  }
  return kAllHold;
}

}  // namespace

Subcommand add_export_command(CLI::App& app) {
  auto arguments = std::make_shared<ExportArguments>();
  auto* command = app.add_subcommand("export", "write the automata of a spec as kmc/GMC fsm, Graphviz DOT or lim");
  command->add_option("file", arguments->file, "spec file (lim, kmc session types or fsm), or - for standard input")
      ->required();
  command->add_option("--to", arguments->to, "output format: fsm, dot or lim")
      ->required()
      ->check(CLI::IsMember({"fsm", "dot", "lim"}));
  command->add_option("--from", arguments->from, "input format, instead of recognising it: lim, kmc or fsm")
      ->check(CLI::IsMember({"lim", "kmc", "fsm"}));
  command->add_option("--output,-o", arguments->output, "write here instead of standard output");
  return {command, [arguments] { return run_export(*arguments); }};
}

const CommandRegistration export_registration{"export", add_export_command};

}  // namespace lim::cli
