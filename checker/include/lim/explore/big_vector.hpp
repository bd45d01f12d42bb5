#pragma once
// The engine's big arrays (configurations, hash slots, parents, edges): a
// vector of trivially copyable values that never copies itself to grow.
//
// Once an array passes a megabyte it moves, once, into a large reservation
// of address space (MAP_NORESERVE: pages cost memory only when touched), and
// from then on grows in place. A std::vector doubling from 4 GiB to 8 GiB
// holds both arrays while it copies; here the resident size is what is used,
// which decides whether 10^8 configurations fit in memory. The reservation
// is also offered to the kernel as transparent huge pages: the hash table is
// probed at random, and with 4 KiB pages nearly every probe would also miss
// the TLB and fault a fresh page in.
#include <sys/mman.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <new>
#include <type_traits>
#include <utility>

namespace lim::explore {

template <class T>
class BigVector {
  static_assert(std::is_trivially_copyable_v<T>, "BigVector moves its elements as bytes");

 public:
  BigVector() = default;
  BigVector(std::size_t count, const T& value) { assign(count, value); }
  BigVector(const BigVector& other) { append(other.begin(), other.end()); }
  BigVector(BigVector&& other) noexcept
      : data_(std::exchange(other.data_, nullptr)),
        size_(std::exchange(other.size_, 0)),
        capacity_(std::exchange(other.capacity_, 0)),
        reserved_(std::exchange(other.reserved_, 0)) {}
  BigVector& operator=(BigVector other) noexcept {
    std::swap(data_, other.data_);
    std::swap(size_, other.size_);
    std::swap(capacity_, other.capacity_);
    std::swap(reserved_, other.reserved_);
    return *this;
  }
  ~BigVector() { release(); }

  std::size_t size() const { return size_; }
  // Elements the array may hold before it grows again: what memory
  // accounting charges for it (it doubles, as a std::vector's would).
  std::size_t capacity() const { return capacity_; }
  bool empty() const { return size_ == 0; }
  T* data() { return data_; }
  const T* data() const { return data_; }
  T* begin() { return data_; }
  T* end() { return data_ + size_; }
  const T* begin() const { return data_; }
  const T* end() const { return data_ + size_; }
  T& operator[](std::size_t index) { return data_[index]; }
  const T& operator[](std::size_t index) const { return data_[index]; }
  T& back() { return data_[size_ - 1]; }
  const T& back() const { return data_[size_ - 1]; }

  void push_back(const T& value) {
    if (size_ == capacity_) {
      const T copy = value;  // `value` may live in the array
      grow(size_ + 1);
      data_[size_++] = copy;
      return;
    }
    data_[size_++] = value;
  }
  void append(const T* first, const T* last) {
    const auto count = static_cast<std::size_t>(last - first);
    if (size_ + count > capacity_) grow(size_ + count);
    if (count != 0) std::memcpy(data_ + size_, first, count * sizeof(T));
    size_ += count;
  }
  void resize(std::size_t count) {
    if (count > capacity_) grow(count);
    for (std::size_t i = size_; i < count; ++i) data_[i] = T{};
    size_ = count;
  }
  void assign(std::size_t count, const T& value) {
    size_ = 0;
    if (count > capacity_) grow(count);
    std::fill(data_, data_ + count, value);
    size_ = count;
  }
  void clear() { size_ = 0; }
  // The bytes a resize() to `count` would first touch: from the end of the
  // elements to `count`, within the reservation; none for a small array
  // on the heap, or beyond the reservation (a growth there moves the
  // array). What a thread with time to spare may fault in beforehand
  // (prefaulter.hpp): the reservation stays where it is until then.
  std::pair<void*, std::size_t> growth_region(std::size_t count) const {
    if (reserved_ == 0 || count <= size_ || count * sizeof(T) > reserved_) return {nullptr, 0};
    return {static_cast<void*>(data_ + size_), (count - size_) * sizeof(T)};
  }
  // Room for `count` elements and no more, for an array that grows in steps
  // of its own choosing: a doubling can leave half the array unused.
  void reserve_exactly(std::size_t count) {
    if (count > capacity_) grow_to(count);
  }

 private:
  static constexpr std::size_t kMapThreshold = std::size_t{1} << 20;
  static constexpr std::size_t kHugePage = std::size_t{2} << 20;
  // Address space only; tried in this order until the kernel grants one.
  static constexpr std::size_t kReservations[] = {std::size_t{64} << 30, std::size_t{8} << 30, std::size_t{1} << 30};

  void grow(std::size_t needed) { grow_to(std::max({needed, capacity_ * 2, std::size_t{16}})); }
  void grow_to(std::size_t capacity) {
    const std::size_t bytes = capacity * sizeof(T);
    if (reserved_ != 0) {
      if (bytes > reserved_) remap(bytes);
      capacity_ = capacity;
      return;
    }
    if (bytes >= kMapThreshold && reserve(bytes)) {
      capacity_ = capacity;
      return;
    }
    void* memory = std::realloc(data_, bytes);
    if (memory == nullptr) throw std::bad_alloc();
    data_ = static_cast<T*>(memory);
    capacity_ = capacity;
  }

  // Moves the array into a fresh reservation; false if none is granted.
  bool reserve(std::size_t bytes) {
    for (const std::size_t candidate : kReservations) {
      const std::size_t size = std::max(candidate, (bytes + kHugePage - 1) / kHugePage * kHugePage);
      void* memory = ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
      if (memory == MAP_FAILED) continue;
      ::madvise(memory, size, MADV_HUGEPAGE);  // a hint: failure only costs speed
      if (size_ != 0) std::memcpy(memory, data_, size_ * sizeof(T));
      std::free(data_);
      data_ = static_cast<T*>(memory);
      reserved_ = size;
      return true;
    }
    return false;
  }

  // Beyond its reservation (arrays larger than the machine's memory, or a
  // small fallback reservation): a larger one, moved by the kernel.
  void remap(std::size_t bytes) {
    const std::size_t size = std::max(reserved_ * 2, (bytes + kHugePage - 1) / kHugePage * kHugePage);
    void* memory = ::mremap(data_, reserved_, size, MREMAP_MAYMOVE);
    if (memory == MAP_FAILED) throw std::bad_alloc();
    ::madvise(memory, size, MADV_HUGEPAGE);
    data_ = static_cast<T*>(memory);
    reserved_ = size;
  }

  void release() {
    if (reserved_ != 0)
      ::munmap(data_, reserved_);
    else
      std::free(data_);
  }

  T* data_ = nullptr;
  std::size_t size_ = 0;
  std::size_t capacity_ = 0;
  std::size_t reserved_ = 0;  // bytes of address space when mapped, else 0
};

}  // namespace lim::explore
