// The dissertation's TCP server system (§3.3.5–§3.3.8) against an untrusted
// network: lim finds the segments its states leave unhandled — the
// robustness §4.2/§4.4.5 could only probe by hand — and the corrected server
// in specs/tcp/call-and-response-server.lim verifies (specs/tcp/server.lim, the
// asynchronous server, is pinned in tcp_spec_test.cpp). Also the acceptability specs and the
// guard checks' incremental cache (their time is bench/corpus_timings' figure).
#include <map>
#include <set>
#include <string>

#include <gtest/gtest.h>

#include "cli_support.hpp"
#include "lim/pipeline/check.hpp"
#include "lim/refine/evaluate.hpp"
#include "lim/refine/guard_checks.hpp"
#include "lim/refine/refinements.hpp"
#include "test_support.hpp"

namespace lim {
namespace {

using properties::SyncProperty;
using report::Verdict;

automata::System load(const std::string& file) {
  auto spec = pipeline::load_spec_file((testing::source_dir() / file).string());
  EXPECT_TRUE(spec.ok()) << format_diagnostics(spec.source, spec.diagnostics);
  return spec.ok() ? std::move(*spec.system) : automata::System{};
}

report::FileReport check(const automata::System& system, std::vector<SyncProperty> properties) {
  pipeline::CheckOptions options;
  options.properties = std::move(properties);
  return pipeline::check_synchronous("spec", system, options);
}

Verdict verdict_of(const report::FileReport& report, const std::string& property) {
  for (const auto& result : report.results)
    if (result.property == property) return result.verdict;
  ADD_FAILURE() << "no " << property;
  return Verdict::Unknown;
}

// The TCP state a line of broken/dissertation-server.lim is in.
std::string tcp_state(std::uint32_t line) {
  static const std::map<std::uint32_t, std::string> kStates = {
      {39, "LISTEN"},     {40, "SYN-RECEIVED"}, {43, "ESTABLISHED"}, {49, "FIN-WAIT-1"},
      {52, "FIN-WAIT-2"}, {63, "CLOSE-WAIT"},   {64, "LAST-ACK"}};
  const auto found = kStates.find(line);
  return found == kStates.end() ? "line " + std::to_string(line) : found->second;
}

TEST(EnvironmentTcp, TheDissertationsServerLeavesSegmentsUnhandled) {
  const auto system = load("specs/tcp/broken/dissertation-server.lim");
  const auto report = check(system, {SyncProperty::Safety, SyncProperty::DeadlockFreedom});
  EXPECT_EQ(verdict_of(report, "safety"), Verdict::Violated);
  EXPECT_EQ(verdict_of(report, "deadlock-freedom"), Verdict::Holds);
  // Its guards (the picker's "acceptable" and "unacceptable") are fine.
  EXPECT_EQ(verdict_of(report, "guards-disjoint"), Verdict::Holds);
  EXPECT_EQ(verdict_of(report, "guards-exhaustive"), Verdict::Holds);
  EXPECT_EQ(verdict_of(report, "guards-satisfiable"), Verdict::Holds);
  // The first unhandled segment, in LISTEN after the user's open.
  const auto& safety = report.results[0];
  ASSERT_TRUE(safety.counterexample);
  ASSERT_EQ(safety.counterexample->prefix.size(), 2u);
  EXPECT_EQ(safety.counterexample->prefix[0].text, "user → system: open");
  EXPECT_EQ(safety.counterexample->prefix[1].text, "system → user: tcb_created");
  EXPECT_EQ(safety.counterexample->explanation,
            "net may send syn_ack(segment) to system, but system only accepts {syn(segment)} from net here");

  // Every gap, per state: the list docs/language.md and the final report
  // quote.
  std::map<std::string, std::set<std::string>> unhandled;
  for (const auto& finding : report.findings) {
    if (finding.kind != "unhandled") continue;
    std::set<std::string>& labels = unhandled[tcp_state(finding.location.line)];
    for (const char* label : {"syn(", "syn_ack(", "ack(", "fin_ack(", "rst("}) {
      const auto at = finding.message.find(" handle ");
      if (finding.message.find(std::string(" ") + label, at) != std::string::npos ||
          finding.message.find(std::string(", ") + label, at) != std::string::npos)
        labels.insert(std::string(label).substr(0, std::string(label).size() - 1));
    }
  }
  const std::map<std::string, std::set<std::string>> expected = {
      {"LISTEN", {"syn_ack", "ack", "fin_ack", "rst"}},
      {"SYN-RECEIVED", {"syn", "syn_ack", "fin_ack", "rst"}},
      {"ESTABLISHED", {"syn", "syn_ack", "rst"}},
      {"CLOSE-WAIT", {"syn", "syn_ack", "fin_ack", "rst"}},
      {"LAST-ACK", {"syn", "syn_ack", "fin_ack", "rst"}},
      {"FIN-WAIT-1", {"syn", "syn_ack", "rst"}},
      {"FIN-WAIT-2", {"syn", "syn_ack", "rst"}},
  };
  EXPECT_EQ(unhandled, expected);
}

TEST(EnvironmentTcp, TheCorrectedServerVerifies) {
  const auto system = load("specs/tcp/call-and-response-server.lim");
  const auto report = check(system, {SyncProperty::Safety, SyncProperty::DeadlockFreedom, SyncProperty::Liveness});
  for (const char* property :
       {"safety", "deadlock-freedom", "liveness", "guards-satisfiable", "guards-disjoint", "guards-exhaustive"})
    EXPECT_EQ(verdict_of(report, property), Verdict::Holds) << property;
  std::size_t wildcards = 0;
  for (const auto& finding : report.findings) {
    EXPECT_NE(finding.kind, "unhandled") << finding.message;
    EXPECT_NE(finding.kind.substr(0, 6), "guard-") << finding.message;
    wildcards += finding.kind == "wildcard";
    // Every wildcard of the server takes something.
    if (finding.kind == "wildcard") {
      EXPECT_EQ(finding.message.find("absorbs nothing"), std::string::npos);
    }
  }
  EXPECT_EQ(wildcards, 11u);
}

TEST(EnvironmentTcp, TheServersGuardChecksReuseTheirAnswers) {
  const auto system = load("specs/tcp/call-and-response-server.lim");
  const auto checks = refine::check_guards(system);
  EXPECT_TRUE(checks.findings.empty());
  EXPECT_GE(checks.offers, 10u);
  // Reused predicates are decided once.
  EXPECT_GT(checks.solver.cache_hits, 0u);
}

TEST(EnvironmentTcp, AcceptabilityBranchesAreDisjointAndExhaustive) {
  const auto system = load("specs/tcp/acceptability.lim");
  const auto report = check(system, {SyncProperty::Safety, SyncProperty::DeadlockFreedom});
  for (const char* property :
       {"safety", "deadlock-freedom", "guards-satisfiable", "guards-disjoint", "guards-exhaustive"})
    EXPECT_EQ(verdict_of(report, property), Verdict::Holds) << property;
}

TEST(EnvironmentTcp, TheOverlappingAcceptabilityTestIsCaughtWithReplayableSegments) {
  const auto system = load("specs/tcp/broken/acceptability-overlap.lim");
  const auto checks = refine::check_guards(system);
  std::vector<std::vector<std::uint32_t>> overlaps;
  for (const auto& finding : checks.findings) {
    if (finding.kind != refine::GuardFinding::Kind::Overlap) continue;
    overlaps.push_back(finding.ranks);
    // The model is a concrete segment and receiver state that both guards
    // accept — checked by the evaluator the runtime would use.
    ASSERT_TRUE(finding.witness);
    for (const auto index : finding.transitions) {
      const auto guard = system.machines[finding.role].transitions()[index].action.guard;
      EXPECT_TRUE(refine::holds(system.refinements->guards.at(guard).program, finding.witness->payload,
                                finding.witness->state))
          << finding.message;
    }
    EXPECT_NE(finding.message.find("s.seq="), std::string::npos) << finding.message;
    EXPECT_NE(finding.message.find("rcv_nxt="), std::string::npos) << finding.message;
  }
  EXPECT_EQ(overlaps, (std::vector<std::vector<std::uint32_t>>{{1, 3}, {2, 3}}));
  const auto report = check(system, {SyncProperty::Safety});
  EXPECT_EQ(verdict_of(report, "guards-disjoint"), Verdict::Violated);
  EXPECT_EQ(verdict_of(report, "guards-satisfiable"), Verdict::Holds);
}

TEST(EnvironmentTcp, TheWitnessesUseSmallNumbersWhereTheyCan) {
  // Readable counterexamples: values near 0 modulo 2^32 — except where the
  // violation needs a large one: the gap needs a segment 2^31 away from
  // RCV.NXT, where RFC 9293's modular comparison holds both ways.
  const auto system = load("specs/tcp/broken/acceptability-overlap.lim");
  const auto small = [](std::uint64_t value) { return value <= 16 || value >= 0xFFFFFFFFull - 15; };
  bool gap = false;
  for (const auto& finding : refine::check_guards(system).findings) {
    ASSERT_TRUE(finding.witness);
    std::map<std::string, std::uint64_t> values(finding.witness->shown.begin(), finding.witness->shown.end());
    if (finding.kind == refine::GuardFinding::Kind::Overlap) {
      for (const auto& [name, value] : values) EXPECT_TRUE(small(value)) << finding.message;
      continue;
    }
    ASSERT_EQ(finding.kind, refine::GuardFinding::Kind::Gap);
    gap = true;
    EXPECT_EQ((values.at("rcv_nxt") - values.at("s.seq")) & 0xFFFFFFFF, 0x80000000u) << finding.message;
    EXPECT_EQ(values.at("rcv_wnd"), 0u) << finding.message;
    EXPECT_TRUE(small(values.at("s.seq"))) << finding.message;
    EXPECT_TRUE(small(values.at("s.len"))) << finding.message;
  }
  EXPECT_TRUE(gap);
}

TEST(EnvironmentTcp, LimGuardsPrintsTheFigureAndGatesOnTheVerdicts) {
  const auto good = testing::run_lim("guards specs/tcp/call-and-response-server.lim specs/tcp/acceptability.lim");
  EXPECT_EQ(good.exit_code, 0) << good.out << good.err;
  EXPECT_NE(good.out.find("specs/tcp/call-and-response-server.lim: 10 guarded offers"), std::string::npos) << good.out;
  EXPECT_NE(good.out.find("guard checks "), std::string::npos);
  EXPECT_NE(good.out.find("the wildcard '_' absorbs"), std::string::npos);
  const auto bad = testing::run_lim("guards specs/tcp/broken/acceptability-overlap.lim");
  EXPECT_EQ(bad.exit_code, 1) << bad.out << bad.err;
  EXPECT_NE(bad.out.find("matches branches 1 and 3"), std::string::npos) << bad.out;
  const auto json = testing::run_lim("guards --format json specs/tcp/broken/acceptability-overlap.lim");
  EXPECT_EQ(json.exit_code, 1);
  EXPECT_NE(json.out.find("\"guards-disjoint\""), std::string::npos) << json.out;
  const auto missing = testing::run_lim("guards no-such-file.lim");
  EXPECT_EQ(missing.exit_code, 2);
}

TEST(EnvironmentTcp, LimCheckShowsGuardsWildcardsAndGaps) {
  const auto result = testing::run_lim("check --props safety specs/tcp/broken/dissertation-server.lim");
  EXPECT_EQ(result.exit_code, 1) << result.err;
  EXPECT_NE(result.out.find("does not handle syn_ack(segment), ack(segment), fin_ack(segment) and rst(segment) from "
                            "net"),
            std::string::npos)
      << result.out;
  EXPECT_NE(result.out.find("guards-disjoint"), std::string::npos);
  const auto server = testing::run_lim("check --props safety,deadlock-freedom specs/tcp/call-and-response-server.lim");
  EXPECT_EQ(server.exit_code, 0) << server.out << server.err;
}

}  // namespace
}  // namespace lim
