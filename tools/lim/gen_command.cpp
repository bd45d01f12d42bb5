// `lim gen cpp SPEC --role R [-o FILE]`: the typestate C++ API of one role.
// The spec goes through the runtime's verification gate first: lim generates
// code only for protocols it verified.
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>

#include <fmt/format.h>

#include "commands.hpp"
#include "lim/runtime/codegen/cpp_generator.hpp"
#include "lim/runtime/gate/verification_gate.hpp"

namespace lim::cli {
namespace {

struct GenArguments {
  std::string file;
  std::string role;
  std::string output;
  std::string name_space;
  std::vector<std::string> sorts;
  std::vector<std::string> includes;
  std::string command_line;
};

// Rewrites `path` only when the text changed, so that build systems do not
// recompile what includes an unchanged header.
bool write_if_changed(const std::filesystem::path& path, const std::string& text) {
  {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream current;
    current << in.rdbuf();
    if (in && current.str() == text) return true;
  }
  const auto temporary = path.string() + ".tmp";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out.flush()) return false;
  }
  std::error_code error;
  std::filesystem::rename(temporary, path, error);
  return !error;
}

int run_gen_cpp(const GenArguments& arguments) {
  runtime::CppGeneratorOptions options;
  options.role = arguments.role;
  options.name_space = arguments.name_space;
  options.includes = arguments.includes;
  options.command = arguments.command_line;
  for (const auto& binding : arguments.sorts) {
    const auto equals = binding.find('=');
    if (equals == std::string::npos || equals == 0 || equals + 1 == binding.size()) {
      std::cerr << fmt::format("lim: error: --sort '{}' is not Name=Type\n", binding);
      return kInputError;
    }
    options.sort_types[binding.substr(0, equals)] = binding.substr(equals + 1);
  }
  std::shared_ptr<const runtime::Protocol> protocol;
  try {
    protocol = runtime::default_gate().verify_file(arguments.file);
  } catch (const runtime::VerificationFailed& failure) {
    std::cerr << fmt::format("lim: error: no code for an unverified protocol: {}\n", failure.what());
    switch (failure.reason()) {
      case runtime::VerificationFailed::Reason::Violated: return kViolated;
      case runtime::VerificationFailed::Reason::Inconclusive: return kResourceLimit;
      default: return kInputError;
    }
  }
  std::string header;
  try {
    header = runtime::generate_cpp(*protocol, options);
  } catch (const std::invalid_argument& error) {
    std::cerr << fmt::format("lim: error: {}\n", error.what());
    return kInputError;
  }
  if (arguments.output.empty() || arguments.output == "-") return write_report(header, kAllHold);
  if (!write_if_changed(arguments.output, header)) {
    std::cerr << fmt::format("lim: error: cannot write {}\n", arguments.output);
    return kInputError;
  }
  return kAllHold;
}

}  // namespace

Subcommand add_gen_command(CLI::App& app) {
  auto arguments = std::make_shared<GenArguments>();
  auto* gen = app.add_subcommand("gen", "generate code from a verified spec");
  gen->require_subcommand(1);
  auto* cpp = gen->add_subcommand("cpp", "the typestate C++ API of one role (a header)");
  cpp->add_option("spec", arguments->file, "spec file")->required()->check(CLI::ExistingFile);
  cpp->add_option("--role", arguments->role, "the role whose API to generate")->required();
  cpp->add_option("-o,--output", arguments->output, "header to write (default: standard output)");
  cpp->add_option("--namespace", arguments->name_space,
                  "C++ namespace of the API (default: lim_generated::<spec name>::<role>)");
  cpp->add_option("--sort", arguments->sorts, "C++ type of an opaque sort, e.g. --sort Video=app::Video")
      ->allow_extra_args(false);  // one per occurrence: never the SPEC after it
  cpp->add_option("--include", arguments->includes, "header to include for the bound sorts")->allow_extra_args(false);
  return {gen, [arguments, cpp] {
            // The header records how it was made, without the output path.
            arguments->command_line = fmt::format("lim gen cpp {} --role {}",
                                                  std::filesystem::path(arguments->file).filename().string(),
                                                  arguments->role);
            (void)cpp;
            return run_gen_cpp(*arguments);
          }};
}

const CommandRegistration gen_registration{"gen", add_gen_command};

}  // namespace lim::cli
