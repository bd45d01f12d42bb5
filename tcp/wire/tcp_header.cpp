#include "lim/tcp/wire/tcp_header.hpp"

#include <algorithm>

#include "lim/tcp/wire/checksum.hpp"
#include "lim/tcp/wire/ipv4.hpp"

namespace lim::tcp::wire {

std::uint32_t pseudo_header_sum(const IpAddress& source, const IpAddress& destination, std::size_t tcp_length) {
  Checksum sum;
  sum.add(std::span(source.bytes.data(), source.size()));
  sum.add(std::span(destination.bytes.data(), destination.size()));
  std::uint32_t total = 0;
  // Folded here and re-added by the caller, as words.
  const std::uint16_t folded = static_cast<std::uint16_t>(~sum.finish());
  total += folded;
  total += kProtocolTcp;
  if (source.family == Family::V6) {
    total += static_cast<std::uint32_t>(tcp_length >> 16);
    total += static_cast<std::uint32_t>(tcp_length & 0xFFFF);
  } else {
    total += static_cast<std::uint32_t>(tcp_length);
  }
  return total;
}

Parsed<TcpView> TcpView::parse(std::span<const std::uint8_t> segment, const IpAddress& source,
                               const IpAddress& destination) {
  if (segment.size() < kTcpHeaderBytes) return WireError::TooShort;
  const std::size_t header_length = static_cast<std::size_t>(segment[12] >> 4) * 4;
  if (header_length < kTcpHeaderBytes || header_length > segment.size()) return WireError::BadDataOffset;
  Checksum checksum;
  checksum.add32(pseudo_header_sum(source, destination, segment.size()));
  checksum.add(segment);
  if (checksum.finish() != 0) return WireError::BadTcpChecksum;
  auto options = parse_tcp_options(segment.subspan(kTcpHeaderBytes, header_length - kTcpHeaderBytes));
  if (!options) return options.error();
  return TcpView(segment, header_length, *options);
}

std::vector<std::uint8_t> build_ipv4_tcp(const TcpSegmentFields& fields) {
  std::array<std::uint8_t, kMaxOptionBytes> option_bytes{};
  const std::size_t options = write_tcp_options(fields.options, option_bytes);
  const std::size_t tcp_length = kTcpHeaderBytes + options + fields.payload.size();
  std::vector<std::uint8_t> packet(kIpv4HeaderBytes + tcp_length);
  write_ipv4_header(std::span<std::uint8_t, kIpv4HeaderBytes>(packet.data(), kIpv4HeaderBytes), fields.source,
                    fields.destination, kProtocolTcp, tcp_length, fields.ip_identification,
                    fields.ttl, static_cast<std::uint8_t>(fields.diffserv << 2));
  std::uint8_t* tcp = packet.data() + kIpv4HeaderBytes;
  const auto put16 = [&](std::size_t at, std::uint16_t value) {
    tcp[at] = static_cast<std::uint8_t>(value >> 8);
    tcp[at + 1] = static_cast<std::uint8_t>(value);
  };
  const auto put32 = [&](std::size_t at, std::uint32_t value) {
    put16(at, static_cast<std::uint16_t>(value >> 16));
    put16(at + 2, static_cast<std::uint16_t>(value));
  };
  put16(0, fields.source_port);
  put16(2, fields.destination_port);
  put32(4, fields.seq);
  put32(8, fields.ack);
  tcp[12] = static_cast<std::uint8_t>(((kTcpHeaderBytes + options) / 4) << 4);
  tcp[13] = fields.flags;
  put16(14, fields.window);
  put16(16, 0);
  put16(18, 0);
  std::copy_n(option_bytes.begin(), options, tcp + kTcpHeaderBytes);
  std::copy(fields.payload.begin(), fields.payload.end(), tcp + kTcpHeaderBytes + options);
  Checksum checksum;
  checksum.add32(pseudo_header_sum(fields.source, fields.destination, tcp_length));
  checksum.add(std::span(tcp, tcp_length));
  put16(16, checksum.finish());
  return packet;
}

}  // namespace lim::tcp::wire
