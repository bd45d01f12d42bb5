#include "lim/pipeline/check.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>

#include <fmt/format.h>

#include "lim/automata/csa.hpp"
#include "lim/automata/from_local_types.hpp"
#include "lim/formats/gmc_fsm.hpp"
#include "lim/formats/kmc_session_types.hpp"
#include "lim/pipeline/refinement_checks.hpp"
#include "lim/support/budget.hpp"
#include "lim/syntax/parser.hpp"

namespace lim::pipeline {

namespace {

// mpstk's global types write interactions `p→q: m`: an arrow between two
// names, which local types never have.
bool looks_global(const SourceFile& source) {
  if (source.path().ends_with(".global")) return true;
  const auto& text = source.text();
  for (std::size_t at = text.find("→"); at != std::string::npos; at = text.find("→", at + 1)) {
    const auto line_start = text.rfind('\n', at);
    const auto comment = text.find_first_of("#", line_start == std::string::npos ? 0 : line_start);
    if (comment == std::string::npos || comment > at) return true;
  }
  return false;
}

// What a file that is not UTF-8 text looks like, and what to do about it;
// empty when it looks like text.
std::string encoding_problem(std::string_view text) {
  if (text.starts_with("\xFF\xFE") || text.starts_with("\xFE\xFF"))
    return "the file is UTF-16 (it starts with a UTF-16 byte order mark); lim reads UTF-8: convert it, e.g. with "
           "'iconv -f UTF-16 -t UTF-8'";
  const auto head = text.substr(0, 4096);
  const auto zeros = static_cast<std::size_t>(std::count(head.begin(), head.end(), '\0'));
  if (zeros == 0) return {};
  // ASCII text in UTF-16 has a zero byte in every other position.
  std::size_t even = 0, odd = 0;
  for (std::size_t i = 0; i < head.size(); ++i) (i % 2 == 0 ? even : odd) += head[i] == '\0';
  const auto half = head.size() / 2;
  if (half > 0 && (even * 10 >= half * 9 || odd * 10 >= half * 9))
    return "the file looks like UTF-16 (every other byte is zero); lim reads UTF-8: convert it, e.g. with "
           "'iconv -f UTF-16 -t UTF-8'";
  return "the file is not text: it contains zero bytes";
}

}  // namespace

LoadedSpec load_spec_text(std::string path, std::string text, std::optional<formats::InputFormat> format) {
  if (auto problem = encoding_problem(text); !problem.empty()) {
    LoadedSpec spec{SourceFile(std::move(path), ""), std::nullopt, {}};
    spec.diagnostics.error({}, std::move(problem));
    return spec;
  }
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
      else if (looks_global(spec.source))
        spec.diagnostics.note({}, "this looks like a global type (mpstk's .global files, `p→q: m . …`); lim checks "
                                  "local types, one per role (`p: q⊕m . …` and `q: p&m . …`): project the global "
                                  "type onto each role first");
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
  const bool standard_input = path == "-";
  const std::string name = standard_input ? "<stdin>" : path;
  const auto failure = [&](std::string message) {
    LoadedSpec spec{SourceFile(name, ""), std::nullopt, {}};
    spec.diagnostics.error({}, std::move(message));
    return spec;
  };
  struct stat status {};
  if (!standard_input && ::stat(path.c_str(), &status) == 0 && S_ISDIR(status.st_mode))
    return failure("cannot read file: it is a directory");
  std::ifstream file;
  if (!standard_input) {
    errno = 0;
    file.open(path, std::ios::binary);
    if (!file) return failure(fmt::format("cannot read file: {}", std::strerror(errno != 0 ? errno : ENOENT)));
  }
  std::istream& in = standard_input ? std::cin : file;
  // Read at most one byte beyond the limit: /dev/zero or a runaway pipe
  // must not fill the memory before the answer is known.
  std::string text;
  std::array<char, 1 << 16> buffer{};
  while (text.size() <= kMaxSpecBytes) {
    in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    const auto got = in.gcount();
    if (got <= 0) break;
    text.append(buffer.data(), static_cast<std::size_t>(got));
  }
  if (in.bad()) return failure(fmt::format("cannot read file: {}", std::strerror(errno != 0 ? errno : EIO)));
  if (text.size() > kMaxSpecBytes)
    return failure(fmt::format("the file is larger than {} MiB, the most a spec may be: is it a spec?",
                               kMaxSpecBytes >> 20));
  return load_spec_text(name, std::move(text), format);
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
  BudgetInForce budget({options.explore.limits.timeout_seconds, options.explore.limits.max_memory_bytes});
  budget->set_phase("exploring");
  auto explore_options = options.explore;
  explore_options.storage = properties::storage_for(explore_options.storage, options.properties);
  properties::SynchronousAnalysis analysis(system, explore_options);
  report::FileReport report;
  report.file = file;
  report.semantics = "synchronous";
  report.roles = system.role_count();
  report.components = analysis.component_count();
  report.states = analysis.states();
  report.transitions = analysis.transitions();
  report.exploration = explore::to_string(analysis.completion());
  report.findings = automata_findings(system);
  for (const auto property : options.properties) report.results.push_back(analysis.check(property));
  // Guards, wildcards and environments (docs/language.md §13–§16).
  add_guard_checks(system, report);
  for (auto& finding : wildcard_findings(system)) report.findings.push_back(std::move(finding));
  for (auto& finding : environment_findings(system, analysis.environment_gaps()))
    report.findings.push_back(std::move(finding));
  report.seconds = budget->elapsed_seconds();
  return report;
}

}  // namespace lim::pipeline
