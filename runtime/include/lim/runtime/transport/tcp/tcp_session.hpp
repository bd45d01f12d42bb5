#pragma once
// A role's endpoint in a session over TCP: one connection per pair of roles
// (a full mesh, so that every endpoint hears at once when any peer dies),
// length-prefixed frames, CBOR payloads (frame.hpp). Roles usually run in
// separate processes or on separate hosts.
//
// For each pair, the role declared later in the spec connects to the one
// declared earlier: a role listens (Listener) when some role comes after
// it, and is given the addresses of the roles before it. The handshake
// checks that both ends run the same automata (fingerprint), the same
// session and the roles they expect.
//
// Every connection is TLS 1.3 authenticated by the session secret or by
// certificates (Config::security, security.hpp); a connection that cannot
// authenticate, or that does not finish its handshake within
// handshake_timeout, is dropped and the session goes on assembling. Handshakes
// run concurrently, so one idle or hostile connection delays nobody.
//
// Channels are unbounded by default: the protocol must be k-MC at the
// configured k with kmc's side conditions (Requirement{k, unbounded}).
// Channels::Bounded runs the k-bounded semantics instead (channels.hpp).
// Either way a receiver grants each peer a window of messages and bytes
// (flow control): a peer that sends beyond it is an Overflow, so a flood
// never grows an endpoint's memory. Every endpoint pings its peers while it
// is idle, so a stopped or partitioned peer is detected within `keepalive`
// (PeerUnresponsive) by every role waiting on it.
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "lim/runtime/endpoint/endpoint.hpp"
#include "lim/runtime/transport/channels.hpp"
#include "lim/runtime/transport/tcp/security.hpp"
#include "lim/runtime/transport/tcp/socket_address.hpp"

namespace lim::runtime::tcp {

class Listener;

struct Config {
  std::string session = "lim";  // both ends of every connection must agree
  unsigned k = 1;               // the bound k-MC is verified at (Bounded: each channel's capacity)
  Channels channels = Channels::Unbounded;
  Security security;  // required: psk, certificates or (explicitly) plaintext
  // Where the roles declared before this one listen, by role name.
  std::map<std::string, Address, std::less<>> peers;
  // Where the roles declared after this one connect (nullptr if none).
  Listener* listener = nullptr;
  // How long to wait for every peer to connect and shake hands (real time).
  std::chrono::milliseconds connect_timeout{30'000};
  // How long one connection may take over its handshake before it is dropped.
  std::chrono::milliseconds handshake_timeout{5'000};
  // A peer silent for this long (no message, no ping) is PeerUnresponsive;
  // 0 turns the keepalive off.
  std::chrono::milliseconds keepalive{5'000};
  std::size_t max_frame_bytes = std::size_t{16} << 20;
  // The receive window granted to each peer (Unbounded channels): messages
  // and bytes received but not yet taken. A frame larger than the byte
  // window is still accepted when it is the only one.
  std::size_t max_buffered_messages = 4096;
  std::size_t max_buffered_bytes = std::size_t{16} << 20;
  EndpointOptions endpoint;
};

// Connects `role`'s endpoint to all its peers. Throws VerificationFailed
// (protocol not verified for the configuration), std::invalid_argument (a
// missing address, listener or security) or TransportError (ConnectTimeout,
// HandshakeFailed, MalformedFrame).
std::unique_ptr<Endpoint> join(std::shared_ptr<const Protocol> protocol, std::string_view role,
                               const Config& config);

}  // namespace lim::runtime::tcp
