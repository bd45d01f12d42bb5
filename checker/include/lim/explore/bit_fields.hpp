#pragma once
// Numbers stored back to back at a bit width, in 64-bit words: what the
// packed arrays (packed_array.hpp) and the tree tables' pairs
// (tree_table.hpp) both write.
#include <cstddef>
#include <cstdint>

namespace lim::explore {

// The low `width` bits set, for any width up to 64.
inline std::uint64_t low_bits(unsigned width) {
  return width >= 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << width) - 1;
}

// Writes `value`, `width` bits wide (`mask` = low_bits(width)), at `bit` of
// `words` over what was there, spilling into the next word if it must.
inline void overwrite_bits(std::uint64_t* words, std::uint64_t bit, std::uint64_t value, unsigned width,
                           std::uint64_t mask) {
  const std::size_t word = bit >> 6;
  const unsigned offset = bit & 63;
  words[word] = (words[word] & ~(mask << offset)) | value << offset;
  if (offset + width > 64) {
    const unsigned spill = 64 - offset;
    words[word + 1] = (words[word + 1] & ~(mask >> spill)) | value >> spill;
  }
}

}  // namespace lim::explore
