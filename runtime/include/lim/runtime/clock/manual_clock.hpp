#pragma once
// A clock that moves only when told to. Tests of timeout branches advance it
// past a deadline instead of sleeping; `await_sleepers` lets them do so only
// once the endpoint under test has started waiting, so no test depends on
// how fast a thread is scheduled.
#include <atomic>
#include <cstddef>
#include <vector>

#include "lim/runtime/clock/clock.hpp"

namespace lim::runtime {

class ManualClock final : public Clock {
 public:
  // Time starts at an arbitrary, fixed point.
  ManualClock();

  TimePoint now() const override;
  bool wait_until(std::unique_lock<std::mutex>& lock, std::condition_variable& condition, TimePoint deadline,
                  const std::function<bool()>& ready) override;
  void on_time_change(std::weak_ptr<const WakeCallback> wake) override;
  std::optional<Duration> real_time_until(TimePoint) const override { return std::nullopt; }

  // Moves time forward and wakes every waiter so it re-checks its deadline.
  void advance(Duration by);
  // Blocks until at least `count` threads wait with a deadline, or until
  // `real_limit` of real time has passed (a safety net so that a broken test
  // fails instead of hanging); returns whether the count was reached.
  bool await_sleepers(std::size_t count,
                      std::chrono::milliseconds real_limit = std::chrono::milliseconds(60'000));
  std::size_t sleepers() const;

 protected:
  void sleep_started() override;
  void sleep_ended() override;

 private:
  std::atomic<TimePoint::rep> ticks_;
  mutable std::mutex callbacks_mutex_;
  std::vector<std::weak_ptr<const WakeCallback>> callbacks_;
  mutable std::mutex sleepers_mutex_;
  std::condition_variable sleepers_changed_;
  std::size_t sleepers_ = 0;
};

}  // namespace lim::runtime
