// k-exhaustivity (kmc's kexhaustive): in every reachable configuration, every
// send a role's state offers can become enabled by moves of the other roles
// alone. The sender stays put along such moves, so its send p → q becomes
// enabled exactly when queue p → q drops below k: per channel, the
// configurations that can get there without p moving are a backward
// reachability over the edges of the other roles.
//
// An environment's sends are no obligation: it may send whenever it likes,
// and may as well wait for ever (it never counts as blocked). Sends *to* an
// environment need nothing special: its one state receives anything.
#include <fmt/format.h>

#include "async_support.hpp"
#include "lim/properties/asynchronous_properties.hpp"
#include "lim/properties/guarded_reachability.hpp"
#include "lim/support/budget.hpp"

namespace lim::properties {

std::optional<Violation> find_k_exhaustivity_violation(const ComponentSpace& component, const ReverseGraph& reverse) {
  const auto& semantics = *component.semantics;
  const auto& space = *component.space;
  const auto& system = semantics.system();
  const FieldReader read(component);
  const unsigned k = semantics.bound();
  std::optional<Violation> first;
  for (std::uint32_t channel = 0; channel < semantics.channels().size(); ++channel) {
    const auto& c = semantics.channels()[channel];
    if (system.is_environment(c.from)) continue;
    const std::uint32_t sender = *semantics.local_index(c.from);
    const auto& machine = system.machines[c.from];
    // Sender states offering a send on this channel.
    std::vector<char> offers(machine.state_count(), 0);
    for (const auto& transition : machine.transitions())
      if (transition.action.direction == automata::Direction::Send && transition.action.peer == c.to)
        offers[transition.source] = 1;
    std::vector<char> not_full(space.size(), 0);
    bool candidate = false;
    for (StateIndex state = 0; state < space.size(); ++state) {
      poll_budget();
      not_full[state] = read.length(state, channel) < k;
      candidate = candidate || (!not_full[state] && offers[read.state(state, sender)]);
    }
    if (!candidate) continue;
    const auto freed = can_reach_along(space, reverse, std::move(not_full), [&](EdgeIndex edge, StateIndex) {
      return semantics.mover(space.move(edge)) != c.from;
    });
    for (StateIndex state = 0; state < space.size() && (!first || state < first->at); ++state) {
      poll_budget();
      if (freed[state] || !offers[read.state(state, sender)]) continue;
      const auto machine_state = read.state(state, sender);
      first = Violation{state, {},
                        fmt::format("{} is at {} but queue {} is full ({} message{}) and no moves of the other "
                                    "roles ever take a message out of it",
                                    system.role_names[c.from],
                                    state_text(semantics, c.from, machine_state), channel_name(semantics, channel), k,
                                    k == 1 ? "" : "s")};
      break;
    }
  }
  return first;
}

}  // namespace lim::properties
