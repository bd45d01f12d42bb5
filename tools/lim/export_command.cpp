// `lim export FILE --to fsm|dot|lim|promela [--k N] [--from kmc|fsm|lim] [-o OUT]`:
// the automata of a spec in another tool's format, so that systems move
// between lim and kmc/GMC in both directions, and go to SPIN as Promela.
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
#include "lim/formats/promela_writer.hpp"

namespace lim::cli {
namespace {

struct ExportArguments {
  std::string file;
  std::string to;
  std::string from;
  std::string output;
  std::optional<unsigned> k;
};

int run_export(const ExportArguments& arguments) {
  // Promela's channels are bounded: the bound is part of the model, and no
  // default would say which semantics the user meant (lim check's default is
  // the synchronous one).
  if (arguments.to == "promela" && !arguments.k) {
    std::cerr << "lim: error: --to promela needs --k N, the capacity of every channel\n";
    return kInputError;
  }
  if (arguments.to != "promela" && arguments.k) {
    std::cerr << fmt::format("lim: error: --k is the channel capacity of --to promela; --to {} has no channels\n",
                             arguments.to);
    return kInputError;
  }
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
  else if (arguments.to == "promela")
    text = formats::write_promela(*spec.system, *arguments.k, problems);
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
  auto* command = app.add_subcommand("export", "write the automata of a spec as kmc/GMC fsm, Graphviz DOT, lim or Promela");
  command->add_option("file", arguments->file, "spec file (lim, kmc session types or fsm), or - for standard input")
      ->required();
  command->add_option("--to", arguments->to, "output format: fsm, dot, lim or promela")
      ->required()
      ->check(CLI::IsMember({"fsm", "dot", "lim", "promela"}));
  command->add_option("--k", arguments->k, "--to promela: the capacity of every channel (1..255)")
      ->check(CLI::Range(1u, formats::kPromelaMaxBound));
  command->add_option("--from", arguments->from, "input format, instead of recognising it: lim, kmc or fsm")
      ->check(CLI::IsMember({"lim", "kmc", "fsm"}));
  command->add_option("--output,-o", arguments->output, "write here instead of standard output");
  return {command, [arguments] { return run_export(*arguments); }};
}

const CommandRegistration export_registration{"export", add_export_command};

}  // namespace lim::cli
