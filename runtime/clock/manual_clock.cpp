#include "lim/runtime/clock/manual_clock.hpp"

#include <algorithm>

namespace lim::runtime {

// An hour past the epoch, so that `now() - duration` never underflows in code
// that computes "how long ago".
ManualClock::ManualClock() : ticks_(std::chrono::duration_cast<Duration>(std::chrono::hours(1)).count()) {}

TimePoint ManualClock::now() const { return TimePoint(Duration(ticks_.load(std::memory_order_acquire))); }

bool ManualClock::wait_until(std::unique_lock<std::mutex>& lock, std::condition_variable& condition,
                             TimePoint deadline, const std::function<bool()>& ready) {
  const auto guard = sleeping();
  condition.wait(lock, [&] { return ready() || now() >= deadline; });
  return ready();
}

void ManualClock::on_time_change(std::weak_ptr<const WakeCallback> wake) {
  const std::lock_guard lock(callbacks_mutex_);
  std::erase_if(callbacks_, [](const auto& callback) { return callback.expired(); });
  callbacks_.push_back(std::move(wake));
}

void ManualClock::advance(Duration by) {
  ticks_.fetch_add(by.count(), std::memory_order_acq_rel);
  // Callbacks run outside callbacks_mutex_: a callback takes its waiter's
  // mutex, and a waiter may register a callback while holding that mutex.
  std::vector<std::shared_ptr<const WakeCallback>> live;
  {
    const std::lock_guard lock(callbacks_mutex_);
    for (const auto& weak : callbacks_)
      if (auto callback = weak.lock()) live.push_back(std::move(callback));
  }
  for (const auto& callback : live) (*callback)();
}

bool ManualClock::await_sleepers(std::size_t count, std::chrono::milliseconds real_limit) {
  std::unique_lock lock(sleepers_mutex_);
  return sleepers_changed_.wait_for(lock, real_limit, [&] { return sleepers_ >= count; });
}

std::size_t ManualClock::sleepers() const {
  const std::lock_guard lock(sleepers_mutex_);
  return sleepers_;
}

void ManualClock::sleep_started() {
  {
    const std::lock_guard lock(sleepers_mutex_);
    ++sleepers_;
  }
  sleepers_changed_.notify_all();
}

void ManualClock::sleep_ended() {
  {
    const std::lock_guard lock(sleepers_mutex_);
    --sleepers_;
  }
  sleepers_changed_.notify_all();
}

}  // namespace lim::runtime
