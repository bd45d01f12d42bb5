#pragma once
// The set of visited configurations: fixed-width packed words stored once,
// contiguously, indexed by an open-addressing hash table of 32-bit indices.
// Index order is insertion order, which the BFS turns into distance order.
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace lim::explore {

using StateIndex = std::uint32_t;

class StateStore {
 public:
  explicit StateStore(std::size_t words_per_state = 1);

  struct Insertion {
    StateIndex index;
    bool inserted;
  };
  Insertion insert(std::span<const std::uint64_t> words);
  std::optional<StateIndex> find(std::span<const std::uint64_t> words) const;
  std::span<const std::uint64_t> operator[](StateIndex index) const {
    return {words_.data() + static_cast<std::size_t>(index) * width_, width_};
  }
  std::size_t size() const { return count_; }
  std::size_t words_per_state() const { return width_; }
  std::size_t memory_bytes() const;

 private:
  std::uint64_t hash(std::span<const std::uint64_t> words) const;
  void grow();

  std::size_t width_;
  std::size_t count_ = 0;
  std::vector<std::uint64_t> words_;
  std::vector<StateIndex> slots_;  // kEmpty or an index into words_
  std::uint64_t mask_ = 0;
};

}  // namespace lim::explore
