#include "lim/runtime/clock/steady_clock.hpp"

namespace lim::runtime {

bool SteadyClock::wait_until(std::unique_lock<std::mutex>& lock, std::condition_variable& condition,
                             TimePoint deadline, const std::function<bool()>& ready) {
  return condition.wait_until(lock, deadline, ready);
}

std::optional<Duration> SteadyClock::real_time_until(TimePoint deadline) const {
  const auto left = deadline - now();
  return left > Duration::zero() ? left : Duration::zero();
}

std::shared_ptr<Clock> steady_clock() {
  static const auto clock = std::make_shared<SteadyClock>();
  return clock;
}

}  // namespace lim::runtime
