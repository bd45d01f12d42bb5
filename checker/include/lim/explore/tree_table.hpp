#pragma once
// One node level of tree compression (Blom, Lisser, van de Pol and Weber,
// "A database approach to distributed state-space generation", 2009; the
// tree of LTSmin): a set of pairs of 32-bit values, each pair given a dense
// id in insertion order. A configuration is a tree of such pairs, and the
// many configurations that share a half share its id, so a state costs its
// root pair instead of its whole vector.
//
// Two things keep the root level — one pair per configuration — small:
//  * pairs are stored bit-packed, as wide as the largest left and right
//    values seen so far (ids of the level below, so about log2 of the
//    distinct halves each), and widened in place when a value outgrows them;
//  * the hash table holds 32-bit slots: the id, plus as many fingerprint bits
//    as the id leaves free, which spare most probes a look at the pairs.
// No per-pair heap allocation: both arrays are BigVectors that grow in place.
#include <cstdint>
#include <optional>

#include "lim/explore/big_vector.hpp"

namespace lim::explore {

class TreeTable {
 public:
  TreeTable();

  struct Insertion {
    std::uint32_t id;
    bool inserted;
  };
  static std::uint64_t hash(std::uint32_t left, std::uint32_t right);
  void prefetch(std::uint64_t hash) const { __builtin_prefetch(slots_.data() + (hash & mask_)); }
  // Grows the table now if `additional` insertions would, so that slots
  // prefetched for them stay valid.
  void make_room(std::size_t additional) {
    while (over_loaded(count_ + additional)) grow();
  }
  Insertion insert(std::uint32_t left, std::uint32_t right, std::uint64_t hash);
  Insertion insert(std::uint32_t left, std::uint32_t right) { return insert(left, right, hash(left, right)); }
  std::optional<std::uint32_t> find(std::uint32_t left, std::uint32_t right, std::uint64_t hash) const;
  std::uint32_t left(std::uint32_t id) const { return static_cast<std::uint32_t>(pair(id) >> right_width_); }
  std::uint32_t right(std::uint32_t id) const {
    return static_cast<std::uint32_t>(pair(id) & ((std::uint64_t{1} << right_width_) - 1));
  }
  std::size_t size() const { return count_; }
  std::size_t memory_bytes() const;

 private:
  // Linear probing stays short up to 3/4 full; doubling then leaves it 3/8
  // full, so a slot costs 4/(3/4) to 4/(3/8) bytes per pair.
  bool over_loaded(std::size_t count) const { return count * 4 > slots_.size() * 3; }
  std::uint64_t pair(std::uint32_t id) const;
  void store(std::uint32_t id, std::uint64_t value);
  void widen(unsigned left_width, unsigned right_width);
  void grow();
  void place(std::uint32_t id, std::uint64_t hash);
  std::uint32_t slot_entry(std::uint32_t id, std::uint64_t hash) const {
    return static_cast<std::uint32_t>((hash >> 32) << id_bits_ | (std::uint64_t{id} + 1)) ;
  }

  std::size_t count_ = 0;
  unsigned left_width_ = 0;
  unsigned right_width_ = 0;
  BigVector<std::uint64_t> pairs_;  // count_ pairs of left_width_ + right_width_ bits, back to back
  BigVector<std::uint32_t> slots_;  // 0 when empty, else fingerprint << id_bits_ | (id + 1)
  std::uint64_t mask_ = 0;
  unsigned id_bits_ = 0;            // bits of a slot holding id + 1
};

}  // namespace lim::explore
