// The guard checks over a system (refine/guard_checks) and how `lim check`
// reports them (pipeline/refinement_checks): overlapping, incomplete and
// dead branches, each with a Z3 witness that the evaluator confirms, and
// wildcards that take what the guards leave.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "lim/pipeline/refinement_checks.hpp"
#include "lim/refine/evaluate.hpp"
#include "lim/refine/guard_checks.hpp"
#include "test_support.hpp"

namespace lim::refine {
namespace {

using Kind = GuardFinding::Kind;

std::vector<Kind> kinds(const GuardCheckReport& report) {
  std::vector<Kind> found;
  for (const auto& finding : report.findings) found.push_back(finding.kind);
  return found;
}

// `a` receives m(x: u32) from b under the given guards (one branch each).
automata::System offer(const std::vector<std::string>& guards, const std::string& extra = "") {
  std::string branches;
  for (const auto& guard : guards) branches += (branches.empty() ? "" : ", ") + ("m(x: u32) if " + guard);
  return testing::system_of("state a { lo: u32, hi: u32 }\na: b&{" + branches + extra + "}\nb: a⊕{m(u32), n}\n");
}

// The guards of the findings' branches hold (or fail) for its witness.
void expect_witness_replays(const automata::System& system, const GuardFinding& finding) {
  ASSERT_TRUE(finding.witness.has_value());
  const auto& witness = *finding.witness;
  for (const auto index : finding.transitions) {
    const auto guard = system.machines[finding.role].transitions()[index].action.guard;
    const bool matches = holds(system.refinements->guards.at(guard).program, witness.payload, witness.state);
    EXPECT_EQ(matches, finding.kind == Kind::Overlap) << finding.message;
  }
}

TEST(RefineGuardChecks, DisjointExhaustiveGuardsPass) {
  const auto system = offer({"x < lo", "x >= lo && x <= hi", "x >= lo && x > hi"});
  const auto report = check_guards(system);
  EXPECT_TRUE(report.findings.empty()) << report.findings.front().message;
  EXPECT_EQ(report.offers, 1u);
  EXPECT_EQ(report.guards, 3u);
  EXPECT_GT(report.solver.queries, 0u);
}

TEST(RefineGuardChecks, FindsOverlapsWithAReplayableWitness) {
  const auto system = offer({"x < hi", "x > lo"});
  const auto report = check_guards(system);
  ASSERT_EQ(kinds(report), (std::vector<Kind>{Kind::Overlap, Kind::Gap}));
  const auto& overlap = report.findings[0];
  EXPECT_EQ(overlap.ranks, (std::vector<std::uint32_t>{1, 2}));
  expect_witness_replays(system, overlap);
  EXPECT_NE(overlap.message.find("matches branches 1 and 2 (`if x < hi` at 2:20 and `if x > lo` at 2:41)"),
            std::string::npos)
      << overlap.message;
  EXPECT_EQ(overlap.message.substr(0, 44), "a receiving 'm' from b in state q0 (2:4): x=");
  // The gap: neither x < hi nor x > lo, e.g. hi = 0 and x = lo.
  expect_witness_replays(system, report.findings[1]);
  EXPECT_NE(report.findings[1].message.find("matches none of its 2 branches (add a branch, or a wildcard '_')"),
            std::string::npos);
}

TEST(RefineGuardChecks, FindsDeadBranches) {
  const auto system = offer({"x < lo && x > lo", "true"});
  const auto report = check_guards(system);
  ASSERT_EQ(kinds(report), (std::vector<Kind>{Kind::Dead}));
  EXPECT_EQ(report.findings[0].ranks, (std::vector<std::uint32_t>{1}));
  EXPECT_NE(report.findings[0].message.find("branch 1 (`if x < lo && x > lo` at 2:20) is dead"), std::string::npos)
      << report.findings[0].message;
}

TEST(RefineGuardChecks, AWildcardTakesWhatTheGuardsLeave) {
  // Without `_` the gap x ∈ [lo, hi] is reported; with it, the wildcard
  // takes exactly those messages, and `n` too.
  const auto without = check_guards(offer({"x < lo", "x >= lo && x > hi"}));
  EXPECT_EQ(kinds(without), (std::vector<Kind>{Kind::Gap}));
  const auto system = offer({"x < lo", "x >= lo && x > hi"}, ", _ . end");
  EXPECT_TRUE(check_guards(system).findings.empty());
  ASSERT_EQ(system.wildcards.size(), 1u);
  const auto& use = system.wildcards[0];
  ASSERT_EQ(use.absorbed.size(), 2u);
  EXPECT_EQ(system.labels.name(use.absorbed[0].label), "m");
  ASSERT_NE(use.absorbed[0].guard, automata::kNoGuard);
  const auto& residual = system.refinements->guards.at(use.absorbed[0].guard).program;
  for (const std::uint64_t x : {0u, 4u, 5u, 9u, 10u, 11u}) {
    const std::vector<std::uint64_t> payload{x};
    const std::vector<std::uint64_t> state{5, 9};
    EXPECT_EQ(holds(residual, payload, state), x >= 5 && x <= 9) << x;
  }
  EXPECT_EQ(system.labels.name(use.absorbed[1].label), "n");
  EXPECT_EQ(use.absorbed[1].guard, automata::kNoGuard);
  const auto findings = pipeline::wildcard_findings(system);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].kind, "wildcard");
  EXPECT_EQ(findings[0].message,
            "a in state q0 (2:4): the wildcard '_' absorbs m(u32) when none of its other branches matches and n from "
            "b");
}

TEST(RefineGuardChecks, AWildcardBesideExhaustiveGuardsTakesNothingOfTheirLabel) {
  const auto system = offer({"x < lo", "x >= lo"}, ", _ . end");
  ASSERT_EQ(system.wildcards.size(), 1u);
  ASSERT_EQ(system.wildcards[0].absorbed.size(), 1u);
  EXPECT_EQ(system.labels.name(system.wildcards[0].absorbed[0].label), "n");
  // No transition for m goes to the wildcard's continuation.
  std::size_t receives_of_m = 0;
  for (const auto& transition : system.machines[0].transitions())
    receives_of_m += system.labels.name(transition.action.label) == "m";
  EXPECT_EQ(receives_of_m, 2u);
}

TEST(RefineGuardChecks, AWildcardThatAbsorbsNothingIsReported) {
  const auto system = testing::system_of("a: b&{m, n, _ . end}\nb: a⊕{m, n}\n");
  const auto findings = pipeline::wildcard_findings(system);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].message,
            "a in state q0 (1:4): the wildcard '_' absorbs nothing: the branch names every message b may send");
}

TEST(RefineGuardChecks, TheSameConditionInManyStatesIsSolvedOnce) {
  // Ten states with the same two guards: the solver runs for the first.
  std::string type = "end";
  for (int i = 0; i < 10; ++i) type = "b&{m(x: u32) if x < lo . " + type + ", m(x: u32) if x >= lo . " + type + "}";
  const auto system = testing::system_of("state a { lo: u32 }\na: " + type + "\nb: rec t . a⊕m(u32) . t\n");
  const auto report = check_guards(system);
  EXPECT_TRUE(report.findings.empty());
  EXPECT_GE(report.offers, 10u);
  EXPECT_GE(report.solver.cache_hits, 9 * 4u);
  EXPECT_LE(report.solver.solver_calls, 4u);
}

TEST(RefineGuardChecks, GuardPropertiesJoinTheFileReport) {
  report::FileReport report;
  pipeline::add_guard_checks(offer({"x < hi", "x > lo"}), report);
  ASSERT_EQ(report.results.size(), 3u);
  EXPECT_EQ(report.results[0].property, "guards-satisfiable");
  EXPECT_EQ(report.results[0].verdict, report::Verdict::Holds);
  EXPECT_EQ(report.results[1].property, "guards-disjoint");
  EXPECT_EQ(report.results[1].verdict, report::Verdict::Violated);
  EXPECT_EQ(report.results[1].detail, "1 overlap: see the notes above");
  EXPECT_EQ(report.results[2].property, "guards-exhaustive");
  EXPECT_EQ(report.results[2].verdict, report::Verdict::Violated);
  ASSERT_EQ(report.findings.size(), 2u);
  EXPECT_EQ(report.findings[0].kind, "guard-overlap");
  EXPECT_EQ(report.findings[1].kind, "guard-gap");
  // Specs without guards get no guard properties.
  report::FileReport plain;
  pipeline::add_guard_checks(testing::system_of("a: b⊕m\nb: a&m\n"), plain);
  EXPECT_TRUE(plain.results.empty());
}

TEST(RefineGuardChecks, UndecidedQueriesMakeThePropertiesInconclusive) {
  GuardCheckReport checks;
  GuardFinding unknown;
  unknown.kind = Kind::Unknown;
  unknown.message = "undecided";
  checks.findings.push_back(unknown);
  report::FileReport report;
  pipeline::add_guard_checks(checks, report);
  ASSERT_EQ(report.results.size(), 3u);
  for (const auto& result : report.results) EXPECT_EQ(result.verdict, report::Verdict::Inconclusive);
  EXPECT_EQ(report.findings[0].kind, "guard-unknown");
}

}  // namespace
}  // namespace lim::refine
