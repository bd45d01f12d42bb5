#pragma once
// Why bytes from the network are not a packet the server will look at.
// Parsing never throws and never trusts a length field: every rejection is
// one of these values, so a malformed packet is counted and dropped
// (RFC 9293 MUST-3 for bad checksums), never a crash.
#include <cstdint>
#include <string_view>

namespace lim::tcp::wire {

enum class WireError : std::uint8_t {
  TooShort,           // fewer bytes than the fixed header
  NotIpv4,            // version field is not 4
  BadHeaderLength,    // IHL below 5 or past the packet
  BadTotalLength,     // total length below the header or past the bytes read
  BadIpChecksum,
  Fragment,           // MF set or a fragment offset: the server does not reassemble IP
  NotTcp,             // another protocol
  BadDataOffset,      // TCP data offset below 5 or past the segment
  BadTcpChecksum,
  BadOptionLength,    // an option's length below 2 or running past the header
  BadOptionValue,     // a known option with the wrong length (MSS of 3 bytes, …)
  BadAddress,         // a source address no host may use (multicast, broadcast, ...)
};

std::string_view describe(WireError error);

}  // namespace lim::tcp::wire

#include <utility>
#include <variant>

namespace lim::tcp::wire {

// A parsed value or why there is none.
template <class T>
class Parsed {
 public:
  Parsed(T value) : state_(std::move(value)) {}  // NOLINT(google-explicit-constructor)
  Parsed(WireError error) : state_(error) {}     // NOLINT(google-explicit-constructor)
  bool ok() const { return std::holds_alternative<T>(state_); }
  explicit operator bool() const { return ok(); }
  const T& operator*() const { return std::get<T>(state_); }
  const T* operator->() const { return &std::get<T>(state_); }
  WireError error() const { return std::get<WireError>(state_); }

 private:
  std::variant<T, WireError> state_;
};

}  // namespace lim::tcp::wire
