#pragma once
// The distinct moves of an exploration, each given a dense id in the order
// first seen. A move names transitions of the system (one, or a send and
// its receive), so there are about as many as the system has transitions,
// however many edges carry them: an edge stores its move's id, a few bits,
// instead of the 8-byte Move.
//
// The explorer interns a move per edge; the table is a few kilobytes and
// stays in the first-level cache, so that costs a multiplication and a probe
// or two.
#include <cstdint>
#include <vector>

namespace lim::explore {

// A step of the semantics; what the two numbers mean is up to the semantics
// (synchronous: the send and the receive transition; asynchronous: one
// transition and an unused second field).
struct Move {
  std::uint32_t first = 0;
  std::uint32_t second = 0;
};

class MoveTable {
 public:
  MoveTable() : slots_(16, 0), mask_(15) {}

  std::uint32_t intern(Move move) {
    const std::uint64_t key = key_of(move);
    for (std::size_t slot = hash(key) & mask_;; slot = (slot + 1) & mask_) {
      const std::uint32_t content = slots_[slot];
      if (content == 0) return add(move, slot);
      if (key_of(moves_[content - 1]) == key) return content - 1;
    }
  }
  Move operator[](std::uint32_t id) const { return moves_[id]; }
  std::size_t size() const { return moves_.size(); }
  std::size_t memory_bytes() const {
    return moves_.capacity() * sizeof(Move) + slots_.capacity() * sizeof(std::uint32_t);
  }

 private:
  static std::uint64_t key_of(Move move) { return std::uint64_t{move.first} << 32 | move.second; }
  static std::uint64_t hash(std::uint64_t key) { return (key * 0x9e3779b97f4a7c15ULL) >> 32; }
  std::uint32_t add(Move move, std::size_t slot);

  std::vector<Move> moves_;
  std::vector<std::uint32_t> slots_;  // 0 when empty, else id + 1
  std::size_t mask_;
};

}  // namespace lim::explore
