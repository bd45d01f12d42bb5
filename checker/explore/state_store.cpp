#include "lim/explore/state_store.hpp"

#include <algorithm>
#include <stdexcept>

#include "lim/explore/mix64.hpp"

namespace lim::explore {
namespace {

constexpr std::uint64_t kEmpty = ~std::uint64_t{0};

// The slot position uses the hash's low bits, the fingerprint its high ones.
std::uint64_t fingerprint(std::uint64_t hash) { return hash >> 32; }
std::uint64_t entry(std::uint64_t hash, StateIndex index) { return fingerprint(hash) << 32 | index; }
StateIndex index_of(std::uint64_t slot) { return static_cast<StateIndex>(slot); }

}  // namespace

StateStore::StateStore(std::size_t words_per_state) : width_(std::max<std::size_t>(1, words_per_state)) {
  // Small: a system of 10^4 independent components has 10^4 of these.
  slots_.assign(16, kEmpty);
  mask_ = slots_.size() - 1;
}

std::uint64_t StateStore::hash(std::span<const std::uint64_t> words) const {
  std::uint64_t h = 0x9e3779b97f4a7c15ULL;
  for (const auto word : words) h = mix64(h ^ word);
  return h;
}

bool StateStore::equal(std::span<const std::uint64_t> words, StateIndex index) const {
  const std::uint64_t* stored = words_.data() + std::size_t{index} * width_;
  for (std::size_t i = 0; i < width_; ++i)
    if (stored[i] != words[i]) return false;
  return true;
}

std::optional<StateIndex> StateStore::find(std::span<const std::uint64_t> words, std::uint64_t h) const {
  for (std::uint64_t slot = h & mask_;; slot = (slot + 1) & mask_) {
    const std::uint64_t content = slots_[slot];
    if (content == kEmpty) return std::nullopt;
    if (content >> 32 == fingerprint(h) && equal(words, index_of(content))) return index_of(content);
  }
}

StateStore::Insertion StateStore::insert(std::span<const std::uint64_t> words, std::uint64_t h) {
  // Load factor stays below 1/2 so linear probing sequences stay short.
  if ((count_ + 1) * 2 > slots_.size()) grow();
  std::uint64_t slot = h & mask_;
  for (;; slot = (slot + 1) & mask_) {
    const std::uint64_t content = slots_[slot];
    if (content == kEmpty) break;
    if (content >> 32 == fingerprint(h) && equal(words, index_of(content))) return {index_of(content), false};
  }
  // Index ~0 with fingerprint ~0 would read as an empty slot.
  if (count_ >= std::size_t{~StateIndex{0}}) throw std::length_error("more than 2^32 - 1 configurations");
  const auto index = static_cast<StateIndex>(count_++);
  slots_[slot] = entry(h, index);
  words_.append(words.data(), words.data() + words.size());
  return {index, true};
}

void StateStore::grow() {
  slots_.assign(slots_.size() * 2, kEmpty);
  mask_ = slots_.size() - 1;
  for (std::size_t index = 0; index < count_; ++index) {
    const std::uint64_t h = hash((*this)[static_cast<StateIndex>(index)]);
    std::uint64_t slot = h & mask_;
    while (slots_[slot] != kEmpty) slot = (slot + 1) & mask_;
    slots_[slot] = entry(h, static_cast<StateIndex>(index));
  }
}

std::size_t StateStore::memory_bytes() const {
  return words_.capacity() * sizeof(std::uint64_t) + slots_.capacity() * sizeof(std::uint64_t);
}

}  // namespace lim::explore
