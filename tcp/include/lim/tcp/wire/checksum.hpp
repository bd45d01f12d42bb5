#pragma once
// The Internet checksum (RFC 1071): the ones' complement of the ones'
// complement sum of 16-bit words. Accumulated in 64 bits and folded once, so
// a pseudo-header and a payload can be summed in pieces.
#include <cstdint>
#include <span>

namespace lim::tcp::wire {

class Checksum {
 public:
  // Adds bytes as big-endian 16-bit words; an odd final byte is padded with
  // zero. Pieces after the first must start on an even offset of the whole.
  void add(std::span<const std::uint8_t> bytes);
  void add16(std::uint16_t word) { sum_ += word; }
  void add32(std::uint32_t word) { sum_ += (word >> 16) + (word & 0xFFFF); }
  // The checksum field's value; over data that includes a correct checksum
  // field, finish() is 0.
  std::uint16_t finish() const;

 private:
  std::uint64_t sum_ = 0;
};

}  // namespace lim::tcp::wire
