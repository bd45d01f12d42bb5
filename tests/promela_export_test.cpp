// `lim export --to promela` against SPIN itself (Debian's `spin`): every
// bundled spec and corpus file the writer accepts is exported, SPIN builds
// and runs pan on it without reduction, and its invalid end states must be
// lim's async-deadlock-freedom verdict at the same k — and its state space
// lim's, configuration for configuration: the number of states pan stores
// equals the configurations lim explores, and the number of invalid end
// states equals lim's deadlocked configurations. Skipped when spin or cc is
// not installed (tools/install-dependencies.sh installs both).
#include <sys/wait.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <thread>

#include <gtest/gtest.h>

#include "cli_support.hpp"
#include "lim/explore/explorer.hpp"
#include "lim/formats/promela_writer.hpp"
#include "lim/properties/asynchronous_properties.hpp"
#include "lim/semantics/asynchronous.hpp"
#include "test_support.hpp"

namespace lim {
namespace {

namespace fs = std::filesystem;
using properties::AsyncProperty;
using report::Verdict;

// Product state spaces beyond this are left out of the comparison (pan is
// quick on them, but lim's product exploration and the test's time are
// not); every file above it must be listed in kExcluded with its reason.
constexpr std::size_t kMaxProductStates = 200'000;
constexpr unsigned kBound = 2;

// Files whose product state space at k = 2 is too large for a test that
// runs on every CI build. lim decides them component by component; SPIN has
// no such decomposition.
const std::map<std::string, std::string> kExcluded = {};

bool installed(const char* tool) {
  return std::system((std::string("command -v ") + tool + " >/dev/null 2>&1").c_str()) == 0;
}

// Checks pan does not need here (array bounds, fairness, xr/xs, stutter
// extension): without them cc is a fifth quicker, and cc is most of the
// test's time.
const std::string kQuickCompile = "-DNOBOUNDCHECK -DNOFAIR -DXUSAFE -DNOSTUTTER";

struct SpinRun {
  std::string failure;  // empty: pan ran to the end
  std::uint64_t stored = 0;
  std::uint64_t errors = 0;
  std::string output;
};

// spin -a, cc, pan in a fresh directory; `pan_flags` after the fixed
// ones. -c0: do not stop at the first error, so that pan explores the whole
// state space and counts every invalid end state.
SpinRun run_spin(const std::string& model, const std::string& pan_flags = "-q") {
  static std::atomic<int> counter{0};
  const auto dir = fs::temp_directory_path() / ("lim-spin-" + std::to_string(::getpid()) + "-" +
                                                std::to_string(counter++));
  fs::create_directories(dir);
  std::ofstream(dir / "model.pml", std::ios::binary) << model;
  const std::string command = "cd '" + dir.string() +
                              "' && spin -a model.pml >spin.out 2>&1 && "
                              "cc -O0 -w -DNOREDUCE -DSAFETY -DVECTORSZ=4096 " + kQuickCompile + " -o pan pan.c >cc.out 2>&1 && "
                              "./pan -c0 -w18 -m1000000 " + pan_flags + " >pan.out 2>&1";
  const int status = std::system(command.c_str());
  SpinRun run;
  run.output = testing::read_file(dir / "spin.out") + testing::read_file(dir / "cc.out") +
               testing::read_file(dir / "pan.out");
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) run.failure = "spin, cc or pan failed:\n" + run.output;
  std::smatch match;
  if (run.failure.empty() && std::regex_search(run.output, match, std::regex(R"(errors: (\d+))")))
    run.errors = std::stoull(match[1]);
  else if (run.failure.empty())
    run.failure = "no 'errors:' line:\n" + run.output;
  if (std::regex_search(run.output, match, std::regex(R"((\d+) states, stored)"))) run.stored = std::stoull(match[1]);
  if (run.output.find("max search depth too small") != std::string::npos)
    run.failure = "pan's search depth was cut:\n" + run.output;
  fs::remove_all(dir);
  return run;
}

// lim at bound k: its verdict (decomposed, as `lim check --k` decides it)
// and the product state space pan must reproduce.
struct LimRun {
  bool deadlock_free = false;
  bool complete = false;
  std::size_t states = 0;
  std::size_t deadlocked = 0;  // configurations without moves that are not all final with empty queues
};

LimRun run_lim_engine(const automata::System& system, unsigned k) {
  LimRun run;
  properties::BoundedAnalysis analysis(system, k, {});
  run.deadlock_free = analysis.check(AsyncProperty::DeadlockFreedom).verdict == Verdict::Holds;
  const semantics::AsynchronousSemantics semantics(system, k);
  explore::ExploreOptions options;
  options.limits.max_states = kMaxProductStates;
  const auto space = explore::explore(semantics, options);
  run.complete = space.complete();
  run.states = space.size();
  for (explore::StateIndex state = 0; run.complete && state < space.size(); ++state) {
    if (space.has_successors(state)) continue;
    const auto configuration = space.configuration(state);
    bool fine = true;
    for (automata::RoleId role = 0; role < system.role_count(); ++role)
      fine = fine && system.machines[role].kind(semantics.state_of(configuration, role)) == automata::StateKind::Final;
    for (std::uint32_t channel = 0; channel < semantics.channels().size(); ++channel)
      fine = fine && semantics.queue_length(configuration, channel) == 0;
    if (!fine) ++run.deadlocked;
  }
  return run;
}

class PromelaExport : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!installed("spin") || !installed("cc")) GTEST_SKIP() << "spin or cc is not installed";
  }
};

std::vector<fs::path> bundled_files() {
  std::vector<fs::path> files;
  const auto add = [&](const fs::path& root, const std::vector<std::string>& extensions) {
    if (!fs::exists(root)) return;
    for (const auto& entry : fs::recursive_directory_iterator(root))
      if (entry.is_regular_file() && std::find(extensions.begin(), extensions.end(),
                                               entry.path().extension().string()) != extensions.end())
        files.push_back(entry.path());
  };
  add(testing::source_dir() / "specs", {".lim"});
  add(testing::shared_dir() / "corpus" / "kmc", {".txt"});
  add(testing::shared_dir() / "corpus" / "mpstk", {".ctx"});
  std::sort(files.begin(), files.end());
  return files;
}

struct Outcome {
  std::string name;
  std::string refused;   // the writer's diagnostics, when it refused
  std::string excluded;  // why it was not compared
  std::string model;
  LimRun lim;
  const SpinRun* spin = nullptr;
};

// Runs `job(i)` for i in [0, count) on two threads: cc dominates (a
// quarter of a second per model), and the machines this runs on have two
// cores.
template <class Job>
void on_two_threads(std::size_t count, const Job& job) {
  std::atomic<std::size_t> next{0};
  const auto work = [&] {
    for (std::size_t i; (i = next++) < count;) job(i);
  };
  std::thread helper(work);
  work();
  helper.join();
}

TEST_F(PromelaExport, SpinFindsLimsDeadlocksInTheSameStateSpaceOnEveryBundledFile) {
  const auto start = std::chrono::steady_clock::now();
  const auto files = bundled_files();
  std::vector<Outcome> outcomes(files.size());
  on_two_threads(files.size(), [&](std::size_t i) {
    auto& outcome = outcomes[i];
    const bool corpus = files[i].string().find("/corpus/") != std::string::npos;
    outcome.name = fs::relative(files[i], corpus ? testing::shared_dir() : testing::source_dir()).string();
    auto spec = pipeline::load_spec_file(files[i].string());
    if (!spec.ok()) {
      outcome.excluded = "lim rejects it: " + format_diagnostics(spec.source, spec.diagnostics);
      return;
    }
    Diagnostics problems;
    auto model = formats::write_promela(*spec.system, kBound, problems);
    if (!model) {
      outcome.refused = format_diagnostics(spec.source, problems);
      return;
    }
    if (const auto excluded = kExcluded.find(outcome.name); excluded != kExcluded.end()) {
      outcome.excluded = excluded->second;
      return;
    }
    outcome.lim = run_lim_engine(*spec.system, kBound);
    if (outcome.lim.complete) outcome.model = std::move(*model);  // else reported below: it must be in kExcluded
  });
  // The corpus holds twins (a kmc file and its fsm version, renamed
  // copies): SPIN runs once per distinct model.
  std::map<std::string, SpinRun> spin;
  for (const auto& outcome : outcomes)
    if (!outcome.model.empty()) spin.try_emplace(outcome.model);
  std::vector<std::pair<const std::string, SpinRun>*> runs;
  for (auto& entry : spin) runs.push_back(&entry);
  on_two_threads(runs.size(), [&](std::size_t i) { runs[i]->second = run_spin(runs[i]->first); });
  for (auto& outcome : outcomes)
    if (!outcome.model.empty()) outcome.spin = &spin.at(outcome.model);

  int compared = 0, deadlocking = 0, refused = 0;
  for (const auto& outcome : outcomes) {
    SCOPED_TRACE(outcome.name);
    if (!outcome.excluded.empty()) {
      // Only the three kmc files with a role receiving from itself
      // (corpus_kmc_test.cpp) are not lim input at all.
      EXPECT_TRUE(outcome.excluded.find("receives from itself") != std::string::npos ||
                  kExcluded.contains(outcome.name))
          << outcome.excluded;
      continue;
    }
    if (!outcome.refused.empty()) {
      // Only what Promela cannot say without approximation is refused.
      EXPECT_TRUE(std::regex_search(outcome.refused,
                                    std::regex(R"(:\d+:\d+: error: cannot write (the (timeout|guarded branch)|role '.*' in Promela: it is an environment))")))
          << outcome.refused;
      std::cout << "refused " << outcome.name << ": " << outcome.refused.substr(0, outcome.refused.find('\n')) << "\n";
      ++refused;
      continue;
    }
    ASSERT_TRUE(outcome.lim.complete) << "more than " << kMaxProductStates
                                      << " configurations at k = 2: list the file in kExcluded";
    ASSERT_TRUE(outcome.spin);
    ASSERT_EQ(outcome.spin->failure, "");
    EXPECT_EQ(outcome.spin->errors > 0, !outcome.lim.deadlock_free) << outcome.spin->output;
    EXPECT_EQ(outcome.spin->stored, outcome.lim.states) << outcome.spin->output;
    EXPECT_EQ(outcome.spin->errors, outcome.lim.deadlocked) << outcome.spin->output;
    ++compared;
    if (!outcome.lim.deadlock_free) ++deadlocking;
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::cout << "compared " << compared << " files with SPIN (" << deadlocking << " with deadlocks, " << spin.size()
            << " distinct models), " << refused << " refused, in " << seconds << " s\n";
  // The globs must find the corpus and both verdicts must occur: a
  // comparison of nothing, or of one kind of answer, pins nothing.
  EXPECT_GE(compared, 100);
  EXPECT_GE(deadlocking, 10);
  EXPECT_GE(compared - deadlocking, 10);
  EXPECT_GE(refused, 3);
}

// lim's deadlock includes "every role has ended but messages are left in
// queues"; SPIN's valid end states accept non-empty channels unless pan
// runs with -q. The export's instructions say -q; this pins why.
TEST_F(PromelaExport, OrphanMessagesAreInvalidEndStatesOnlyUnderPanQ) {
  const auto system = testing::system_of("a: b⊕x . b⊕y . end\nb: a&x . end\n");
  Diagnostics problems;
  const auto model = formats::write_promela(system, 2, problems);
  ASSERT_TRUE(model);
  const auto lim = run_lim_engine(system, 2);
  EXPECT_FALSE(lim.deadlock_free);
  EXPECT_EQ(lim.deadlocked, 1u);
  const auto strict = run_spin(*model, "-q");
  ASSERT_EQ(strict.failure, "");
  EXPECT_EQ(strict.errors, 1u) << strict.output;
  EXPECT_NE(strict.output.find("invalid end state"), std::string::npos) << strict.output;
  const auto lax = run_spin(*model, "");
  ASSERT_EQ(lax.failure, "");
  EXPECT_EQ(lax.errors, 0u) << lax.output;
}

// A send on a full channel blocks in both: two roles that each send two
// messages before receiving deadlock at k = 1 and not at k = 2.
TEST_F(PromelaExport, ASendOnAFullChannelBlocksInBoth) {
  const auto system = testing::system_of("a: b⊕x . b⊕x . b&y . b&y . end\nb: a⊕y . a⊕y . a&x . a&x . end\n");
  for (const unsigned k : {1u, 2u}) {
    SCOPED_TRACE(k);
    Diagnostics problems;
    const auto model = formats::write_promela(system, k, problems);
    ASSERT_TRUE(model);
    EXPECT_NE(model->find("= [" + std::to_string(k) + "] of { mtype }"), std::string::npos) << *model;
    const auto lim = run_lim_engine(system, k);
    EXPECT_EQ(lim.deadlock_free, k == 2);
    const auto spin = run_spin(*model);
    ASSERT_EQ(spin.failure, "");
    EXPECT_EQ(spin.errors, k == 2 ? 0u : 1u) << spin.output;
    EXPECT_EQ(spin.stored, lim.states);
  }
}

// A receive accepts every message with its label and a payload sort below
// its own (mpstk's payload subtyping: a receive of fewer branches is a
// subtype), so each of b's receives is two `?` options, one per accepted message; a message
// with an unrelated payload is another mtype value, which never matches:
// b is stuck behind it in both.
TEST_F(PromelaExport, AReceiveTakesEveryMessageItsPayloadSortAccepts) {
  const auto system = testing::system_of(
      "a: b⊕m(r&x) . b⊕m(r&{x, y}) . b⊕m(r&z) . end\n"
      "b: a&m(r&{x, y}) . a&m(r&{x, y}) . a&m(r&{x, y}) . end\n");
  Diagnostics problems;
  const auto model = formats::write_promela(system, 1, problems);
  ASSERT_TRUE(model);
  const std::regex receive_option(R"(:: a_b\?)");
  EXPECT_EQ(std::distance(std::sregex_iterator(model->begin(), model->end(), receive_option), std::sregex_iterator()),
            6)
      << *model;
  const auto lim = run_lim_engine(system, 1);
  EXPECT_FALSE(lim.deadlock_free);
  EXPECT_EQ(lim.deadlocked, 1u);
  const auto spin = run_spin(*model);
  ASSERT_EQ(spin.failure, "");
  EXPECT_EQ(spin.stored, lim.states);
  EXPECT_EQ(spin.errors, lim.deadlocked) << *model << spin.output;
}

// Names that are Promela or C keywords, numbers (kmc fsm roles), or clash
// with one another once escaped, still give a model SPIN compiles, with the
// same state space.
TEST_F(PromelaExport, NamesThatAreNotPromelaIdentifiersAreEscaped) {
  auto spec = pipeline::load_spec_text("names.fsm",
                                       ".outputs\n.state graph\n"
                                       "q0 1 ! int q1\nq1 1 ! timeout q2\nq2 1 ? now q3\nq3 1 ! s1 q0\nq0 1 ! 220 q4\n"
                                       ".marking q0\n.end\n\n"
                                       ".outputs\n.state graph\n"
                                       "q0 0 ? int q1\nq1 0 ? timeout q2\nq2 0 ! now q3\nq3 0 ? s1 q0\nq0 0 ? 220 q4\n"
                                       ".marking q0\n.end\n",
                                       formats::InputFormat::GmcFsm);
  ASSERT_TRUE(spec.ok()) << format_diagnostics(spec.source, spec.diagnostics);
  Diagnostics problems;
  const auto model = formats::write_promela(*spec.system, 1, problems);
  ASSERT_TRUE(model);
  for (const char* name : {"active proctype r_0()", "active proctype r_1()", "m_int", "m_timeout", "m_now", "m_s1",
                           "m_220", "chan r_0_r_1 = [1]"})
    EXPECT_NE(model->find(name), std::string::npos) << name << "\n" << *model;
  const auto lim = run_lim_engine(*spec.system, 1);
  const auto spin = run_spin(*model);
  ASSERT_EQ(spin.failure, "");
  EXPECT_EQ(spin.stored, lim.states);
  EXPECT_EQ(spin.errors, lim.deadlocked);
}

// SPIN's mtype has 255 values: a system of 255 distinct messages is a model
// SPIN runs, one of 256 is refused by the writer rather than by spin.
TEST_F(PromelaExport, MessagesUpToSpinsMtypeLimitAreWrittenAndNoMore) {
  const auto system_with = [](int labels) {
    std::string sender = ".outputs\n.state graph\n", receiver = sender;
    for (int label = 0; label < labels; ++label) {
      sender += "q0 1 ! l" + std::to_string(label) + " q1\n";
      receiver += "q0 0 ? l" + std::to_string(label) + " q1\n";
    }
    auto spec = pipeline::load_spec_text("labels.fsm", sender + ".marking q0\n.end\n\n" + receiver +
                                                           ".marking q0\n.end\n",
                                         formats::InputFormat::GmcFsm);
    EXPECT_TRUE(spec.ok());
    return std::move(*spec.system);
  };
  Diagnostics problems;
  const auto largest = system_with(255);
  const auto model = formats::write_promela(largest, 1, problems);
  ASSERT_TRUE(model);
  const auto spin = run_spin(*model);
  ASSERT_EQ(spin.failure, "");
  EXPECT_EQ(spin.stored, run_lim_engine(largest, 1).states);
  EXPECT_FALSE(formats::write_promela(system_with(256), 1, problems));
  ASSERT_FALSE(problems.all().empty());
  EXPECT_EQ(problems.all().back().message, "the system has 256 distinct messages; SPIN's mtype has at most 255 values");
}

// What Promela could only approximate is an input error with its location,
// from the library and from `lim export` (exit 2), as are a missing or
// impossible bound.
TEST(PromelaExportCli, RefusesWhatPromelaCannotSayAndNeedsABound) {
  struct Case {
    const char* file;
    const char* message;
  };
  for (const auto& [file, message] : {
           Case{"specs/tcp/server.lim", "it is an environment (env)"},
           Case{"specs/timeouts/retransmission.lim", "cannot write the timeout"},
           Case{"specs/tcp/acceptability.lim", "cannot write the guarded branch"},
       }) {
    SCOPED_TRACE(file);
    const auto result = testing::run_lim(std::string("export --to promela --k 1 ") + file);
    EXPECT_EQ(result.exit_code, 2);
    EXPECT_EQ(result.out, "");
    EXPECT_TRUE(std::regex_search(result.err, std::regex(std::string("^") + file + R"(:\d+:\d+: error: )")))
        << result.err;
    EXPECT_NE(result.err.find(message), std::string::npos) << result.err;
  }
  auto result = testing::run_lim("export --to promela specs/two-buyer.lim");
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find("--to promela needs --k N"), std::string::npos) << result.err;
  result = testing::run_lim("export --to promela --k 0 specs/two-buyer.lim");
  EXPECT_EQ(result.exit_code, 2) << result.err;
  result = testing::run_lim("export --to fsm --k 2 specs/two-buyer.lim");
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find("--k is the channel capacity of --to promela"), std::string::npos) << result.err;
  const auto out = testing::temp_spec("two-buyer.pml", "");
  result = testing::run_lim("export --to promela --k 3 -o " + out + " specs/two-buyer.lim");
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(testing::read_file(out).find("chan buyer1_seller = [3] of { mtype };"), std::string::npos);
  fs::remove(out);
}

}  // namespace
}  // namespace lim
