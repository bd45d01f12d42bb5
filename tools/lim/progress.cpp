// The progress line of a long `lim check` on a terminal (stderr): which
// file, which component, the exploration's figures, what is being decided,
// the time left before --timeout, and an estimate of the time to go when
// there is a basis for one (components done so far).
#include <unistd.h>

#include <iostream>

#include <fmt/format.h>

#include "progress.hpp"

namespace lim::cli {

ProgressLine::ProgressLine(bool enabled) : enabled_(enabled) {}

ProgressLine::~ProgressLine() { clear(); }

void ProgressLine::start_file(const std::string& file, std::size_t index, std::size_t count) {
  file_ = count > 1 ? fmt::format("[{}/{}] {}", index + 1, count, file) : file;
  exploration_.reset();
  component_ = 0;
  components_ = 1;
  started_ = std::chrono::steady_clock::now();
}

void ProgressLine::exploring(std::string scope, std::size_t component, std::size_t components,
                             const explore::ProgressReport& report) {
  scope_ = std::move(scope);
  component_ = component;
  components_ = components;
  exploration_ = report;
  draw(nullptr);
}

void ProgressLine::tick(const Budget& budget) { draw(&budget); }

void ProgressLine::clear() {
  if (!enabled_ || !drawn_) return;
  std::cerr << "\r\x1b[K" << std::flush;
  drawn_ = false;
}

void ProgressLine::draw(const Budget* budget) {
  if (!enabled_) return;
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
  std::string line = "  " + file_;
  if (!scope_.empty()) line += "  " + scope_;
  if (components_ > 1) {
    line += fmt::format("  component {}/{}", component_ + 1, components_);
    // Components are alike more often than not: the average so far is the
    // basis of the estimate.
    if (component_ > 0 && (!budget || budget->phase() == "exploring"))
      line += fmt::format(" (about {:.0f} s to go)",
                          elapsed / static_cast<double>(component_) * static_cast<double>(components_ - component_));
  }
  if (exploration_) {
    const auto& report = *exploration_;
    line += fmt::format("  {} states  {:.0f} states/s  frontier {}  {:.1f} MiB", report.states,
                        report.seconds > 0 ? static_cast<double>(report.states) / report.seconds : 0.0,
                        report.states - report.expanded, static_cast<double>(report.memory_bytes) / (1024.0 * 1024.0));
  }
  if (budget && !budget->phase().empty() && budget->phase() != "exploring") line += "  checking " + budget->phase();
  line += fmt::format("  {:.1f} s", elapsed);
  if (budget)
    if (const auto remaining = budget->remaining_seconds()) line += fmt::format(" (time limit in {:.1f} s)", *remaining);
  std::cerr << "\r\x1b[K" << line << std::flush;
  drawn_ = true;
}

}  // namespace lim::cli
