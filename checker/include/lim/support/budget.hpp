#pragma once
// What the check of one file may spend (`--timeout`, `--max-memory`): one
// deadline and one memory ceiling for everything the check does — loading,
// every exploration of every component, every analysis, every Z3 query.
//
// The budget in force is the innermost BudgetScope of the calling thread, so
// that the passes of a check need no extra parameter to honour it. Long
// loops call poll_budget(): a counter decrement, and every 1024th call a
// clock read (and, at most every 10 ms, a read of the resident memory). A
// spent budget throws BudgetExhausted, which the pipeline turns into
// inconclusive verdicts (exit code 3). The explorer, which must return the
// configurations it has (a violation among them is still a violation),
// asks exhausted() instead and stops.
//
// Memory is the larger of what the engine's big arrays hold (exact and
// deterministic, summed over the components of a check) and how much the
// process's resident memory grew since the check began (which also sees
// the analyses' working sets and anything else).
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>

namespace lim {

enum class Exhaustion { Time, Memory };

class BudgetExhausted : public std::runtime_error {
 public:
  explicit BudgetExhausted(Exhaustion what);
  Exhaustion what_ran_out() const { return what_; }

 private:
  Exhaustion what_;
};

class Budget {
 public:
  using Clock = std::chrono::steady_clock;

  struct Limits {
    std::optional<double> seconds;        // from the start of the check
    std::optional<std::uint64_t> bytes;   // memory the check may use
  };

  explicit Budget(Limits limits = {}, Clock::time_point start = Clock::now());

  const Limits& limits() const { return limits_; }
  Clock::time_point start() const { return start_; }
  double elapsed_seconds() const;
  // Seconds left (never negative), or nullopt without a deadline.
  std::optional<double> remaining_seconds() const;
  // Bytes the exploration under way may still hold beside the held ones
  // (never negative), or nullopt without a ceiling.
  std::optional<std::size_t> remaining_bytes() const;

  // Memory of finished explorations that the check keeps (components whose
  // analyses are still to come): counted against the ceiling from now on.
  void hold(std::size_t bytes) { held_bytes_ += bytes; }
  void release(std::size_t bytes) { held_bytes_ -= bytes < held_bytes_ ? bytes : held_bytes_; }
  std::size_t held_bytes() const { return held_bytes_; }

  // What ran out, if anything; `live_bytes` is what the exploration under
  // way holds besides the held bytes.
  std::optional<Exhaustion> exhausted(std::size_t live_bytes = 0);
  void check(std::size_t live_bytes = 0) {
    if (const auto spent = exhausted(live_bytes)) throw BudgetExhausted(*spent);
  }

  // The progress display must never freeze: whoever runs the check may ask
  // to be called about once per `tick_interval` seconds from inside the
  // check's loops (on the checking thread), with what the check is doing.
  std::function<void(const Budget&)> on_tick;
  double tick_interval = 1.0;
  // What the check is doing now, for on_tick: "exploring", "liveness", …
  void set_phase(std::string phase) { phase_ = std::move(phase); }
  const std::string& phase() const { return phase_; }
  void tick();

 private:
  std::size_t memory_used();

  Limits limits_;
  Clock::time_point start_;
  std::size_t held_bytes_ = 0;
  std::size_t resident_at_start_ = 0;
  std::size_t resident_ = 0;
  Clock::time_point resident_read_{};
  Clock::time_point last_tick_{};
  std::string phase_;
};

// The resident memory of this process, in bytes (0 where unknown).
std::size_t resident_memory_bytes();

// Makes `budget` the one in force on this thread until destroyed.
class BudgetScope {
 public:
  explicit BudgetScope(Budget& budget);
  ~BudgetScope();
  BudgetScope(const BudgetScope&) = delete;
  BudgetScope& operator=(const BudgetScope&) = delete;

 private:
  Budget* previous_;
};

// The budget in force on this thread; when there is none, one made from
// `limits` is put in force for the lifetime of this object. Library entry
// points (a check called by a test, by the runtime's gate) honour their
// options' limits this way, and the CLI's per-file budget when it is there.
class BudgetInForce {
 public:
  explicit BudgetInForce(Budget::Limits limits, Budget::Clock::time_point start = Budget::Clock::now());
  Budget& operator*() const { return *budget_; }
  Budget* operator->() const { return budget_; }

 private:
  std::optional<Budget> own_;
  std::optional<BudgetScope> scope_;
  Budget* budget_;
};

namespace detail {
inline thread_local Budget* current_budget = nullptr;
inline thread_local unsigned budget_countdown = 1024;
void poll_budget_now();
}  // namespace detail

// The budget in force on this thread, or nullptr.
inline Budget* current_budget() { return detail::current_budget; }

// For long loops: throws BudgetExhausted once the budget in force is spent.
inline void poll_budget() {
  if (detail::current_budget != nullptr && --detail::budget_countdown == 0) detail::poll_budget_now();
}

}  // namespace lim
