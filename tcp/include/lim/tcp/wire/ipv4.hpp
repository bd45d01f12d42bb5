#pragma once
// IPv4 headers (RFC 791): a zero-copy view that checks every length and the
// header checksum before anything reads past them, and a writer.
#include <cstdint>
#include <span>

#include "lim/tcp/wire/ip_address.hpp"
#include "lim/tcp/wire/wire_error.hpp"

namespace lim::tcp::wire {

inline constexpr std::uint8_t kProtocolTcp = 6;
inline constexpr std::size_t kIpv4HeaderBytes = 20;

class Ipv4View {
 public:
  // `bytes` is one packet as the link delivered it; bytes past the total
  // length (link padding) are ignored.
  static Parsed<Ipv4View> parse(std::span<const std::uint8_t> bytes);

  IpAddress source() const { return IpAddress::v4(read32(12)); }
  IpAddress destination() const { return IpAddress::v4(read32(16)); }
  std::uint8_t protocol() const { return packet_[9]; }
  std::uint8_t ttl() const { return packet_[8]; }
  // The DSCP in its six high bits (RFC 2474), ECN in the low two (RFC 3168).
  std::uint8_t type_of_service() const { return packet_[1]; }
  std::uint16_t identification() const { return static_cast<std::uint16_t>(packet_[4] << 8 | packet_[5]); }
  std::size_t header_length() const { return header_length_; }
  std::span<const std::uint8_t> packet() const { return packet_; }
  std::span<const std::uint8_t> payload() const { return packet_.subspan(header_length_); }

 private:
  Ipv4View(std::span<const std::uint8_t> packet, std::size_t header_length)
      : packet_(packet), header_length_(header_length) {}
  std::uint32_t read32(std::size_t at) const {
    return std::uint32_t{packet_[at]} << 24 | std::uint32_t{packet_[at + 1]} << 16 |
           std::uint32_t{packet_[at + 2]} << 8 | packet_[at + 3];
  }

  std::span<const std::uint8_t> packet_;
  std::size_t header_length_;
};

// Writes a 20-byte header (no options, DF set) for a payload of
// `payload_length` bytes into `out`, checksum included.
void write_ipv4_header(std::span<std::uint8_t, kIpv4HeaderBytes> out, const IpAddress& source,
                       const IpAddress& destination, std::uint8_t protocol, std::size_t payload_length,
                       std::uint16_t identification, std::uint8_t ttl = 64, std::uint8_t type_of_service = 0);

}  // namespace lim::tcp::wire
