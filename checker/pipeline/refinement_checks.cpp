#include "lim/pipeline/refinement_checks.hpp"

#include <fmt/format.h>

#include "lim/refine/refinements.hpp"
#include "lim/support/budget.hpp"

namespace lim::pipeline {

namespace {

using refine::GuardFinding;

std::string_view finding_kind(GuardFinding::Kind kind) {
  switch (kind) {
    case GuardFinding::Kind::Overlap: return "guard-overlap";
    case GuardFinding::Kind::Gap: return "guard-gap";
    case GuardFinding::Kind::Dead: return "guard-dead";
    case GuardFinding::Kind::Unknown: return "guard-unknown";
  }
  return "guard";
}

// A list as people write it: "a", "a and b", "a, b and c".
std::string enumerate(const std::vector<std::string>& items) {
  std::string text;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) text += i + 1 == items.size() ? " and " : ", ";
    text += items[i];
  }
  return text;
}

std::string state_text(const automata::System& system, automata::RoleId role, automata::StateId state) {
  const auto& machine = system.machines[role];
  const auto location = machine.graph[state].location;
  return fmt::format("{} in state {} ({}:{})", system.role_names[role], machine.graph[state].name, location.line,
                     location.column);
}

}  // namespace

namespace {

struct GuardProperty {
  const char* name;
  GuardFinding::Kind kind;
  const char* what;
};
constexpr GuardProperty kGuardProperties[] = {
    {"guards-satisfiable", GuardFinding::Kind::Dead, "dead branch"},
    {"guards-disjoint", GuardFinding::Kind::Overlap, "overlap"},
    {"guards-exhaustive", GuardFinding::Kind::Gap, "gap"},
};

}  // namespace

void add_guard_checks(const refine::GuardCheckReport& checks, report::FileReport& report) {
  for (const auto& property : kGuardProperties) {
    report::PropertyResult result;
    result.property = property.name;
    std::size_t count = 0;
    for (const auto& finding : checks.findings) count += finding.kind == property.kind;
    if (count > 0) {
      result.verdict = report::Verdict::Violated;
      result.detail = fmt::format("{} {}{}: see the notes above", count, property.what, count == 1 ? "" : "s");
    } else if (checks.any(GuardFinding::Kind::Unknown)) {
      result.verdict = report::Verdict::Inconclusive;
      result.detail = "Z3 could not decide every query within its time limit";
    }
    report.results.push_back(std::move(result));
  }
  for (const auto& finding : checks.findings)
    report.findings.push_back({std::string(finding_kind(finding.kind)), finding.message, finding.location});
}

void add_guard_checks(const automata::System& system, report::FileReport& report) {
  if (!system.refinements || system.refinements->guards.empty()) return;
  if (auto* budget = current_budget()) budget->set_phase("guards");
  try {
    add_guard_checks(refine::check_guards(system), report);
  } catch (const BudgetExhausted& spent) {
    for (const auto& property : kGuardProperties) {
      report::PropertyResult result;
      result.property = property.name;
      result.verdict = report::Verdict::Inconclusive;
      result.detail = fmt::format("{} during the guard checks", spent.what());
      report.results.push_back(std::move(result));
    }
  }
}

std::vector<report::Finding> wildcard_findings(const automata::System& system) {
  std::vector<report::Finding> findings;
  for (const auto& use : system.wildcards) {
    std::vector<std::string> absorbed;
    for (const auto& message : use.absorbed) {
      const automata::Action action{automata::Direction::Receive, use.peer, message.label, message.payload,
                                    automata::kNoGuard};
      std::string text = system.describe_label(action);
      if (message.guard != automata::kNoGuard) text += fmt::format(" when none of its other branches matches");
      absorbed.push_back(std::move(text));
    }
    const std::string message =
        absorbed.empty()
            ? fmt::format("{}: the wildcard '_' absorbs nothing: the branch names every message {} may send",
                          state_text(system, use.role, use.state), system.role_names[use.peer])
            : fmt::format("{}: the wildcard '_' absorbs {} from {}", state_text(system, use.role, use.state),
                          enumerate(absorbed), system.role_names[use.peer]);
    findings.push_back({"wildcard", message, use.location});
  }
  return findings;
}

std::vector<report::Finding> environment_findings(const automata::System& system,
                                                  const std::vector<properties::EnvironmentGap>& gaps) {
  std::vector<report::Finding> findings;
  for (const auto& gap : gaps) {
    std::vector<std::string> messages;
    for (const auto& action : gap.unhandled) messages.push_back(system.describe_label(action));
    findings.push_back({"unhandled",
                        fmt::format("{} waits at {} but does not handle {} from {}",
                                    state_text(system, gap.role, gap.state), system.describe_state(gap.role, gap.state),
                                    enumerate(messages), system.role_names[gap.environment]),
                        system.machines[gap.role].graph[gap.state].location});
  }
  return findings;
}

}  // namespace lim::pipeline
