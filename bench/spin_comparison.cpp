// lim's state-space engine and SPIN on the same systems, in one run (not run
// by ctest; docs/performance.md, "SPIN side by side").
//
// Each point is a system of kmc's pairs family (kmc_family.hpp) at a bound
// K, explored as one product state space: by lim's engine (no
// decomposition into the independent pairs, which SPIN does not have), and
// by SPIN 6 on `lim export --to promela --k K` of the same system — whose
// state space is lim's, configuration for configuration
// (tests/promela_export_test.cpp) — compiled with -DNOREDUCE -DSAFETY (no
// partial-order reduction), -DNOREDUCE -DSAFETY -DCOLLAPSE (SPIN's lossless
// state compression), and -DSAFETY (SPIN's partial-order reduction, which
// the model's xs/xr declarations allow on its channels). lim runs in a
// process of its own so that its peak resident memory is measured like pan's.
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "kmc_family.hpp"
#include "spin_runner.hpp"
#include "lim/explore/compact_explorer.hpp"
#include "lim/explore/explorer.hpp"
#include "lim/formats/promela_writer.hpp"
#include "lim/pipeline/check.hpp"
#include "lim/properties/asynchronous_properties.hpp"
#include "lim/semantics/asynchronous.hpp"

namespace {

namespace fs = std::filesystem;
using lim::bench::Measurement;
using lim::bench::run_spin;
using lim::bench::shell;

struct Point {
  int pairs, labels, k;
};

lim::automata::System load(const std::string& text) {
  auto spec = lim::pipeline::load_spec_text("family.fsm", text, lim::formats::InputFormat::GmcFsm);
  if (!spec.ok()) {
    std::cerr << lim::format_diagnostics(spec.source, spec.diagnostics);
    std::exit(2);
  }
  return std::move(*spec.system);
}

// lim's engine in a fresh process (this program again, --lim-child), so
// that its peak resident memory is measured as pan's is: from exec to exit.
std::pair<Measurement, Measurement> run_lim(const Point& point, const fs::path& dir) {
  fs::create_directories(dir);
  Measurement m;
  m.tool = "lim engine";
  const auto out = dir / "lim.out";
  const int status = shell(fmt::format("exec /proc/{}/exe --lim-child {},{},{} >'{}'", ::getpid(), point.pairs,
                                       point.labels, point.k, out.string()),
                           &m.peak_rss);
  std::ifstream fields(out);
  Measurement components;
  components.tool = "lim, pair by pair";
  fields >> m.states >> m.transitions >> m.seconds >> m.own_bytes >> components.states >> components.transitions >>
      components.seconds;
  if (status != 0 || !fields) {
    std::cerr << "lim's exploration failed\n";
    std::exit(3);
  }
  return {m, components};
}

// The compact store (no edges, what deadlock freedom and the other
// reachability properties use) in a fresh process, on `threads` threads.
Measurement run_lim_compact(const Point& point, const fs::path& dir, unsigned threads) {
  fs::create_directories(dir);
  Measurement m;
  m.tool = fmt::format("lim compact, {} thread{}", threads, threads == 1 ? "" : "s");
  const auto out = dir / fmt::format("compact-{}.out", threads);
  const int status = shell(fmt::format("exec /proc/{}/exe --lim-compact-child {},{},{},{} >'{}'", ::getpid(),
                                       point.pairs, point.labels, point.k, threads, out.string()),
                           &m.peak_rss);
  std::ifstream fields(out);
  fields >> m.states >> m.transitions >> m.seconds >> m.own_bytes;
  if (status != 0 || !fields) {
    std::cerr << "lim's compact exploration failed\n";
    std::exit(3);
  }
  return m;
}

int lim_compact_child(const Point& point, unsigned threads) {
  const auto system = load(lim::bench::family(point.pairs, point.labels, point.k));
  const lim::semantics::AsynchronousSemantics semantics(system, static_cast<unsigned>(point.k));
  lim::explore::ExploreOptions options;
  options.threads = threads;
  const auto space = lim::explore::explore_compact(semantics, options);
  fmt::print("{} {} {} {}\n", space.size(), space.edge_count(), space.seconds, space.memory_bytes());
  return space.complete() ? 0 : 1;
}

int lim_child(const Point& point) {
  const auto system = load(lim::bench::family(point.pairs, point.labels, point.k));
  const lim::semantics::AsynchronousSemantics semantics(system, static_cast<unsigned>(point.k));
  const auto space = lim::explore::explore(semantics);
  fmt::print("{} {} {} {}\n", space.size(), space.edge_count(), space.seconds, space.memory_bytes());
  if (!space.complete()) return 1;
  // lim's own exact reduction: the independent pairs explored one by one,
  // as `lim check --k` does (independent_components.hpp).
  const lim::properties::BoundedAnalysis components(system, static_cast<unsigned>(point.k), {});
  fmt::print("{} {} {}\n", components.states(), components.transitions(), components.seconds());
  return components.complete() ? 0 : 1;
}

enum class Compare { None, Full, Reduced };

// Full: lim's states/s and bytes/state over the row's, for the graph store
// and for the compact store on two threads. Reduced: a reduced search,
// compared by the states it needs (pan's clock does not resolve its time).
void print_row(const Measurement& m, const Measurement& lim, Compare compare, const Measurement* compact = nullptr) {
  const auto per_state = [](double bytes, std::uint64_t states) {
    return bytes > 0 ? fmt::format("{:.1f}", bytes / static_cast<double>(states)) : std::string("-");
  };
  std::string ratios;
  if (compare == Compare::Full)
  {
    const auto over = [&](const Measurement& ours) {
      return fmt::format("rate {:.2f}×, B/state {:.2f}×", ours.rate() / m.rate(),
                         (ours.own_bytes / static_cast<double>(ours.states)) /
                             (m.own_bytes / static_cast<double>(m.states)));
    };
    ratios = "graph: " + over(lim);
    if (compact != nullptr) ratios += "; compact, 2 threads: " + over(*compact);
  }
  else if (compare == Compare::Reduced)
    ratios = fmt::format("{:.0f}× fewer states than the full space", static_cast<double>(lim.states) /
                                                                          static_cast<double>(m.states));
  // A reduced search stores so few states that fixed costs (pan's stack and
  // hash table) are all its bytes per state would show.
  const bool reduced = compare == Compare::Reduced;
  fmt::print("  {:<28} {:>11} {:>12} {:>8.4f} {:>10} {:>8} {:>9}  {} {}\n", m.tool, m.states, m.transitions,
             m.seconds, reduced ? std::string("-") : fmt::format("{:.2f}M", m.rate() / 1e6),
             reduced ? "-" : per_state(m.own_bytes, m.states), reduced ? "-" : per_state(m.peak_rss, m.states),
             ratios, m.note);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"lim's engine and SPIN on the same state spaces"};
  std::vector<std::string> requested;
  std::string child;
  bool quick = false, with_por = true;
  app.add_option("--point", requested, "PAIRS,LABELS,K (repeatable); default: the standard points");
  app.add_flag("--quick", quick, "small points only");
  app.add_flag("!--no-por", with_por, "skip SPIN with its partial-order reduction");
  app.add_option("--lim-child", child, "(internal) explore PAIRS,LABELS,K with lim and print the figures");
  std::string compact_child;
  app.add_option("--lim-compact-child", compact_child,
                 "(internal) explore PAIRS,LABELS,K,THREADS into the compact store and print the figures");
  CLI11_PARSE(app, argc, argv);
  if (!compact_child.empty()) {
    Point point{};
    unsigned threads = 1;
    if (std::sscanf(compact_child.c_str(), "%d,%d,%d,%u", &point.pairs, &point.labels, &point.k, &threads) != 4)
      return 2;
    return lim_compact_child(point, threads);
  }
  if (!child.empty()) {
    Point point{};
    if (std::sscanf(child.c_str(), "%d,%d,%d", &point.pairs, &point.labels, &point.k) != 3) return 2;
    return lim_child(point);
  }
  if (std::system("command -v spin >/dev/null 2>&1") != 0) {
    std::cerr << "spin is not installed (apt-get install spin)\n";
    return 2;
  }
  std::vector<Point> points;
  for (const auto& text : requested) {
    Point point{};
    if (std::sscanf(text.c_str(), "%d,%d,%d", &point.pairs, &point.labels, &point.k) != 3) {
      std::cerr << "--point wants PAIRS,LABELS,K, not " << text << "\n";
      return 2;
    }
    points.push_back(point);
  }
  if (points.empty()) {
    // Nothing smaller: pan's clock counts hundredths of a second.
    points = {{2, 2, 3}, {3, 1, 6}};
    if (!quick) points = {{2, 2, 3}, {2, 2, 4}, {3, 1, 6}, {3, 1, 8}};
  }
  const auto work = fs::temp_directory_path() / ("lim-spin-bench-" + std::to_string(::getpid()));
  fmt::print("states/s and bytes/state: lim's engine and SPIN 6 on the same state space (pairs family)\n");
  fmt::print("  {:<28} {:>11} {:>12} {:>8} {:>10} {:>8} {:>9}  {}\n", "tool", "states", "transitions", "seconds",
             "states/s", "B/state", "RSS/state", "lim over this row");
  for (const auto& point : points) {
    const auto system = load(lim::bench::family(point.pairs, point.labels, point.k));
    lim::Diagnostics problems;
    const auto model = lim::formats::write_promela(system, static_cast<unsigned>(point.k), problems);
    if (!model) {
      std::cerr << "the family cannot be written as Promela\n";
      return 3;
    }
    fmt::print("pairs={} labels={} K={}\n", point.pairs, point.labels, point.k);
    const auto dir = work / fmt::format("{}-{}-{}", point.pairs, point.labels, point.k);
    const auto [lim, components] = run_lim(point, dir);
    print_row(lim, lim, Compare::None);
    print_row(run_lim_compact(point, dir, 1), lim, Compare::None);
    const auto compact = run_lim_compact(point, dir, 2);
    print_row(compact, lim, Compare::None);
    // Every machine of the family is acyclic, so a run is at most every
    // machine's longest path: 2K moves each.
    const std::uint64_t depth = 4ull * static_cast<std::uint64_t>(point.pairs * point.k) + 10;
    const auto plain = run_spin(*model, dir / "plain", "SPIN -DNOREDUCE", "-DNOREDUCE -DSAFETY", lim.states, depth);
    print_row(plain, lim, Compare::Full, &compact);
    if (plain.states != lim.states)
      fmt::print("  (!) SPIN stored {} states, lim {}: the models differ\n", plain.states, lim.states);
    print_row(run_spin(*model, dir / "collapse", "SPIN -DNOREDUCE -DCOLLAPSE", "-DNOREDUCE -DSAFETY -DCOLLAPSE",
                       lim.states, depth),
              lim, Compare::Full, &compact);
    print_row(components, lim, Compare::Reduced);
    if (with_por)
      print_row(run_spin(*model, dir / "por", "SPIN partial-order red.", "-DSAFETY", lim.states, depth), lim,
                Compare::Reduced);
  }
  fs::remove_all(work);
  fmt::print("B/state: the tool's own count (lim engine: StateSpace::memory_bytes, configurations and edges;\n"
             "lim compact: CompactSpace::memory_bytes, tree-compressed configurations and no edges;\n"
             "SPIN: 'total actual memory usage', hash table and stack included); RSS/state: peak\n"
             "resident memory of the process over the states it stored. 'lim over this row': lim's\n"
             "states/s and bytes/state over the row's (issue 12's goal against SPIN -DNOREDUCE:\n"
             "rate ≥ 2×, B/state ≤ 1×); a reduced search is compared by the states it needs.\n");
  return 0;
}
