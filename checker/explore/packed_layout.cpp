#include "lim/explore/packed_layout.hpp"

#include <algorithm>
#include <bit>

namespace lim::explore {

PackedLayout::PackedLayout(const std::vector<std::uint32_t>& bounds) {
  std::uint32_t word = 0;
  unsigned used = 0;
  fields_.resize(bounds.size());
  for (std::size_t i = 0; i < bounds.size(); ++i)
    place(i, static_cast<std::uint8_t>(bounds[i] <= 1 ? 0 : std::bit_width(bounds[i] - 1)), word, used);
  words_ = bounds.empty() ? 1 : word + 1;
  group();
}

void PackedLayout::group() {
  placed_.clear();
  unused_.clear();
  word_end_.assign(words_, 0);
  for (std::size_t word = 0; word < words_; ++word) {
    for (std::size_t i = 0; i < fields_.size(); ++i)
      if (fields_[i].word == word && fields_[i].width != 0)
        placed_.push_back({static_cast<std::uint32_t>(i), fields_[i].shift,
                           static_cast<std::uint32_t>((std::uint64_t{1} << fields_[i].width) - 1)});
    word_end_[word] = static_cast<std::uint32_t>(placed_.size());
  }
  for (std::size_t i = 0; i < fields_.size(); ++i)
    if (fields_[i].width == 0) unused_.push_back(static_cast<std::uint32_t>(i));
}

void PackedLayout::place(std::size_t index, std::uint8_t width, std::uint32_t& word, unsigned& used) {
  // A field never straddles two words, which keeps pack/unpack to one
  // shift and mask each.
  if (used + width > 64) {
    ++word;
    used = 0;
  }
  fields_[index] = {word, static_cast<std::uint8_t>(used), width};
  used += width;
}

PackedLayout PackedLayout::placed_in(const std::vector<std::uint32_t>& order) const {
  PackedLayout placed;
  placed.fields_.resize(fields_.size());
  std::uint32_t word = 0;
  unsigned used = 0;
  for (const auto index : order) placed.place(index, fields_[index].width, word, used);
  placed.words_ = fields_.empty() ? 1 : word + 1;
  placed.group();
  return placed;
}

std::vector<unsigned> PackedLayout::field_starts(std::size_t word) const {
  std::vector<unsigned> starts;
  for (const auto& field : fields_)
    if (field.word == word && field.width != 0) starts.push_back(field.shift);
  std::sort(starts.begin(), starts.end());
  return starts;
}

unsigned PackedLayout::used_bits(std::size_t word) const {
  unsigned used = 0;
  for (const auto& field : fields_)
    if (field.word == word) used = std::max<unsigned>(used, field.shift + field.width);
  return used;
}

void PackedLayout::pack(std::span<const std::uint32_t> values, std::span<std::uint64_t> words) const {
  const Placed* placed = placed_.data();
  const auto field = [&](std::size_t i) { return std::uint64_t{values[placed[i].index]} << placed[i].shift; };
  std::size_t next = 0;
  for (std::size_t word = 0; word < words_; ++word) {
    // Four fields a step, in two chains: it runs for every successor, and
    // one field a step was mostly loop control and a chain of ors.
    std::uint64_t bits = 0, more = 0;
    const std::size_t end = word_end_[word];
    for (; next + 4 <= end; next += 4) {
      bits |= field(next) | field(next + 1);
      more |= field(next + 2) | field(next + 3);
    }
    for (; next < end; ++next) bits |= field(next);
    words[word] = bits | more;
  }
  for (std::size_t word = words_; word < words.size(); ++word) words[word] = 0;
}

void PackedLayout::unpack(std::span<const std::uint64_t> words, std::span<std::uint32_t> values) const {
  // Word by word from a register, as pack() assembles them: it runs for
  // every expanded configuration, and a field at a time from memory, its
  // mask computed from the width, was a sixth of an expansion.
  const Placed* placed = placed_.data();
  std::size_t next = 0;
  for (std::size_t word = 0; word < words_; ++word) {
    const std::uint64_t bits = words[word];
    for (const std::size_t end = word_end_[word]; next < end; ++next)
      values[placed[next].index] = static_cast<std::uint32_t>(bits >> placed[next].shift) & placed[next].mask;
  }
  for (const auto index : unused_) values[index] = 0;
}

}  // namespace lim::explore
