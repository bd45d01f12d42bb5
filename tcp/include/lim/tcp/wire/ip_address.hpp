#pragma once
// An IP address of either family. The server speaks IPv4 today; addresses,
// the pseudo-header and the demultiplexer's 4-tuples are already written
// for both, so IPv6 is a new header view, not a new server.
#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace lim::tcp::wire {

enum class Family : std::uint8_t { V4, V6 };

struct IpAddress {
  Family family = Family::V4;
  std::array<std::uint8_t, 16> bytes{};  // network order; IPv4 uses the first 4

  static IpAddress v4(std::uint32_t host_order);
  std::uint32_t v4_host_order() const;
  std::size_t size() const { return family == Family::V4 ? 4 : 16; }
  // Not usable as a source (RFC 1122 §3.2.1.3, RFC 9293 §3.9.2.2's remarks on
  // broadcast and multicast): 0.0.0.0/8, 127/8 from the wire, multicast,
  // limited broadcast.
  bool is_unusable_source() const;
  std::string to_string() const;
  friend auto operator<=>(const IpAddress&, const IpAddress&) = default;
};

// "198.18.0.2" → address; nullopt unless it is a dotted quad (or an IPv6
// address in its usual notation).
std::optional<IpAddress> parse_ip_address(std::string_view text);

}  // namespace lim::tcp::wire
