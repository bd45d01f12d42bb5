#include "lim/tcp/wire/tcp_options.hpp"

#include <algorithm>

namespace lim::tcp::wire {
namespace {

std::uint32_t read32(std::span<const std::uint8_t> bytes, std::size_t at) {
  return std::uint32_t{bytes[at]} << 24 | std::uint32_t{bytes[at + 1]} << 16 | std::uint32_t{bytes[at + 2]} << 8 |
         bytes[at + 3];
}

void write32(std::span<std::uint8_t> out, std::size_t at, std::uint32_t value) {
  for (int i = 0; i < 4; ++i) out[at + static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(value >> (24 - 8 * i));
}

}  // namespace

Parsed<TcpOptions> parse_tcp_options(std::span<const std::uint8_t> bytes) {
  TcpOptions options;
  std::size_t at = 0;
  while (at < bytes.size()) {
    const std::uint8_t kind = bytes[at];
    if (kind == option_kind::kEnd) break;
    if (kind == option_kind::kNoOperation) {
      ++at;
      continue;
    }
    if (at + 1 >= bytes.size()) return WireError::BadOptionLength;
    const std::size_t length = bytes[at + 1];
    if (length < 2 || at + length > bytes.size()) return WireError::BadOptionLength;
    const auto body = bytes.subspan(at + 2, length - 2);
    switch (kind) {
      case option_kind::kMaximumSegmentSize:
        if (length != 4) return WireError::BadOptionValue;
        options.maximum_segment_size = static_cast<std::uint16_t>(body[0] << 8 | body[1]);
        break;
      case option_kind::kWindowScale:
        if (length != 3) return WireError::BadOptionValue;
        options.window_scale = body[0];
        break;
      case option_kind::kSackPermitted:
        if (length != 2) return WireError::BadOptionValue;
        options.sack_permitted = true;
        break;
      case option_kind::kSack:
        if ((length - 2) % 8 != 0 || length == 2) return WireError::BadOptionValue;
        for (std::size_t block = 0; block < (length - 2) / 8 && options.sack_blocks < options.sack.size(); ++block)
          options.sack[options.sack_blocks++] = {read32(body, block * 8), read32(body, block * 8 + 4)};
        break;
      case option_kind::kTimestamps:
        if (length != 10) return WireError::BadOptionValue;
        options.timestamps = Timestamps{read32(body, 0), read32(body, 4)};
        break;
      default: break;  // unknown: skipped by its length (MUST-6)
    }
    at += length;
  }
  return options;
}

std::size_t write_tcp_options(const TcpOptions& options, std::span<std::uint8_t, kMaxOptionBytes> out) {
  std::size_t at = 0;
  const auto nop = [&] { out[at++] = option_kind::kNoOperation; };
  if (options.maximum_segment_size) {
    out[at++] = option_kind::kMaximumSegmentSize;
    out[at++] = 4;
    out[at++] = static_cast<std::uint8_t>(*options.maximum_segment_size >> 8);
    out[at++] = static_cast<std::uint8_t>(*options.maximum_segment_size);
  }
  if (options.sack_permitted && !options.timestamps) {
    nop();
    nop();
    out[at++] = option_kind::kSackPermitted;
    out[at++] = 2;
  }
  if (options.timestamps) {
    if (options.sack_permitted) {
      out[at++] = option_kind::kSackPermitted;
      out[at++] = 2;
    } else {
      nop();
      nop();
    }
    out[at++] = option_kind::kTimestamps;
    out[at++] = 10;
    write32(out, at, options.timestamps->value);
    write32(out, at + 4, options.timestamps->echo_reply);
    at += 8;
  }
  if (options.window_scale) {
    nop();
    out[at++] = option_kind::kWindowScale;
    out[at++] = 3;
    out[at++] = *options.window_scale;
  }
  if (options.sack_blocks > 0 && at + 2 + 8 + 2 <= kMaxOptionBytes) {
    const std::size_t room = (kMaxOptionBytes - at - 4) / 8;
    const std::size_t blocks = std::min<std::size_t>(options.sack_blocks, room);
    nop();
    nop();
    out[at++] = option_kind::kSack;
    out[at++] = static_cast<std::uint8_t>(2 + 8 * blocks);
    for (std::size_t block = 0; block < blocks; ++block) {
      write32(out, at, options.sack[block].left);
      write32(out, at + 4, options.sack[block].right);
      at += 8;
    }
  }
  while (at % 4 != 0) out[at++] = option_kind::kEnd;  // zero padding
  return at;
}

}  // namespace lim::tcp::wire
