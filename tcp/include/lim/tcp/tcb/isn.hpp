#pragma once
// Initial sequence numbers per RFC 9293 §3.4.1 and RFC 6528:
// ISN = M + F(localip, localport, remoteip, remoteport, secretkey), where M
// is a 4-microsecond clock (MUST-8) and F a keyed hash — SHA-256 over a
// 256-bit secret drawn from the kernel at start — that no one outside the
// host can compute (SHLD-1, MUST-9).
#include <array>
#include <chrono>
#include <cstdint>

#include "lim/tcp/wire/four_tuple.hpp"

namespace lim::tcp::tcb {

class IsnGenerator {
 public:
  IsnGenerator();  // draws the secret from getrandom(2)
  explicit IsnGenerator(const std::array<std::uint8_t, 32>& secret) : secret_(secret) {}
  std::uint32_t isn(const wire::FourTuple& tuple, std::chrono::steady_clock::time_point now) const;

 private:
  std::array<std::uint8_t, 32> secret_{};
};

}  // namespace lim::tcp::tcb
