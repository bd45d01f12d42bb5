#include "lim/explore/packed_layout.hpp"

#include <bit>

namespace lim::explore {

PackedLayout::PackedLayout(const std::vector<std::uint32_t>& bounds) {
  std::uint32_t word = 0;
  unsigned used = 0;
  for (const auto bound : bounds) {
    // A field never straddles two words, which keeps pack/unpack to one
    // shift and mask each.
    const auto width = static_cast<std::uint8_t>(bound <= 1 ? 0 : std::bit_width(bound - 1));
    if (used + width > 64) {
      ++word;
      used = 0;
    }
    fields_.push_back({word, static_cast<std::uint8_t>(used), width});
    used += width;
  }
  words_ = bounds.empty() ? 1 : word + 1;
}

void PackedLayout::pack(std::span<const std::uint32_t> values, std::span<std::uint64_t> words) const {
  for (auto& word : words) word = 0;
  for (std::size_t i = 0; i < fields_.size(); ++i) {
    const auto& field = fields_[i];
    if (field.width != 0) words[field.word] |= std::uint64_t{values[i]} << field.shift;
  }
}

void PackedLayout::unpack(std::span<const std::uint64_t> words, std::span<std::uint32_t> values) const {
  for (std::size_t i = 0; i < fields_.size(); ++i) {
    const auto& field = fields_[i];
    values[i] = field.width == 0
                    ? 0
                    : static_cast<std::uint32_t>((words[field.word] >> field.shift) &
                                                 ((std::uint64_t{1} << field.width) - 1));
  }
}

}  // namespace lim::explore
