// k-OBI, k-output bounded independence (kmc's koutputindep): in every
// reachable configuration, a role whose state offers sends has either none
// or all of them enabled. A send is enabled iff its queue has room, so a
// violation is a sending state whose queues are partly full. An environment
// role owes no output independence: it sends when it likes.
#include <algorithm>

#include <fmt/format.h>

#include "async_support.hpp"
#include "lim/properties/asynchronous_properties.hpp"
#include "lim/support/budget.hpp"

namespace lim::properties {

std::optional<Violation> find_k_obi_violation(const ComponentSpace& component) {
  const auto& semantics = *component.semantics;
  const auto& system = semantics.system();
  const FieldReader read(component);
  // Per role in scope and machine state: the channels its sends use, when
  // there are several (a single channel is enabled all or nothing).
  std::vector<std::vector<std::vector<std::uint32_t>>> channels(semantics.roles().size());
  bool any = false;
  for (std::uint32_t local = 0; local < semantics.roles().size(); ++local) {
    const automata::RoleId role = semantics.roles()[local];
    const auto& machine = system.machines[role];
    channels[local].resize(machine.state_count());
    if (system.is_environment(role)) continue;
    for (const auto& transition : machine.transitions()) {
      if (transition.action.direction != automata::Direction::Send) continue;
      const auto channel = semantics.channel_index(role, transition.action.peer);
      if (!channel) continue;
      auto& list = channels[local][transition.source];
      if (std::find(list.begin(), list.end(), *channel) == list.end()) list.push_back(*channel);
    }
    for (auto& list : channels[local]) {
      if (list.size() < 2) list.clear();
      any = any || !list.empty();
    }
  }
  if (!any) return std::nullopt;
  for (StateIndex state = 0; state < component.size(); ++state) {
    poll_budget();
    for (std::uint32_t local = 0; local < semantics.roles().size(); ++local) {
      const auto machine_state = read.state(state, local);
      const auto& list = channels[local][machine_state];
      if (list.empty()) continue;
      std::optional<std::uint32_t> open, full;
      for (const auto channel : list) (read.length(state, channel) < semantics.bound() ? open : full) = channel;
      if (!open || !full) continue;
      const automata::RoleId role = semantics.roles()[local];
      return Violation{state, {},
                       fmt::format("{} at {} can send on {} but not on {}, which is full: its sends are not all "
                                   "enabled or all disabled",
                                   system.role_names[role], state_text(semantics, role, machine_state),
                                   channel_name(semantics, *open), channel_name(semantics, *full))};
    }
  }
  return std::nullopt;
}

}  // namespace lim::properties
