#pragma once
// A direct-mapped cache in front of a tree node's TreeTable: pair → id for
// the pairs looked up lately. The nodes below a compact store's root hold
// few pairs (thousands, against one per configuration at the root) and are
// looked up for every successor, so their lookups cost instructions, not
// misses: a TreeTable probe unpacks a fingerprint and a bit-packed pair,
// where a hit here is one entry compared whole. Ids never change once
// given, so an entry is never stale; a miss only costs the table's probe.
#include <cstdint>
#include <vector>

namespace lim::explore {

class PairCache {
 public:
  PairCache() : entries_(kFirstSize) {}

  // The id cached for (left, right) at `hash` (TreeTable::hash), or
  // kAbsent.
  static constexpr std::uint32_t kAbsent = ~std::uint32_t{0};
  std::uint32_t find(std::uint32_t left, std::uint32_t right, std::uint64_t hash) const {
    const Entry& entry = entries_[index(hash)];
    return entry.left == left && entry.right == right && entry.id_plus_one != 0 ? entry.id_plus_one - 1 : kAbsent;
  }
  // Caches (left, right) → id. `pairs` is its table's size: the cache grows
  // with it, to twice its pairs, up to kMaxSize entries, which keeps the
  // whole cache within a core's second-level cache.
  void put(std::uint32_t left, std::uint32_t right, std::uint64_t hash, std::uint32_t id, std::size_t pairs) {
    if (pairs * 2 > entries_.size() && entries_.size() < kMaxSize) [[unlikely]]
      grow();
    entries_[index(hash)] = {left, right, id + 1};
  }
  std::size_t memory_bytes() const { return entries_.capacity() * sizeof(Entry); }

 private:
  struct Entry {
    std::uint32_t left = 0, right = 0;
    std::uint32_t id_plus_one = 0;  // 0: empty
  };
  static constexpr std::size_t kFirstSize = 64;
  static constexpr std::size_t kMaxSize = std::size_t{1} << 15;  // 384 KiB

  // The hash's high bits: its table indexes slots by the low ones, and the
  // two should not collide together.
  std::size_t index(std::uint64_t hash) const { return static_cast<std::size_t>(hash >> shift_); }
  void grow() {
    entries_.assign(entries_.size() * 2, Entry{});
    --shift_;
  }

  std::vector<Entry> entries_;
  unsigned shift_ = 64 - 6;  // 64 - log2(entries_.size())
};

}  // namespace lim::explore
