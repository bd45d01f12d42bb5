// The two stores of lim's engine on kmc's pairs family (kmc_family.hpp), in
// one run: the graph store (every configuration, BFS parent and edge; what
// the fixpoint properties need) and the compact store (tree-compressed
// configurations, no edges; what the reachability properties need,
// explore/compact_space.hpp). Each exploration is of the whole product, as
// spin_comparison's, and runs in a process of its own so that its peak
// resident memory is its own (docs/performance.md, "Storing no edges").
//
//   build/bench/compact_store                    # the standard points
//   build/bench/compact_store --point 3,1,8 --store compact
//   build/bench/compact_store --point 3,1,17 --store compact --max-states 20000000 --nodes
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <optional>
#include <iostream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "kmc_family.hpp"
#include "lim/explore/compact_explorer.hpp"
#include "lim/explore/explorer.hpp"
#include "lim/pipeline/check.hpp"
#include "lim/semantics/asynchronous.hpp"

namespace {

struct Point {
  int pairs, labels, k;
};

struct Figures {
  double states = 0, transitions = 0, seconds = 0, own_bytes = 0, peak_rss = 0;
};

lim::automata::System load(const std::string& text) {
  auto spec = lim::pipeline::load_spec_text("family.fsm", text, lim::formats::InputFormat::GmcFsm);
  if (!spec.ok()) {
    std::cerr << lim::format_diagnostics(spec.source, spec.diagnostics);
    std::exit(2);
  }
  return std::move(*spec.system);
}

// In the child: explore, print the figures on `out`.
struct Run {
  std::optional<std::uint64_t> max_states;
  bool nodes = false;
  unsigned threads = 1;
};

void explore(const Point& point, bool compact, const Run& run, int out) {
  const auto system = load(lim::bench::family(point.pairs, point.labels, point.k));
  const lim::semantics::AsynchronousSemantics semantics(system, static_cast<unsigned>(point.k));
  lim::explore::ExploreOptions options;
  options.limits.max_states = run.max_states;
  options.threads = run.threads;
  std::string line;
  if (compact) {
    const auto space = lim::explore::explore_compact(semantics, options);
    line = fmt::format("{} {} {} {}\n", space.size(), space.edge_count(), space.seconds, space.memory_bytes());
    if (run.nodes) {
      // On stderr, so that the figures line stays the only one on the pipe.
      for (std::size_t word = 0; word < space.layout.word_count(); ++word)
        fmt::print(stderr, "word {}: {} bits used, fields at {}\n", word, space.layout.used_bits(word),
                   fmt::join(space.layout.field_starts(word), " "));
      for (const auto& node : space.states.node_figures())
        fmt::print(stderr, "{} bits [{}, {}): {} pairs, {:.1f} MiB\n", node.leaf ? "leaf " : "inner", node.first,
                   node.last, node.pairs,
                   static_cast<double>(node.bytes) / (1 << 20));
    }
  } else {
    const auto space = lim::explore::explore(semantics, options);
    line = fmt::format("{} {} {} {}\n", space.size(), space.edge_count(), space.seconds, space.memory_bytes());
  }
  if (::write(out, line.data(), line.size()) != static_cast<ssize_t>(line.size())) std::_Exit(3);
}

Figures measure(const Point& point, bool compact, const Run& run) {
  int pipe[2];
  if (::pipe(pipe) != 0) std::exit(3);
  std::fflush(nullptr);
  const pid_t child = ::fork();
  if (child == 0) {
    ::close(pipe[0]);
    explore(point, compact, run, pipe[1]);
    std::_Exit(0);
  }
  ::close(pipe[1]);
  std::string text;
  char buffer[256];
  for (ssize_t n; (n = ::read(pipe[0], buffer, sizeof buffer)) > 0;) text.append(buffer, static_cast<std::size_t>(n));
  ::close(pipe[0]);
  int status = 0;
  rusage usage{};
  ::wait4(child, &status, 0, &usage);
  Figures figures;
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 ||
      std::sscanf(text.c_str(), "%lf %lf %lf %lf", &figures.states, &figures.transitions, &figures.seconds,
                  &figures.own_bytes) != 4) {
    std::cerr << "the exploration failed\n";
    std::exit(3);
  }
  // The child is a fork of this small process: its peak is the exploration's.
  figures.peak_rss = static_cast<double>(usage.ru_maxrss) * 1024.0;
  return figures;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app("lim's graph and compact stores on kmc's pairs family");
  std::vector<std::string> requested;
  std::string store = "both";
  app.add_option("--point", requested, "PAIRS,LABELS,K (repeatable); default: the standard points");
  app.add_option("--store", store, "graph, compact or both")->check(CLI::IsMember({"graph", "compact", "both"}));
  Run run;
  app.add_option("--max-states", run.max_states, "stop each exploration after this many configurations");
  app.add_option("--threads", run.threads, "compact store: 2 explores on two threads (a pipeline); default 1")
      ->check(CLI::Range(1u, 2u));
  app.add_flag("--nodes", run.nodes, "print the compact store's cut and each tree node's pairs and bytes (stderr)");
  CLI11_PARSE(app, argc, argv);
  std::vector<Point> points;
  for (const auto& text : requested) {
    Point point{};
    if (std::sscanf(text.c_str(), "%d,%d,%d", &point.pairs, &point.labels, &point.k) != 3) {
      std::cerr << "--point " << text << ": expected PAIRS,LABELS,K\n";
      return 2;
    }
    points.push_back(point);
  }
  if (points.empty()) points = {{2, 2, 3}, {2, 2, 4}, {3, 1, 6}, {3, 1, 8}};
  fmt::print("| system (pairs, labels, K) | store | states | transitions | seconds | states/s | B/state (own) | "
             "B/state (peak RSS) |\n|---|---|---|---|---|---|---|---|\n");
  for (const auto& point : points) {
    for (const bool compact : {false, true}) {
      if (store != "both" && (store == "compact") != compact) continue;
      const auto f = measure(point, compact, run);
      fmt::print("| {}, {}, {} | {} | {:.0f} | {:.0f} | {:.2f} | {:.2f} M | {:.1f} | {:.1f} |\n", point.pairs,
                 point.labels, point.k, compact ? "compact" : "graph", f.states, f.transitions, f.seconds,
                 f.states / f.seconds / 1e6, f.own_bytes / f.states, f.peak_rss / f.states);
      std::fflush(stdout);
    }
  }
  return 0;
}
