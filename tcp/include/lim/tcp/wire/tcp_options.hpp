#pragma once
// TCP options (RFC 9293 §3.1, §3.7.1; RFC 7323; RFC 2018): MSS, window
// scale, SACK-permitted, SACK blocks and timestamps are understood; any
// other option is skipped by its length (MUST-6); lengths below 2 or past
// the header are a typed error (MUST-7). Options are read at any alignment
// (MUST-64).
#include <array>
#include <cstdint>
#include <optional>
#include <span>

#include "lim/tcp/wire/wire_error.hpp"

namespace lim::tcp::wire {

namespace option_kind {
inline constexpr std::uint8_t kEnd = 0;
inline constexpr std::uint8_t kNoOperation = 1;
inline constexpr std::uint8_t kMaximumSegmentSize = 2;
inline constexpr std::uint8_t kWindowScale = 3;
inline constexpr std::uint8_t kSackPermitted = 4;
inline constexpr std::uint8_t kSack = 5;
inline constexpr std::uint8_t kTimestamps = 8;
}  // namespace option_kind

struct Timestamps {
  std::uint32_t value = 0;
  std::uint32_t echo_reply = 0;
};

struct SackBlock {
  std::uint32_t left = 0;   // first sequence number of the block
  std::uint32_t right = 0;  // the one after its last
};

struct TcpOptions {
  std::optional<std::uint16_t> maximum_segment_size;
  std::optional<std::uint8_t> window_scale;
  bool sack_permitted = false;
  std::optional<Timestamps> timestamps;
  std::array<SackBlock, 4> sack{};
  std::uint8_t sack_blocks = 0;
};

// The largest option space a TCP header has (data offset 15).
inline constexpr std::size_t kMaxOptionBytes = 40;

Parsed<TcpOptions> parse_tcp_options(std::span<const std::uint8_t> bytes);
// Writes the options present, NOP-aligned, zero-padded to a multiple of 4
// (MUST-69), and returns the bytes written (at most kMaxOptionBytes; SACK
// blocks that do not fit are left out).
std::size_t write_tcp_options(const TcpOptions& options, std::span<std::uint8_t, kMaxOptionBytes> out);

}  // namespace lim::tcp::wire
