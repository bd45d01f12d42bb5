#pragma once
// Running SPIN's pan on a Promela model and reading its figures, shared by
// the benchmarks that compare lim with SPIN (spin_comparison, partial_order).
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <regex>
#include <string>

#include <fmt/format.h>

namespace lim::bench {

struct Measurement {
  std::string tool;
  std::uint64_t states = 0;
  std::uint64_t transitions = 0;
  double seconds = 0;
  double own_bytes = 0;    // the tool's own count of the memory it holds for the search
  double peak_rss = 0;     // the process's peak resident memory
  std::string note;
  double rate() const { return seconds > 0 ? static_cast<double>(states) / seconds : 0; }
};

// `command` in a shell, its output, and the peak resident memory of the
// process it ends up as (the command should `exec` the program measured).
inline int shell(const std::string& command, double* peak_rss = nullptr) {
  const pid_t child = ::fork();
  if (child == 0) {
    ::execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  int status = 0;
  rusage usage{};
  ::wait4(child, &status, 0, &usage);
  if (peak_rss) *peak_rss = static_cast<double>(usage.ru_maxrss) * 1024.0;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

inline std::optional<double> find_number(const std::string& text, const std::string& pattern) {
  std::smatch match;
  if (!std::regex_search(text, match, std::regex(pattern))) return std::nullopt;
  return std::stod(match[1]);
}

// spin -a, cc -O2 with `defines`, pan. The hash table gets 2^w slots for the
// smallest w with 2^w ≥ the expected states (what a user who knows the size
// would pick: SPIN's default 2^24 slots would cost small models 128 MiB),
// and the depth-first stack the depth of the longest run, `max_depth`.
inline Measurement run_spin(const std::string& model, const std::filesystem::path& dir, const std::string& tool,
                              const std::string& defines, std::uint64_t expected_states,
                              std::uint64_t max_depth) {
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "model.pml") << model;
  const std::string cd = "cd '" + dir.string() + "' && ";
  if (shell(cd + "spin -a model.pml >spin.out 2>&1 && cc -O2 -w -DVECTORSZ=4096 " + defines +
            " -o pan pan.c >cc.out 2>&1") != 0) {
    std::cerr << "spin or cc failed in " << dir << "\n";
    std::exit(3);
  }
  const int w = std::max(10, static_cast<int>(std::ceil(std::log2(static_cast<double>(expected_states) + 1))));
  Measurement m;
  m.tool = tool;
  const int status = shell(cd + fmt::format("exec ./pan -q -m{} -w{} >pan.out 2>&1", max_depth, w), &m.peak_rss);
  std::ifstream in(dir / "pan.out");
  const std::string out((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto stored = find_number(out, R"((\d+) states, stored)");
  const auto transitions = find_number(out, R"((\d+) transitions \(= )");
  const auto seconds = find_number(out, R"(pan: elapsed time ([0-9.e+-]+) seconds)");
  const auto memory = find_number(out, R"(([0-9.]+)\s+total actual memory usage)");
  const auto errors = find_number(out, R"(errors: (\d+))");
  if (status != 0 || !stored || !transitions || !seconds || !memory || !errors ||
      out.find("max search depth too small") != std::string::npos) {
    std::cerr << "pan failed:\n" << out;
    std::exit(3);
  }
  m.states = static_cast<std::uint64_t>(*stored);
  m.transitions = static_cast<std::uint64_t>(*transitions);
  m.seconds = *seconds;
  m.own_bytes = *memory * 1024 * 1024;
  if (*errors != 0) m.note = fmt::format("{} errors", *errors);
  return m;
}

}  // namespace lim::bench
