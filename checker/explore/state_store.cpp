#include "lim/explore/state_store.hpp"

#include <algorithm>

namespace lim::explore {
namespace {

constexpr StateIndex kEmpty = ~StateIndex{0};

std::uint64_t mix(std::uint64_t x) {
  // splitmix64 finaliser: cheap and spreads the low-entropy packed words.
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  x ^= x >> 31;
  return x;
}

}  // namespace

StateStore::StateStore(std::size_t words_per_state) : width_(std::max<std::size_t>(1, words_per_state)) {
  slots_.assign(1024, kEmpty);
  mask_ = slots_.size() - 1;
}

std::uint64_t StateStore::hash(std::span<const std::uint64_t> words) const {
  std::uint64_t h = 0x9e3779b97f4a7c15ULL;
  for (const auto word : words) h = mix(h ^ word);
  return h;
}

std::optional<StateIndex> StateStore::find(std::span<const std::uint64_t> words) const {
  for (std::uint64_t slot = hash(words) & mask_;; slot = (slot + 1) & mask_) {
    const StateIndex index = slots_[slot];
    if (index == kEmpty) return std::nullopt;
    if (std::equal(words.begin(), words.end(), words_.begin() + std::size_t{index} * width_))
      return index;
  }
}

StateStore::Insertion StateStore::insert(std::span<const std::uint64_t> words) {
  // Load factor stays below 1/2 so linear probing sequences stay short.
  if ((count_ + 1) * 2 > slots_.size()) grow();
  std::uint64_t slot = hash(words) & mask_;
  for (;; slot = (slot + 1) & mask_) {
    const StateIndex index = slots_[slot];
    if (index == kEmpty) break;
    if (std::equal(words.begin(), words.end(), words_.begin() + std::size_t{index} * width_))
      return {index, false};
  }
  const auto index = static_cast<StateIndex>(count_++);
  slots_[slot] = index;
  words_.insert(words_.end(), words.begin(), words.end());
  return {index, true};
}

void StateStore::grow() {
  slots_.assign(slots_.size() * 2, kEmpty);
  mask_ = slots_.size() - 1;
  for (std::size_t index = 0; index < count_; ++index) {
    std::uint64_t slot = hash((*this)[static_cast<StateIndex>(index)]) & mask_;
    while (slots_[slot] != kEmpty) slot = (slot + 1) & mask_;
    slots_[slot] = static_cast<StateIndex>(index);
  }
}

std::size_t StateStore::memory_bytes() const {
  return words_.capacity() * sizeof(std::uint64_t) + slots_.capacity() * sizeof(StateIndex);
}

}  // namespace lim::explore
