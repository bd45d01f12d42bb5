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
// TCP channels hold any number of messages, so the protocol must be k-MC at
// the configured k with kmc's side conditions (Requirement{k, unbounded}).
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "lim/runtime/endpoint/endpoint.hpp"
#include "lim/runtime/transport/tcp/socket_address.hpp"

namespace lim::runtime::tcp {

class Listener;

struct Config {
  std::string session = "lim";  // both ends of every connection must agree
  unsigned k = 1;               // the bound k-MC is verified at
  // Where the roles declared before this one listen, by role name.
  std::map<std::string, Address, std::less<>> peers;
  // Where the roles declared after this one connect (nullptr if none).
  Listener* listener = nullptr;
  // How long to wait for every peer to connect and shake hands (real time).
  std::chrono::milliseconds connect_timeout{30'000};
  std::size_t max_frame_bytes = std::size_t{16} << 20;
  // Messages buffered per peer before this endpoint stops reading from it,
  // leaving the rest to TCP's flow control.
  std::size_t max_buffered_messages = 4096;
  EndpointOptions endpoint;
};

// Connects `role`'s endpoint to all its peers. Throws VerificationFailed
// (protocol not verified for the configuration), std::invalid_argument (a
// missing address or listener) or TransportError (ConnectTimeout,
// HandshakeFailed, MalformedFrame).
std::unique_ptr<Endpoint> join(std::shared_ptr<const Protocol> protocol, std::string_view role,
                               const Config& config);

}  // namespace lim::runtime::tcp
