#include "lim/explore/packed_array.hpp"

#include <algorithm>

#include "lim/explore/bit_fields.hpp"

namespace lim::explore {

std::uint64_t PackedArray::wide(std::uint64_t bit) const {
  const std::size_t word = bit >> 6;
  const unsigned offset = bit & 63;
  std::uint64_t value = words_[word] >> offset;
  // offset + width > 64 only when offset > 0, so the shift is below 64.
  if (offset + width_ > 64) value |= words_[word + 1] << (64 - offset);
  return value & mask_;
}

void PackedArray::put_wide(std::uint64_t bit, std::uint64_t value) {
  const std::size_t word = bit >> 6;
  const unsigned offset = bit & 63;
  words_[word] |= value << offset;
  if (offset + width_ > 64) words_[word + 1] |= value >> (64 - offset);
}

void PackedArray::set_wide(std::uint64_t bit, std::uint64_t value) { overwrite_bits(words_.data(), bit, value, width_, mask_); }

void PackedArray::assign(std::size_t count, unsigned width) {
  // The word past the last element's, as push_back() keeps it, so that
  // reads and writes need no bounds tests.
  const std::size_t words = static_cast<std::size_t>((std::uint64_t{count} * width) >> 6) + 2;
  words_.reserve_exactly(words);
  words_.assign(words, 0);
  size_ = count;
  width_ = width;
  mask_ = low_bits(width);
}

void PackedArray::extend(std::size_t words) {
  // Past a few words, in steps of an eighth: few calls, little slack.
  const std::size_t size = std::max({words, words_.size() + words_.size() / 8, std::size_t{8}});
  words_.reserve_exactly(size);
  words_.resize(size);
}

void PackedArray::widen(unsigned width) {
  const std::uint64_t mask = low_bits(width);
  extend(static_cast<std::size_t>((std::uint64_t{size_} * width) >> 6) + 2);
  // Last element first: element i moves to bit i * width, at or after its
  // old place, so it only overwrites elements already moved. Whole aligned
  // words are rewritten, as the next element rewrites the same word: an
  // unaligned store read back at another offset stalls on forwarding.
  for (std::size_t index = size_; index-- > 0;) {
    overwrite_bits(words_.data(), std::uint64_t{index} * width, (*this)[index], width, mask);
  }
  width_ = width;
  mask_ = mask;
}

void PackedArray::truncate(std::size_t count) {
  if (count >= size_) return;
  // Zero the dropped bits, as push_back() expects.
  const std::uint64_t bit = std::uint64_t{count} * width_;
  const std::size_t word = bit >> 6;
  const unsigned offset = bit & 63;
  if (word < words_.size()) {
    words_[word] &= offset == 0 ? 0 : ~std::uint64_t{0} >> (64 - offset);
    std::fill(words_.begin() + word + 1, words_.end(), 0);
  }
  size_ = count;
}

}  // namespace lim::explore
