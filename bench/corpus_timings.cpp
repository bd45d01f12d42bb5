// Time goals that are about real inputs rather than generated families:
//   * every file of kmc's corpus decided in under a second — the checks of
//     tests/corpus_kmc_test.cpp: k-exhaustivity and k-safety at k = 1 and 2,
//     and the least-k search for k-MC over 1..10;
//   * the guard checks of a TCP-sized spec (specs/tcp/server.lim) in under a
//     second.
// They live here, not in ctest, because a timing is a measurement of the
// machine as much as of lim: the tests pin verdicts, this prints figures.
#include <algorithm>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "lim/pipeline/check.hpp"
#include "lim/properties/asynchronous_properties.hpp"
#include "lim/refine/guard_checks.hpp"

namespace {

namespace fs = std::filesystem;
using lim::properties::AsyncProperty;

// Processor time, so that other jobs on a shared machine do not count.
double cpu_seconds() { return static_cast<double>(std::clock()) / CLOCKS_PER_SEC; }

struct Timing {
  std::string file;
  double seconds = 0;
};

int corpus(const fs::path& directory) {
  std::vector<fs::path> files;
  for (const auto& entry : fs::recursive_directory_iterator(directory))
    if (entry.is_regular_file() && entry.path().extension() == ".txt") files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  std::vector<Timing> timings;
  std::size_t rejected = 0;
  for (const auto& file : files) {
    const double start = cpu_seconds();
    auto spec = lim::pipeline::load_spec_file(file.string());
    if (!spec.ok()) {  // kmc's files with a role receiving from itself: located errors
      ++rejected;
      continue;
    }
    for (unsigned k = 1; k <= 2; ++k) {
      lim::properties::BoundedAnalysis analysis(*spec.system, k, {});
      analysis.check(AsyncProperty::KExhaustivity);
      analysis.check(AsyncProperty::KSafety);
    }
    lim::properties::check_least_k(*spec.system, {AsyncProperty::KMc}, 1, 10, {});
    timings.push_back({fs::relative(file, directory).string(), cpu_seconds() - start});
  }
  if (timings.empty()) {
    fmt::print("kmc corpus: no readable file in {}\n", directory.string());
    return 1;
  }
  std::sort(timings.begin(), timings.end(), [](const Timing& a, const Timing& b) { return a.seconds > b.seconds; });
  double total = 0;
  for (const auto& timing : timings) total += timing.seconds;
  fmt::print("kmc corpus ({}): {} files decided ({} refused with a located error), {:.2f} s of processor time in all\n",
             directory.string(), timings.size(), rejected, total);
  fmt::print("slowest files (k-exhaustivity and k-safety at k=1,2, then least k for k-mc in 1..10):\n");
  for (std::size_t i = 0; i < std::min<std::size_t>(5, timings.size()); ++i)
    fmt::print("  {:<36} {:.3f} s\n", timings[i].file, timings[i].seconds);
  const bool met = timings.front().seconds < 1.0;
  fmt::print("target: every file in under 1 s: slowest {:.3f} s ({})\n\n", timings.front().seconds,
             met ? "met" : "NOT met");
  return met ? 0 : 1;
}

int guards(const fs::path& spec_path) {
  const double start = cpu_seconds();
  auto spec = lim::pipeline::load_spec_file(spec_path.string());
  if (!spec.ok()) {
    fmt::print("{}: does not load\n", spec_path.string());
    return 1;
  }
  const double loaded = cpu_seconds();
  const auto report = lim::refine::check_guards(*spec.system);
  const double checked = cpu_seconds();
  fmt::print("{}: {} guarded offers, {} guards; {} solver calls, {} answered from the cache\n", spec_path.string(),
             report.offers, report.guards, report.solver.solver_calls, report.solver.cache_hits);
  fmt::print("  loading and translating (guards compiled): {:.3f} s; guard checks: {:.3f} s\n", loaded - start,
             checked - loaded);
  const bool met = checked - start < 1.0;
  fmt::print("target: the whole spec's guard checks in under 1 s: {:.3f} s including loading ({})\n",
             checked - start, met ? "met" : "NOT met");
  return met ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"lim's timing goals on real inputs: kmc's corpus, the TCP server's guard checks"};
  std::string corpus_directory = LIM_SOURCE_DIR "/../shared/corpus/kmc";
  std::string tcp_spec = LIM_SOURCE_DIR "/specs/tcp/server.lim";
  app.add_option("--corpus", corpus_directory, "kmc corpus directory");
  app.add_option("--guards", tcp_spec, "spec whose guard checks to time");
  CLI11_PARSE(app, argc, argv);
  int status = 0;
  if (fs::is_directory(corpus_directory))
    status |= corpus(corpus_directory);
  else
    fmt::print("kmc corpus: {} is absent; skipped\n\n", corpus_directory);
  status |= guards(tcp_spec);
  return status;
}
