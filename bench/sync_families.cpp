// Synchronous-semantics scaling benchmark (not run by ctest).
//
// Generates parameterised families of typing contexts in lim syntax, checks
// all seven properties, and prints states, transitions, seconds and states/s
// for the exploration and for each property. Families:
//   ring n       n roles pass a token around a ring until r0 stops it
//   pipelines n  n independent source → filter → sink pipelines (4^n states)
//   stream k     the streaming protocol of HYC08 unrolled k times
// For each family, n grows until exploration alone takes longer than --budget.
#include <chrono>
#include <iostream>
#include <string>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "lim/pipeline/check.hpp"
#include "lim/semantics/synchronous.hpp"

namespace {

std::string ring(int n) {
  std::string text;
  const auto role = [](int i) { return fmt::format("r{}", i); };
  text += fmt::format("r0: rec t . r1⊕{{ token . {}&token . t, stop . {}&stop . end }}\n", role(n - 1), role(n - 1));
  for (int i = 1; i < n; ++i)
    text += fmt::format("{}: rec t . {}&{{ token . {}⊕token . t, stop . {}⊕stop . end }}\n", role(i), role(i - 1),
                        role((i + 1) % n), role((i + 1) % n));
  return text;
}

std::string pipelines(int n) {
  std::string text;
  for (int i = 0; i < n; ++i) {
    text += fmt::format("source{0}: rec t . filter{0}⊕{{ item(Int) . t, done . end }}\n", i);
    text += fmt::format(
        "filter{0}: rec t . source{0}&{{ item(Int) . sink{0}⊕item(Int) . t, done . sink{0}⊕done . end }}\n", i);
    text += fmt::format("sink{0}: rec t . filter{0}&{{ item(Int) . t, done . end }}\n", i);
  }
  return text;
}

std::string stream(int k) {
  std::string dp = "dp: ", kp = "kp: ", kernel = "kernel: ", consumer = "consumer: ";
  for (int i = 0; i < k; ++i) {
    dp += "kernel⊕data(Bool) . ";
    kp += "kernel⊕key(Bool) . ";
    kernel += "dp&data(Bool) . kp&key(Bool) . consumer⊕result(Bool) . ";
    consumer += "kernel&result(Bool) . ";
  }
  return dp + "end\n" + kp + "end\n" + kernel + "end\n" + consumer + "end\n";
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// Returns the exploration time.
double run_point(const std::string& family, int n, const std::string& text) {
  const auto parse_start = std::chrono::steady_clock::now();
  auto spec = lim::pipeline::load_spec_text(fmt::format("{}-{}.lim", family, n), text);
  if (!spec.ok()) {
    std::cerr << lim::format_diagnostics(spec.source, spec.diagnostics);
    return 1e9;
  }
  const double parse_seconds = seconds_since(parse_start);
  const lim::semantics::SynchronousSemantics semantics(*spec.system);
  const auto space = lim::explore::explore(semantics);
  fmt::print("{:<10} {:>6} {:>11} {:>12} {:>8.3f} {:>12.0f} {:>8.3f}", family, n, space.size(), space.edge_count(),
             space.seconds, static_cast<double>(space.size()) / std::max(space.seconds, 1e-9), parse_seconds);
  for (const auto property : lim::properties::all_sync_properties()) {
    const auto start = std::chrono::steady_clock::now();
    const auto result = lim::properties::check(property, semantics, space);
    fmt::print(" {:>9.3f}{}", seconds_since(start), result.verdict == lim::report::Verdict::Holds ? "✓" : "✗");
  }
  fmt::print("  {:.1f} B/state\n", static_cast<double>(space.memory_bytes()) / static_cast<double>(space.size()));
  std::fflush(stdout);
  return space.seconds;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"lim synchronous scaling benchmark"};
  double budget = 10;
  std::vector<std::string> families = {"ring", "pipelines", "stream"};
  app.add_option("--budget", budget, "stop growing a family once exploration takes this many seconds");
  app.add_option("--family", families, "families to run")->check(CLI::IsMember({"ring", "pipelines", "stream"}));
  CLI11_PARSE(app, argc, argv);

  fmt::print("{:<10} {:>6} {:>11} {:>12} {:>8} {:>12} {:>8}", "family", "n", "states", "transitions", "explore",
             "states/s", "parse");
  for (const auto property : lim::properties::all_sync_properties())
    fmt::print(" {:>10}", lim::properties::name(property));
  fmt::print("\n");
  for (const auto& family : families) {
    for (int n = family == "pipelines" ? 1 : 8;;) {
      const std::string text = family == "ring" ? ring(n) : family == "pipelines" ? pipelines(n) : stream(n);
      if (run_point(family, n, text) > budget) break;
      n = family == "pipelines" ? n + 1 : n * 2;
      if (n > (1 << 20)) break;
    }
  }
}
