#include "lim/refine/guard_checks.hpp"

#include <algorithm>
#include <map>
#include <tuple>

#include <fmt/format.h>

#include "lim/support/budget.hpp"

namespace lim::refine {

namespace {

using automata::Direction;
using automata::RoleId;
using automata::StateId;

std::string where(SourceLocation location) { return fmt::format("{}:{}", location.line, location.column); }

class Checker {
 public:
  Checker(const automata::System& system, std::chrono::milliseconds per_query)
      : system_(system), refinements_(*system.refinements), solver_(refinements_, per_query) {}

  GuardCheckReport run() {
    const auto start = std::chrono::steady_clock::now();
    for (RoleId role = 0; role < system_.role_count(); ++role) {
      const auto& machine = system_.machines[role];
      for (StateId state = 0; state < machine.state_count(); ++state) {
        poll_budget();
        check_state(role, state);
      }
    }
    report_.solver = solver_.statistics();
    report_.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return std::move(report_);
  }

 private:
  struct Group {
    std::vector<std::uint32_t> transitions;  // indices into the machine's transitions
    bool guarded = false;
  };

  void check_state(RoleId role, StateId state) {
    const auto& machine = system_.machines[role];
    const auto base = machine.first_outgoing_index(state);
    const auto outgoing = machine.outgoing(state);
    // Branches for one label from one peer, in source order.
    std::map<std::pair<RoleId, automata::LabelId>, Group> groups;
    for (std::uint32_t i = 0; i < outgoing.size(); ++i) {
      const auto& action = outgoing[i].action;
      if (action.direction != Direction::Receive) continue;
      Group& group = groups[{action.peer, action.label}];
      group.transitions.push_back(base + i);
      group.guarded = group.guarded || action.guard != automata::kNoGuard;
    }
    for (const auto& [key, group] : groups) {
      if (!group.guarded) continue;
      ++report_.offers;
      check_group(role, state, key.first, key.second, group);
    }
  }

  const automata::Transition& transition(RoleId role, std::uint32_t index) const {
    return system_.machines[role].transitions()[index];
  }

  // `if acceptable(s)` at 40:7, or "the wildcard at 45:5" for a residual.
  std::string describe_branch(RoleId role, std::uint32_t index) const {
    const auto& t = transition(role, index);
    if (is_residual(role, index)) return fmt::format("the wildcard '_' at {}", where(t.location));
    const Guard& guard = refinements_.guards.at(t.action.guard);
    return fmt::format("`if {}` at {}", guard.text, where(guard.location));
  }

  bool is_residual(RoleId role, std::uint32_t index) const {
    const auto& t = transition(role, index);
    for (const auto& use : system_.wildcards)
      if (use.role == role && use.state == t.source && use.location == t.location) return true;
    return false;
  }

  bool has_wildcard(RoleId role, StateId state, RoleId peer) const {
    return std::any_of(system_.wildcards.begin(), system_.wildcards.end(), [&](const automata::WildcardUse& use) {
      return use.role == role && use.state == state && use.peer == peer;
    });
  }

  std::string subject(RoleId role, StateId state, RoleId peer, automata::LabelId label) const {
    const auto& machine = system_.machines[role];
    return fmt::format("{} receiving '{}' from {} in state {} ({})", system_.role_names[role],
                       system_.labels.name(label), system_.role_names[peer], machine.graph[state].name,
                       where(machine.graph[state].location));
  }

  void add(GuardFinding finding) { report_.findings.push_back(std::move(finding)); }

  void unknown(RoleId role, StateId state, RoleId peer, automata::LabelId label, const std::string& question,
               const QueryResult& result, std::vector<std::uint32_t> transitions, std::vector<std::uint32_t> ranks) {
    GuardFinding finding{GuardFinding::Kind::Unknown, role, state, peer, label, std::move(transitions),
                         std::move(ranks), std::nullopt, {}, {}};
    finding.location = transition(role, finding.transitions.front()).location;
    finding.message = fmt::format("{}: Z3 could not decide {} ({})", subject(role, state, peer, label), question,
                                  result.reason.empty() ? "unknown" : result.reason);
    add(std::move(finding));
  }

  void check_group(RoleId role, StateId state, RoleId peer, automata::LabelId label, const Group& group) {
    std::vector<GuardId> guards;
    for (const auto index : group.transitions) {
      const GuardId guard = transition(role, index).action.guard;
      // A lone unguarded transition beside guarded ones cannot come from a
      // spec (static checks), but a hand-built system may have one: it is
      // the guard `true`.
      guards.push_back(guard);
    }
    report_.guards += guards.size();
    const auto rank = [&](std::size_t i) { return static_cast<std::uint32_t>(i + 1); };
    const std::string subject_text = subject(role, state, peer, label);

    // Satisfiable: a wildcard's residual is satisfiable by construction.
    for (std::size_t i = 0; i < guards.size(); ++i) {
      if (guards[i] == automata::kNoGuard || is_residual(role, group.transitions[i])) continue;
      const GuardId query[] = {guards[i]};
      const QueryResult result = solver_.check(query);
      if (result.answer == QueryResult::Answer::Unknown) {
        unknown(role, state, peer, label, "whether branch " + std::to_string(rank(i)) + " can ever be taken", result,
                {group.transitions[i]}, {rank(i)});
      } else if (result.answer == QueryResult::Answer::Unsatisfiable) {
        GuardFinding finding{GuardFinding::Kind::Dead, role, state, peer, label, {group.transitions[i]}, {rank(i)},
                             std::nullopt, {}, transition(role, group.transitions[i]).location};
        finding.message = fmt::format("{}: branch {} ({}) is dead: no payload and state satisfy its guard",
                                      subject_text, rank(i), describe_branch(role, group.transitions[i]));
        add(std::move(finding));
      }
    }
    // Disjoint, pairwise.
    for (std::size_t i = 0; i < guards.size(); ++i) {
      for (std::size_t j = i + 1; j < guards.size(); ++j) {
        std::vector<GuardId> both;
        for (const GuardId guard : {guards[i], guards[j]})
          if (guard != automata::kNoGuard) both.push_back(guard);
        const QueryResult result = solver_.check(both, {}, true);
        const std::vector<std::uint32_t> transitions{group.transitions[i], group.transitions[j]};
        if (result.answer == QueryResult::Answer::Unknown) {
          unknown(role, state, peer, label,
                  fmt::format("whether branches {} and {} overlap", rank(i), rank(j)), result, transitions,
                  {rank(i), rank(j)});
        } else if (result.answer == QueryResult::Answer::Satisfiable) {
          GuardFinding finding{GuardFinding::Kind::Overlap, role, state, peer, label, transitions,
                               {rank(i), rank(j)}, result.witness, {}, transition(role, group.transitions[j]).location};
          finding.message = fmt::format("{}: {} matches branches {} and {} ({} and {})", subject_text,
                                        result.witness->text(), rank(i), rank(j),
                                        describe_branch(role, group.transitions[i]),
                                        describe_branch(role, group.transitions[j]));
          add(std::move(finding));
        }
      }
    }
    // Exhaustive, unless a wildcard takes the rest.
    if (has_wildcard(role, state, peer)) return;
    if (std::find(guards.begin(), guards.end(), automata::kNoGuard) != guards.end()) return;
    const QueryResult result = solver_.check({}, guards, true);
    if (result.answer == QueryResult::Answer::Unknown) {
      unknown(role, state, peer, label, "whether the branches cover every message", result, group.transitions, {});
    } else if (result.answer == QueryResult::Answer::Satisfiable) {
      GuardFinding finding{GuardFinding::Kind::Gap, role, state, peer, label, group.transitions, {},
                           result.witness, {}, transition(role, group.transitions.front()).location};
      finding.message = fmt::format("{}: {} matches none of its {} branches (add a branch, or a wildcard '_')",
                                    subject_text, result.witness->text(), guards.size());
      add(std::move(finding));
    }
  }

  const automata::System& system_;
  const Refinements& refinements_;
  GuardSolver solver_;
  GuardCheckReport report_;
};

}  // namespace

bool GuardCheckReport::any(GuardFinding::Kind kind) const {
  return std::any_of(findings.begin(), findings.end(), [&](const GuardFinding& finding) { return finding.kind == kind; });
}

GuardCheckReport check_guards(const automata::System& system, std::chrono::milliseconds per_query) {
  if (!system.refinements) return {};
  return Checker(system, per_query).run();
}

}  // namespace lim::refine
