#pragma once
// What a session can fail with. Every failure of a running session is a
// SessionError, so `catch (const SessionError&)` is the one place a program
// handles "the session is over"; the subclasses say why.
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace lim::runtime {

class SessionError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The transport could not carry the session any further.
enum class TransportFailure {
  ConnectionLost,   // an I/O error or a reset connection, the broker went away
  PeerDied,         // a peer's connection ended without the peer finishing the protocol
  PeerFinished,     // waited for (or sent to) a peer that already completed its part
  MalformedFrame,   // bytes that are not a frame of this protocol (or a lost / duplicated message)
  HandshakeFailed,  // the peer runs another protocol, session or role
  ConnectTimeout,   // the peers did not all show up in time
  PeerUnresponsive, // a peer gave no sign of life for the keepalive time (stopped, partitioned, overloaded)
  Overflow,         // a peer sent more than this endpoint's receive window allows (flow control)
};
std::string_view to_string(TransportFailure failure);
// The failure a to_string text names, for failures reported over the wire.
std::optional<TransportFailure> transport_failure_named(std::string_view name);

class TransportError : public SessionError {
 public:
  // `peer` is the role on the other side, empty when the failure concerns no
  // single peer (e.g. the MQTT broker).
  TransportError(TransportFailure failure, std::string peer, const std::string& detail);
  TransportFailure failure() const { return failure_; }
  const std::string& peer() const { return peer_; }

 private:
  TransportFailure failure_;
  std::string peer_;
};

// Another participant ended the session: it failed, violated the protocol, or
// was dropped before completing it. Every endpoint still in the session gets
// this, so none of them waits forever for a message that will not come.
class SessionAborted : public SessionError {
 public:
  SessionAborted(std::string origin, std::string reason);
  const std::string& origin() const { return origin_; }  // the role that ended it
  const std::string& reason() const { return reason_; }

 private:
  std::string origin_;
  std::string reason_;
};

// A deadline the program gave to receive/offer passed first. Nothing was
// consumed: the endpoint stays in its state and the call may be repeated.
// (A `timeout(d)` branch of the spec is not an error: offer takes it.)
class DeadlineExpired : public SessionError {
 public:
  using SessionError::SessionError;
};

// A typestate object was used after it had been consumed (moved from, or
// already used for its one action).
class ConsumedState : public SessionError {
 public:
  using SessionError::SessionError;
};

}  // namespace lim::runtime
