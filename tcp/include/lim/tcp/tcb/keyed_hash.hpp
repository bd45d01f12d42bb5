#pragma once
// RFC 6528's F(): a hash of the 4-tuple under a 256-bit secret drawn from
// the kernel, which no one outside the host can compute. ISNs, timestamp
// offsets and SYN cookies each hash something more after the 4-tuple, so
// that one value tells nothing of another.
#include <array>
#include <cstdint>
#include <span>

#include "lim/tcp/wire/four_tuple.hpp"

namespace lim::tcp::tcb {

class KeyedHash {
 public:
  KeyedHash();  // draws the secret from getrandom(2)
  explicit KeyedHash(const std::array<std::uint8_t, 32>& secret) : secret_(secret) {}
  // The first 32 bits of SHA-256(secret, tuple, more).
  std::uint32_t operator()(const wire::FourTuple& tuple, std::span<const std::uint8_t> more = {}) const;

 private:
  std::array<std::uint8_t, 32> secret_{};
};

}  // namespace lim::tcp::tcb
