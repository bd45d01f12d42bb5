#pragma once
// A backstop for Z3's own timeout. Z3 4.8's timer is a thread that a
// check starts and that must be waiting before its time runs out; with a
// short timeout on a loaded machine it was seen not to fire at all, and a
// query meant to stop after 1 ms ran for ten minutes. The watchdog
// interrupts the context itself once a check outlasts its timeout by a
// grace period, so that the per-query limit holds whatever Z3's timer does.
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include <z3++.h>

namespace lim::refine {

class SolverWatchdog {
 public:
  using Clock = std::chrono::steady_clock;

  SolverWatchdog() : thread_([this] { run(); }) {}
  ~SolverWatchdog() {
    {
      const std::lock_guard lock(mutex_);
      stop_ = true;
    }
    wake_.notify_one();
    thread_.join();
  }
  SolverWatchdog(const SolverWatchdog&) = delete;
  SolverWatchdog& operator=(const SolverWatchdog&) = delete;

  // Z3 must have answered `context`'s check by `deadline`.
  void arm(z3::context& context, Clock::time_point deadline) {
    {
      const std::lock_guard lock(mutex_);
      context_ = &context;
      deadline_ = deadline;
      fired_ = false;
    }
    wake_.notify_one();
  }
  // Whether it had to interrupt the check. Once this returns it no longer
  // touches the context: the interruption happens under the same lock.
  bool disarm() {
    const std::lock_guard lock(mutex_);
    context_ = nullptr;
    return fired_;
  }

 private:
  void run() {
    std::unique_lock lock(mutex_);
    while (!stop_) {
      if (context_ == nullptr) {
        wake_.wait(lock);
      } else if (wake_.wait_until(lock, deadline_) == std::cv_status::timeout && context_ != nullptr &&
                 Clock::now() >= deadline_) {
        context_->interrupt();
        fired_ = true;
        context_ = nullptr;
      }
    }
  }

  std::mutex mutex_;
  std::condition_variable wake_;
  z3::context* context_ = nullptr;  // armed when set
  Clock::time_point deadline_{};
  bool fired_ = false;
  bool stop_ = false;
  std::thread thread_;  // last: it starts once the rest is initialised
};

}  // namespace lim::refine
