#pragma once
// The set of visited configurations: fixed-width packed words stored once,
// contiguously, indexed by an open-addressing hash table. A slot holds a
// state's index and 32 bits of its hash, so a probe only reads the stored
// words when the fingerprints agree: in a table far larger than the caches,
// a lookup then costs about one cache miss instead of one per probe.
// Index order is insertion order, which the BFS turns into distance order.
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "lim/explore/big_vector.hpp"

namespace lim::explore {

using StateIndex = std::uint32_t;

class StateStore {
 public:
  explicit StateStore(std::size_t words_per_state = 1);

  struct Insertion {
    StateIndex index;
    bool inserted;
  };
  Insertion insert(std::span<const std::uint64_t> words) { return insert(words, hash(words)); }
  std::optional<StateIndex> find(std::span<const std::uint64_t> words) const { return find(words, hash(words)); }
  // The same with the hash computed beforehand, so that a caller can
  // prefetch() the slots of a batch of configurations before looking them
  // up and overlap the cache misses.
  std::uint64_t hash(std::span<const std::uint64_t> words) const;
  void prefetch(std::uint64_t hash) const { __builtin_prefetch(slots_.data() + (hash & mask_)); }
  // Grows the table now if `additional` insertions would, so that slots
  // prefetched for them stay valid.
  void make_room(std::size_t additional) {
    while ((count_ + additional) * 2 > slots_.size()) grow();
  }
  Insertion insert(std::span<const std::uint64_t> words, std::uint64_t hash);
  std::optional<StateIndex> find(std::span<const std::uint64_t> words, std::uint64_t hash) const;
  std::span<const std::uint64_t> operator[](StateIndex index) const {
    return {words_.data() + static_cast<std::size_t>(index) * width_, width_};
  }
  std::size_t size() const { return count_; }
  std::size_t words_per_state() const { return width_; }
  std::size_t memory_bytes() const;

 private:
  void grow();

  std::size_t width_;
  std::size_t count_ = 0;
  BigVector<std::uint64_t> words_;
  bool equal(std::span<const std::uint64_t> words, StateIndex index) const;
  BigVector<std::uint64_t> slots_;  // kEmpty, or fingerprint << 32 | index
  std::uint64_t mask_ = 0;
};

}  // namespace lim::explore
