#include "lim/explore/tree_table.hpp"

#include <algorithm>
#include <bit>
#include <stdexcept>

#include "lim/explore/bit_fields.hpp"

namespace lim::explore {

TreeTable::TreeTable() {
  // Small: most levels of a tree hold a few hundred pairs, and a system of
  // many independent components makes many trees.
  slots_.assign(16, 0);
  mask_ = slots_.size() - 1;
  load_limit_ = slots_.size() / 4 * 3;
  id_bits_ = 4;
  id_mask_ = static_cast<std::uint32_t>(low_bits(id_bits_));
}

void TreeTable::store(std::uint32_t id, std::uint64_t value) {
  const unsigned width = left_width_ + right_width_;
  if (width == 0) return;
  overwrite_bits(pairs_.data(), std::uint64_t{id} * width, value, width, low_bits(width));
}

void TreeTable::widen(unsigned left_width, unsigned right_width) {
  // In place, last pair first: a pair's wider copy never lands on the
  // narrower pairs before it that are still to be read. Its reads and
  // writes inline, with the masks computed once: a root table is rewritten
  // a few times over as its children's ids outgrow their widths, late in
  // an exploration.
  const unsigned old_right = right_width_;
  const unsigned old_width = left_width_ + right_width_;
  const unsigned width = left_width + right_width;
  pairs_.resize((count_ * width + 63) / 64 + 1);
  const std::uint64_t old_mask = low_bits(old_width), right_mask = low_bits(old_right), mask = low_bits(width);
  std::uint64_t* pairs = pairs_.data();
  for (std::size_t id = count_; id-- > 0;) {
    std::uint64_t value = 0;
    if (old_width != 0) {
      const std::uint64_t bit = std::uint64_t{id} * old_width;
      const unsigned offset = bit & 63;
      // A word beyond the last pair is always there; the bits read past
      // this pair are masked off.
      value = (pairs[bit >> 6] >> offset | pairs[(bit >> 6) + 1] << (63 - offset) << 1) & old_mask;
    }
    value = (value >> old_right) << right_width | (value & right_mask);
    overwrite_bits(pairs, std::uint64_t{id} * width, value, width, mask);
  }
  left_width_ = left_width;
  right_width_ = right_width;
}

TreeTable::Insertion TreeTable::add(std::uint32_t left, std::uint32_t right, std::uint64_t h, std::uint64_t slot) {
  // A slot holds id + 1 in 32 bits.
  if (count_ >= std::size_t{0xfffffffe}) throw std::length_error("more than 2^32 - 2 pairs in a tree table");
  const auto id = static_cast<std::uint32_t>(count_);
  const unsigned left_width = std::max<unsigned>(left_width_, std::bit_width(left));
  const unsigned right_width = std::max<unsigned>(right_width_, std::bit_width(right));
  if (left_width != left_width_ || right_width != right_width_) widen(left_width, right_width);
  ++count_;
  const std::size_t words = (count_ * (left_width_ + right_width_) + 63) / 64 + 1;
  if (pairs_.size() < words) pairs_.resize(words);
  store(id, std::uint64_t{left} << right_width_ | right);
  slots_[slot] = slot_entry(id, h);
  return {id, true};
}

void TreeTable::place(std::uint32_t id, std::uint64_t h) {
  std::uint64_t slot = h & mask_;
  while (slots_[slot] != 0) slot = (slot + 1) & mask_;
  slots_[slot] = slot_entry(id, h);
}

void TreeTable::grow() {
  // Rebuilt from the pairs, in the slots' own memory (BigVector grows in
  // place): no second table is ever held.
  slots_.assign(slots_.size() * 2, 0);
  mask_ = slots_.size() - 1;
  load_limit_ = slots_.size() / 4 * 3;
  id_bits_ = std::min<unsigned>(32, std::bit_width(mask_));
  id_mask_ = static_cast<std::uint32_t>(low_bits(id_bits_));
  // The pairs are read in order and placed at random: hashing a few pairs
  // ahead and prefetching their slots overlaps the misses of a table far
  // larger than the caches, which otherwise came one after another.
  constexpr std::size_t kAhead = 16;
  std::uint64_t ahead[kAhead];
  const auto hash_of = [&](std::size_t id) {
    const auto i = static_cast<std::uint32_t>(id);
    return hash(left(i), right(i));
  };
  for (std::size_t id = 0; id < std::min(count_, kAhead); ++id) {
    ahead[id] = hash_of(id);
    prefetch(ahead[id]);
  }
  for (std::size_t id = 0; id < count_; ++id) {
    const std::uint64_t h = ahead[id % kAhead];
    if (id + kAhead < count_) {
      ahead[id % kAhead] = hash_of(id + kAhead);
      prefetch(ahead[id % kAhead]);
    }
    place(static_cast<std::uint32_t>(id), h);
  }
}

std::size_t TreeTable::memory_bytes() const {
  return pairs_.capacity() * sizeof(std::uint64_t) + slots_.capacity() * sizeof(std::uint32_t);
}

}  // namespace lim::explore
