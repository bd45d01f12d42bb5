// `lim export` must write what reads back into the same automata: every spec
// and corpus file goes through `--to lim` (and kmc's files through `--to fsm`)
// and back, and every verdict of the original is that of the copy. A recursive
// payload `m(t)` once came back as an opaque sort `t` and turned safety of
// popl19-ex5.11-c from holds to violated.
#include <filesystem>
#include <map>
#include <sstream>

#include <gtest/gtest.h>

#include "lim/formats/fsm_writer.hpp"
#include "lim/formats/lim_writer.hpp"
#include "lim/pipeline/check.hpp"
#include "lim/pipeline/check_async.hpp"
#include "lim/syntax/parser.hpp"
#include "test_support.hpp"

namespace lim {
namespace {

std::vector<std::filesystem::path> spec_and_corpus_files() {
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(testing::source_dir() / "specs"))
    if (entry.path().extension() == ".lim") files.push_back(entry.path());
  for (const auto* corpus : {"mpstk", "kmc"}) {
    const auto directory = testing::shared_dir() / "corpus" / corpus;
    if (!std::filesystem::exists(directory)) continue;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(directory))
      if (entry.path().extension() == ".ctx" || entry.path().extension() == ".txt") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::vector<std::string> sync_verdicts(const automata::System& system) {
  pipeline::CheckOptions options;
  options.properties = properties::all_sync_properties();
  options.explore.limits.max_states = 100000;
  std::vector<std::string> verdicts;
  for (const auto& result : pipeline::check_synchronous("spec", system, options).results)
    verdicts.push_back(result.property + " " + report::to_string(result.verdict));
  return verdicts;
}

std::vector<std::string> async_verdicts(const automata::System& system) {
  pipeline::AsyncCheckOptions options;
  options.properties = properties::all_async_properties();
  options.bounds = {2, 2, false};
  options.explore.limits.max_states = 100000;
  std::vector<std::string> verdicts;
  for (const auto& result : pipeline::check_asynchronous("spec", system, options).results)
    verdicts.push_back(result.property + " " + report::to_string(result.verdict));
  return verdicts;
}

// The names an export had to change: its `// 'x' is written y` lines.
std::map<std::string, std::string> renamings(const std::string& exported) {
  std::map<std::string, std::string> renamed;
  std::stringstream lines(exported);
  for (std::string line; std::getline(lines, line);) {
    const std::string open = "// '", middle = "' is written ";
    const auto at = line.find(middle);
    if (!line.starts_with(open) || at == std::string::npos) continue;
    renamed[line.substr(open.size(), at - open.size())] = line.substr(at + middle.size());
  }
  return renamed;
}

// The same automata, up to the states a type must unfold (a local type
// cannot share a state between two branches): for every role, the initial
// states are bisimilar, actions compared by direction, partner, label and
// payload, with the names the export changed (`renamed`) changed back.
bool bisimilar(const automata::System& a, const automata::System& b, std::string& why,
               const std::map<std::string, std::string>& renamed = {}, bool lim_copy = true) {
  if (a.role_count() != b.role_count()) {
    why = "different numbers of roles";
    return false;
  }
  const auto as_written = [&](const std::string& name) {
    const auto found = renamed.find(name);
    if (found != renamed.end()) return found->second;
    // `int` from a kmc file is lim's builtin Int once written in lim.
    const auto builtin = lim_copy ? syntax::builtin_sort(name) : std::string_view();
    return builtin.empty() ? name : std::string(builtin);
  };
  const auto action_text = [&](const automata::System& system, const automata::Action& action, bool original) {
    const auto rename = [&](const std::string& name) { return original ? as_written(name) : name; };
    const auto payload = system.sorts.is_session(action.payload) ? system.sorts.session_type(action.payload)
                                                                  : rename(system.sorts.display(action.payload));
    return std::to_string(static_cast<int>(action.direction)) + "|" + std::to_string(action.peer) + "|" +
           rename(system.labels.name(action.label)) + "|" + payload;
  };
  for (automata::RoleId role = 0; role < a.role_count(); ++role) {
    if (lim_copy && as_written(a.role_names[role]) != b.role_names[role]) {
      why = "role " + a.role_names[role] + " became " + b.role_names[role];
      return false;
    }
    const auto& left = a.machines[role];
    const auto& right = b.machines[role];
    // Greatest fixpoint: start from every pair, drop those a step separates.
    std::vector<std::vector<char>> related(left.state_count(), std::vector<char>(right.state_count(), 1));
    const auto simulates = [&](const automata::System& sx, const automata::Cfsm& x, automata::StateId s,
                               const automata::System& sy, const automata::Cfsm& y, automata::StateId t, bool flip) {
      for (const auto& step : x.outgoing(s)) {
        const auto label = action_text(sx, step.action, &sx == &a);
        bool matched = false;
        for (const auto& answer : y.outgoing(t))
          if (action_text(sy, answer.action, &sy == &a) == label &&
              (flip ? related[answer.target][step.target] : related[step.target][answer.target])) {
            matched = true;
            break;
          }
        if (!matched) return false;
      }
      return true;
    };
    for (bool changed = true; changed;) {
      changed = false;
      for (automata::StateId s = 0; s < left.state_count(); ++s)
        for (automata::StateId t = 0; t < right.state_count(); ++t)
          if (related[s][t] && (!simulates(a, left, s, b, right, t, false) || !simulates(b, right, t, a, left, s, true))) {
            related[s][t] = 0;
            changed = true;
          }
    }
    if (!related[left.initial][right.initial]) {
      why = "the automata of role " + a.role_names[role] + " differ";
      return false;
    }
  }
  return true;
}

TEST(ExportRoundTrip, EverySpecReadsBackWithTheSameVerdicts) {
  std::size_t written = 0, refused = 0;
  for (const auto& file : spec_and_corpus_files()) {
    const auto spec = pipeline::load_spec_file(file.string());
    if (!spec.ok()) continue;  // files that must not load (pinned elsewhere)
    Diagnostics problems;
    const auto text = formats::write_lim(*spec.system, problems);
    if (!text) {
      // Timeouts and guards are refused with a located error, never dropped.
      ASSERT_TRUE(problems.has_errors()) << file;
      ++refused;
      continue;
    }
    ++written;
    const auto copy = pipeline::load_spec_text("exported.lim", *text);
    ASSERT_TRUE(copy.ok()) << file << "\n" << format_diagnostics(copy.source, copy.diagnostics) << *text;
    std::string why;
    EXPECT_TRUE(bisimilar(*spec.system, *copy.system, why, renamings(*text))) << file << ": " << why << "\n" << *text;
    EXPECT_EQ(sync_verdicts(*copy.system), sync_verdicts(*spec.system)) << file << "\n" << *text;
    if (spec.format != formats::InputFormat::Lim) {
      EXPECT_EQ(async_verdicts(*copy.system), async_verdicts(*spec.system)) << file << "\n" << *text;
    }
  }
  EXPECT_GT(written, 100u);
  EXPECT_GT(refused, 0u);  // the specs with timeouts and guards
}

TEST(ExportRoundTrip, KmcFilesReadBackFromFsmWithTheSameVerdicts) {
  const auto directory = testing::shared_dir() / "corpus" / "kmc";
  if (!std::filesystem::exists(directory)) GTEST_SKIP() << "../shared/corpus/kmc is absent";
  std::size_t written = 0;
  for (const auto& file : spec_and_corpus_files()) {
    if (file.string().find("corpus/kmc") == std::string::npos) continue;
    const auto spec = pipeline::load_spec_file(file.string());
    if (!spec.ok()) continue;
    Diagnostics problems;
    const auto text = formats::write_gmc_fsm(*spec.system, problems);
    if (!text) {
      ASSERT_TRUE(problems.has_errors()) << file;
      continue;
    }
    ++written;
    const auto copy = pipeline::load_spec_text("exported.fsm", *text);
    ASSERT_TRUE(copy.ok()) << file << "\n" << format_diagnostics(copy.source, copy.diagnostics);
    // fsm files have no role names: machines are numbered.
    std::string why;
    EXPECT_TRUE(bisimilar(*spec.system, *copy.system, why, {}, false)) << file << ": " << why;
    EXPECT_EQ(async_verdicts(*copy.system), async_verdicts(*spec.system)) << file;
  }
  EXPECT_GT(written, 100u);
}

TEST(ExportRoundTrip, RecursivePayloadIsWrittenAsTheTypeItStandsFor) {
  const auto spec = pipeline::load_spec_text("ex5.11-c.ctx", "s[p]: μ(t)q⊕m(t) . end,\ns[q]: p&m( μ(t)q⊕m(t) ) . end\n");
  ASSERT_TRUE(spec.ok());
  Diagnostics problems;
  const auto text = formats::write_lim(*spec.system, problems);
  ASSERT_TRUE(text);
  EXPECT_NE(text->find("p: q⊕m(μ(t)q⊕m(t)) . end\n"), std::string::npos) << *text;
  EXPECT_EQ(text->find("sort"), std::string::npos) << *text;
  const auto copy = pipeline::load_spec_text("exported.lim", *text);
  ASSERT_TRUE(copy.ok());
  EXPECT_EQ(sync_verdicts(*copy.system), sync_verdicts(*spec.system));
  EXPECT_EQ(sync_verdicts(*copy.system)[0], "safety holds");
}

// The writer used to rebuild the text of every nested step on the way out:
// quadratic in the length of a sequence. Now each byte is written once.
TEST(ExportRoundTrip, LongSequencesExportWhole) {
  std::string a = "a: ", b = "b: ";
  constexpr int kSteps = 20000;
  for (int i = 0; i < kSteps; ++i) {
    a += "b⊕m" + std::to_string(i % 7) + " . ";
    b += "a&m" + std::to_string(i % 7) + " . ";
  }
  const auto spec = pipeline::load_spec_text("long.lim", a + "end\n" + b + "end\n");
  ASSERT_TRUE(spec.ok());
  Diagnostics problems;
  const auto text = formats::write_lim(*spec.system, problems);
  ASSERT_TRUE(text);
  const auto copy = pipeline::load_spec_text("exported.lim", *text);
  ASSERT_TRUE(copy.ok());
  // A sequence shares no state: the copy has exactly the original's.
  for (automata::RoleId role = 0; role < 2; ++role) {
    EXPECT_EQ(copy.system->machines[role].state_count(), spec.system->machines[role].state_count());
    EXPECT_EQ(copy.system->machines[role].transitions().size(), spec.system->machines[role].transitions().size());
  }
}

}  // namespace
}  // namespace lim
