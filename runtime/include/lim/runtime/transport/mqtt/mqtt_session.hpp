#pragma once
// A role's endpoint in a session whose roles meet through an MQTT broker
// (the distributed setting of Lagaillardie, Neykova & Yoshida, COORDINATION
// 2020): roles on different machines need only reach the broker.
//
// Topics, under `<prefix>/<session level>/` (wire.hpp: with the session
// secret the level is derived from it, so only its holders know it):
//   m/<to>/<from>   the channel from role <from> to role <to> (role numbers):
//                   data and goodbye in order, numbered; credits back, QoS 1
//   c               control: hello, ready, abort, beats (QoS 0), and `died` —
//                   every client's last will, which the broker publishes when
//                   the client's connection ends without a clean disconnect:
//                   that is how peers learn that a role died.
// Every message is authenticated and encrypted end to end with the session
// secret (wire.hpp); the broker itself is reached with a user name and
// password and over TLS as configured. Before any message is sent, every role
// has subscribed, said hello, and agreed on who plays every role (ready): two
// launches that share a session name and secret are refused, never mixed.
//
// Flow control: each receiver grants each sender a window of messages and
// bytes, well below what mosquitto holds for a subscriber by default, so the
// broker never drops a message for want of room; a sender beyond its window
// is an Overflow. Beats every keepalive/5 tell every role that its peers live.
// A broker that restarts with its sessions (persistence) is waited for up to
// reconnect_timeout and the session resumes where it was — lost or repeated
// messages would show in the sequence numbers; a broker that comes back
// without them ends the session with ConnectionLost for every role.
//
// Channels are unbounded by default: the protocol must be k-MC at the
// configured k with kmc's side conditions (Requirement{k, unbounded});
// Channels::Bounded runs the k-bounded semantics instead (channels.hpp).
#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "lim/runtime/endpoint/endpoint.hpp"
#include "lim/runtime/transport/channels.hpp"
#include "lim/runtime/transport/session_secret.hpp"

namespace lim::runtime::mqtt {

// TLS to the broker.
struct BrokerTls {
  std::filesystem::path ca_file;           // the CA of the broker's certificate
  std::filesystem::path certificate_file;  // a client certificate, if the broker asks for one
  std::filesystem::path private_key_file;
};

struct Config {
  std::string host = "127.0.0.1";
  int port = 1883;
  // Names this run of the protocol; every participant must use the same,
  // and two runs must not. Letters, digits, '-', '_' and '.' only.
  std::string session;
  std::string topic_prefix = "lim";
  unsigned k = 1;  // the bound k-MC is verified at (Bounded: each channel's capacity)
  Channels channels = Channels::Unbounded;
  // End-to-end protection of every message. Required, unless `plaintext`
  // says the broker and everybody subscribed to it are trusted.
  std::optional<SessionSecret> secret;
  bool plaintext = false;
  // The broker's login (mosquitto: password_file, allow_anonymous false).
  std::string username;
  std::string password;
  std::optional<BrokerTls> tls;
  // A peer silent for this long (no message, no beat) is PeerUnresponsive;
  // the broker's own keepalive with this client is as long (at least 5 s).
  std::chrono::milliseconds keepalive{5'000};
  // How long to wait for a broker that went away to come back (0: the
  // session ends at once, with ConnectionLost).
  std::chrono::milliseconds reconnect_timeout{10'000};
  // How long to wait for the broker and for every other role to join.
  std::chrono::milliseconds connect_timeout{30'000};
  // The receive window granted to each sender: messages (0: as many as keep
  // mosquitto's default queue of 1000 messages per client from overflowing)
  // and bytes.
  std::size_t window_messages = 0;
  std::size_t window_bytes = std::size_t{8} << 20;
  EndpointOptions endpoint;
};

// Connects to the broker and waits until every role of the protocol has
// joined the session. Throws VerificationFailed, std::invalid_argument (a
// bad session name, no secret) or TransportError (ConnectTimeout,
// ConnectionLost, HandshakeFailed).
std::unique_ptr<Endpoint> join(std::shared_ptr<const Protocol> protocol, std::string_view role,
                               const Config& config);

}  // namespace lim::runtime::mqtt
