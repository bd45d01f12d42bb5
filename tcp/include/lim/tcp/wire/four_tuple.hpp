#pragma once
// A connection's identity (RFC 9293 §3.3.1's "socket pair"), seen from lim:
// local address and port, remote address and port.
#include <compare>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>

#include "lim/tcp/wire/ip_address.hpp"

namespace lim::tcp::wire {

struct FourTuple {
  IpAddress local;
  std::uint16_t local_port = 0;
  IpAddress remote;
  std::uint16_t remote_port = 0;
  friend auto operator<=>(const FourTuple&, const FourTuple&) = default;
  // "198.18.0.1:40000 → 198.18.0.2:7", remote first, as a log line reads it.
  std::string to_string() const;
};

struct FourTupleHash {
  std::size_t operator()(const FourTuple& tuple) const;
};

}  // namespace lim::tcp::wire
