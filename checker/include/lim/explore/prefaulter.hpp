#pragma once
// A background thread that asks the kernel to fault in memory an array
// will grow into, before it does. A hash table doubles in place
// (BigVector, TreeTable::grow): the first touch of its new half takes a
// page fault per page, and each fault zeroes a page in the kernel — on a
// virtual machine, where the host backs the page on that first touch too,
// it was a quarter of the root table's thread's time at pairs 3,1,10 with
// two threads. Populated ahead (madvise MADV_POPULATE_WRITE, which faults
// the pages in writable without touching their contents), the growth only
// writes memory that is already there.
//
// The thread runs under SCHED_IDLE: it takes only time that no other
// thread of the machine wants, so it slows neither of the exploration's
// threads. A two-thread exploration leaves such time where one of its
// threads waits for the other; a one-thread exploration does not use it
// (its figures are one core's).
//
// Only a hint: a region the kernel refuses (an old kernel, an address no
// longer mapped) costs nothing but the time its faults take later.
#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <thread>

namespace lim::explore {

class Prefaulter {
 public:
  // Memory to fault in: bytes [address, address + bytes) of a mapping.
  struct Region {
    void* address = nullptr;
    std::size_t bytes = 0;
  };
  Prefaulter();
  ~Prefaulter();
  Prefaulter(const Prefaulter&) = delete;
  Prefaulter& operator=(const Prefaulter&) = delete;

  // Queues `region` (after the ones before it); returns at once.
  void request(Region region);
  // Bytes the thread has asked the kernel to populate so far.
  std::size_t populated_bytes() const;

 private:
  void run();

  // The lock guards only the queue, and is held for a push or a pop: the
  // thread holding it may be the idle one, which any other can preempt.
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Region> pending_;
  std::atomic<std::size_t> populated_{0};
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace lim::explore
