#include "lim/tcp/wire/checksum.hpp"

namespace lim::tcp::wire {

void Checksum::add(std::span<const std::uint8_t> bytes) {
  std::size_t i = 0;
  for (; i + 1 < bytes.size(); i += 2) sum_ += static_cast<std::uint32_t>(bytes[i] << 8 | bytes[i + 1]);
  if (i < bytes.size()) sum_ += static_cast<std::uint32_t>(bytes[i] << 8);
}

std::uint16_t Checksum::finish() const {
  std::uint64_t sum = sum_;
  while (sum >> 16) sum = (sum & 0xFFFF) + (sum >> 16);
  return static_cast<std::uint16_t>(~sum & 0xFFFF);
}

}  // namespace lim::tcp::wire
