// `lim check FILE… [--props p1,p2] [--format text|json]`
#include <unistd.h>

#include <iostream>
#include <memory>

#include <fmt/format.h>

#include "commands.hpp"
#include "lim/report/json_report.hpp"
#include "lim/report/text_report.hpp"

namespace lim::cli {
namespace {

struct CheckArguments {
  std::vector<std::string> files;
  std::vector<std::string> properties;
  std::string format = "text";
  std::optional<std::uint64_t> max_states;
  std::string max_memory;
  std::optional<double> timeout;
  bool quiet = false;
};

int run_check(const CheckArguments& arguments) {
  pipeline::CheckOptions options;
  if (!arguments.properties.empty()) {
    options.properties.clear();
    for (const auto& name : arguments.properties) {
      const auto property = properties::parse_sync_property(name);
      if (!property) {
        std::string known;
        for (const auto candidate : properties::all_sync_properties())
          known += fmt::format("{}{}", known.empty() ? "" : ", ", properties::name(candidate));
        std::cerr << fmt::format("lim: error: unknown property '{}' (known: {})\n", name, known);
        return kInputError;
      }
      options.properties.push_back(*property);
    }
  }
  options.explore.limits.max_states = arguments.max_states;
  options.explore.limits.timeout_seconds = arguments.timeout;
  if (!arguments.max_memory.empty()) {
    options.explore.limits.max_memory_bytes = parse_size(arguments.max_memory);
    if (!options.explore.limits.max_memory_bytes) {
      std::cerr << fmt::format("lim: error: --max-memory '{}' is not a size such as 512M or 4G\n",
                               arguments.max_memory);
      return kInputError;
    }
  }
  const bool terminal = isatty(STDERR_FILENO) != 0;
  if (terminal && !arguments.quiet) {
    options.explore.progress = [](const explore::ProgressReport& progress) {
      std::cerr << fmt::format("\r\x1b[K  {} states  {:.0f} states/s  frontier {}  {:.1f} MiB", progress.states,
                               progress.seconds > 0 ? static_cast<double>(progress.states) / progress.seconds : 0.0,
                               progress.states - progress.expanded,
                               static_cast<double>(progress.memory_bytes) / (1024.0 * 1024.0))
                << std::flush;
    };
  }

  std::vector<report::FileReport> reports;
  std::vector<report::FileError> errors;
  for (const auto& file : arguments.files) {
    auto spec = pipeline::load_spec_file(file);
    if (!spec.ok()) {
      print_diagnostics(spec);
      for (const auto& diagnostic : spec.diagnostics.all()) errors.push_back({file, diagnostic});
      continue;
    }
    reports.push_back(pipeline::check_synchronous(file, *spec.system, options));
    if (terminal && !arguments.quiet) std::cerr << "\r\x1b[K" << std::flush;
  }

  if (arguments.format == "json") {
    std::cout << report::render_json(reports, errors).dump(2) << "\n";
  } else if (!reports.empty()) {
    std::cout << report::render_text(reports, {isatty(STDOUT_FILENO) != 0});
  }

  if (!errors.empty()) return kInputError;
  bool violated = false, inconclusive = false;
  for (const auto& file_report : reports)
    for (const auto& result : file_report.results) {
      violated = violated || result.verdict == report::Verdict::Violated;
      inconclusive = inconclusive || result.verdict == report::Verdict::Inconclusive;
    }
  if (violated) return kViolated;
  if (inconclusive) return kResourceLimit;
  return kAllHold;
}

}  // namespace

Subcommand add_check_command(CLI::App& app) {
  auto arguments = std::make_shared<CheckArguments>();
  auto* command = app.add_subcommand("check", "check properties of typing contexts");
  command->add_option("files", arguments->files, "spec files (.lim, mpstk .ctx)")
      ->required()
      ->check(CLI::ExistingFile);
  command
      ->add_option("--props", arguments->properties,
                   "comma-separated properties: safety, deadlock-freedom, termination, never-termination, "
                   "liveness, liveness+, liveness++ (default: all)")
      ->delimiter(',');
  command->add_option("--format", arguments->format, "output format: text or json")
      ->check(CLI::IsMember({"text", "json"}));
  command->add_option("--max-states", arguments->max_states, "stop exploring after this many configurations")
      ->check(CLI::PositiveNumber);
  command->add_option("--max-memory", arguments->max_memory, "stop exploring beyond this memory (e.g. 4G)");
  command->add_option("--timeout", arguments->timeout, "stop exploring after this many seconds")
      ->check(CLI::PositiveNumber);
  command->add_flag("--quiet,-q", arguments->quiet, "no progress display");
  return {command, [arguments] { return run_check(*arguments); }};
}

}  // namespace lim::cli
