#pragma once
// Timing for the runtime benchmarks: every variant of a workload runs in
// each repetition, interleaved, so that a noisy neighbour on a shared
// machine hurts all of them alike; the median over repetitions is reported.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

namespace lim::bench {

struct Variant {
  std::string name;
  // Runs the workload and returns the seconds its timed part took.
  std::function<double()> run;
};

struct Figure {
  std::string transport, workload, variant;
  std::size_t operations = 0;
  double median_seconds = 0;
  double best_seconds = 0;
  double microseconds_per_operation() const { return 1e6 * median_seconds / static_cast<double>(operations); }
  double operations_per_second() const { return static_cast<double>(operations) / median_seconds; }
};

inline std::vector<Figure> measure(const std::string& transport, const std::string& workload, std::size_t operations,
                                   int repetitions, const std::vector<Variant>& variants) {
  std::vector<std::vector<double>> seconds(variants.size());
  for (int repetition = 0; repetition < repetitions; ++repetition)
    for (std::size_t i = 0; i < variants.size(); ++i) {
      // Rotate the order: no variant always runs first (cold) or last.
      const auto index = (i + static_cast<std::size_t>(repetition)) % variants.size();
      seconds[index].push_back(variants[index].run());
    }
  std::vector<Figure> figures;
  for (std::size_t i = 0; i < variants.size(); ++i) {
    auto& runs = seconds[i];
    std::sort(runs.begin(), runs.end());
    figures.push_back({transport, workload, variants[i].name, operations, runs[runs.size() / 2], runs.front()});
  }
  return figures;
}

class Stopwatch {
 public:
  Stopwatch() : start_(std::chrono::steady_clock::now()) {}
  double seconds() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  }

 private:
  std::chrono::steady_clock::time_point start_;
};

}  // namespace lim::bench
