#include "lim/support/budget.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>

namespace lim {
namespace {

// Reading /proc costs a system call: often enough to stop within a few
// megabytes of the ceiling, rarely enough to stay invisible.
constexpr auto kResidentReadInterval = std::chrono::milliseconds(10);

}  // namespace

BudgetExhausted::BudgetExhausted(Exhaustion what)
    : std::runtime_error(what == Exhaustion::Time ? "time limit reached" : "memory limit reached"), what_(what) {}

std::size_t resident_memory_bytes() {
  // /proc/self/statm: size resident shared … in pages.
  const int fd = ::open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  char buffer[128];
  const ssize_t length = ::read(fd, buffer, sizeof buffer - 1);
  ::close(fd);
  if (length <= 0) return 0;
  buffer[length] = '\0';
  char* end = nullptr;
  std::strtoull(buffer, &end, 10);  // total program size
  const unsigned long long pages = std::strtoull(end, nullptr, 10);
  return static_cast<std::size_t>(pages) * static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
}

Budget::Budget(Limits limits, Clock::time_point start)
    : limits_(limits), start_(start), resident_at_start_(limits.bytes ? resident_memory_bytes() : 0) {
  resident_ = resident_at_start_;
  resident_read_ = Clock::now();
  last_tick_ = resident_read_;
}

double Budget::elapsed_seconds() const { return std::chrono::duration<double>(Clock::now() - start_).count(); }

std::optional<double> Budget::remaining_seconds() const {
  if (!limits_.seconds) return std::nullopt;
  return std::max(0.0, *limits_.seconds - elapsed_seconds());
}

std::optional<std::size_t> Budget::remaining_bytes() const {
  if (!limits_.bytes) return std::nullopt;
  return *limits_.bytes > held_bytes_ ? static_cast<std::size_t>(*limits_.bytes - held_bytes_) : 0;
}

std::size_t Budget::memory_used() {
  const auto now = Clock::now();
  if (now - resident_read_ >= kResidentReadInterval) {
    resident_read_ = now;
    resident_ = resident_memory_bytes();
  }
  return resident_ > resident_at_start_ ? resident_ - resident_at_start_ : 0;
}

std::optional<Exhaustion> Budget::exhausted(std::size_t live_bytes) {
  if (limits_.seconds && elapsed_seconds() >= *limits_.seconds) return Exhaustion::Time;
  if (limits_.bytes && std::max(held_bytes_ + live_bytes, memory_used()) > *limits_.bytes) return Exhaustion::Memory;
  return std::nullopt;
}

void Budget::tick() {
  if (!on_tick) return;
  const auto now = Clock::now();
  if (std::chrono::duration<double>(now - last_tick_).count() < tick_interval) return;
  last_tick_ = now;
  on_tick(*this);
}

BudgetScope::BudgetScope(Budget& budget) : previous_(detail::current_budget) {
  detail::current_budget = &budget;
  detail::budget_countdown = 1024;
}

BudgetScope::~BudgetScope() { detail::current_budget = previous_; }

BudgetInForce::BudgetInForce(Budget::Limits limits, Budget::Clock::time_point start) : budget_(current_budget()) {
  if (budget_ != nullptr) return;
  own_.emplace(limits, start);
  scope_.emplace(*own_);
  budget_ = &*own_;
}

namespace detail {

void poll_budget_now() {
  budget_countdown = 1024;
  current_budget->check();
  current_budget->tick();
}

}  // namespace detail

}  // namespace lim
