#pragma once
// The graph exploration's set of visited configurations: StateStore's
// design — each configuration stored once, in index order, found through an
// open-addressing table — at a third of its size. A configuration keeps only
// the bits its layout uses (PackedLayout::used_bits), back to back, in
// PackedArrays (one per 64 of those bits, so one for most systems); a slot is
// 32 bits, the index plus as many fingerprint bits as the index leaves free,
// which spare most probes a look at the configurations. StateStore spends a
// 64-bit word per configuration word and 16 to 32 bytes of table.
//
// Unlike CompactStore's tree, a lookup costs one table probe and one read
// of the configuration, as StateStore's: the graph exploration's rate stays.
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "lim/explore/big_vector.hpp"
#include "lim/explore/packed_array.hpp"
#include "lim/explore/packed_layout.hpp"
#include "lim/explore/state_store.hpp"

namespace lim::explore {

class PackedStateStore {
 public:
  // Every bit of each word counted as used.
  explicit PackedStateStore(std::size_t words_per_state = 1);
  explicit PackedStateStore(const PackedLayout& layout);

  using Insertion = StateStore::Insertion;
  std::uint64_t hash(std::span<const std::uint64_t> words) const;
  void prefetch(std::uint64_t hash) const { __builtin_prefetch(slots_.data() + (hash & mask_)); }
  // Grows the table now if `additional` insertions would, so that slots
  // prefetched for them stay valid.
  void make_room(std::size_t additional) {
    while (over_loaded(size() + additional)) grow();
  }
  Insertion insert(std::span<const std::uint64_t> words, std::uint64_t hash);
  Insertion insert(std::span<const std::uint64_t> words) { return insert(words, hash(words)); }
  std::optional<StateIndex> find(std::span<const std::uint64_t> words, std::uint64_t hash) const;
  std::optional<StateIndex> find(std::span<const std::uint64_t> words) const { return find(words, hash(words)); }
  // The packed words of configuration `index`.
  void get(StateIndex index, std::span<std::uint64_t> words) const;
  std::size_t size() const { return chunks_.front().size(); }
  std::size_t words_per_state() const { return used_.size(); }
  std::size_t memory_bytes() const;

 private:
  // Linear probing stays short up to 3/4 full; doubling then leaves it 3/8
  // full, so a slot costs 4/(3/4) to 4/(3/8) bytes per configuration.
  bool over_loaded(std::size_t count) const { return count * 4 > slots_.size() * 3; }
  void grow();
  // The configuration's used bits, back to back, cut into 64-bit chunks.
  void compress(std::span<const std::uint64_t> words, std::span<std::uint64_t> chunks) const;
  bool holds(std::uint32_t content, std::uint64_t hash, std::span<const std::uint64_t> chunks) const;
  std::uint32_t id_of(std::uint32_t content) const { return (content & id_mask_) - 1; }
  std::uint32_t slot_entry(std::uint32_t id, std::uint64_t hash) const {
    return static_cast<std::uint32_t>((hash >> 32) << id_bits_ | (std::uint64_t{id} + 1));
  }
  void place(std::uint32_t id, std::uint64_t hash);

  std::vector<std::uint8_t> used_;  // per word: the bits it uses
  std::vector<PackedArray> chunks_;  // chunk c of every configuration
  BigVector<std::uint32_t> slots_;   // 0 when empty, else fingerprint << id_bits_ | (id + 1)
  std::uint64_t mask_ = 0;
  unsigned id_bits_ = 0;
  std::uint32_t id_mask_ = 0;
  mutable std::vector<std::uint64_t> scratch_;  // one configuration's chunks
};

}  // namespace lim::explore
