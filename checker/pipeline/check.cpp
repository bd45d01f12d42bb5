#include "lim/pipeline/check.hpp"

#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "lim/automata/csa.hpp"
#include "lim/automata/from_local_types.hpp"
#include "lim/formats/gmc_fsm.hpp"
#include "lim/formats/kmc_session_types.hpp"
#include "lim/pipeline/refinement_checks.hpp"
#include "lim/semantics/synchronous.hpp"
#include "lim/syntax/parser.hpp"

namespace lim::pipeline {

LoadedSpec load_spec_text(std::string path, std::string text, std::optional<formats::InputFormat> format) {
  LoadedSpec spec{SourceFile(std::move(path), std::move(text)), std::nullopt, {}};
  // A .lim/.ctx file is lim whatever it contains, so that a broken lim spec
  // gets lim's error messages; other files are recognised by their content.
  const auto& name = spec.source.path();
  const bool lim_extension = name.ends_with(".lim") || name.ends_with(".ctx");
  spec.format = format            ? *format
                : lim_extension   ? formats::InputFormat::Lim
                                  : formats::detect_format(spec.source.text());
  switch (spec.format) {
    case formats::InputFormat::Lim:
      if (auto context = syntax::load_context(spec.source, spec.diagnostics))
        spec.system = automata::system_from_context(*context, spec.diagnostics);
      break;
    case formats::InputFormat::KmcSessionTypes:
      spec.system = formats::read_kmc_session_types(spec.source, spec.diagnostics);
      break;
    case formats::InputFormat::GmcFsm:
      spec.system = formats::read_gmc_fsm(spec.source, spec.diagnostics);
      break;
  }
  // An empty context is well-formed, and every property holds of it; a user
  // who checks an empty file (a wrong path, a truncated download) must hear
  // about it rather than get a row of ✓.
  if (spec.system && spec.system->role_count() == 0) {
    spec.diagnostics.error({1, 1}, "the spec defines no role: expected one local type per role, such as "
                                   "'alice: bob⊕hello . end'");
    spec.system.reset();
  }
  return spec;
}

LoadedSpec load_spec_file(const std::string& path, std::optional<formats::InputFormat> format) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    LoadedSpec spec{SourceFile(path, ""), std::nullopt, {}};
    spec.diagnostics.error({}, "cannot read file");
    return spec;
  }
  std::ostringstream text;
  text << in.rdbuf();
  return load_spec_text(path, text.str(), format);
}

std::vector<report::Finding> automata_findings(const automata::System& system) {
  std::vector<report::Finding> findings;
  for (const auto& found : automata::find_nondeterminism(system)) {
    const auto& machine = system.machines[found.role];
    const auto& transition = machine.transitions()[found.second];
    findings.push_back({"non-determinism",
                        fmt::format("{} has two transitions {} from state {}", system.role_names[found.role],
                                    system.describe_action(found.role, transition.action),
                                    machine.graph[found.state].name),
                        transition.location});
  }
  for (const auto& found : automata::find_mixed_states(system)) {
    // An environment's one state sends and receives by design.
    if (system.is_environment(found.role)) continue;
    const auto& machine = system.machines[found.role];
    findings.push_back({"mixed-state",
                        fmt::format("{} both sends and receives in state {}: {}", system.role_names[found.role],
                                    machine.graph[found.state].name, system.describe_state(found.role, found.state)),
                        machine.graph[found.state].location});
  }
  return findings;
}

report::FileReport check_synchronous(const std::string& file, const automata::System& system,
                                     const CheckOptions& options) {
  const semantics::SynchronousSemantics semantics(system);
  const auto space = explore::explore(semantics, options.explore);
  report::FileReport report;
  report.file = file;
  report.semantics = "synchronous";
  report.roles = system.role_count();
  report.states = space.size();
  report.transitions = space.edge_count();
  report.exploration = explore::to_string(space.completion);
  report.findings = automata_findings(system);
  for (const auto property : options.properties)
    report.results.push_back(properties::check(property, semantics, space));
  // Guards, wildcards and environments (docs/language.md §13–§16).
  add_guard_checks(system, report);
  for (auto& finding : wildcard_findings(system)) report.findings.push_back(std::move(finding));
  for (auto& finding : environment_findings(semantics, space)) report.findings.push_back(std::move(finding));
  report.seconds = space.seconds;
  return report;
}

}  // namespace lim::pipeline
