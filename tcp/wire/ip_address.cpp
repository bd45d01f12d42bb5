#include "lim/tcp/wire/ip_address.hpp"

#include <arpa/inet.h>

#include <string>

namespace lim::tcp::wire {

IpAddress IpAddress::v4(std::uint32_t host_order) {
  IpAddress address;
  address.family = Family::V4;
  for (int i = 0; i < 4; ++i) address.bytes[i] = static_cast<std::uint8_t>(host_order >> (24 - 8 * i));
  return address;
}

std::uint32_t IpAddress::v4_host_order() const {
  return std::uint32_t{bytes[0]} << 24 | std::uint32_t{bytes[1]} << 16 | std::uint32_t{bytes[2]} << 8 | bytes[3];
}

bool IpAddress::is_unusable_source() const {
  if (family == Family::V6) return bytes[0] == 0xFF;  // multicast
  const auto first = bytes[0];
  return first == 0 || first == 127 || (first >= 224 && first <= 239) || v4_host_order() == 0xFFFFFFFFu;
}

std::string IpAddress::to_string() const {
  char text[INET6_ADDRSTRLEN] = {};
  inet_ntop(family == Family::V4 ? AF_INET : AF_INET6, bytes.data(), text, sizeof text);
  return text;
}

std::optional<IpAddress> parse_ip_address(std::string_view text) {
  const std::string copy(text);
  IpAddress address;
  if (inet_pton(AF_INET, copy.c_str(), address.bytes.data()) == 1) {
    address.family = Family::V4;
    return address;
  }
  if (inet_pton(AF_INET6, copy.c_str(), address.bytes.data()) == 1) {
    address.family = Family::V6;
    return address;
  }
  return std::nullopt;
}

}  // namespace lim::tcp::wire
