#pragma once
// lim's frames on a TCP stream between two endpoints:
//
//   frame = length:u32 (big-endian) type:u8 body      length = 1 + |body|
//   Hello   (1)  CBOR {"lim": 2, "session", "fingerprint", "from", "to",
//                      "channels", "k", "window": [messages, bytes]}         connector → acceptor
//   Welcome (5)  CBOR {"lim": 2, "ok": bool, "error": text, "window"}      acceptor → connector
//   Data    (2)  label:u32 (big-endian) then the payload in CBOR
//   Goodbye (3)  empty: the sender completed its role
//   Abort   (4)  UTF-8 reason: the sender ended the session
//   Credit  (6)  consumed:u64 — how many Data frames the sender of this
//                frame has taken from the connection in all (flow control)
//   Failed  (7)  CBOR {"failure", "peer", "detail"}: the sender's session
//                ended with this transport failure, which every role reports
//   Ping    (8)  empty: the sender is alive (keepalive)
//
// Parsing is kept apart from the transport's I/O so that it can be tested
// byte by byte; a frame that does not follow this grammar is a FrameError.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "lim/automata/cfsm.hpp"
#include "lim/runtime/endpoint/payload.hpp"

namespace lim::runtime::tcp {

enum class FrameType : std::uint8_t {
  Hello = 1,
  Data = 2,
  Goodbye = 3,
  Abort = 4,
  Welcome = 5,
  Credit = 6,
  Failed = 7,
  Ping = 8,
};

class FrameError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct Frame {
  FrameType type = FrameType::Data;
  std::span<const std::uint8_t> body;  // valid until the decoder is used again
};

// Appends a whole frame to `out`.
void append_frame(std::vector<std::uint8_t>& out, FrameType type, std::span<const std::uint8_t> body);
void append_data_frame(std::vector<std::uint8_t>& out, automata::LabelId label, const Payload& payload);
void append_json_frame(std::vector<std::uint8_t>& out, FrameType type, const nlohmann::json& body);

struct DataFrame {
  automata::LabelId label = 0;
  Payload payload;
};
DataFrame decode_data(std::span<const std::uint8_t> body);            // throws FrameError
nlohmann::json decode_json(std::span<const std::uint8_t> body);       // throws FrameError

// Cuts a byte stream into frames.
class FrameDecoder {
 public:
  explicit FrameDecoder(std::size_t max_frame_bytes) : max_frame_bytes_(max_frame_bytes) {}
  // Room for at least `bytes` more; write into it, then commit what was written.
  std::span<std::uint8_t> prepare(std::size_t bytes);
  void commit(std::size_t bytes) { end_ += bytes; }
  void append(std::span<const std::uint8_t> bytes);
  // The next complete frame, or nullopt when more bytes are needed.
  std::optional<Frame> next();
  bool empty() const { return begin_ == end_; }  // no partial frame pending
  // The bytes not yet returned as frames.
  std::span<const std::uint8_t> pending() const { return {buffer_.data() + begin_, end_ - begin_}; }

 private:
  std::size_t max_frame_bytes_;
  std::vector<std::uint8_t> buffer_;
  std::size_t begin_ = 0;
  std::size_t end_ = 0;
};

}  // namespace lim::runtime::tcp
