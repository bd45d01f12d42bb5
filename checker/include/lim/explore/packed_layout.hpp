#pragma once
// A configuration is a vector of small integers (a machine state per role,
// queue contents, ...). The layout packs it into as few 64-bit words as the
// value bounds allow, so that 10^8 stored configurations fit in memory.
#include <cstdint>
#include <span>
#include <vector>

namespace lim::explore {

class PackedLayout {
 public:
  PackedLayout() = default;
  // field i holds values in [0, bounds[i]).
  explicit PackedLayout(const std::vector<std::uint32_t>& bounds);

  std::size_t field_count() const { return fields_.size(); }
  std::size_t word_count() const { return words_; }
  // Bits of word `word` that some field uses (its low ones).
  unsigned used_bits(std::size_t word) const;
  // The bit positions in `word` where a field starts, ascending.
  std::vector<unsigned> field_starts(std::size_t word) const;
  // The same fields, placed in the words in the order `order` lists them
  // (each field once) rather than in index order: what a field means and
  // its index stay, only where its bits go changes.
  PackedLayout placed_in(const std::vector<std::uint32_t>& order) const;
  void pack(std::span<const std::uint32_t> values, std::span<std::uint64_t> words) const;
  void unpack(std::span<const std::uint64_t> words, std::span<std::uint32_t> values) const;
  // One field of a packed configuration, without unpacking the others:
  // analyses that look at a queue length per state read just that.
  std::uint32_t get(std::span<const std::uint64_t> words, std::size_t index) const {
    const Field& field = fields_[index];
    return field.width == 0 ? 0
                            : static_cast<std::uint32_t>((words[field.word] >> field.shift) &
                                                         ((std::uint64_t{1} << field.width) - 1));
  }

 private:
  void place(std::size_t index, std::uint8_t width, std::uint32_t& word, unsigned& used);
  struct Field {
    std::uint32_t word;
    std::uint8_t shift;
    std::uint8_t width;
  };
  // The fields of nonzero width grouped by word, for pack(): a word is
  // assembled in a register and stored once. Or-ing each field into the
  // word in memory made every field wait for the store of the one before.
  void group();
  struct Placed {
    std::uint32_t index;
    std::uint32_t shift;
  };
  std::vector<Field> fields_;
  std::vector<Placed> placed_;          // by word, then field index
  std::vector<std::uint32_t> word_end_;  // per word: end of its fields in placed_
  std::size_t words_ = 0;
};

}  // namespace lim::explore
