#include "lim/explore/packed_state_store.hpp"

#include <algorithm>
#include <bit>
#include <stdexcept>

#include "lim/explore/mix64.hpp"

namespace lim::explore {
namespace {

std::vector<std::uint8_t> bits_used_per_word(const PackedLayout& layout) {
  std::vector<std::uint8_t> used;
  for (std::size_t word = 0; word < layout.word_count(); ++word)
    used.push_back(static_cast<std::uint8_t>(layout.used_bits(word)));
  if (used.empty()) used.push_back(0);
  return used;
}

std::size_t chunks_for(const std::vector<std::uint8_t>& used) {
  std::size_t bits = 0;
  for (const auto u : used) bits += u;
  return std::max<std::size_t>(1, (bits + 63) / 64);
}

}  // namespace

PackedStateStore::PackedStateStore(std::size_t words_per_state)
    : used_(std::max<std::size_t>(1, words_per_state), 64), chunks_(chunks_for(used_)), scratch_(chunks_.size()) {
  // Small: a system of 10^4 independent components has 10^4 of these.
  slots_.assign(16, 0);
  mask_ = slots_.size() - 1;
  id_bits_ = static_cast<unsigned>(std::bit_width(slots_.size() * 3 / 4));
  id_mask_ = static_cast<std::uint32_t>((std::uint64_t{1} << id_bits_) - 1);
}

PackedStateStore::PackedStateStore(const PackedLayout& layout) : PackedStateStore(1) {
  used_ = bits_used_per_word(layout);
  chunks_ = std::vector<PackedArray>(chunks_for(used_));
  scratch_.assign(chunks_.size(), 0);
}

std::uint64_t PackedStateStore::hash(std::span<const std::uint64_t> words) const {
  std::uint64_t h = 0x9e3779b97f4a7c15ULL;
  for (const auto word : words) h = mix64(h ^ word);
  return h;
}

void PackedStateStore::compress(std::span<const std::uint64_t> words, std::span<std::uint64_t> chunks) const {
  if (used_.size() == 1) {  // most systems: the word is the chunk
    chunks[0] = words[0];
    return;
  }
  std::fill(chunks.begin(), chunks.end(), 0);
  std::size_t bit = 0;
  for (std::size_t word = 0; word < used_.size(); ++word) {
    const unsigned used = used_[word];
    if (used == 0) continue;
    const std::size_t chunk = bit >> 6;
    const unsigned offset = bit & 63;
    chunks[chunk] |= words[word] << offset;
    if (offset + used > 64) chunks[chunk + 1] |= words[word] >> (64 - offset);
    bit += used;
  }
}

void PackedStateStore::get(StateIndex index, std::span<std::uint64_t> words) const {
  if (used_.size() == 1) {
    words[0] = chunks_[0][index];
    return;
  }
  for (std::size_t chunk = 0; chunk < chunks_.size(); ++chunk) scratch_[chunk] = chunks_[chunk][index];
  std::size_t bit = 0;
  for (std::size_t word = 0; word < used_.size(); ++word) {
    const unsigned used = used_[word];
    if (used == 0) {
      words[word] = 0;
      continue;
    }
    const std::size_t chunk = bit >> 6;
    const unsigned offset = bit & 63;
    std::uint64_t value = scratch_[chunk] >> offset;
    if (offset + used > 64) value |= scratch_[chunk + 1] << (64 - offset);
    words[word] = used >= 64 ? value : value & ((std::uint64_t{1} << used) - 1);
    bit += used;
  }
}

// Inlined into the probe loops: a call per probe was a tenth of the
// exploration's time.
[[gnu::always_inline]] inline bool PackedStateStore::holds(std::uint32_t content, std::uint64_t hash,
                                                           std::span<const std::uint64_t> chunks) const {
  const std::uint32_t id = id_of(content);
  if (content != slot_entry(id, hash)) return false;
  if (chunks_.size() == 1) return chunks_[0][id] == chunks[0];
  for (std::size_t chunk = 0; chunk < chunks_.size(); ++chunk)
    if (chunks_[chunk][id] != chunks[chunk]) return false;
  return true;
}

std::optional<StateIndex> PackedStateStore::find(std::span<const std::uint64_t> words, std::uint64_t hash) const {
  compress(words, scratch_);
  for (std::uint64_t slot = hash & mask_;; slot = (slot + 1) & mask_) {
    const std::uint32_t content = slots_[slot];
    if (content == 0) return std::nullopt;
    if (holds(content, hash, scratch_)) return id_of(content);
  }
}

PackedStateStore::Insertion PackedStateStore::insert(std::span<const std::uint64_t> words, std::uint64_t hash) {
  if (over_loaded(size() + 1)) grow();
  compress(words, scratch_);
  std::uint64_t slot = hash & mask_;
  for (;; slot = (slot + 1) & mask_) {
    const std::uint32_t content = slots_[slot];
    if (content == 0) break;
    if (holds(content, hash, scratch_)) return {id_of(content), false};
  }
  // Index ~0 would not fit a slot as index + 1.
  if (size() >= std::size_t{~StateIndex{0}}) throw std::length_error("more than 2^32 - 1 configurations");
  const auto id = static_cast<std::uint32_t>(size());
  slots_[slot] = slot_entry(id, hash);
  for (std::size_t chunk = 0; chunk < chunks_.size(); ++chunk) chunks_[chunk].push_back(scratch_[chunk]);
  return {id, true};
}

void PackedStateStore::place(std::uint32_t id, std::uint64_t hash) {
  std::uint64_t slot = hash & mask_;
  while (slots_[slot] != 0) slot = (slot + 1) & mask_;
  slots_[slot] = slot_entry(id, hash);
}

void PackedStateStore::grow() {
  // The slots keep too few hash bits to be moved by them: every
  // configuration is read back and hashed again, in order, which streams;
  // the slots of a batch are prefetched before any is placed, so that the
  // random writes into the new table overlap.
  slots_.assign(slots_.size() * 2, 0);
  mask_ = slots_.size() - 1;
  // An index below 3/4 of the slots, plus one; never more than 32 bits, as
  // indices are 32-bit (the fingerprint is then empty).
  id_bits_ = std::min(32U, static_cast<unsigned>(std::bit_width(slots_.size() * 3 / 4)));
  id_mask_ = static_cast<std::uint32_t>(id_bits_ >= 32 ? ~std::uint32_t{0} : (std::uint32_t{1} << id_bits_) - 1);
  constexpr std::size_t kBatch = 32;
  std::uint64_t hashes[kBatch];
  std::vector<std::uint64_t> words(used_.size());
  const auto count = static_cast<std::uint32_t>(size());
  for (std::uint32_t first = 0; first < count; first += kBatch) {
    const std::uint32_t last = std::min<std::uint32_t>(count, first + kBatch);
    for (std::uint32_t id = first; id < last; ++id) {
      if (used_.size() == 1)
        words[0] = chunks_[0][id];
      else
        get(id, words);
      hashes[id - first] = hash(words);
      prefetch(hashes[id - first]);
    }
    for (std::uint32_t id = first; id < last; ++id) place(id, hashes[id - first]);
  }
}

std::size_t PackedStateStore::memory_bytes() const {
  std::size_t bytes = slots_.capacity() * sizeof(std::uint32_t);
  for (const auto& chunk : chunks_) bytes += chunk.memory_bytes();
  return bytes;
}

}  // namespace lim::explore
