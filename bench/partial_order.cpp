// lim's partial-order reduction against its full exploration and against
// SPIN's own reduction, on the same systems, in one run (not run by ctest;
// docs/performance.md, "Partial-order reduction").
//
// Each system is explored as one product (no decomposition into independent
// components, which SPIN does not have) with the compact store, once in
// full and once reduced for asynchronous deadlock freedom (AmpleSets with no
// visible transition: what SPIN's -DSAFETY search checks, invalid end
// states). SPIN runs on `lim export --to promela --k K` of the same system,
// -DNOREDUCE -DSAFETY (whose states are lim's full ones) and -DSAFETY (its
// partial-order reduction, on by default).
//
//   build/bench/partial_order                   # the pairs points and three corpus systems
//   build/bench/partial_order --point 3,1,8 --spec specs/two-buyer.lim,3 [--no-spin]
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "kmc_family.hpp"
#include "lim/explore/compact_explorer.hpp"
#include "lim/formats/promela_writer.hpp"
#include "lim/pipeline/check.hpp"
#include "lim/properties/asynchronous_properties.hpp"
#include "lim/properties/partial_order.hpp"
#include "lim/semantics/ample_sets.hpp"
#include "lim/semantics/asynchronous.hpp"
#include "spin_runner.hpp"

namespace {

namespace fs = std::filesystem;
using lim::bench::Measurement;

struct System {
  std::string name;
  lim::automata::System system;
  unsigned k = 1;
};

System family_point(int pairs, int labels, int k) {
  auto spec = lim::pipeline::load_spec_text("family.fsm", lim::bench::family(pairs, labels, k),
                                            lim::formats::InputFormat::GmcFsm);
  if (!spec.ok()) {
    std::cerr << lim::format_diagnostics(spec.source, spec.diagnostics);
    std::exit(2);
  }
  return {fmt::format("pairs {}, labels {}, K {}", pairs, labels, k), std::move(*spec.system),
          static_cast<unsigned>(k)};
}

System spec_point(const std::string& path, unsigned k) {
  auto spec = lim::pipeline::load_spec_file(path);
  if (!spec.ok()) {
    std::cerr << lim::format_diagnostics(spec.source, spec.diagnostics);
    std::exit(2);
  }
  return {fmt::format("{}, K {}", fs::path(path).filename().string(), k), std::move(*spec.system), k};
}

enum class Search { Full, Deadlocks, AllReachability };

// Deadlocks: reduced for deadlock freedom alone. AllReachability: for what
// `lim check --k N --por on --props k-obi,orphan-messages,async-deadlock-freedom`
// asks, whose k-OBI makes moves visible and brings in the cycle proviso.
Measurement lim_run(const System& point, Search search) {
  using lim::properties::AsyncProperty;
  const lim::semantics::AsynchronousSemantics semantics(point.system, point.k);
  Measurement m;
  lim::explore::CompactSpace space;
  if (search != Search::Full) {
    m.tool = search == Search::Deadlocks ? "lim, partial-order red." : "lim, partial-order red., k-obi too";
    const auto asked = search == Search::Deadlocks
                           ? std::vector<AsyncProperty>{AsyncProperty::DeadlockFreedom}
                           : std::vector<AsyncProperty>{AsyncProperty::KObi, AsyncProperty::OrphanMessages,
                                                        AsyncProperty::DeadlockFreedom};
    const lim::semantics::AmpleSets ample(semantics, lim::properties::visible_transitions(semantics, asked));
    space = lim::explore::explore_compact(ample);
    if (space.fully_expanded_by_proviso) m.note = fmt::format("{} by the proviso", space.fully_expanded_by_proviso);
  } else {
    m.tool = "lim, full";
    space = lim::explore::explore_compact(semantics);
  }
  m.states = space.size();
  m.transitions = space.edge_count();
  m.seconds = space.seconds;
  m.own_bytes = static_cast<double>(space.memory_bytes());
  return m;
}

void row(const System& point, const Measurement& m, const std::string& ratio) {
  fmt::print("| {} | {} | {} | {} | {:.6f} | {} |\n", point.name, m.tool, m.states, m.transitions, m.seconds, ratio);
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"lim's partial-order reduction, its full exploration and SPIN's reduction on the same systems"};
  std::vector<std::string> family_points, spec_points;
  bool no_spin = false, reduced_only = false;
  app.add_option("--point", family_points, "PAIRS,LABELS,K of the pairs family (repeatable)");
  app.add_option("--spec", spec_points, "FILE,K: a spec without environment roles (repeatable)");
  app.add_flag("--no-spin", no_spin, "lim only");
  app.add_flag("--reduced-only", reduced_only,
               "only the reduced searches (for points whose full space is too large to explore)");
  CLI11_PARSE(app, argc, argv);
  std::vector<System> points;
  for (const auto& text : family_points) {
    int pairs = 0, labels = 0, k = 0;
    if (std::sscanf(text.c_str(), "%d,%d,%d", &pairs, &labels, &k) != 3) {
      std::cerr << "--point wants PAIRS,LABELS,K, not " << text << "\n";
      return 2;
    }
    points.push_back(family_point(pairs, labels, k));
  }
  for (const auto& text : spec_points) {
    const auto comma = text.rfind(',');
    if (comma == std::string::npos) {
      std::cerr << "--spec wants FILE,K, not " << text << "\n";
      return 2;
    }
    points.push_back(spec_point(text.substr(0, comma), static_cast<unsigned>(std::stoul(text.substr(comma + 1)))));
  }
  if (points.empty()) {
    for (const auto& [pairs, labels, k] : std::vector<std::array<int, 3>>{{2, 2, 3}, {2, 2, 4}, {3, 1, 6}, {3, 1, 8}})
      points.push_back(family_point(pairs, labels, k));
    // The corpus's largest systems without environments (../shared/corpus).
    const fs::path corpus = fs::path(LIM_SOURCE_DIR) / "../shared/corpus/kmc";
    for (const auto& [file, k] : std::vector<std::pair<std::string, unsigned>>{
             {"benchmarks/elevator-extra-variant.txt", 5}, {"http-fsm.txt", 5}, {"ex3-2-1.txt", 5}})
      if (fs::exists(corpus / file)) points.push_back(spec_point((corpus / file).string(), k));
  }
  if (!no_spin && std::system("command -v spin >/dev/null 2>&1") != 0) {
    std::cerr << "spin is not installed (apt-get install spin), or pass --no-spin\n";
    return 2;
  }
  const auto work = fs::temp_directory_path() / ("lim-por-bench-" + std::to_string(::getpid()));
  fmt::print("| system | search | states | transitions | seconds | ratio |\n|---|---|---|---|---|---|\n");
  for (std::size_t index = 0; index < points.size(); ++index) {
    const auto& point = points[index];
    Measurement full;
    if (!reduced_only) {
      full = lim_run(point, Search::Full);
      row(point, full, "");
    }
    const auto against_full = [&](const Measurement& m) {
      if (reduced_only) return m.note;
      return fmt::format("{:.1f}× fewer states, {:.1f}× less time than lim's full search{}",
                         static_cast<double>(full.states) / static_cast<double>(m.states),
                         full.seconds / std::max(m.seconds, 1e-6), m.note.empty() ? "" : "; " + m.note);
    };
    const auto reduced = lim_run(point, Search::Deadlocks);
    row(point, reduced, against_full(reduced));
    const auto with_obi = lim_run(point, Search::AllReachability);
    row(point, with_obi, against_full(with_obi));
    if (no_spin) continue;
    lim::Diagnostics problems;
    const auto model = lim::formats::write_promela(point.system, point.k, problems);
    if (!model) {
      fmt::print("| {} | SPIN | - | - | - | not written as Promela |\n", point.name);
      continue;
    }
    const auto dir = work / std::to_string(index);
    const auto lim_over_spin = [&](const Measurement& spin) {
      return fmt::format("lim's reduced search stores {:.2f}× SPIN's states",
                         static_cast<double>(reduced.states) / static_cast<double>(spin.states));
    };
    if (reduced_only) {
      // Neither size is known: a table for a million states, a deep stack.
      const auto spin = lim::bench::run_spin(*model, dir / "por", "SPIN partial-order red. (default)", "-DSAFETY",
                                             1'000'000, 100'000);
      row(point, spin, lim_over_spin(spin));
      continue;
    }
    // pan's depth-first stack: no run is longer than the states it visits.
    const auto depth = full.states + 10;
    const auto plain = lim::bench::run_spin(*model, dir / "plain", "SPIN -DNOREDUCE", "-DNOREDUCE -DSAFETY",
                                            full.states, depth);
    row(point, plain,
        plain.states == full.states ? "the same states as lim's full search"
                                    : fmt::format("(!) lim's full search has {} states", full.states));
    const auto spin = lim::bench::run_spin(*model, dir / "por", "SPIN partial-order red. (default)", "-DSAFETY",
                                           full.states, depth);
    row(point, spin,
        fmt::format("{:.1f}× fewer states than its full search; {}",
                    static_cast<double>(plain.states) / static_cast<double>(spin.states), lim_over_spin(spin)));
  }
  fs::remove_all(work);
  fmt::print("\nseconds: lim's exploration (CompactSpace::seconds), pan's 'elapsed time' (hundredths of a "
             "second).\nBoth reductions keep every deadlock; lim's explores breadth-first, SPIN's depth-first.\n");
  return 0;
}
