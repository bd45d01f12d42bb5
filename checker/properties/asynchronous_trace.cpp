#include "lim/properties/asynchronous_trace.hpp"

#include <fmt/format.h>

namespace lim::properties {

std::string describe_message(const automata::System& system, const semantics::Message& message) {
  const auto& payload = system.sorts.display(message.payload);
  return payload.empty() ? system.labels.name(message.label)
                         : fmt::format("{}({})", system.labels.name(message.label), payload);
}

report::TraceStep describe_step(const semantics::AsynchronousSemantics& semantics, explore::Move move) {
  const auto& system = semantics.system();
  const auto step = semantics.step(move);
  if (step.direction == automata::Direction::Timeout) {
    const auto& action = system.transition(step.transition).action;
    report::TraceStep trace;
    trace.kind = report::TraceStep::Kind::Internal;
    trace.from = system.role_names[step.role];
    trace.to = system.role_names[action.peer];
    trace.label = system.describe_timeout(action.label);
    trace.text = fmt::format("{}: {} waiting for {}", trace.from, trace.label, trace.to);
    trace.location = system.transition(step.transition).location;
    return trace;
  }
  const auto& channel = semantics.channels()[step.channel];
  const auto& message = channel.alphabet[step.message];
  const bool send = step.direction == automata::Direction::Send;
  report::TraceStep trace;
  trace.kind = send ? report::TraceStep::Kind::Send : report::TraceStep::Kind::Receive;
  trace.from = system.role_names[channel.from];
  trace.to = system.role_names[channel.to];
  trace.label = system.labels.name(message.label);
  trace.payload = system.sorts.display(message.payload);
  trace.text = fmt::format("{} → {} {} {}", trace.from, trace.to, send ? "!" : "?", describe_message(system, message));
  trace.location = system.transition(step.transition).location;
  return trace;
}

std::vector<report::TraceStep> describe_path(const semantics::AsynchronousSemantics& semantics,
                                             const explore::StateSpace& space,
                                             const std::vector<explore::EdgeIndex>& edges) {
  std::vector<report::TraceStep> steps;
  steps.reserve(edges.size());
  for (const auto edge : edges) steps.push_back(describe_step(semantics, space.move(edge)));
  return steps;
}

std::vector<report::TraceStep> describe_moves(const semantics::AsynchronousSemantics& semantics,
                                              const std::vector<explore::Move>& moves) {
  std::vector<report::TraceStep> steps;
  steps.reserve(moves.size());
  for (const auto move : moves) steps.push_back(describe_step(semantics, move));
  return steps;
}

report::Configuration describe_configuration(const automata::System& system,
                                             std::span<const ComponentConfiguration> parts) {
  report::Configuration configuration;
  std::vector<automata::StateId> states(system.role_count());
  for (automata::RoleId role = 0; role < system.role_count(); ++role) states[role] = system.machines[role].initial;
  for (const auto& part : parts)
    for (const auto role : part.semantics->roles()) states[role] = part.semantics->state_of(part.values, role);
  for (automata::RoleId role = 0; role < system.role_count(); ++role) {
    const auto& machine = system.machines[role];
    configuration.roles.push_back({system.role_names[role], machine.graph[states[role]].name,
                                   system.describe_state(role, states[role]), machine.graph[states[role]].location});
  }
  for (const auto& part : parts) {
    const auto& semantics = *part.semantics;
    const auto& values = part.values;
    for (std::uint32_t channel = 0; channel < semantics.channels().size(); ++channel) {
      const auto length = semantics.queue_length(values, channel);
      if (length == 0) continue;
      const auto& c = semantics.channels()[channel];
      report::QueueContents queue{system.role_names[c.from], system.role_names[c.to], {}};
      for (std::uint32_t position = 0; position < length; ++position)
        queue.messages.push_back(
            describe_message(system, c.alphabet[semantics.queued_message(values, channel, position)]));
      configuration.queues.push_back(std::move(queue));
    }
  }
  return configuration;
}

}  // namespace lim::properties
