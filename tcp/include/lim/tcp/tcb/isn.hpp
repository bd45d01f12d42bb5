#pragma once
// Initial sequence numbers per RFC 9293 §3.4.1 and RFC 6528:
// ISN = M + F(localip, localport, remoteip, remoteport, secretkey), where M
// is a 4-microsecond clock (MUST-8) and F a keyed hash — SHA-256 over a
// 256-bit secret drawn from the kernel at start — that no one outside the
// host can compute (SHLD-1, MUST-9).
//
// The same secret keys the offset of each connection's timestamp clock
// (RFC 7323 §7.1): TSval = a millisecond clock + F'(4-tuple, secret), so
// that TSvals reveal neither the host's uptime nor how they relate across
// connections, yet stay monotonic for one 4-tuple from one incarnation to
// the next.
#include <array>
#include <chrono>
#include <cstdint>

#include "lim/tcp/tcb/keyed_hash.hpp"
#include "lim/tcp/wire/four_tuple.hpp"

namespace lim::tcp::tcb {

class IsnGenerator {
 public:
  IsnGenerator() = default;  // draws the secret from getrandom(2)
  explicit IsnGenerator(const std::array<std::uint8_t, 32>& secret) : keyed_(secret) {}
  std::uint32_t isn(const wire::FourTuple& tuple, std::chrono::steady_clock::time_point now) const;
  std::uint32_t timestamp_offset(const wire::FourTuple& tuple) const;

 private:
  KeyedHash keyed_;
};

}  // namespace lim::tcp::tcb
