#pragma once
// What the TCP transport's tests share: the sessions' secret and
// configuration, and a raw peer that speaks lim's frames by hand — over the
// very TLS the transport uses — to misbehave in ways a real endpoint cannot.
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "lim/runtime/gate/protocol.hpp"
#include "lim/runtime/transport/session_secret.hpp"
#include "lim/runtime/transport/tcp/connection.hpp"
#include "lim/runtime/transport/tcp/frame.hpp"
#include "lim/runtime/transport/tcp/socket_address.hpp"
#include "lim/runtime/transport/tcp/tcp_session.hpp"

namespace lim::runtime::testing_tcp {

using namespace std::chrono_literals;

// The session secret of the tests' sessions: fixed, so that a forked child
// and its parent hold the same one whichever asks first.
inline const SessionSecret& test_secret() {
  static const SessionSecret secret =
      SessionSecret::from_hex("6c696d2074657374207365637265743a206e6f7420666f722070726f64756374");
  return secret;
}

inline tcp::Config config_for(const tcp::Listener* listener = nullptr) {
  tcp::Config config;
  config.session = "test";
  config.security = tcp::Security::psk(test_secret());
  config.connect_timeout = 60s;  // generous: a loaded machine must not fail the test
  if (listener) config.peers["client"] = listener->address();
  return config;
}

// A Hello as an endpoint of `protocol` playing `from` says it to `to`; it
// asks for no keepalive pings.
inline nlohmann::json testing_hello(const Protocol& protocol, const std::string& from, const std::string& to,
                                    const std::string& fingerprint = "") {
  return {{"lim", 2},
          {"session", "test"},
          {"fingerprint", fingerprint.empty() ? protocol.fingerprint() : fingerprint},
          {"from", from},
          {"to", to},
          {"channels", "unbounded"},
          {"k", 1},
          {"window", {4096, 1 << 24}},
          {"keepalive", 0}};
}

class RawPeer {
 public:
  // Connects to `address` as a participant holding `security`'s credentials
  // (the session's secret unless told otherwise) and says `hello`.
  RawPeer(const tcp::Address& address, const nlohmann::json& hello,
          const tcp::Security& security = tcp::Security::psk(test_secret()), const std::string& session = "test") {
    connection_ = tcp::Connection::open(address, tcp::TlsContext::make(security, session), "client",
                                        std::chrono::steady_clock::now() + 30s);
    std::vector<std::uint8_t> bytes;
    tcp::append_json_frame(bytes, tcp::FrameType::Hello, hello);
    write(bytes);
  }
  void write(const std::vector<std::uint8_t>& bytes) {
    ASSERT_TRUE(connection_->write_all(bytes, std::chrono::steady_clock::now() + 30s));
  }
  // False once the endpoint has closed the connection.
  bool try_write(const std::vector<std::uint8_t>& bytes) {
    return connection_->write_all(bytes, std::chrono::steady_clock::now() + 30s);
  }
  nlohmann::json welcome() {
    const auto frame = next_frame();
    return frame ? tcp::decode_json(*frame) : nlohmann::json();
  }
  // The body of the next frame the endpoint sent that is not a keepalive
  // ping or a credit (nullopt at end of stream).
  std::optional<std::vector<std::uint8_t>> next_frame() {
    while (true) {
      if (auto frame = decoder_.next()) {
        if (frame->type == tcp::FrameType::Ping || frame->type == tcp::FrameType::Credit) continue;
        return std::vector<std::uint8_t>(frame->body.begin(), frame->body.end());
      }
      std::uint8_t chunk[256];
      const auto got = connection_->read_some(chunk, std::chrono::steady_clock::now() + 30s);
      if (got.status != tcp::IoStatus::Ok) return std::nullopt;
      decoder_.append(std::span(chunk, got.bytes));
    }
  }
  // Closes with a reset instead of an orderly end of stream.
  void reset() { connection_->reset(); }
  void close() { connection_.reset(); }

 private:
  std::unique_ptr<tcp::Connection> connection_;
  tcp::FrameDecoder decoder_{1 << 20};
};


}  // namespace lim::runtime::testing_tcp
