#pragma once
// TCP segments (RFC 9293 §3.1): a zero-copy view that checks the data
// offset, the options and the checksum over the pseudo-header before any
// field is read, and a writer of whole IPv4+TCP packets.
#include <cstdint>
#include <span>
#include <vector>

#include "lim/tcp/wire/ip_address.hpp"
#include "lim/tcp/wire/tcp_options.hpp"
#include "lim/tcp/wire/wire_error.hpp"

namespace lim::tcp::wire {

inline constexpr std::size_t kTcpHeaderBytes = 20;

namespace flag {
inline constexpr std::uint8_t kFin = 0x01;
inline constexpr std::uint8_t kSyn = 0x02;
inline constexpr std::uint8_t kRst = 0x04;
inline constexpr std::uint8_t kPsh = 0x08;
inline constexpr std::uint8_t kAck = 0x10;
inline constexpr std::uint8_t kUrg = 0x20;
}  // namespace flag

// The sum of the pseudo-header (RFC 9293 §3.1) for a TCP length.
std::uint32_t pseudo_header_sum(const IpAddress& source, const IpAddress& destination, std::size_t tcp_length);

class TcpView {
 public:
  // `segment` is the IP payload; the addresses make the pseudo-header.
  static Parsed<TcpView> parse(std::span<const std::uint8_t> segment, const IpAddress& source,
                               const IpAddress& destination);

  std::uint16_t source_port() const { return read16(0); }
  std::uint16_t destination_port() const { return read16(2); }
  std::uint32_t seq() const { return read32(4); }
  std::uint32_t ack() const { return read32(8); }
  std::uint8_t flags() const { return segment_[13]; }
  bool has(std::uint8_t bits) const { return (flags() & bits) == bits; }
  std::uint16_t window() const { return read16(14); }
  std::uint16_t urgent_pointer() const { return read16(18); }
  const TcpOptions& options() const { return options_; }
  std::span<const std::uint8_t> payload() const { return segment_.subspan(header_length_); }
  std::size_t header_length() const { return header_length_; }
  // SEG.LEN: the octets of data plus one for SYN and one for FIN.
  std::uint32_t sequence_length() const {
    return static_cast<std::uint32_t>(payload().size()) + (has(flag::kSyn) ? 1 : 0) + (has(flag::kFin) ? 1 : 0);
  }

 private:
  TcpView(std::span<const std::uint8_t> segment, std::size_t header_length, TcpOptions options)
      : segment_(segment), header_length_(header_length), options_(options) {}
  std::uint16_t read16(std::size_t at) const { return static_cast<std::uint16_t>(segment_[at] << 8 | segment_[at + 1]); }
  std::uint32_t read32(std::size_t at) const {
    return std::uint32_t{segment_[at]} << 24 | std::uint32_t{segment_[at + 1]} << 16 |
           std::uint32_t{segment_[at + 2]} << 8 | segment_[at + 3];
  }

  std::span<const std::uint8_t> segment_;
  std::size_t header_length_;
  TcpOptions options_;
};

// Everything a segment to be sent says.
struct TcpSegmentFields {
  IpAddress source;
  IpAddress destination;
  std::uint16_t source_port = 0;
  std::uint16_t destination_port = 0;
  std::uint32_t seq = 0;
  std::uint32_t ack = 0;
  std::uint8_t flags = 0;
  std::uint16_t window = 0;
  TcpOptions options;
  std::span<const std::uint8_t> payload;
  std::uint16_t ip_identification = 0;
  std::uint8_t ttl = 64;
  std::uint8_t diffserv = 0;  // the DSCP; ECN stays 0 (lim has no ECN)
};

// The IPv4 packet carrying the segment, both checksums computed.
std::vector<std::uint8_t> build_ipv4_tcp(const TcpSegmentFields& fields);

}  // namespace lim::tcp::wire
