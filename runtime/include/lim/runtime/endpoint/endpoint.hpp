#pragma once
// A role's endpoint in a running session: the monitored dynamic API.
//
// Every action is checked against the role's automaton before it happens:
// a send the current state does not offer, or a payload of the wrong sort,
// throws ProtocolViolation (Culprit::Local) and sends nothing. Every message
// taken from a peer is checked too: a label the state does not accept from
// that peer, or a payload of the wrong sort, is reported as a
// ProtocolViolation (Culprit::Peer) and ends the session for everyone.
//
// The generated typestate API drives the same engine through send_step and
// receive_step. An endpoint belongs to one thread at a time; metadata() may
// be read from any thread.
#include <atomic>
#include <cstdint>
#include <exception>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "lim/runtime/endpoint/endpoint_options.hpp"
#include "lim/runtime/endpoint/metadata.hpp"
#include "lim/runtime/endpoint/received.hpp"
#include "lim/runtime/endpoint/role_monitor.hpp"
#include "lim/runtime/endpoint/session_error.hpp"
#include "lim/runtime/transport/transport.hpp"

namespace lim::runtime {

class Endpoint {
 public:
  // Requires the protocol to be verified for the transport (Protocol::require).
  Endpoint(std::shared_ptr<const Protocol> protocol, automata::RoleId role, std::unique_ptr<Transport> transport,
           EndpointOptions options = {});
  // An endpoint dropped before completing its role ends the session for the
  // other endpoints (SessionAborted), so none of them waits forever.
  ~Endpoint();
  Endpoint(const Endpoint&) = delete;
  Endpoint& operator=(const Endpoint&) = delete;

  // ---- the monitored API ----------------------------------------------------------
  // Sends `label(payload)` to `peer`; the current state must offer that send.
  void send(std::string_view peer, std::string_view label, Payload payload = nullptr);
  // The same action read as an internal choice: picks `label` among the
  // state's alternatives.
  void select(std::string_view peer, std::string_view label, Payload payload = nullptr) {
    send(peer, label, std::move(payload));
  }
  // The next message from `peer`, whichever label the state accepts from it;
  // the state's timeout branch, if it has one, when that passes first;
  // DeadlineExpired (state unchanged) when `deadline` passes first.
  Received receive(std::string_view peer, Deadline deadline = std::nullopt);
  // Whatever the state allows: a message from any peer it receives from, or
  // its timeout branch.
  Received offer(Deadline deadline = std::nullopt);

  // ---- the role's state variables (guards and timeout(variable) read them) ---------------
  // Throws std::invalid_argument unless `name` is a state variable of the
  // role and `value` fits its type.
  void set_variable(std::string_view name, std::uint64_t value);
  const Payload& variables() const { return variables_; }

  // ---- the engine, for generated code ------------------------------------------------
  struct Step {
    std::uint32_t transition = 0;  // index into the role's CFSM transitions
    Payload payload;
  };
  // Both check that the endpoint is in `state` (the typestate object and the
  // engine agree) before doing anything.
  void send_step(automata::StateId state, std::uint32_t transition, Payload payload);
  Step receive_step(automata::StateId state, Deadline deadline = std::nullopt);
  // A generated decoder could not read a peer's payload as the C++ type the
  // API promises: a peer violation, which ends the session.
  [[noreturn]] void reject_payload(const Step& step, std::string_view why);
  // Ends the session for everybody unless this endpoint completed or failed
  // already (typestate objects call it when dropped unused).
  void abandon(std::string_view why) noexcept;

  // ---- metadata ---------------------------------------------------------------------------
  const Protocol& protocol() const { return *protocol_; }
  const std::shared_ptr<const Protocol>& shared_protocol() const { return protocol_; }
  automata::RoleId role() const { return role_; }
  const std::string& role_name() const { return protocol_->role_name(role_); }
  automata::StateId state() const { return monitor_.state(); }
  std::uint64_t operations() const { return monitor_.operations(); }
  bool complete() const { return status_.load() == Status::Complete; }
  bool failed() const { return status_.load() == Status::Failed; }
  std::vector<std::string> expected() const { return monitor_.expected(); }
  EndpointMetadata metadata() const;
  Clock& clock() const { return *clock_; }
  std::string_view transport_name() const { return transport_->name(); }

 private:
  enum class Status { Running, Complete, Failed };

  void check_running();
  std::uint32_t send_transition(automata::RoleId peer, automata::LabelId label, const Payload& payload,
                                std::string_view peer_name, std::string_view label_name);
  void transmit(std::uint32_t transition, Payload payload);
  Step await(std::span<const automata::RoleId> peers, Deadline deadline, std::string_view what);
  // The transition a received message takes (guards decide between copies
  // of one label), or a peer violation.
  std::uint32_t accept(const IncomingMessage& message, const std::vector<std::uint64_t>& state_values);
  Duration timeout_of(std::uint32_t transition) const;
  void check_variable(std::string_view name, const Payload& value) const;
  Received to_received(Step step) const;
  void after_step();
  [[noreturn]] void fail(std::exception_ptr error, std::string_view reason);
  [[noreturn]] void peer_violation(ProtocolViolation violation);

  std::shared_ptr<const Protocol> protocol_;
  automata::RoleId role_;
  std::unique_ptr<Transport> transport_;
  std::shared_ptr<Clock> clock_;
  RoleMonitor monitor_;
  Payload variables_ = Payload::object();
  std::atomic<Status> status_{Status::Running};
  mutable std::mutex failure_mutex_;
  std::exception_ptr failure_;
  std::string failure_text_;
};

}  // namespace lim::runtime
