// `lim check --k …`, `--from` and `lim export` as a user runs them: exit
// codes (REFERENCE §6), the table and counterexamples with queues, JSON,
// and round trips through the exported formats.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cli_support.hpp"

namespace lim {
namespace {

using testing::run_lim;
using testing::temp_spec;

constexpr const char* kRunningExample = R"(C: rec x . S!req;S!data; {S?ko;x, S?ok;end, S?err;end}
S: rec x . C?req; { C!ko;C?data;x, C!ok;C?data; rec y. L!log;y}
L: rec y. S?log;y
)";

TEST(CliAsync, KmcFileHoldsExitsZero) {
  const auto path = temp_spec("running.txt", kRunningExample);
  const auto result = run_lim("check --k 1..10 " + path);
  EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
  EXPECT_NE(result.out.find("k-mc"), std::string::npos);
  EXPECT_NE(result.out.find("k=1"), std::string::npos);
}

// A JSON report without its times, which differ from run to run.
nlohmann::json strip_times(nlohmann::json document) {
  for (auto& file : document["files"]) {
    file.erase("seconds");
    for (auto& property : file["properties"]) property.erase("seconds");
  }
  return document;
}

// --store picks how explorations store configurations; every report is the
// same whichever it is, but for the time taken.
TEST(CliAsync, TheStoreChangesNoReport) {
  const std::string check = "check --k 2 --props k-obi,async-deadlock-freedom,orphan-messages --format json ";
  const std::string files = std::string(LIM_SOURCE_DIR) + "/specs/broken/*.lim";
  const auto graph = run_lim(check + "--store graph " + files);
  const auto compact = run_lim(check + "--store compact " + files);
  const auto automatic = run_lim(check + files);
  EXPECT_EQ(graph.exit_code, 1) << graph.err;
  EXPECT_EQ(compact.exit_code, graph.exit_code);
  EXPECT_EQ(automatic.exit_code, graph.exit_code);
  const auto expected = strip_times(nlohmann::json::parse(graph.out));
  EXPECT_EQ(expected["files"].size(), 3u);
  EXPECT_EQ(strip_times(nlohmann::json::parse(compact.out)), expected);
  EXPECT_EQ(strip_times(nlohmann::json::parse(automatic.out)), expected);
  const auto wrong = run_lim("check --k 2 --store edges " + files);
  EXPECT_EQ(wrong.exit_code, 2);
  EXPECT_NE(wrong.err.find("--store 'edges'"), std::string::npos) << wrong.err;
}

// --threads 2 (the default on two cores) and 1 give the same reports; the
// pipeline's equality is tests/explore_parallel_test.cpp's.
TEST(CliAsync, TheThreadsChangeNoReport) {
  const std::string check = "check --k 3 --props k-obi,async-deadlock-freedom,orphan-messages --format json ";
  const std::string files = std::string(LIM_SOURCE_DIR) + "/specs/broken/*.lim " + LIM_SOURCE_DIR + "/specs/*.lim";
  const auto one = run_lim(check + "--threads 1 " + files);
  const auto two = run_lim(check + "--threads 2 " + files);
  EXPECT_EQ(two.exit_code, one.exit_code) << two.err;
  EXPECT_EQ(strip_times(nlohmann::json::parse(two.out)), strip_times(nlohmann::json::parse(one.out)));
  const auto wrong = run_lim("check --k 2 --threads 3 " + std::string(LIM_SOURCE_DIR) + "/specs/two-buyer.lim");
  EXPECT_EQ(wrong.exit_code, 2);
  EXPECT_NE(wrong.err.find("--threads 3"), std::string::npos) << wrong.err;
}

// --por on reduces where it keeps the verdicts, says so in the report, and
// says why not elsewhere; the verdicts are those of --por off.
TEST(CliAsync, PartialOrderReductionKeepsTheVerdictsAndSaysWhenItApplies) {
  const auto verdicts = [](const nlohmann::json& document) {
    std::vector<std::string> found;
    for (const auto& file : document["files"])
      for (const auto& property : file["properties"])
        found.push_back(file["file"].get<std::string>() + " " + property["property"].get<std::string>() + " " +
                        property["verdict"].get<std::string>());
    return found;
  };
  const std::string check = "check --k 2 --props k-obi,async-deadlock-freedom,orphan-messages --format json ";
  const std::string files = std::string(LIM_SOURCE_DIR) + "/specs/broken/*.lim " + LIM_SOURCE_DIR + "/specs/*.lim";
  const auto off = run_lim(check + files);
  const auto on = run_lim(check + "--por on " + files);
  EXPECT_EQ(on.exit_code, off.exit_code) << on.err;
  const auto plain = nlohmann::json::parse(off.out);
  const auto reduced = nlohmann::json::parse(on.out);
  EXPECT_EQ(verdicts(reduced), verdicts(plain));
  EXPECT_GE(plain["files"].size(), 7u);
  for (std::size_t i = 0; i < plain["files"].size(); ++i) {
    EXPECT_EQ(plain["files"][i]["reduction"], "none");
    EXPECT_EQ(reduced["files"][i]["reduction"], "partial-order") << reduced["files"][i]["file"];
    EXPECT_LE(reduced["files"][i]["states"].get<std::size_t>(), plain["files"][i]["states"].get<std::size_t>());
  }
  const auto graph = nlohmann::json::parse(
      run_lim("check --k 2 --props k-obi,k-safety --por on --format json " + std::string(LIM_SOURCE_DIR) +
              "/specs/two-buyer.lim")
          .out);
  EXPECT_EQ(graph["files"][0]["reduction"], "none: k-safety looks at every interleaving");
  const auto wrong = run_lim("check --k 2 --por maybe " + std::string(LIM_SOURCE_DIR) + "/specs/two-buyer.lim");
  EXPECT_EQ(wrong.exit_code, 2);
  EXPECT_NE(wrong.err.find("--por 'maybe'"), std::string::npos) << wrong.err;
}

// In a least-k search the bounds screened for a refutation run unreduced,
// and the report says so instead of "partial-order" for the whole search.
TEST(CliAsync, ALeastKSearchSaysWhichBoundsWereReduced) {
  // k-OBI fails at k=1 (C blocks on D with A's queue to C full) and holds at 2.
  const auto path = temp_spec("obi.txt", "A: C!x; {B!a; end, C!b; end}\nB: A?a; end\nC: D?d; A?x; A?b; end\nD: end\n");
  const auto reduction = [&](const std::string& bounds, const std::string& por) {
    const auto result = run_lim("check --k " + bounds + " --props k-obi --por " + por + " --format json " + path);
    return nlohmann::json::parse(result.out)["files"][0]["reduction"].get<std::string>();
  };
  EXPECT_EQ(reduction("1..2", "on"), "partial-order: at k=2; k=1 screened for a violation, with every interleaving");
  // Decided at k=2, below the last bound: both explorations were screened.
  EXPECT_EQ(reduction("1..3", "on"), "none: k=1,2 screened for a violation, with every interleaving");
  EXPECT_EQ(reduction("2", "on"), "partial-order");
  EXPECT_EQ(reduction("1..2", "off"), "none");
}

TEST(CliAsync, ViolationShowsTheRunAndTheQueues) {
  const auto path = temp_spec("orphan.txt", "A: B!a; B!b; end\nB: A?a; end\n");
  const auto result = run_lim("check --k 1 --props k-safety,orphan-messages " + path);
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.out.find("A → B ! a"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("queue A → B: [b]"), std::string::npos) << result.out;
}

TEST(CliAsync, UnknownWithinTheBoundExitsOne) {
  const auto path = temp_spec("flood.txt", "A: rec x . B!a; x\nB: C?c; rec y . A?a; y\nC: end\n");
  const auto result = run_lim("check --k 1..4 --props k-mc " + path);
  EXPECT_EQ(result.exit_code, 1) << result.out;
  EXPECT_NE(result.out.find("k-mc unknown"), std::string::npos) << result.out;
}

TEST(CliAsync, ResourceLimitIsInconclusiveAndExitsThree) {
  const auto path = temp_spec("big.txt", "A: rec x . {B!a; x, B!b; x}\nB: rec y . {A?a; y, A?b; y}\n");
  const auto result = run_lim("check --k 8 --max-states 50 --props k-safety " + path);
  EXPECT_EQ(result.exit_code, 3) << result.out << result.err;
  EXPECT_NE(result.out.find("inconclusive"), std::string::npos) << result.out;
  // The first k decides k-safety at once; the bound 12 needs millions of configurations.
  const auto timed = run_lim("check --k 12 --timeout 0.001 --props k-safety " + path);
  EXPECT_EQ(timed.exit_code, 3) << timed.out << timed.err;
}

TEST(CliAsync, BrokenKmcFileIsALocatedInputError) {
  const auto path = temp_spec("self.txt", "A: B!a; end\nB: B?a; end\n");
  const auto result = run_lim("check --k 2 " + path);
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find(path + ":2:4: error: role 'B' receives from itself"), std::string::npos) << result.err;
  const auto fsm = temp_spec("range.fsm", ".outputs\n.state graph\nq0 3 ! a q1\n.marking q0\n.end\n");
  const auto out_of_range = run_lim("check --k 1 " + fsm);
  EXPECT_EQ(out_of_range.exit_code, 2);
  EXPECT_NE(out_of_range.err.find(fsm + ":3:4: error: machine 3 does not exist"), std::string::npos)
      << out_of_range.err;
}

TEST(CliAsync, OptionsAreChecked) {
  const auto path = temp_spec("ok.txt", "A: B!a; end\nB: A?a; end\n");
  EXPECT_EQ(run_lim("check --k 0 " + path).exit_code, 2);
  EXPECT_EQ(run_lim("check --k 5..2 " + path).exit_code, 2);
  const auto mixed = run_lim("check --k 2 --props safety " + path);
  EXPECT_EQ(mixed.exit_code, 2);
  EXPECT_NE(mixed.err.find("k-safety"), std::string::npos) << mixed.err;
  const auto unbounded = run_lim("check --props k-safety " + path);
  EXPECT_EQ(unbounded.exit_code, 2);
  EXPECT_NE(unbounded.err.find("--k"), std::string::npos) << unbounded.err;
  // csa and directedness need no bound.
  EXPECT_EQ(run_lim("check --props csa,directedness " + path).exit_code, 0);
}

TEST(CliAsync, FromOverridesDetection) {
  // A .lim name would make it lim; --from kmc reads it as kmc.
  const auto path = temp_spec("really-kmc.lim", "A: B!a; end\nB: A?a; end\n");
  EXPECT_EQ(run_lim("check --k 1 " + path).exit_code, 2);
  EXPECT_EQ(run_lim("check --k 1 --from kmc " + path).exit_code, 0);
  // Synchronous properties work on kmc input as well.
  EXPECT_EQ(run_lim("check --from kmc --props safety,deadlock-freedom " + path).exit_code, 0);
}

TEST(CliAsync, JsonCarriesBoundsAndQueues) {
  const auto path = temp_spec("orphan2.txt", "A: B!a; B!b; end\nB: A?a; end\n");
  const auto result = run_lim("check --k 1..3 --format json --props k-mc,orphan-messages " + path);
  EXPECT_EQ(result.exit_code, 1);
  const auto json = nlohmann::json::parse(result.out);
  const auto& file = json["files"][0];
  EXPECT_EQ(file["semantics"], "asynchronous k=1..3");
  const auto& mc = file["properties"][0];
  EXPECT_EQ(mc["property"], "k-mc");
  EXPECT_EQ(mc["verdict"], "violated");
  EXPECT_EQ(mc["k"], 1);
  const auto& orphans = file["properties"][1];
  EXPECT_EQ(orphans["counterexample"]["at"]["queues"][0]["messages"][0], "b");
  // Violated for every k: the run is at k = 3, A sends both before B takes a.
  EXPECT_EQ(orphans["counterexample"]["prefix"][0]["kind"], "send");
  EXPECT_EQ(orphans["counterexample"]["prefix"][1]["kind"], "send");
  EXPECT_EQ(orphans["counterexample"]["prefix"][2]["kind"], "receive");
}

TEST(CliAsync, ExportRoundTripsThroughFsmAndLim) {
  const auto path = temp_spec("export.txt", kRunningExample);
  const auto fsm = run_lim("export --to fsm " + path);
  ASSERT_EQ(fsm.exit_code, 0) << fsm.err;
  EXPECT_NE(fsm.out.find(".outputs"), std::string::npos);
  const auto fsm_path = temp_spec("exported.fsm", fsm.out);
  EXPECT_EQ(run_lim("check --k 1..10 --props k-mc " + fsm_path).exit_code, 0);

  const auto lim = run_lim("export --to lim " + path);
  ASSERT_EQ(lim.exit_code, 0) << lim.err;
  const auto lim_path = temp_spec("exported.lim", lim.out);
  const auto checked = run_lim("check --k 1..10 --props k-mc " + lim_path);
  EXPECT_EQ(checked.exit_code, 0) << lim.out << checked.out << checked.err;

  const auto dot = run_lim("export --to dot " + path);
  EXPECT_EQ(dot.exit_code, 0);
  EXPECT_NE(dot.out.find("digraph"), std::string::npos);

  const auto written = temp_spec("written.fsm", "");
  EXPECT_EQ(run_lim("export --to fsm -o " + written + " " + path).exit_code, 0);
  EXPECT_EQ(testing::read_file(written), fsm.out);
}

TEST(CliAsync, ExportRefusesWhatTheTargetCannotSay) {
  const auto path = temp_spec("nondirected.txt", "A: {B!a; end, C!b; end}\nB: A?a; end\nC: A?b; end\n");
  const auto result = run_lim("export --to lim " + path);
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find(path + ":1:"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("sends to several roles"), std::string::npos) << result.err;
}

// The guard checks do not depend on the semantics: overlapping guards fail
// a --k check as they fail a synchronous one.
TEST(CliAsync, GuardChecksRunUnderTheAsynchronousSemanticsToo) {
  const auto result = run_lim("check --k 1 specs/tcp/broken/acceptability-overlap.lim");
  EXPECT_EQ(result.exit_code, 1) << result.out;
  EXPECT_NE(result.out.find("guards-disjoint violated"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("matches branches 1 and 3"), std::string::npos) << result.out;
  EXPECT_EQ(run_lim("check --k 1 specs/tcp/acceptability.lim").exit_code, 0);
}

// kmc's automata have no internal moves and no data: a timeout or a guarded
// branch is refused where it is, never written as something else.
TEST(CliAsync, ExportRefusesTimeoutsAndGuards) {
  auto result = run_lim("export --to fsm runtime/tests/specs/watchdog.lim");
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find("watchdog.lim:6:31: error: the timeout `timeout(patience)` of role 'watcher' cannot be "
                            "written: the fsm format has no internal moves"),
            std::string::npos)
      << result.err;
  EXPECT_TRUE(result.out.empty()) << result.out;
  result = run_lim("export --to fsm specs/tcp/acceptability.lim");
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find("the fsm format has no guards"), std::string::npos) << result.err;
  result = run_lim("export --to lim runtime/tests/specs/watchdog.lim");
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find("has a timeout, which export does not write"), std::string::npos) << result.err;
}

// An environment is written back as its alphabet, and reads back the same.
TEST(CliAsync, ExportWritesEnvironmentsAsTheirAlphabet) {
  const auto path = temp_spec("env.lim", "env net: a⊕{x, y(Int)} | b⊕z\na: net&{x . end, y(Int) . end}\nb: net&z . end\n");
  const auto result = run_lim("export --to lim " + path);
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find("env net: a⊕{x, y(Int)} | b⊕z\n"), std::string::npos) << result.out;
  const auto again = temp_spec("env-again.lim", result.out);
  EXPECT_EQ(run_lim("check --props safety,deadlock-freedom " + again).exit_code, 0);
}

}  // namespace
}  // namespace lim
