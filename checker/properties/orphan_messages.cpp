// Orphan messages (lim's own, beyond kmc): no reachable final configuration
// — every role final — still has messages in its queues. Such messages are
// sent but never received, and no role is left to notice.
//
// An environment is never asked to end (it may stop at any time), so
// "every role final" means every non-environment role; and only queues
// between two non-environment roles count: a queue to an environment is its
// to take or leave, and what an environment sends to a role that has ended
// is dropped with that role's endpoint (docs/asynchronous.md).
#include <fmt/format.h>

#include "async_support.hpp"
#include "lim/properties/asynchronous_properties.hpp"
#include "lim/support/budget.hpp"

namespace lim::properties {

TerminalConfigurations find_final_configurations(const ComponentSpace& component) {
  const auto& semantics = *component.semantics;
  const auto& system = semantics.system();
  const FieldReader read(component);
  TerminalConfigurations found;
  for (StateIndex state = 0; state < component.size(); ++state) {
    poll_budget();
    bool final = true;
    for (std::uint32_t local = 0; local < semantics.roles().size() && final; ++local) {
      const automata::RoleId role = semantics.roles()[local];
      final = system.is_environment(role) ||
              system.machines[role].kind(read.state(state, local)) == automata::StateKind::Final;
    }
    if (!final) continue;
    if (!found.any) found.any = state;
    for (std::uint32_t channel = 0; channel < semantics.channels().size(); ++channel) {
      const auto& c = semantics.channels()[channel];
      if (system.is_environment(c.from) || system.is_environment(c.to)) continue;
      const auto length = read.length(state, channel);
      if (length == 0) continue;
      found.bad = state;
      found.explanation = fmt::format("every role has ended with {} message{} left in queue {} (head {})", length,
                                      length == 1 ? "" : "s", channel_name(semantics, channel),
                                      message_name(semantics, channel, read.head(state, channel)));
      return found;
    }
  }
  return found;
}

}  // namespace lim::properties
