#include "lim/explore/prefaulter.hpp"

#include <sched.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>

namespace lim::explore {

namespace {

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23  // Linux 5.14
#endif

// A step is one huge page: the stop flag is looked at between steps, so
// that a destructor waits for one step at most.
constexpr std::size_t kStep = std::size_t{2} << 20;

}  // namespace

Prefaulter::Prefaulter() : thread_([this] { run(); }) {}

Prefaulter::~Prefaulter() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

void Prefaulter::request(Region region) {
  if (region.bytes == 0) return;
  {
    std::lock_guard lock(mutex_);
    pending_.push_back(region);
  }
  wake_.notify_one();
}

std::size_t Prefaulter::populated_bytes() const { return populated_.load(std::memory_order_relaxed); }

void Prefaulter::run() {
  // Only the machine's idle time: a failure leaves the thread at normal
  // priority, which costs its work the exploration's time and nothing else.
  sched_param idle{};
  static_cast<void>(sched_setscheduler(0, SCHED_IDLE, &idle));
  const auto page = static_cast<std::uintptr_t>(sysconf(_SC_PAGESIZE));
  for (;;) {
    Region region;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [&] { return stop_.load() || !pending_.empty(); });
      if (stop_.load()) return;
      region = pending_.front();
      pending_.pop_front();
    }
    // madvise wants a page-aligned start.
    auto first = reinterpret_cast<std::uintptr_t>(region.address) / page * page;
    const auto last = reinterpret_cast<std::uintptr_t>(region.address) + region.bytes;
    while (first < last) {
      const std::uintptr_t end = std::min(last, first + kStep);
      if (::madvise(reinterpret_cast<void*>(first), end - first, MADV_POPULATE_WRITE) != 0) break;
      populated_.fetch_add(end - first, std::memory_order_relaxed);
      if (stop_.load()) return;
      first = end;
    }
  }
}

}  // namespace lim::explore
