#pragma once
// An array of unsigned integers stored back to back at the bit width of the
// largest value pushed so far, and widened in place when a value outgrows it.
// The graph store's per-edge and per-configuration numbers (targets, move
// ids, row offsets, parents) are dense indices whose useful width is about
// log2 of the state or edge count: 20 to 28 bits where a fixed type spends
// 32 or 64. Random access stays one unaligned load, a shift and a mask,
// which the analyses need (they index side arrays by edge and look edges up
// by index).
//
// Widening rewrites every element, but only once per bit of width: over a
// growing exploration that is about twice the final size in total. An array
// whose largest value is known up front (a counting sort's slots, filled out
// of order) is assigned its width instead and set in place.
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "lim/explore/big_vector.hpp"

namespace lim::explore {

class PackedArray {
 public:
  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  unsigned width() const { return width_; }

  std::uint64_t operator[](std::size_t index) const {
    const std::uint64_t bit = std::uint64_t{index} * width_;
    if (width_ <= kByteWidth) [[likely]]
      return load(bit >> 3) >> (bit & 7) & mask_;
    return wide(bit);
  }
  std::uint64_t back() const { return (*this)[size_ - 1]; }

  void push_back(std::uint64_t value) {
    if ((value & ~mask_) != 0) [[unlikely]]
      widen(static_cast<unsigned>(std::bit_width(value)));
    const std::uint64_t bit = std::uint64_t{size_} * width_;
    // The bytes an element's load touches, and a word more, are always
    // there (and zero past the last element), so no load or store tests.
    if ((bit >> 6) + 2 > words_.size()) [[unlikely]]
      extend((bit >> 6) + 2);
    if (width_ <= kByteWidth) [[likely]] {
      const std::size_t byte = bit >> 3;
      store(byte, load(byte) | value << (bit & 7));
    } else {
      put_wide(bit, value);
    }
    ++size_;
  }
  // Overwrites one element; `value` must fit width().
  void set(std::size_t index, std::uint64_t value) {
    const std::uint64_t bit = std::uint64_t{index} * width_;
    if (width_ <= kByteWidth) [[likely]] {
      const std::size_t byte = bit >> 3;
      const unsigned shift = bit & 7;
      store(byte, (load(byte) & ~(mask_ << shift)) | value << shift);
    } else {
      set_wide(bit, value);
    }
  }
  // `count` zeros at `width` bits each, replacing the contents.
  void assign(std::size_t count, unsigned width);
  // Drops the elements from `count` on; count <= size().
  void truncate(std::size_t count);
  // Bytes held, reserved growth included.
  std::size_t memory_bytes() const { return words_.capacity() * sizeof(std::uint64_t); }

 private:
  // The widest element one unaligned 8-byte load always covers.
  static constexpr unsigned kByteWidth = 57;

  std::uint64_t load(std::size_t byte) const {
    std::uint64_t value;
    std::memcpy(&value, reinterpret_cast<const unsigned char*>(words_.data()) + byte, sizeof value);
    return value;
  }
  void store(std::size_t byte, std::uint64_t value) {
    std::memcpy(reinterpret_cast<unsigned char*>(words_.data()) + byte, &value, sizeof value);
  }
  std::uint64_t wide(std::uint64_t bit) const;
  // Ors `value` in at `bit`, for widths past kByteWidth.
  void put_wide(std::uint64_t bit, std::uint64_t value);
  // Replaces the element at `bit`, for widths past kByteWidth.
  void set_wide(std::uint64_t bit, std::uint64_t value);
  [[gnu::noinline]] void widen(unsigned width);
  [[gnu::noinline]] void extend(std::size_t words);

  // Bits past the last element are zero: push_back() ors into them.
  BigVector<std::uint64_t> words_;
  std::size_t size_ = 0;
  unsigned width_ = 0;
  std::uint64_t mask_ = 0;  // the low width_ bits
};

}  // namespace lim::explore
