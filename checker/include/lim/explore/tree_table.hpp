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
#include <utility>

#include "lim/explore/big_vector.hpp"
#include "lim/explore/mix64.hpp"

namespace lim::explore {

class TreeTable {
 public:
  TreeTable();

  struct Insertion {
    std::uint32_t id;
    bool inserted;
  };
  static std::uint64_t hash(std::uint32_t left, std::uint32_t right) {
    return mix64(std::uint64_t{left} << 32 ^ right ^ 0x9e3779b97f4a7c15ULL);
  }
  void prefetch(std::uint64_t hash) const { __builtin_prefetch(slots_.data() + (hash & mask_)); }
  // Grows the table now if `additional` insertions would, so that slots
  // prefetched for them stay valid.
  void make_room(std::size_t additional) {
    while (over_loaded(count_ + additional)) grow();
  }
  // The lookups are inline: the explorer interns every successor's nodes,
  // and a call per probe was a sixth of its time.
  Insertion insert(std::uint32_t left, std::uint32_t right, std::uint64_t hash) {
    if (over_loaded(count_ + 1)) grow();
    const Probe probe = probe_for(left, right, hash);
    std::uint64_t slot = hash & mask_;
    for (;; slot = (slot + 1) & mask_) {
      const std::uint32_t content = slots_[slot];
      if (content == 0) break;
      if (holds(content, probe)) return {id_of(content), false};
    }
    return add(left, right, hash, slot);
  }
  Insertion insert(std::uint32_t left, std::uint32_t right) { return insert(left, right, hash(left, right)); }
  std::optional<std::uint32_t> find(std::uint32_t left, std::uint32_t right, std::uint64_t hash) const {
    const Probe probe = probe_for(left, right, hash);
    for (std::uint64_t slot = hash & mask_;; slot = (slot + 1) & mask_) {
      const std::uint32_t content = slots_[slot];
      if (content == 0) return std::nullopt;
      if (holds(content, probe)) return id_of(content);
    }
  }
  // After prefetch(hash) has had time to bring the slot in: the stored pair
  // that the first slots of the probe sequence name with a matching
  // fingerprint, so that a known pair's comparison does not wait for a
  // second miss. Only a hint: the slots may change before the insertion.
  void prefetch_pair(std::uint64_t hash) const {
    std::uint64_t slot = hash & mask_;
    for (int probe = 0; probe < 4; ++probe, slot = (slot + 1) & mask_) {
      const std::uint32_t content = slots_[slot];
      if (content == 0) return;
      const std::uint32_t id = id_of(content);
      if (content == slot_entry(id, hash)) {
        __builtin_prefetch(pairs_.data() + ((std::uint64_t{id} * (left_width_ + right_width_)) >> 6));
        return;
      }
    }
  }
  std::uint32_t left(std::uint32_t id) const { return static_cast<std::uint32_t>(pair(id) >> right_width_); }
  // Both halves of pair `id` from one read: rebuilding a configuration
  // needs both of every inner node's.
  struct Halves {
    std::uint32_t left, right;
  };
  Halves halves(std::uint32_t id) const {
    const std::uint64_t value = pair(id);
    return {static_cast<std::uint32_t>(value >> right_width_),
            static_cast<std::uint32_t>(value & ((std::uint64_t{1} << right_width_) - 1))};
  }
  std::uint32_t right(std::uint32_t id) const {
    return static_cast<std::uint32_t>(pair(id) & ((std::uint64_t{1} << right_width_) - 1));
  }
  std::size_t size() const { return count_; }
  std::size_t memory_bytes() const;
  // The memory the next grow() will first touch (its slots' new half),
  // once the table is within an eighth of its load limit; none before, or
  // where the slots are not in a reservation of their own
  // (BigVector::growth_region). Not earlier: an exploration that ends
  // before the growth would hold it resident for nothing, and at 10^9
  // configurations the new half is 8 GiB. An eighth of the load still
  // takes longer to insert than the new half takes to fault in.
  std::pair<void*, std::size_t> next_growth_region() const {
    if (count_ < load_limit_ - load_limit_ / 8) return {nullptr, 0};
    return slots_.growth_region(slots_.size() * 2);
  }
  // The memory its next `words` words of pairs will take, as pairs are
  // added: the other array of a large table that grows into fresh pages.
  std::pair<void*, std::size_t> pairs_growth_region(std::size_t words) const {
    return pairs_.growth_region(pairs_.size() + words);
  }

 private:
  // Linear probing stays short up to 3/4 full; doubling then leaves it 3/8
  // full, so a slot costs 4/(3/4) to 4/(3/8) bytes per pair.
  bool over_loaded(std::size_t count) const { return count > load_limit_; }
  std::uint64_t pair(std::uint32_t id) const {
    const unsigned width = left_width_ + right_width_;
    if (width == 0) return 0;
    const std::uint64_t bit = std::uint64_t{id} * width;
    const std::size_t word = bit >> 6;
    const unsigned offset = bit & 63;
    // Both words read, whether or not the pair spills into the second
    // (pairs_ has a word beyond the last pair): which pairs spill is
    // random, and a branch on it was mispredicted on every other probe.
    // The second shift is split so that it stays below 64 at offset 0.
    const std::uint64_t value = pairs_[word] >> offset | pairs_[word + 1] << (63 - offset) << 1;
    return width >= 64 ? value : value & ((std::uint64_t{1} << width) - 1);
  }
  std::uint32_t id_of(std::uint32_t content) const { return (content & id_mask_) - 1; }
  // What a probe for one pair compares every slot with, computed once.
  struct Probe {
    std::uint32_t fingerprint;  // the slot's bits above the id
    std::uint64_t value;        // the pair as stored
  };
  Probe probe_for(std::uint32_t left, std::uint32_t right, std::uint64_t hash) const {
    const auto fingerprint = static_cast<std::uint32_t>((hash >> 32) << id_bits_);
    // A right value wider than the stored ones would overlap the left's
    // bits and could match another pair: it is in no pair, and all ones
    // is no stored pair (ids stay below 2^32 - 2). A too wide left value
    // sets a bit above the stored width, which no stored pair has.
    if (std::uint64_t{right} >> right_width_ != 0) return {fingerprint, ~std::uint64_t{0}};
    return {fingerprint, std::uint64_t{left} << right_width_ | right};
  }
  // Whether slot `content` names the probe's pair.
  bool holds(std::uint32_t content, const Probe& probe) const {
    if ((content & ~id_mask_) != probe.fingerprint) return false;
    return pair(id_of(content)) == probe.value;
  }
  // A pair not in the table, whose probe sequence ended at empty `slot`.
  Insertion add(std::uint32_t left, std::uint32_t right, std::uint64_t hash, std::uint64_t slot);
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
  std::size_t load_limit_ = 0;      // 3/4 of the slots
  unsigned id_bits_ = 0;            // bits of a slot holding id + 1
  std::uint32_t id_mask_ = 0;       // the low id_bits_ bits
};

}  // namespace lim::explore
