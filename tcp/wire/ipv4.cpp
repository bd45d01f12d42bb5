#include "lim/tcp/wire/ipv4.hpp"

#include "lim/tcp/wire/checksum.hpp"

namespace lim::tcp::wire {

Parsed<Ipv4View> Ipv4View::parse(std::span<const std::uint8_t> bytes) {
  if (bytes.size() < kIpv4HeaderBytes) return WireError::TooShort;
  if (bytes[0] >> 4 != 4) return WireError::NotIpv4;
  const std::size_t header_length = std::size_t{bytes[0] & 0x0Fu} * 4;
  if (header_length < kIpv4HeaderBytes || header_length > bytes.size()) return WireError::BadHeaderLength;
  const std::size_t total = std::size_t{bytes[2]} << 8 | bytes[3];
  if (total < header_length || total > bytes.size()) return WireError::BadTotalLength;
  Checksum checksum;
  checksum.add(bytes.first(header_length));
  if (checksum.finish() != 0) return WireError::BadIpChecksum;
  const bool more_fragments = (bytes[6] & 0x20) != 0;
  const std::size_t offset = std::size_t{bytes[6] & 0x1Fu} << 8 | bytes[7];
  if (more_fragments || offset != 0) return WireError::Fragment;
  return Ipv4View(bytes.first(total), header_length);
}

void write_ipv4_header(std::span<std::uint8_t, kIpv4HeaderBytes> out, const IpAddress& source,
                       const IpAddress& destination, std::uint8_t protocol, std::size_t payload_length,
                       std::uint16_t identification, std::uint8_t ttl, std::uint8_t type_of_service) {
  const std::size_t total = kIpv4HeaderBytes + payload_length;
  out[0] = 0x45;
  out[1] = type_of_service;
  out[2] = static_cast<std::uint8_t>(total >> 8);
  out[3] = static_cast<std::uint8_t>(total);
  out[4] = static_cast<std::uint8_t>(identification >> 8);
  out[5] = static_cast<std::uint8_t>(identification);
  out[6] = 0x40;  // don't fragment: the server sends segments that fit the MTU
  out[7] = 0;
  out[8] = ttl;
  out[9] = protocol;
  out[10] = out[11] = 0;
  for (int i = 0; i < 4; ++i) {
    out[12 + i] = source.bytes[i];
    out[16 + i] = destination.bytes[i];
  }
  Checksum checksum;
  checksum.add(out);
  const auto sum = checksum.finish();
  out[10] = static_cast<std::uint8_t>(sum >> 8);
  out[11] = static_cast<std::uint8_t>(sum);
}

}  // namespace lim::tcp::wire
