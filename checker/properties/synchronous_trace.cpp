#include "lim/properties/synchronous_trace.hpp"

#include "lim/refine/refinements.hpp"

namespace lim::properties {

report::TraceStep describe_step(const semantics::SynchronousSemantics& semantics, explore::Move move) {
  const auto& system = semantics.system();
  const auto interaction = semantics.interaction(move);
  const auto& send = system.transition(interaction.send);
  report::TraceStep step;
  if (interaction.internal) {
    // A timeout fired: the waiting role moved on alone.
    step.kind = report::TraceStep::Kind::Internal;
    step.from = system.role_names[interaction.to];
    step.to = system.role_names[interaction.from];
    step.label = system.describe_timeout(send.action.label);
    step.text = step.from + ": " + step.label + " fired, waiting for " + step.to;
    step.location = send.location;
    return step;
  }
  step.kind = report::TraceStep::Kind::Interaction;
  step.from = system.role_names[interaction.from];
  step.to = system.role_names[interaction.to];
  step.label = system.labels.name(send.action.label);
  step.payload = system.sorts.display(send.action.payload);
  step.text = system.describe_message(interaction.from, interaction.to, send.action.label, send.action.payload);
  // Guarded branches share their label: say which one the receiver took.
  const auto& receive = system.transition(interaction.receive).action;
  if (receive.guard != automata::kNoGuard && system.refinements &&
      receive.guard < system.refinements->guards.size())
    step.text += ", taken by the branch `if " + system.refinements->guards[receive.guard].text + "`";
  step.location = send.location;
  return step;
}

std::vector<report::TraceStep> describe_path(const semantics::SynchronousSemantics& semantics,
                                             const explore::StateSpace& space,
                                             const std::vector<explore::EdgeIndex>& edges) {
  std::vector<report::TraceStep> steps;
  steps.reserve(edges.size());
  for (const auto edge : edges) steps.push_back(describe_step(semantics, space.move(edge)));
  return steps;
}

std::vector<report::TraceStep> describe_moves(const semantics::SynchronousSemantics& semantics,
                                              const std::vector<explore::Move>& moves) {
  std::vector<report::TraceStep> steps;
  steps.reserve(moves.size());
  for (const auto move : moves) steps.push_back(describe_step(semantics, move));
  return steps;
}

report::Configuration describe_configuration(const automata::System& system,
                                             std::span<const SyncComponentConfiguration> parts) {
  std::vector<automata::StateId> states(system.role_count());
  for (automata::RoleId role = 0; role < system.role_count(); ++role) states[role] = system.machines[role].initial;
  for (const auto& part : parts)
    for (const auto role : part.semantics->roles()) states[role] = part.semantics->state_of(part.values, role);
  report::Configuration configuration;
  for (automata::RoleId role = 0; role < system.role_count(); ++role) {
    const auto& machine = system.machines[role];
    configuration.roles.push_back({system.role_names[role], machine.graph[states[role]].name,
                                   system.describe_state(role, states[role]), machine.graph[states[role]].location});
  }
  return configuration;
}

namespace {

report::Configuration describe_one_component(const semantics::SynchronousSemantics& semantics,
                                             std::vector<std::uint32_t> values) {
  const SyncComponentConfiguration part{&semantics, std::move(values)};
  return describe_configuration(semantics.system(), std::span<const SyncComponentConfiguration>(&part, 1));
}

template <class Space>
report::PropertyResult no_violation_in(std::string_view property, const Space& space) {
  report::PropertyResult result;
  result.property = std::string(property);
  if (space.complete()) {
    result.verdict = report::Verdict::Holds;
  } else {
    result.verdict = report::Verdict::Inconclusive;
    result.detail = "no violation among the " + std::to_string(space.expanded()) +
                    " configurations explored before the " + explore::to_string(space.completion);
  }
  return result;
}

}  // namespace

report::Configuration describe_configuration(const semantics::SynchronousSemantics& semantics,
                                             const explore::StateSpace& space, explore::StateIndex state) {
  return describe_one_component(semantics, space.configuration(state));
}

report::Configuration describe_configuration(const semantics::SynchronousSemantics& semantics,
                                             const explore::CompactSpace& space, explore::StateIndex state) {
  return describe_one_component(semantics, space.configuration(state));
}

report::Counterexample counterexample_at(const semantics::SynchronousSemantics& semantics,
                                         const explore::StateSpace& space, explore::StateIndex state,
                                         std::string explanation) {
  report::Counterexample counterexample;
  counterexample.prefix = describe_path(semantics, space, space.path_to(state));
  counterexample.at = describe_configuration(semantics, space, state);
  counterexample.explanation = std::move(explanation);
  return counterexample;
}

report::Counterexample counterexample_at(const semantics::SynchronousSemantics& semantics,
                                         const explore::CompactSpace& space, explore::StateIndex state,
                                         std::string explanation) {
  report::Counterexample counterexample;
  counterexample.prefix = describe_moves(semantics, explore::path_to(semantics, space, state));
  counterexample.at = describe_configuration(semantics, space, state);
  counterexample.explanation = std::move(explanation);
  return counterexample;
}

report::PropertyResult no_violation_found(std::string_view property, const explore::StateSpace& space) {
  return no_violation_in(property, space);
}

report::PropertyResult no_violation_found(std::string_view property, const explore::CompactSpace& space) {
  return no_violation_in(property, space);
}

}  // namespace lim::properties
