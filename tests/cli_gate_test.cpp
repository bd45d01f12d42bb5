// `lim check` as a CI gate (issue 10): defaults a correct protocol passes,
// limits that hold on every path, errors a CI job can act on, many files at
// once, and the machine-readable formats (every JSON, SARIF and JUnit
// document printed here is also validated against its schema, see
// cli_support.hpp).
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cli_support.hpp"

namespace lim {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using testing::run_lim;
using testing::temp_spec;

// A pipeline of n roles, each passing a message on: one component of 2^n
// configurations, far more than a test may explore.
std::string chain(int n) {
  std::string text = "r0: rec t . r1⊕a . t\n";
  for (int i = 1; i + 1 < n; ++i)
    text += "r" + std::to_string(i) + ": rec t . r" + std::to_string(i - 1) + "&a . r" + std::to_string(i + 1) +
            "⊕a . t\n";
  return text + "r" + std::to_string(n - 1) + ": rec t . r" + std::to_string(n - 2) + "&a . t\n";
}

// n independent pairs in kmc's syntax.
std::string kmc_pairs(int n) {
  std::string text;
  for (int i = 0; i < n; ++i) {
    const auto a = "A" + std::to_string(i), b = "B" + std::to_string(i);
    text += a + ": rec x . " + b + "!a; " + b + "?b; x\n" + b + ": rec y . " + a + "?a; " + a + "!b; y\n";
  }
  return text;
}

nlohmann::json json_of(const testing::CommandResult& result) {
  try {
    return nlohmann::json::parse(result.out);
  } catch (const std::exception& error) {
    ADD_FAILURE() << "not JSON: " << error.what() << "\n" << result.out << result.err;
    return {};
  }
}

// ---- §1: defaults that pass ----------------------------------------------------------

// The README's first command without --props: every bundled spec outside
// specs/broken/ holds, every one inside shows a counterexample.
TEST(CliGate, DefaultPropertiesPassOnGoodSpecsAndFailOnBrokenOnes) {
  const auto good = run_lim("check specs/*.lim");
  EXPECT_EQ(good.exit_code, 0) << good.out << good.err;
  EXPECT_THAT(good.out, HasSubstr("safety  deadlock-freedom  liveness\n"));
  EXPECT_THAT(good.out, Not(HasSubstr("termination")));
  EXPECT_THAT(good.out, HasSubstr("5 files: 5 hold\n"));
  const auto broken = run_lim("check specs/broken/*.lim");
  EXPECT_EQ(broken.exit_code, 1) << broken.out;
  EXPECT_THAT(broken.out, HasSubstr("3 files: 0 hold, 3 violated\n"));
  EXPECT_THAT(broken.out, HasSubstr("deadlock-freedom violated"));
  EXPECT_THAT(broken.out, HasSubstr("safety violated"));
  EXPECT_THAT(broken.out, HasSubstr("liveness violated"));
  // All seven on request; the two-buyer protocol terminates, so it is not
  // never-terminating.
  const auto all = run_lim("check --props all specs/two-buyer.lim");
  EXPECT_EQ(all.exit_code, 1);
  EXPECT_THAT(all.out, HasSubstr("never-termination violated"));
}

TEST(CliGate, DefaultAsynchronousPropertiesAreKmcAndDeadlockFreedom) {
  const auto path = temp_spec("gate-ok.txt", "A: B!a; B?b; end\nB: A?a; A!b; end\n");
  const auto result = run_lim("check --k 1..4 --format json " + path);
  EXPECT_EQ(result.exit_code, 0) << result.out;
  const auto json = json_of(result);
  std::vector<std::string> properties;
  for (const auto& property : json["files"][0]["properties"]) properties.push_back(property["property"]);
  EXPECT_THAT(properties, ::testing::ElementsAre("k-mc", "async-deadlock-freedom"));
}

// ---- §1: one deadline for the whole check ------------------------------------------------

TEST(CliGate, TimeoutCoversTheAnalysesAfterTheExploration) {
  const auto path = temp_spec("gate-chain.lim", chain(28));
  const auto result = run_lim("check --timeout 1 --format json " + path);
  EXPECT_EQ(result.exit_code, 3) << result.out << result.err;
  const auto json = json_of(result);
  const auto& file = json["files"][0];
  EXPECT_EQ(file["exploration"], "time limit reached");
  for (const auto& property : file["properties"]) {
    EXPECT_EQ(property["verdict"], "inconclusive") << property;
    EXPECT_THAT(property["detail"].get<std::string>(), HasSubstr("time limit reached")) << property;
  }
  EXPECT_EQ(json["summary"]["exit_code"], 3);
}

// Z3 used to get 10 s per query whatever --timeout said: 62-bit factoring
// takes it far longer than the deadline, which now stops it.
TEST(CliGate, TimeoutStopsZ3GuardChecks) {
  const auto path = temp_spec("gate-hard-guards.lim", R"(record pair { x: u64, y: u64 }
pred factors(p: pair) = p.x * p.y == 4611685975477714963 && p.x > 1 && p.y > 1 && p.x < 4294967296 && p.y < 4294967296
env net: r⊕m(pair)
r: rec t . net&{
  m(p: pair) if factors(p) && p.x < p.y . t,
  m(p: pair) if factors(p) && p.x > p.y . t,
  m(p: pair) if !factors(p) . t
}
)");
  const auto result = run_lim("check --timeout 1 --format json " + path);
  EXPECT_EQ(result.exit_code, 3) << result.out << result.err;
  bool stopped = false;
  const auto json = json_of(result);
  for (const auto& property : json["files"][0]["properties"])
    if (property["property"] == "guards-disjoint") {
      EXPECT_EQ(property["verdict"], "inconclusive");
      EXPECT_EQ(property["detail"], "time limit reached during the guard checks");
      stopped = true;
    }
  EXPECT_TRUE(stopped) << result.out;
}

TEST(CliGate, TimeoutCoversEveryBoundOfALeastKSearch) {
  // Four labels: 4^k queue contents, millions of configurations from k=11.
  const auto path = temp_spec("gate-flood.txt",
                              "A: rec x . {B!a; x, B!b; x, B!c; x, B!d; x}\nB: rec y . {A?a; y, A?b; y, A?c; y, A?d; y}\n");
  const auto result = run_lim("check --k 11..14 --props k-safety --timeout 0.5 " + path);
  EXPECT_EQ(result.exit_code, 3) << result.out << result.err;
  EXPECT_THAT(result.out, HasSubstr("time limit reached"));
}

// ---- §1: memory, linear and bounded ----------------------------------------------------

TEST(CliGate, MaxMemoryHoldsOnTheIndependentPairsPath) {
  const auto path = temp_spec("gate-pairs.txt", kmc_pairs(2000));
  const auto unbounded = run_lim("check --k 2 --format json " + path);
  EXPECT_EQ(unbounded.exit_code, 0) << unbounded.err;
  EXPECT_EQ(json_of(unbounded)["files"][0]["components"], 2000);
  const auto bounded = run_lim("check --k 2 --max-memory 4M --format json " + path);
  EXPECT_EQ(bounded.exit_code, 3) << bounded.out << bounded.err;
  // Where it runs out — during the exploration of the 2000 components or
  // in an analysis after it — depends on when the resident memory is read
  // (Budget::memory_used), so the report is asked only to say that it did.
  EXPECT_TRUE(json_of(bounded)["files"][0].contains("exploration"));
  EXPECT_NE(bounded.out.find("memory limit reached"), std::string::npos) << bounded.out;
}

TEST(CliGate, LimitsFollowOneRule) {
  const auto spec = std::string(" specs/two-buyer.lim");
  for (const char* good : {"--max-memory 4g", "--max-memory 4G", "--max-memory 4GB", "--max-memory 4GiB",
                           "--max-memory 1T", "--max-memory 512M", "--max-memory 100000000", "--timeout 30",
                           "--timeout 0.5", "--timeout 500ms", "--timeout 2min", "--max-states 1000000"})
    EXPECT_EQ(run_lim(std::string("check ") + good + spec).exit_code, 0) << good;
  const std::pair<const char*, const char*> refused[] = {
      {"--max-memory 17179869184G", "is more than 8 EiB"},
      {"--max-memory 18446744073709551615", "is more than 8 EiB"},
      {"--max-memory ''", "expected a size > 0 such as 512M"},
      {"--max-memory 0", "expected a size > 0"},
      {"--max-memory 4X", "expected a size > 0"},
      {"--max-states 0", "expected a whole number ≥ 1"},
      {"--max-states 1.5", "expected a whole number ≥ 1"},
      {"--timeout 0", "expected a duration > 0"},
      {"--timeout -1", "expected a duration > 0"},
      {"--timeout inf", "expected a duration > 0"},
      {"--timeout nan", "expected a duration > 0"},
      {"--timeout 1e99", "expected a duration > 0"},
      {"--timeout 99999999999", "is more than 10^9 seconds"},
  };
  for (const auto& [option, message] : refused) {
    const auto result = run_lim(std::string("check ") + option + spec);
    EXPECT_EQ(result.exit_code, 2) << option;
    EXPECT_THAT(result.err, HasSubstr(message)) << option;
  }
}

// ---- §1: the synchronous semantics splits independent roles too ---------------------------

TEST(CliGate, SynchronousCheckSplitsIndependentPairs) {
  std::string text;
  for (int i = 0; i < 200; ++i) {
    const auto a = "a" + std::to_string(i), b = "b" + std::to_string(i);
    text += a + ": rec t . " + b + "⊕{ x . " + b + "&y . t, z . end }\n" + b + ": rec t . " + a + "&{ x . " + a +
            "⊕y . t, z . end }\n";
  }
  const auto result = run_lim("check --props all --format json " + temp_spec("gate-sync-pairs.lim", text));
  const auto json = json_of(result);
  const auto& file = json["files"][0];
  EXPECT_EQ(file["components"], 200);
  EXPECT_EQ(file["states"], 200 * 3);  // each pair alone; the product would have 3^200
  EXPECT_EQ(file["exploration"], "complete");
  // Every pair may loop for ever or stop: no deadlock, no termination, and
  // every pending interaction is enabled where it is pending.
  std::map<std::string, std::string> verdicts;
  for (const auto& property : file["properties"]) verdicts[property["property"]] = property["verdict"];
  EXPECT_EQ(verdicts["safety"], "holds");
  EXPECT_EQ(verdicts["deadlock-freedom"], "holds");
  EXPECT_EQ(verdicts["liveness"], "holds");
  EXPECT_EQ(verdicts["liveness+"], "holds");
  EXPECT_EQ(verdicts["liveness++"], "holds");
  EXPECT_EQ(verdicts["termination"], "violated");
  EXPECT_EQ(verdicts["never-termination"], "violated");
}

// ---- §1: errors are values, for every file and in every format ---------------------------

TEST(CliGate, JsonReportsCommandLineErrorsAndChecksTheOtherFiles) {
  const auto missing = run_lim("check --format json does-not-exist.lim specs/two-buyer.lim");
  EXPECT_EQ(missing.exit_code, 2);
  auto json = json_of(missing);
  ASSERT_EQ(json["files"].size(), 1u);  // the good file was checked
  EXPECT_EQ(json["files"][0]["file"], "specs/two-buyer.lim");
  ASSERT_EQ(json["errors"].size(), 1u);
  EXPECT_EQ(json["errors"][0]["file"], "does-not-exist.lim");
  EXPECT_EQ(json["errors"][0]["message"], "cannot read file: No such file or directory");
  EXPECT_EQ(json["summary"]["errors"], 1);
  for (const char* options : {"--props bogus", "--k 0", "--k 3..1", "--timeout 0", "--color sometimes",
                              "--unknown-option"}) {
    const auto bad = run_lim(std::string("check --format json ") + options + " specs/two-buyer.lim");
    EXPECT_EQ(bad.exit_code, 2) << options;
    json = json_of(bad);
    ASSERT_EQ(json["errors"].size(), 1u) << options;
    EXPECT_TRUE(json["errors"][0]["file"].is_null()) << options;
    EXPECT_TRUE(json["files"].empty());
  }
}

TEST(CliGate, UnreadableInputsSayWhy) {
  const auto directory = std::filesystem::temp_directory_path() / ("lim-gate-" + std::to_string(::getpid()));
  std::filesystem::create_directories(directory);
  const auto loop = directory / "loop.lim";
  std::filesystem::remove(loop);
  std::filesystem::create_symlink(loop, loop);
  auto result = run_lim("check " + loop.string());
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.err, HasSubstr("cannot read file: Too many levels of symbolic links"));
  result = run_lim("check /dev/zero");
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.err, HasSubstr("the file is larger than 64 MiB, the most a spec may be"));
  std::filesystem::remove_all(directory);
}

// Runs lim with its standard output on `/dev/full`: the write fails with ENOSPC.
testing::CommandResult run_lim_to_full_disk(const std::string& arguments) {
  const auto err = std::filesystem::temp_directory_path() / ("lim-gate-full-" + std::to_string(::getpid()));
  const std::string command = "cd '" + std::string(LIM_SOURCE_DIR) + "' && '" + LIM_BINARY + "' " + arguments +
                              " >/dev/full 2>'" + err.string() + "' </dev/null";
  const int status = std::system(command.c_str());
  testing::CommandResult result;
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  result.err = testing::read_file(err);
  std::filesystem::remove(err);
  return result;
}

TEST(CliGate, FailedWritesAreErrors) {
  for (const char* command : {"graph specs/two-buyer.lim", "check specs/two-buyer.lim",
                              "check --format json specs/two-buyer.lim", "check --format sarif specs/two-buyer.lim",
                              "check --format junit specs/broken/two-buyer-unsafe.lim",
                              "export --to lim specs/two-buyer.lim", "guards specs/tcp/acceptability.lim"}) {
    const auto result = run_lim_to_full_disk(command);
    EXPECT_EQ(result.exit_code, 2) << command;
    EXPECT_THAT(result.err, HasSubstr("cannot write to standard output: No space left on device")) << command;
  }
}

// ---- §1: verdict symbols and exit codes agree --------------------------------------------

TEST(CliGate, UnknownAndInconclusiveHaveTheirOwnSymbolsAndExitCodes) {
  const auto flood = temp_spec("gate-unknown.txt", "A: rec x . B!a; x\nB: C?c; rec y . A?a; y\nC: end\n");
  const auto unknown = run_lim("check --k 1..4 --props k-mc " + flood);
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_THAT(unknown.out, HasSubstr("~ unknown: no k of the range decides"));
  EXPECT_THAT(unknown.out, HasSubstr("1 file: 0 hold, 1 unknown"));
  const auto limited = run_lim("check --max-states 3 specs/map-reduce.lim");
  EXPECT_EQ(limited.exit_code, 3);
  EXPECT_THAT(limited.out, HasSubstr("? inconclusive: a resource limit stopped the check"));
  EXPECT_THAT(limited.out, HasSubstr("1 file: 0 hold, 1 inconclusive"));
}

// ---- §2: many files -------------------------------------------------------------------------

TEST(CliGate, DirectoriesAreSearchedAndTheSummaryCountsEachOutcome) {
  const auto result = run_lim("check specs/broken specs/two-buyer.lim nowhere.lim");
  EXPECT_EQ(result.exit_code, 2) << result.out;  // an input error wins over violations
  EXPECT_THAT(result.out, HasSubstr("specs/broken/starving-logger.lim"));
  EXPECT_THAT(result.out, HasSubstr("nowhere.lim"));
  EXPECT_THAT(result.out, HasSubstr("5 files: 1 hold, 3 violated, 1 error\n"));
  const auto kmc = run_lim("check --k 1..3 " + (testing::shared_dir() / "corpus" / "kmc" / "benchmarks").string());
  if (std::filesystem::exists(testing::shared_dir() / "corpus" / "kmc" / "benchmarks")) {
    EXPECT_THAT(kmc.out, HasSubstr("AlternatingBit.txt"));
    EXPECT_THAT(kmc.out, Not(HasSubstr("error")));
  }
  const auto empty = std::filesystem::temp_directory_path() / ("lim-gate-empty-" + std::to_string(::getpid()));
  std::filesystem::create_directories(empty);
  const auto nothing = run_lim("check " + empty.string());
  EXPECT_EQ(nothing.exit_code, 2);
  EXPECT_THAT(nothing.err, HasSubstr("the directory holds no spec"));
  std::filesystem::remove_all(empty);
}

TEST(CliGate, DashReadsStandardInput) {
  const auto result = run_lim("check - --format json", testing::read_file(testing::source_dir() / "specs/oauth2.lim"));
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(json_of(result)["files"][0]["file"], "<stdin>");
  const auto kmc = run_lim("check --k 2 -", "A: B!a; end\nB: A?a; end\n");
  EXPECT_EQ(kmc.exit_code, 0) << kmc.out << kmc.err;
  EXPECT_THAT(kmc.out, HasSubstr("<stdin>"));
}

// Runs `command` (shell syntax, from the source tree) with a terminal as its
// standard output and error, through util-linux's script(1); returns what
// the terminal showed.
std::string in_terminal(const std::string& command) {
  const auto log = std::filesystem::temp_directory_path() / ("lim-gate-tty-" + std::to_string(::getpid()));
  const std::string line = "cd '" + std::string(LIM_SOURCE_DIR) + "' && script -qec \"" + command + "\" /dev/null >'" +
                           log.string() + "' 2>&1 </dev/null";
  // script(1) exits as the command did; the tests look at what was shown.
  (void)std::system(line.c_str());
  auto shown = testing::read_file(log);
  std::filesystem::remove(log);
  return shown;
}

TEST(CliGate, ColourFollowsTheOptionAndNoColor) {
  const std::string lim = std::string("'") + LIM_BINARY + "' check -q specs/two-buyer.lim";
  EXPECT_THAT(in_terminal(lim), HasSubstr("\x1b[32m✓\x1b[0m"));
  EXPECT_THAT(in_terminal("NO_COLOR=1 " + lim), Not(HasSubstr("\x1b[32m")));
  EXPECT_THAT(in_terminal(lim + " --color never"), Not(HasSubstr("\x1b[32m")));
  EXPECT_THAT(in_terminal("NO_COLOR=1 " + lim + " --color always"), HasSubstr("\x1b[32m✓"));
  // Not a terminal: no colour unless asked.
  EXPECT_THAT(run_lim("check specs/two-buyer.lim").out, Not(HasSubstr("\x1b[")));
  EXPECT_THAT(run_lim("check --color always specs/two-buyer.lim").out, HasSubstr("\x1b[32m✓\x1b[0m"));
}

// On a terminal the progress line keeps moving after the exploration stops
// and counts down to the deadline.
TEST(CliGate, ProgressShowsTheExplorationAndTheDeadline) {
  const auto path = temp_spec("gate-progress.lim", chain(28));
  const auto shown = in_terminal(std::string("'") + LIM_BINARY + "' check --timeout 2.5 " + path);
  EXPECT_THAT(shown, HasSubstr("states/s"));
  EXPECT_THAT(shown, HasSubstr("(time limit in "));
  EXPECT_THAT(shown, HasSubstr("1 file: 0 hold, 1 inconclusive"));
}

// ---- §2: SARIF, JUnit, CSV -------------------------------------------------------------------

TEST(CliGate, SarifHasOneResultPerViolationAtTheOffendingRole) {
  const auto result = run_lim("check --format sarif specs/broken/amazon-prime-video-deadlock.lim specs/two-buyer.lim");
  EXPECT_EQ(result.exit_code, 1);
  const auto sarif = json_of(result);
  EXPECT_EQ(sarif["version"], "2.1.0");
  const auto& run = sarif["runs"][0];
  EXPECT_EQ(run["tool"]["driver"]["name"], "lim");
  std::vector<nlohmann::json> failures;
  for (const auto& entry : run["results"])
    if (entry["kind"] == "fail") failures.push_back(entry);
  ASSERT_EQ(failures.size(), 2u) << run["results"];  // deadlock freedom and liveness
  const auto& deadlock = failures[0];
  EXPECT_EQ(deadlock["ruleId"], "deadlock-freedom");
  EXPECT_EQ(deadlock["level"], "error");
  const auto& location = deadlock["locations"][0]["physicalLocation"];
  EXPECT_EQ(location["artifactLocation"]["uri"], "specs/broken/amazon-prime-video-deadlock.lim");
  // The stuck server's state, as in the text output's "at …:20:11".
  EXPECT_EQ(location["region"]["startLine"], 20);
  EXPECT_EQ(location["region"]["startColumn"], 11);
  const auto& steps = deadlock["codeFlows"][0]["threadFlows"][0]["locations"];
  ASSERT_EQ(steps.size(), 3u);  // two interactions, then the violation
  EXPECT_EQ(steps[0]["location"]["message"]["text"], "client → authenticator: id(Int)");
  EXPECT_EQ(steps[2]["importance"], "essential");
  const auto& rules = run["tool"]["driver"]["rules"];
  EXPECT_EQ(rules[deadlock["ruleIndex"].get<std::size_t>()]["id"], "deadlock-freedom");
}

TEST(CliGate, SarifReportsFilesThatDoNotLoad) {
  const auto bad = temp_spec("gate-bad.lim", "alice: bob⊕hi .\nbob: alice&hi\n");
  const auto result = run_lim("check --format sarif " + bad);
  EXPECT_EQ(result.exit_code, 2);
  const auto sarif = json_of(result);
  const auto& entry = sarif["runs"][0]["results"][0];
  EXPECT_EQ(entry["ruleId"], "input-error");
  EXPECT_EQ(entry["locations"][0]["physicalLocation"]["region"]["startLine"], 2);
}

TEST(CliGate, JunitHasATestCasePerFileAndPropertyWithTheCounterexample) {
  const auto result = run_lim("check --format junit specs/broken/two-buyer-unsafe.lim specs/two-buyer.lim");
  EXPECT_EQ(result.exit_code, 1);
  // The unsafe two-buyer protocol also deadlocks, and so is not live.
  EXPECT_THAT(result.out, HasSubstr("<testsuites name=\"lim check\" tests=\"6\" failures=\"3\" errors=\"0\""));
  EXPECT_THAT(result.out, HasSubstr("<testcase classname=\"specs/two-buyer.lim\" name=\"liveness\""));
  EXPECT_THAT(result.out, HasSubstr("<failure type=\"violated\" message=\"safety violated\">"));
  EXPECT_THAT(result.out, HasSubstr("buyer1 → seller: title(String)"));
}

TEST(CliGate, CsvHasStatesTransitionsAndSeconds) {
  const auto result = run_lim("check --format csv specs/two-buyer.lim nowhere.lim");
  EXPECT_EQ(result.exit_code, 2);
  std::stringstream lines(result.out);
  std::string header, error_row, row;
  std::getline(lines, header);
  EXPECT_EQ(header, "file,semantics,property,verdict,states,transitions,seconds,detail\r");
  std::getline(lines, error_row);
  EXPECT_EQ(error_row, "nowhere.lim,,,error,,,,cannot read file: No such file or directory\r");
  std::getline(lines, row);
  EXPECT_THAT(row, ::testing::StartsWith("specs/two-buyer.lim,synchronous,safety,holds,"));
  int rows = 1;
  while (std::getline(lines, row)) ++rows;
  EXPECT_EQ(rows, 3);
}

}  // namespace
}  // namespace lim
