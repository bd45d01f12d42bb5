#pragma once
// The splitmix64 finaliser (Steele, Lea and Flood, "Fast splittable
// pseudorandom number generators", 2014): every hash table of the engine
// keys on packed configurations, ids or halves, dense small numbers whose
// low bits — the ones a power-of-two table indexes by — barely vary.
#include <cstdint>

namespace lim::explore {

inline std::uint64_t mix64(std::uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  x ^= x >> 31;
  return x;
}

}  // namespace lim::explore
