#include "lim/runtime/transport/tcp/frame.hpp"

#include <algorithm>
#include <cstring>

#include <fmt/format.h>

namespace lim::runtime::tcp {
namespace {

void put_u32(std::vector<std::uint8_t>& out, std::size_t at, std::uint32_t value) {
  out[at] = static_cast<std::uint8_t>(value >> 24);
  out[at + 1] = static_cast<std::uint8_t>(value >> 16);
  out[at + 2] = static_cast<std::uint8_t>(value >> 8);
  out[at + 3] = static_cast<std::uint8_t>(value);
}

std::uint32_t get_u32(const std::uint8_t* bytes) {
  return (std::uint32_t{bytes[0]} << 24) | (std::uint32_t{bytes[1]} << 16) | (std::uint32_t{bytes[2]} << 8) |
         std::uint32_t{bytes[3]};
}

bool known_type(std::uint8_t type) { return type >= 1 && type <= 8; }

}  // namespace

void append_frame(std::vector<std::uint8_t>& out, FrameType type, std::span<const std::uint8_t> body) {
  const auto start = out.size();
  out.resize(start + 5);
  put_u32(out, start, static_cast<std::uint32_t>(1 + body.size()));
  out[start + 4] = static_cast<std::uint8_t>(type);
  out.insert(out.end(), body.begin(), body.end());
}

void append_data_frame(std::vector<std::uint8_t>& out, automata::LabelId label, const Payload& payload) {
  const auto start = out.size();
  out.resize(start + 9);
  out[start + 4] = static_cast<std::uint8_t>(FrameType::Data);
  put_u32(out, start + 5, label);
  nlohmann::json::to_cbor(payload, out);  // appends
  put_u32(out, start, static_cast<std::uint32_t>(out.size() - start - 4));
}

void append_json_frame(std::vector<std::uint8_t>& out, FrameType type, const nlohmann::json& body) {
  const auto bytes = nlohmann::json::to_cbor(body);
  append_frame(out, type, bytes);
}

DataFrame decode_data(std::span<const std::uint8_t> body) {
  if (body.size() < 5) throw FrameError(fmt::format("a data frame of {} bytes is too short", body.size()));
  DataFrame frame;
  frame.label = get_u32(body.data());
  try {
    frame.payload = nlohmann::json::from_cbor(body.begin() + 4, body.end());
  } catch (const nlohmann::json::exception& error) {
    throw FrameError(fmt::format("the payload is not CBOR: {}", error.what()));
  }
  return frame;
}

nlohmann::json decode_json(std::span<const std::uint8_t> body) {
  try {
    return nlohmann::json::from_cbor(body.begin(), body.end());
  } catch (const nlohmann::json::exception& error) {
    throw FrameError(fmt::format("the frame's body is not CBOR: {}", error.what()));
  }
}

std::span<std::uint8_t> FrameDecoder::prepare(std::size_t bytes) {
  if (begin_ == end_) begin_ = end_ = 0;
  if (buffer_.size() - end_ < bytes) {
    // Move the pending bytes to the front before growing.
    if (begin_ > 0) {
      std::memmove(buffer_.data(), buffer_.data() + begin_, end_ - begin_);
      end_ -= begin_;
      begin_ = 0;
    }
    if (buffer_.size() - end_ < bytes) {
      // A frame whose length is known gets room for all of it at once: one
      // buffer of its size, not a doubling series through twice as much.
      auto wanted = end_ + bytes;
      if (end_ >= 4) {
        const auto length = get_u32(buffer_.data());
        if (length <= max_frame_bytes_) wanted = std::max(wanted, 4 + std::size_t{length});
      }
      if (buffer_.capacity() < wanted) buffer_.reserve(wanted);
      buffer_.resize(wanted);
    }
  }
  return {buffer_.data() + end_, buffer_.size() - end_};
}

void FrameDecoder::append(std::span<const std::uint8_t> bytes) {
  auto room = prepare(bytes.size());
  std::memcpy(room.data(), bytes.data(), bytes.size());
  commit(bytes.size());
}

std::optional<Frame> FrameDecoder::next() {
  const auto available = end_ - begin_;
  if (available < 4) return std::nullopt;
  const auto length = get_u32(buffer_.data() + begin_);
  if (length == 0) throw FrameError("a frame of length 0");
  if (length > max_frame_bytes_)
    throw FrameError(fmt::format("a frame of {} bytes exceeds the limit of {}", length, max_frame_bytes_));
  if (available >= 5 && !known_type(buffer_[begin_ + 4]))
    throw FrameError(fmt::format("unknown frame type {}", buffer_[begin_ + 4]));
  if (available < 4 + std::size_t{length}) return std::nullopt;
  Frame frame{static_cast<FrameType>(buffer_[begin_ + 4]), {buffer_.data() + begin_ + 5, length - 1}};
  begin_ += 4 + std::size_t{length};
  return frame;
}

}  // namespace lim::runtime::tcp
