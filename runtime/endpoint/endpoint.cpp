#include "lim/runtime/endpoint/endpoint.hpp"

#include <algorithm>
#include <stdexcept>

#include <fmt/format.h>

#include "lim/refine/branch_selection.hpp"
#include "lim/refine/refinements.hpp"

namespace lim::runtime {

using automata::Direction;
using Culprit = ProtocolViolation::Culprit;

namespace {

std::string describe_payload(const Payload& payload) {
  switch (payload.type()) {
    case Payload::value_t::null: return "no payload";
    case Payload::value_t::boolean: return "a boolean payload";
    case Payload::value_t::number_integer:
    case Payload::value_t::number_unsigned: return "an integer payload";
    case Payload::value_t::number_float: return "a floating-point payload";
    case Payload::value_t::string: return "a string payload";
    case Payload::value_t::array: return "an array payload";
    case Payload::value_t::object: return "an object payload";
    case Payload::value_t::binary: return "a binary payload";
    case Payload::value_t::discarded: return "a discarded payload";
  }
  return "a payload";
}

}  // namespace

Endpoint::Endpoint(std::shared_ptr<const Protocol> protocol, automata::RoleId role,
                   std::unique_ptr<Transport> transport, EndpointOptions options)
    : protocol_(std::move(protocol)),
      role_(role),
      transport_(std::move(transport)),
      clock_(options.clock ? std::move(options.clock) : steady_clock()),
      monitor_(*protocol_, role) {
  if (!transport_) throw std::invalid_argument("an endpoint needs a transport");
  if (!options.variables.is_object())
    throw std::invalid_argument("EndpointOptions::variables must be a JSON object of the role's state variables");
  for (const auto& [name, value] : options.variables.items()) check_variable(name, value);
  variables_ = std::move(options.variables);
  // Every timeout(variable) of the role needs a value before the first wait.
  const auto& system = protocol_->system();
  for (const auto& transition : system.machines[role].transitions()) {
    if (transition.action.direction != Direction::Timeout) continue;
    const auto& timeout = system.timeouts.at(transition.action.label);
    if (!timeout.milliseconds && !variables_.contains(timeout.variable))
      throw std::invalid_argument(
          fmt::format("{}: role {} has a timeout({}) branch; give {} a value in EndpointOptions::variables",
                      protocol_->location_text(transition.location), role_name(), timeout.variable,
                      timeout.variable));
  }
  // The gate, once more at the one place every endpoint is made: whatever
  // built the transport, no endpoint runs on channels its protocol was not
  // verified for.
  protocol_->require(transport_->requirement());
  if (monitor_.final()) {  // a role with nothing to do
    status_ = Status::Complete;
    transport_->finish();
  }
}

Endpoint::~Endpoint() {
  if (status_.load() == Status::Running)
    abandon(fmt::format("{} left the session in state {} ({}) before completing it", role_name(),
                        monitor_.state_name(), protocol_->location_text(monitor_.state_location())));
}

void Endpoint::check_running() {
  switch (status_.load()) {
    case Status::Running: return;
    case Status::Complete:
      throw monitor_.violation(Culprit::Local, fmt::format("{} acts after completing its role", role_name()), "");
    case Status::Failed: {
      std::exception_ptr failure;
      {
        const std::lock_guard lock(failure_mutex_);
        failure = failure_;
      }
      std::rethrow_exception(failure);
    }
  }
}

void Endpoint::send(std::string_view peer, std::string_view label, Payload payload) {
  check_running();
  const auto peer_id = protocol_->find_role(peer);
  const auto label_id = protocol_->find_label(label);
  if (!peer_id || !label_id)
    throw monitor_.violation(Culprit::Local,
                             fmt::format("{} sends {} to {} ({})", role_name(), label, peer,
                                         !peer_id ? "the protocol has no such role" : "the protocol has no such label"),
                             std::string(peer));
  const auto transition = send_transition(*peer_id, *label_id, payload, peer, label);
  transmit(transition, std::move(payload));
}

std::uint32_t Endpoint::send_transition(automata::RoleId peer, automata::LabelId label, const Payload& payload,
                                        std::string_view peer_name, std::string_view label_name) {
  const auto transition = monitor_.find(Direction::Send, peer, label);
  if (transition == RoleMonitor::kNoTransition)
    throw monitor_.violation(Culprit::Local, fmt::format("{} sends {} to {}", role_name(), label_name, peer_name),
                             std::string(peer_name));
  const auto& action = monitor_.transition(transition).action;
  if (std::string why; !protocol_->accepts(action.payload, payload, why))
    throw monitor_.violation(Culprit::Local,
                             fmt::format("{} sends {} to {} with {}, but the spec's {} carries {} ({})", role_name(),
                                         label_name, peer_name, describe_payload(payload),
                                         protocol_->system().describe_label(action),
                                         to_string(protocol_->payload_kind(action.payload)), why),
                             std::string(peer_name));
  return transition;
}

void Endpoint::transmit(std::uint32_t transition, Payload payload) {
  const auto& action = monitor_.transition(transition).action;
  try {
    transport_->send(action.peer, action.label, std::move(payload));
  } catch (const SessionError& error) {
    fail(std::current_exception(), error.what());
  }
  monitor_.advance(transition);
  after_step();
}

void Endpoint::after_step() {
  if (!monitor_.final()) return;
  status_ = Status::Complete;
  try {
    transport_->finish();
  } catch (const SessionError&) {
    // This role's part is done; a peer that cannot hear the goodbye has a
    // problem of its own, which its endpoint reports.
  }
}

Received Endpoint::receive(std::string_view peer, Deadline deadline) {
  check_running();
  const auto peer_id = protocol_->find_role(peer);
  const auto& peers = monitor_.waiting().peers;
  if (!peer_id || std::find(peers.begin(), peers.end(), *peer_id) == peers.end())
    throw monitor_.violation(Culprit::Local, fmt::format("{} receives from {}", role_name(), peer), std::string(peer));
  return to_received(await(std::span(&*peer_id, 1), deadline, peer));
}

Received Endpoint::offer(Deadline deadline) {
  check_running();
  const auto& waiting = monitor_.waiting();
  if (waiting.peers.empty() && waiting.timeouts.empty())
    throw monitor_.violation(Culprit::Local, fmt::format("{} waits for a message", role_name()), "");
  return to_received(await(waiting.peers, deadline, "its peers"));
}

void Endpoint::send_step(automata::StateId state, std::uint32_t transition, Payload payload) {
  check_running();
  const auto& transitions = protocol_->system().machines[role_].transitions();
  if (monitor_.state() != state || transition >= transitions.size() || transitions[transition].source != state ||
      transitions[transition].action.direction != Direction::Send)
    throw monitor_.violation(Culprit::Local,
                             fmt::format("{} acts through a typestate object for state {}, which is not the "
                                         "endpoint's state (was the endpoint also driven through another API?)",
                                         role_name(), protocol_->system().machines[role_].graph[state].name),
                             "");
  const auto& action = transitions[transition].action;
  if (std::string why; !protocol_->accepts(action.payload, payload, why))
    throw monitor_.violation(Culprit::Local,
                             fmt::format("{} sends {} to {} with {} ({})", role_name(),
                                         protocol_->system().describe_label(action),
                                         protocol_->role_name(action.peer), describe_payload(payload), why),
                             protocol_->role_name(action.peer));
  transmit(transition, std::move(payload));
}

Endpoint::Step Endpoint::receive_step(automata::StateId state, Deadline deadline) {
  check_running();
  if (monitor_.state() != state)
    throw monitor_.violation(Culprit::Local,
                             fmt::format("{} waits through a typestate object for state {}, which is not the "
                                         "endpoint's state (was the endpoint also driven through another API?)",
                                         role_name(), protocol_->system().machines[role_].graph[state].name),
                             "");
  return await(monitor_.waiting().peers, deadline, "its peers");
}

Endpoint::Step Endpoint::await(std::span<const automata::RoleId> peers, Deadline deadline, std::string_view what) {
  const auto& waiting = monitor_.waiting();
  // The guards' view of the role's variables, before anything is taken from
  // the transport: a missing variable must not cost a message.
  std::vector<std::uint64_t> state_values;
  if (waiting.guarded) {
    std::string error;
    auto values = refine::state_values(*protocol_->system().refinements, role_, variables_, error);
    if (!values)
      throw std::logic_error(fmt::format("{} waits in state {}, whose guards read its state variables: {} (set it "
                                         "with Endpoint::set_variable)",
                                         role_name(), monitor_.state_name(), error));
    state_values = std::move(*values);
  }
  // The earliest timeout branch: a message must come before it.
  Deadline spec_deadline;
  std::uint32_t timeout_transition = RoleMonitor::kNoTransition;
  if (!waiting.timeouts.empty()) {
    const auto now = clock_->now();
    for (const auto transition : waiting.timeouts) {
      const auto at = now + timeout_of(transition);
      if (!spec_deadline || at < *spec_deadline) {
        spec_deadline = at;
        timeout_transition = transition;
      }
    }
    if (!deadline || *spec_deadline < *deadline) deadline = spec_deadline;
  }
  std::optional<IncomingMessage> message;
  try {
    message = transport_->receive(peers, deadline);
  } catch (const SessionError& error) {
    fail(std::current_exception(), error.what());
  }
  if (!message) {
    if (spec_deadline && clock_->now() >= *spec_deadline) {
      monitor_.advance(timeout_transition);
      after_step();
      return {timeout_transition, nullptr};
    }
    throw DeadlineExpired(fmt::format("{}: nothing from {} before the deadline, in state {}", role_name(), what,
                                      monitor_.state_name()));
  }
  const auto transition = accept(*message, state_values);
  monitor_.advance(transition);
  after_step();
  return {transition, std::move(message->payload)};
}

std::uint32_t Endpoint::accept(const IncomingMessage& message, const std::vector<std::uint64_t>& state_values) {
  const auto& peer_name = protocol_->role_name(message.from);
  const auto first = monitor_.find(Direction::Receive, message.from, message.label);
  if (first == RoleMonitor::kNoTransition)
    peer_violation(monitor_.violation(
        Culprit::Peer,
        fmt::format("{} sent {} ({}) to {}", peer_name, protocol_->label_name(message.label),
                    describe_payload(message.payload), role_name()),
        peer_name));
  const auto& action = monitor_.transition(first).action;
  if (std::string why; !protocol_->accepts(action.payload, message.payload, why))
    peer_violation(monitor_.violation(Culprit::Peer,
                                      fmt::format("{} sent {} with {} to {}, but the spec's {} carries {} ({})",
                                                  peer_name, protocol_->label_name(message.label),
                                                  describe_payload(message.payload), role_name(),
                                                  protocol_->system().describe_label(action),
                                                  to_string(protocol_->payload_kind(action.payload)), why),
                                      peer_name));
  if (!monitor_.waiting().guarded) return first;
  // Copies of the label with guards: the one whose guard holds, evaluated by
  // the very programs the checker proved disjoint and exhaustive.
  const auto payload_values = protocol_->guard_values(action.payload, message.payload);
  const auto chosen = refine::select_branch(protocol_->system(), role_, monitor_.state(), message.from,
                                            message.label, payload_values, state_values);
  if (!chosen)
    peer_violation(monitor_.violation(Culprit::Peer,
                                      fmt::format("{} sent {}({}) to {}, which no guard of the state accepts",
                                                  peer_name, protocol_->label_name(message.label),
                                                  message.payload.dump(), role_name()),
                                      peer_name));
  return *chosen;
}

Duration Endpoint::timeout_of(std::uint32_t transition) const {
  const auto& timeout = protocol_->system().timeouts.at(monitor_.transition(transition).action.label);
  if (timeout.milliseconds) return std::chrono::milliseconds(*timeout.milliseconds);
  return std::chrono::milliseconds(variables_.at(timeout.variable).get<std::uint64_t>());
}

void Endpoint::check_variable(std::string_view name, const Payload& value) const {
  const auto& system = protocol_->system();
  if (system.refinements)
    for (const auto& variable : system.refinements->state_of(role_)) {
      if (variable.name != name) continue;
      const auto width = refine::width(variable.type);
      const bool fits = variable.type == refine::Scalar::Bool
                            ? value.is_boolean()
                            : (value.is_number_unsigned() || (value.is_number_integer() && value >= 0)) &&
                                  value.get<std::uint64_t>() <= refine::mask(width);
      if (!fits)
        throw std::invalid_argument(fmt::format("{} is not a value of {}'s state variable {}: {}", value.dump(),
                                                role_name(), name, refine::name(variable.type)));
      return;
    }
  throw std::invalid_argument(fmt::format("{} has no state variable '{}' in {}", role_name(), name,
                                          protocol_->spec_path()));
}

void Endpoint::set_variable(std::string_view name, std::uint64_t value) {
  const auto* variable = [&]() -> const refine::Field* {
    if (const auto& refinements = protocol_->system().refinements)
      for (const auto& field : refinements->state_of(role_))
        if (field.name == name) return &field;
    return nullptr;
  }();
  // Bools are set as 0/1 through this interface.
  const Payload json = variable && variable->type == refine::Scalar::Bool ? Payload(value != 0) : Payload(value);
  if (variable && variable->type == refine::Scalar::Bool && value > 1)
    throw std::invalid_argument(fmt::format("{} is not a bool (0 or 1)", value));
  check_variable(name, json);
  variables_[std::string(name)] = json;
}

Received Endpoint::to_received(Step step) const {
  const auto& action = monitor_.transition(step.transition).action;
  Received received;
  received.from = action.peer;
  received.peer = protocol_->role_name(action.peer);
  received.payload = std::move(step.payload);
  if (action.direction == Direction::Timeout) {
    received.timed_out = true;
  } else {
    received.label_id = action.label;
    received.label = protocol_->label_name(action.label);
  }
  return received;
}

void Endpoint::reject_payload(const Step& step, std::string_view why) {
  const auto& transition = monitor_.transition(step.transition);
  const auto& peer = protocol_->role_name(transition.action.peer);
  // The monitor already took the step: report it against the state the
  // message was received in.
  ProtocolViolation::Details details;
  details.culprit = Culprit::Peer;
  details.role = role_name();
  details.peer = peer;
  details.attempted = fmt::format("{} sent {} with a payload the generated API cannot decode ({})", peer,
                                  protocol_->system().describe_label(transition.action), why);
  details.state = protocol_->system().machines[role_].graph[transition.source].name;
  details.state_type = protocol_->system().describe_state(role_, transition.source);
  details.spec = protocol_->spec_path();
  details.location = protocol_->system().machines[role_].graph[transition.source].location;
  peer_violation(ProtocolViolation(std::move(details)));
}

void Endpoint::peer_violation(ProtocolViolation violation) {
  const std::string reason = violation.what();
  fail(std::make_exception_ptr(std::move(violation)), reason);
}

void Endpoint::fail(std::exception_ptr error, std::string_view reason) {
  {
    const std::lock_guard lock(failure_mutex_);
    failure_ = error;
    failure_text_ = std::string(reason);
  }
  status_ = Status::Failed;
  try {
    std::rethrow_exception(error);
  } catch (const TransportError& failure) {
    transport_->report_failure(failure);
  } catch (...) {
    transport_->abort(reason);
  }
  std::rethrow_exception(error);
}

void Endpoint::abandon(std::string_view why) noexcept {
  auto expected = Status::Running;
  if (!status_.compare_exchange_strong(expected, Status::Failed)) return;
  try {
    const std::lock_guard lock(failure_mutex_);
    failure_ = std::make_exception_ptr(SessionAborted(role_name(), std::string(why)));
    failure_text_ = std::string(why);
  } catch (...) {
    // Out of memory while recording why: the session still ends below.
  }
  transport_->abort(why);
}

EndpointMetadata Endpoint::metadata() const {
  EndpointMetadata metadata;
  metadata.role = role_name();
  metadata.transport = std::string(transport_->name());
  metadata.state = monitor_.state_name();
  metadata.state_type = monitor_.state_type();
  metadata.spec = protocol_->spec_path();
  metadata.location = monitor_.state_location();
  metadata.location_text = protocol_->location_text(metadata.location);
  metadata.expected = monitor_.expected();
  metadata.operations = monitor_.operations();
  const auto status = status_.load();
  metadata.complete = status == Status::Complete;
  metadata.failed = status == Status::Failed;
  if (metadata.failed) {
    const std::lock_guard lock(failure_mutex_);
    metadata.failure = failure_text_;
  }
  return metadata;
}

}  // namespace lim::runtime
