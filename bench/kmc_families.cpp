// kmc's parameterised benchmark families against lim (not run by ctest).
//
// The family of kmc's GenCFSMs (CAV 2019 artefact): 2m peers in pairs, each
// peer sending k messages to its partner — every message chosen among n
// labels — and then receiving k. kmc checks it with its least-k search
// (`KMC file 1 k --fsm`); its times on a 2-core machine are in kKmcSeconds.
// This program generates the same systems in the fsm format, runs lim's
// least-k search on them and prints both times. It then measures the engine
// itself: the largest single state space (one product, no decomposition)
// explored within --budget seconds, its rate and its bytes per stored
// configuration.
#include <sys/resource.h>

#include <chrono>
#include <iostream>
#include <string>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "kmc_family.hpp"
#include "lim/explore/explorer.hpp"
#include "lim/pipeline/check.hpp"
#include "lim/properties/asynchronous_properties.hpp"
#include "lim/semantics/asynchronous.hpp"

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

lim::automata::System load(const std::string& name, const std::string& text) {
  auto spec = lim::pipeline::load_spec_text(name, text, lim::formats::InputFormat::GmcFsm);
  if (!spec.ok()) {
    std::cerr << lim::format_diagnostics(spec.source, spec.diagnostics);
    std::exit(2);
  }
  return std::move(*spec.system);
}

std::size_t peak_rss_bytes() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<std::size_t>(usage.ru_maxrss) * 1024;
}

struct Point {
  int m, n, k;
  const char* kmc;  // kmc's time on the same point
  double kmc_seconds;
};

void least_k_points(bool quick) {
  const Point points[] = {
      {5, 1, 60, "127 s (1201 states)", 127},
      {8, 1, 10, "6.7 s", 6.7},
      {16, 1, 10, ">150 s", 150},
      {1, 8, 2, "92.5 s (5266 states, 9360 transitions)", 92.5},
  };
  fmt::print("least-k search (k-MC, k = 1..K) on kmc's families\n");
  fmt::print("{:>4} {:>3} {:>4}  {:>10} {:>12} {:>10}  {:>8}  {}\n", "m", "n", "K", "lim (s)", "states@K", "verdict",
             "speed-up", "kmc");
  for (const auto& point : points) {
    if (quick && point.k > 10) continue;
    const auto system = load("family.fsm", lim::bench::family(point.m, point.n, point.k));
    const auto start = Clock::now();
    const auto report = lim::properties::check_least_k(system, {lim::properties::AsyncProperty::KMc}, 1,
                                                       static_cast<unsigned>(point.k), {});
    const double seconds = seconds_since(start);
    const auto& result = report.results.front();
    const std::string verdict = result.verdict == lim::report::Verdict::Holds
                                    ? fmt::format("k={}", *result.k)
                                    : lim::report::to_string(result.verdict);
    fmt::print("{:>4} {:>3} {:>4}  {:>10.4f} {:>12} {:>10}  {:>7.0f}×  {}\n", point.m, point.n, point.k, seconds,
               report.states, verdict, point.kmc_seconds / seconds, point.kmc);
  }
  fmt::print("(independent pairs are explored one by one: exact, see independent_components.hpp;\n"
             " states@K counts the configurations stored at the last k, summed over the pairs)\n\n");
}

// The engine alone: one product state space (pairs not separated) of the
// family with n labels, growing K until an exploration takes longer than
// the budget.
void engine_capacity(double budget, int pairs, int labels) {
  fmt::print("engine: one product state space, {} pairs, {} labels, bound k = K\n", pairs, labels);
  fmt::print("{:>4}  {:>12} {:>13}  {:>9} {:>12}  {:>11}\n", "K", "states", "transitions", "seconds", "states/s",
             "bytes/state");
  std::string largest;
  for (int k = 1;; ++k) {
    const auto system = load("engine.fsm", lim::bench::family(pairs, labels, k));
    const lim::semantics::AsynchronousSemantics semantics(system, static_cast<unsigned>(k));
    lim::explore::ExploreOptions options;
    options.limits.timeout_seconds = budget;
    const auto space = lim::explore::explore(semantics, options);
    const double per_state = static_cast<double>(space.memory_bytes()) / static_cast<double>(space.size());
    fmt::print("{:>4}  {:>12} {:>13}  {:>9.2f} {:>12.0f}  {:>11.1f}{}\n", k, space.size(), space.edge_count(),
               space.seconds, static_cast<double>(space.size()) / space.seconds, per_state,
               space.complete() ? "" : "  (time limit)");
    if (!space.complete()) break;
    largest = fmt::format("largest complete exploration within {:.0f} s: K={}, {} configurations, {} transitions, "
                          "{:.1f} s, {:.1f} bytes per stored configuration (edges included)",
                          budget, k, space.size(), space.edge_count(), space.seconds, per_state);
  }
  fmt::print("{}\npeak resident memory {:.1f} MiB\n", largest,
             static_cast<double>(peak_rss_bytes()) / (1024.0 * 1024.0));
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"lim on kmc's benchmark families"};
  double budget = 60;
  int pairs = 3, labels = 1;
  bool quick = false, skip_engine = false;
  app.add_option("--budget", budget, "seconds allowed for one engine exploration");
  app.add_option("--pairs", pairs, "pairs in the engine measurement");
  app.add_option("--labels", labels, "labels per message in the engine measurement");
  app.add_flag("--quick", quick, "small points only");
  app.add_flag("--no-engine", skip_engine, "skip the engine capacity measurement");
  CLI11_PARSE(app, argc, argv);
  least_k_points(quick);
  if (!skip_engine) engine_capacity(budget, pairs, labels);
  return 0;
}
