#include "lim/tcp/wire/checksum.hpp"

#include <bit>
#include <cstring>

namespace lim::tcp::wire {

void Checksum::add(std::span<const std::uint8_t> bytes) {
  // RFC 1071 §2: the sum does not depend on byte order (B) and may be taken
  // over wider words, folding the carries back in at the end (C). So the
  // bytes are summed as 32-bit words in the machine's order — every segment
  // received and sent passes through here — and the folded sum is swapped
  // into network order once.
  const std::uint8_t* at = bytes.data();
  std::size_t left = bytes.size();
  std::uint64_t sum = 0;
  for (; left >= 4; at += 4, left -= 4) {
    std::uint32_t word;
    std::memcpy(&word, at, 4);
    sum += word;
  }
  if (left >= 2) {
    std::uint16_t word;
    std::memcpy(&word, at, 2);
    sum += word;
    at += 2;
    left -= 2;
  }
  const bool little = std::endian::native == std::endian::little;
  if (left == 1) sum += little ? std::uint64_t{*at} : std::uint64_t{*at} << 8;  // padded with a zero octet
  while (sum >> 16) sum = (sum & 0xFFFF) + (sum >> 16);
  if (little) sum = ((sum & 0xFF) << 8) | (sum >> 8);
  sum_ += sum;
}

std::uint16_t Checksum::finish() const {
  std::uint64_t sum = sum_;
  while (sum >> 16) sum = (sum & 0xFFFF) + (sum >> 16);
  return static_cast<std::uint16_t>(~sum & 0xFFFF);
}

}  // namespace lim::tcp::wire
