#pragma once
// The one interface every transport implements: it moves labelled payloads
// between the endpoints of one session, and tells every endpoint still in
// the session when the session cannot go on. It knows nothing of automata;
// the endpoint's monitor decides what may be sent and accepted.
#include <optional>
#include <span>
#include <string_view>

#include "lim/automata/cfsm.hpp"
#include "lim/runtime/clock/clock.hpp"
#include "lim/runtime/endpoint/payload.hpp"
#include "lim/runtime/endpoint/session_error.hpp"
#include "lim/runtime/gate/requirement.hpp"

namespace lim::runtime {

struct IncomingMessage {
  automata::RoleId from = 0;
  automata::LabelId label = 0;
  Payload payload;
  std::size_t bytes = 0;  // its size on the wire, for flow control
};

class Transport {
 public:
  virtual ~Transport() = default;

  virtual std::string_view name() const = 0;  // "in-process", "tcp", "mqtt"
  // What the protocol must have been verified for to run over this transport.
  virtual Requirement requirement() const = 0;

  // Sends one message; blocks while a bounded channel is full. Throws a
  // SessionError (TransportError, SessionAborted) when the session is over.
  virtual void send(automata::RoleId to, automata::LabelId label, Payload payload) = 0;
  // The next message from any role of `from` (FIFO per sender), or nullopt
  // once `deadline` has passed with none. A message that is there is
  // returned even when the deadline has passed. Throws a SessionError when
  // the session is over, which includes a peer of the session failing while
  // this endpoint waits for somebody else.
  virtual std::optional<IncomingMessage> receive(std::span<const automata::RoleId> from, Deadline deadline) = 0;
  // The endpoint reached a final state: its peers learn it left cleanly, so
  // that its connections closing is not mistaken for a death.
  virtual void finish() = 0;
  // Ends the session for every endpoint still in it, giving `reason`. Best
  // effort and idempotent: it never throws, and a second call does nothing.
  virtual void abort(std::string_view reason) noexcept = 0;
  // Ends the session because of a transport failure this endpoint saw. A
  // transport that can tell its peers which failure it was does, so that one
  // event reaches every role as one kind (a killed peer is PeerDied for all,
  // not PeerDied for one and SessionAborted for the others).
  virtual void report_failure(const TransportError& failure) noexcept { abort(failure.what()); }
};

}  // namespace lim::runtime
