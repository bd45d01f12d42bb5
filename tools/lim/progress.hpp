#pragma once
// The progress line `lim check` keeps on a terminal. It is redrawn both by
// the explorer's progress reports and by the check's budget ticks
// (support/budget.hpp), so it goes on moving while properties are decided
// after the exploration, and while Z3 answers guard queries.
#include <chrono>
#include <optional>
#include <string>

#include "lim/explore/explorer.hpp"
#include "lim/support/budget.hpp"

namespace lim::cli {

class ProgressLine {
 public:
  explicit ProgressLine(bool enabled);
  ~ProgressLine();
  ProgressLine(const ProgressLine&) = delete;
  ProgressLine& operator=(const ProgressLine&) = delete;

  bool enabled() const { return enabled_; }
  void start_file(const std::string& file, std::size_t index, std::size_t count);
  // `scope` is e.g. "k=2"; components are 0-based.
  void exploring(std::string scope, std::size_t component, std::size_t components,
                 const explore::ProgressReport& report);
  void tick(const Budget& budget);
  void clear();

 private:
  void draw(const Budget* budget);

  bool enabled_;
  bool drawn_ = false;
  std::string file_;
  std::string scope_;
  std::size_t component_ = 0;
  std::size_t components_ = 1;
  std::optional<explore::ProgressReport> exploration_;
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
};

}  // namespace lim::cli
