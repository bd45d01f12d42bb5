#pragma once
// Time as the runtime sees it. Every wait with a deadline goes through a
// Clock, so that a test can replace real time by a ManualClock and drive a
// timeout branch by advancing time instead of sleeping.
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>

namespace lim::runtime {

using Duration = std::chrono::steady_clock::duration;
using TimePoint = std::chrono::steady_clock::time_point;
// A wait without deadline is std::nullopt.
using Deadline = std::optional<TimePoint>;

// Called when a clock's time jumps (ManualClock::advance). The clock keeps
// only a weak reference: a waiter owns its callback, and a callback that has
// gone is skipped, so no waiter needs to unregister under a lock.
using WakeCallback = std::function<void()>;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimePoint now() const = 0;

  // Waits on `condition` (whose mutex `lock` holds) until `ready()` or the
  // deadline has passed; returns ready(). A waiter on a ManualClock must have
  // registered a wake callback (`on_time_change`) that notifies `condition`
  // under the same mutex, or it would sleep through an advance.
  virtual bool wait_until(std::unique_lock<std::mutex>& lock, std::condition_variable& condition, TimePoint deadline,
                          const std::function<bool()>& ready) = 0;

  // Registers `wake` to be called after every jump of time. Real clocks
  // never jump, and ignore it.
  virtual void on_time_change(std::weak_ptr<const WakeCallback> wake) = 0;

  // For waiters that sleep in poll(2): the real time to sleep at most before
  // looking at the deadline again, or nullopt to sleep until woken (by I/O
  // or by the wake callback).
  virtual std::optional<Duration> real_time_until(TimePoint deadline) const = 0;

  // Marks the calling thread as asleep until a deadline for the guard's
  // lifetime. ManualClock counts sleepers so that a test can advance time
  // only once the waiter it means to time out is actually waiting.
  class SleepGuard {
   public:
    SleepGuard() = default;
    explicit SleepGuard(Clock* clock) : clock_(clock) {
      if (clock_) clock_->sleep_started();
    }
    SleepGuard(const SleepGuard&) = delete;
    SleepGuard& operator=(const SleepGuard&) = delete;
    ~SleepGuard() {
      if (clock_) clock_->sleep_ended();
    }

   private:
    Clock* clock_ = nullptr;
  };
  SleepGuard sleeping() { return SleepGuard(this); }

 protected:
  virtual void sleep_started() {}
  virtual void sleep_ended() {}
};

// The process-wide real clock (a SteadyClock).
std::shared_ptr<Clock> steady_clock();

}  // namespace lim::runtime
