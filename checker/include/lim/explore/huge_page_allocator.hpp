#pragma once
// An allocator for the engine's big arrays (the state store's hash table and
// packed words): allocations of a megabyte or more are aligned to 2 MiB and
// offered to the kernel as transparent huge pages. A hash table of 10^8
// configurations is probed at random, and with 4 KiB pages nearly every
// probe also misses the TLB and, when the array was just grown, faults a
// fresh page in; huge pages remove most of both.
#include <cstddef>
#include <cstdlib>
#include <new>

#include <sys/mman.h>

namespace lim::explore {

template <class T>
struct HugePageAllocator {
  using value_type = T;
  static constexpr std::size_t kHugePage = std::size_t{2} << 20;
  static constexpr std::size_t kThreshold = std::size_t{1} << 20;

  HugePageAllocator() = default;
  template <class U>
  HugePageAllocator(const HugePageAllocator<U>&) {}

  T* allocate(std::size_t count) {
    const std::size_t bytes = count * sizeof(T);
    if (bytes < kThreshold) {
      if (void* memory = std::malloc(bytes == 0 ? 1 : bytes)) return static_cast<T*>(memory);
      throw std::bad_alloc();
    }
    const std::size_t rounded = (bytes + kHugePage - 1) / kHugePage * kHugePage;
    void* memory = std::aligned_alloc(kHugePage, rounded);
    if (memory == nullptr) throw std::bad_alloc();
    ::madvise(memory, rounded, MADV_HUGEPAGE);  // a hint: failure only costs speed
    return static_cast<T*>(memory);
  }
  void deallocate(T* memory, std::size_t) { std::free(memory); }

  template <class U>
  bool operator==(const HugePageAllocator<U>&) const { return true; }
};

}  // namespace lim::explore
