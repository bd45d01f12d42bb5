// `lim guards FILE… [--format text|json] [--query-timeout MS]`
//
// The guard checks alone (guards-satisfiable, guards-disjoint,
// guards-exhaustive, docs/language.md §13), without exploring the state
// space, with what each wildcard absorbs and how long the checks took — the
// figure behind "the guard checks of a TCP-sized spec finish in under a
// second". `lim check` runs the same checks next to the state-space
// properties.
#include <unistd.h>

#include <chrono>
#include <iostream>
#include <memory>

#include <fmt/format.h>

#include "commands.hpp"
#include "lim/pipeline/refinement_checks.hpp"
#include "lim/refine/guard_checks.hpp"
#include "lim/refine/refinements.hpp"
#include "lim/report/json_report.hpp"
#include "lim/report/text_report.hpp"

namespace lim::cli {
namespace {

struct GuardsArguments {
  std::vector<std::string> files;
  std::string format = "text";
  unsigned query_timeout = 10000;
};

int run_guards(const GuardsArguments& arguments) {
  using Clock = std::chrono::steady_clock;
  std::vector<report::FileReport> reports;
  std::vector<report::FileError> errors;
  std::vector<std::string> figures;
  for (const auto& file : arguments.files) {
    const auto start = Clock::now();
    auto spec = pipeline::load_spec_file(file);
    const double load = std::chrono::duration<double>(Clock::now() - start).count();
    if (!spec.ok()) {
      print_diagnostics(spec);
      for (const auto& diagnostic : spec.diagnostics.all()) errors.push_back({spec.source.path(), diagnostic});
      continue;
    }
    const auto& system = *spec.system;
    report::FileReport report;
    report.file = spec.source.path();
    report.semantics = "guards";
    report.exploration = "not needed";
    report.roles = system.role_count();
    const auto checks = refine::check_guards(system, std::chrono::milliseconds(arguments.query_timeout));
    report.seconds = checks.seconds;
    if (system.refinements && !system.refinements->guards.empty()) pipeline::add_guard_checks(checks, report);
    for (auto& finding : pipeline::wildcard_findings(system)) report.findings.push_back(std::move(finding));
    figures.push_back(fmt::format(
        "{}: {} guarded offers, {} branches; {} queries, {} answered from the cache, {} solved by Z3 in {:.3f} s; "
        "guard checks {:.3f} s (loading and translating the spec, which compiles the guards, {:.3f} s)",
        file, checks.offers, checks.guards, checks.solver.queries, checks.solver.cache_hits,
        checks.solver.solver_calls, checks.solver.seconds, checks.seconds, load));
    reports.push_back(std::move(report));
  }

  const int exit_code = report::summarize(reports, errors).exit_code;
  if (arguments.format == "json") return write_report(report::render_json(reports, errors).dump(2) + "\n", exit_code);
  std::string text;
  for (const auto& figure : figures) text += figure + "\n";
  const bool any_results = std::any_of(reports.begin(), reports.end(),
                                       [](const report::FileReport& report) { return !report.results.empty(); });
  if (any_results) text += report::render_table(reports, {isatty(STDOUT_FILENO) != 0});
  for (const auto& report : reports) text += report::render_details(report);
  return write_report(text, exit_code);
}

}  // namespace

Subcommand add_guards_command(CLI::App& app) {
  auto arguments = std::make_shared<GuardsArguments>();
  auto* command = app.add_subcommand(
      "guards", "check that guarded branches are satisfiable, disjoint and exhaustive (Z3), and report wildcards");
  command->add_option("files", arguments->files, "lim spec files")->required();
  command->add_option("--format", arguments->format, "output format: text or json")
      ->check(CLI::IsMember({"text", "json"}));
  command->add_option("--query-timeout", arguments->query_timeout,
                      "milliseconds Z3 may spend on one query before its answer counts as unknown (exit code 3)")
      ->check(CLI::PositiveNumber);
  return {command, [arguments] { return run_guards(*arguments); }};
}

const CommandRegistration guards_registration{"guards", add_guards_command};

}  // namespace lim::cli
