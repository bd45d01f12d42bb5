#pragma once
// A role's endpoint in a session whose roles meet through an MQTT broker
// (the distributed setting of Lagaillardie, Neykova & Yoshida, COORDINATION
// 2020): roles on different machines need only reach the broker.
//
// Topics, under `<prefix>/<session>/`:
//   m/<to>/<from>   the messages from role <from> to role <to> (role numbers),
//                   each `seq:u32 label:u32 payload-in-CBOR`, QoS 1
//   c               control, CBOR: hello (join), goodbye (completed), abort,
//                   and `died` — every client's last will, which the broker
//                   publishes when the client's connection ends without a
//                   clean disconnect: that is how peers learn that a role died.
// Before any message is sent, every role has subscribed and said hello, so
// no message is published before its receiver listens. Sequence numbers per
// channel turn a lost or repeated message into a MalformedFrame error.
//
// Channels hold any number of messages: the protocol must be k-MC at the
// configured k with kmc's side conditions (Requirement{k, unbounded}).
#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "lim/runtime/endpoint/endpoint.hpp"

namespace lim::runtime::mqtt {

struct Config {
  std::string host = "127.0.0.1";
  int port = 1883;
  // Names this run of the protocol; every participant must use the same,
  // and two runs must not. Letters, digits, '-', '_' and '.' only.
  std::string session;
  std::string topic_prefix = "lim";
  unsigned k = 1;  // the bound k-MC is verified at
  // How often the client and the broker check on each other: a peer whose
  // network vanishes is declared dead within about 1.5 keep-alives.
  std::chrono::seconds keepalive{10};
  // How long to wait for the broker and for every other role to join.
  std::chrono::milliseconds connect_timeout{30'000};
  EndpointOptions endpoint;
};

// Connects to the broker and waits until every role of the protocol has
// joined the session. Throws VerificationFailed, std::invalid_argument (a
// bad session name) or TransportError (ConnectTimeout, ConnectionLost,
// HandshakeFailed).
std::unique_ptr<Endpoint> join(std::shared_ptr<const Protocol> protocol, std::string_view role,
                               const Config& config);

}  // namespace lim::runtime::mqtt
