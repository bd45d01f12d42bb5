// libFuzzer: the runtime's TCP frame decoder, fed by a peer that may be
// anyone. The first byte chooses how the rest is cut into reads; every frame
// that comes out re-encodes to the bytes it came from; a Data or JSON body
// either decodes or is a FrameError — nothing else may escape.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <vector>

#include "fuzz_support.hpp"
#include "lim/runtime/transport/tcp/frame.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::size_t chunk = 1 + data[0] % 64;
  const std::span<const std::uint8_t> stream(data + 1, size - 1);
  lim::runtime::tcp::FrameDecoder decoder(1 << 16);
  std::size_t consumed = 0;
  try {
    for (std::size_t at = 0; at < stream.size(); at += chunk) {
      decoder.append(stream.subspan(at, std::min(chunk, stream.size() - at)));
      while (const auto frame = decoder.next()) {
        std::vector<std::uint8_t> again;
        lim::runtime::tcp::append_frame(again, frame->type, frame->body);
        if (consumed + again.size() > stream.size() ||
            std::memcmp(again.data(), stream.data() + consumed, again.size()) != 0)
          lim::fuzz::broken_promise("a frame does not re-encode to its bytes", "(binary)");
        consumed += again.size();
        try {
          if (frame->type == lim::runtime::tcp::FrameType::Data)
            (void)lim::runtime::tcp::decode_data(frame->body);
          else if (frame->type == lim::runtime::tcp::FrameType::Hello ||
                   frame->type == lim::runtime::tcp::FrameType::Welcome ||
                   frame->type == lim::runtime::tcp::FrameType::Failed)
            (void)lim::runtime::tcp::decode_json(frame->body);
        } catch (const lim::runtime::tcp::FrameError&) {
          // a malformed body: what the transport reports as a violation
        }
      }
    }
  } catch (const lim::runtime::tcp::FrameError&) {
    // a malformed frame header (unknown type, oversized length): the
    // connection is closed with that error
  }
  return 0;
}
