#pragma once
// Real time: std::chrono::steady_clock, immune to wall-clock changes.
#include "lim/runtime/clock/clock.hpp"

namespace lim::runtime {

class SteadyClock final : public Clock {
 public:
  TimePoint now() const override { return std::chrono::steady_clock::now(); }
  bool wait_until(std::unique_lock<std::mutex>& lock, std::condition_variable& condition, TimePoint deadline,
                  const std::function<bool()>& ready) override;
  void on_time_change(std::weak_ptr<const WakeCallback>) override {}
  std::optional<Duration> real_time_until(TimePoint deadline) const override;
};

}  // namespace lim::runtime
