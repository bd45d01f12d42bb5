#pragma once
// A configuration is a vector of small integers (a machine state per role,
// queue contents, ...). The layout packs it into as few 64-bit words as the
// value bounds allow, so that 10^8 stored configurations fit in memory.
#include <algorithm>
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
  // pack(after, words) for an `after` that differs from `before`, packed as
  // `before_words`, only in fields `written`: a successor and its source,
  // with the fields its move may write. Packing every field was a seventh
  // of an exploration's instructions; a move writes two or three.
  [[gnu::always_inline]] void repack(std::span<const std::uint32_t> before, std::span<const std::uint64_t> before_words,
              std::span<const std::uint32_t> after, std::span<const std::uint32_t> written,
              std::span<std::uint64_t> words) const {
    // A field's bits are before's value, so xor-ing in the difference
    // leaves after's. In a register when there is one word.
    if (words_ == 1) {
      std::uint64_t bits = before_words[0];
      for (const auto i : written) bits ^= std::uint64_t{before[i] ^ after[i]} << fields_[i].shift;
      words[0] = bits;
      for (std::size_t word = 1; word < words.size(); ++word) words[word] = 0;
      return;
    }
    std::copy(before_words.begin(), before_words.end(), words.begin());
    for (const auto i : written) words[fields_[i].word] ^= std::uint64_t{before[i] ^ after[i]} << fields_[i].shift;
  }
  // Where field `index` lies: its word, its lowest bit there, its width.
  std::uint32_t word_of(std::size_t index) const { return fields_[index].word; }
  unsigned shift_of(std::size_t index) const { return fields_[index].shift; }
  unsigned width_of(std::size_t index) const { return fields_[index].width; }
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
    std::uint32_t mask;  // the low width bits
  };
  std::vector<Field> fields_;
  std::vector<Placed> placed_;          // by word, then field index
  std::vector<std::uint32_t> word_end_;  // per word: end of its fields in placed_
  std::vector<std::uint32_t> unused_;    // the fields of width 0 (always 0)
  std::size_t words_ = 0;
};

}  // namespace lim::explore
