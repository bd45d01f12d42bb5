// Orphan messages (lim's own, beyond kmc): no reachable final configuration
// — every role final — still has messages in its queues. Such messages are
// sent but never received, and no role is left to notice.
#include <fmt/format.h>

#include "async_support.hpp"
#include "lim/properties/asynchronous_properties.hpp"

namespace lim::properties {

TerminalConfigurations find_final_configurations(const ComponentSpace& component) {
  const auto& semantics = *component.semantics;
  const auto& space = *component.space;
  const auto& system = semantics.system();
  const FieldReader read(component);
  TerminalConfigurations found;
  for (StateIndex state = 0; state < space.size(); ++state) {
    bool final = true;
    for (std::uint32_t local = 0; local < semantics.roles().size() && final; ++local)
      final = system.machines[semantics.roles()[local]].kind(read.state(state, local)) == automata::StateKind::Final;
    if (!final) continue;
    if (!found.any) found.any = state;
    for (std::uint32_t channel = 0; channel < semantics.channels().size(); ++channel) {
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
