// The shared first clause of k-SIBI and k-CIBI (kmc's `length actrcv < 2`):
// in every reachable configuration each role has at most one receive action
// enabled.
//
// Guarded copies of one receive count as one (same_message): they read the
// same message, and the choice among them is the receiver's, by data. An
// environment role owes no input independence: it receives anything from
// anyone by design, so the table lists no receives of it, which exempts it
// from the input race and from both clauses of k-SIBI and k-CIBI.
#include <algorithm>

#include <fmt/format.h>

#include "async_receives.hpp"
#include "lim/properties/asynchronous_properties.hpp"
#include "lim/support/budget.hpp"

namespace lim::properties {

ReceiveTable::ReceiveTable(const ComponentSpace& component) : semantics_(*component.semantics) {
  const auto& system = semantics_.system();
  options_.resize(semantics_.roles().size());
  for (std::uint32_t local = 0; local < semantics_.roles().size(); ++local) {
    const automata::RoleId role = semantics_.roles()[local];
    const auto& machine = system.machines[role];
    options_[local].resize(machine.state_count());
    if (system.is_environment(role)) continue;
    for (std::uint32_t index = 0; index < machine.transitions().size(); ++index) {
      const auto& transition = machine.transitions()[index];
      const auto global = semantics_.global_index({role, index});
      const auto channel = semantics_.transition_channel(global);
      if (transition.action.direction != automata::Direction::Receive ||
          channel == semantics::AsynchronousSemantics::kNoChannel)
        continue;
      options_[local][transition.source].push_back({global, channel});
    }
  }
}

std::vector<ReceiveOption> ReceiveTable::enabled_actions(const FieldReader& read, explore::StateIndex state,
                                                         std::uint32_t local) const {
  const auto& system = semantics_.system();
  std::vector<ReceiveOption> enabled;
  for (const auto& option : options(local, read.state(state, local))) {
    if (!this->enabled(read, state, option)) continue;
    const auto& action = system.transition(semantics_.transition_ref(option.global)).action;
    const bool duplicate = std::any_of(enabled.begin(), enabled.end(), [&](const ReceiveOption& other) {
      return same_message(system.transition(semantics_.transition_ref(other.global)).action, action);
    });
    if (!duplicate) enabled.push_back(option);
  }
  return enabled;
}

std::optional<Violation> find_input_race(const ComponentSpace& component) {
  const auto& semantics = *component.semantics;
  const auto& space = *component.space;
  const auto& system = semantics.system();
  const FieldReader read(component);
  const ReceiveTable receives(component);
  for (StateIndex state = 0; state < space.size(); ++state)
    for (std::uint32_t local = 0; local < semantics.roles().size(); ++local) {
      poll_budget();
      if (receives.options(local, read.state(state, local)).size() < 2) continue;
      const auto enabled = receives.enabled_actions(read, state, local);
      if (enabled.size() < 2) continue;
      const automata::RoleId role = semantics.roles()[local];
      return Violation{state, {},
                       fmt::format("{} can receive both {} from {} and {} from {}: two receives are enabled at once",
                                   system.role_names[role],
                                   message_name(semantics, enabled[0].channel, read.head(state, enabled[0].channel)),
                                   role_name(semantics, semantics.channels()[enabled[0].channel].from),
                                   message_name(semantics, enabled[1].channel, read.head(state, enabled[1].channel)),
                                   role_name(semantics, semantics.channels()[enabled[1].channel].from))};
    }
  return std::nullopt;
}

}  // namespace lim::properties
