// k-safety (kmc's ksafe), at every reachable configuration:
//  * eventual reception: the head of every non-empty queue p → q is received
//    on some path. The first receive from that queue on any path takes the
//    head, so this is "some path reaches a receive from p → q";
//  * progress: a role whose state offers receives receives something on
//    some path (kmc: any receive of that role, from anyone).
// Each is one backward reachability per channel or per role.
//
// Environment roles (docs/asynchronous.md, "Environments"):
//  * an environment owes no progress (it may stop listening at any time);
//  * what an environment e sends to q must still be received — the
//    asynchronous form of the synchronous robustness check — except that a
//    message e sends after q has stopped listening to e is dropped with q's
//    endpoint: at a configuration where e's message heads queue e → q,
//    either some path receives it, or some path takes q to a final state
//    without q ever being in a state that waits for e (a receive from e or
//    a timeout on e) on the way, the current one included. So a role that
//    waits for e but cannot take e's message fails, even when it could give
//    up by a timeout and end (the synchronous check flags that state too).
//    Queues to an environment need nothing: it receives anything.
#include <fmt/format.h>

#include "async_support.hpp"
#include "lim/properties/asynchronous_properties.hpp"
#include "lim/properties/guarded_reachability.hpp"
#include "lim/support/budget.hpp"

namespace lim::properties {
namespace {

bool is_receive(const semantics::AsynchronousSemantics& semantics, explore::Move move) {
  return semantics.system().transition(semantics.transition_ref(move.first)).action.direction ==
         automata::Direction::Receive;
}

void keep_first(std::optional<Violation>& first, Violation candidate) {
  if (!first || candidate.at < first->at) first = std::move(candidate);
}

}  // namespace

std::optional<Violation> find_k_safety_violation(const ComponentSpace& component, const ReverseGraph& reverse) {
  const auto& semantics = *component.semantics;
  const auto& space = *component.space;
  const auto& system = semantics.system();
  const FieldReader read(component);
  std::optional<Violation> first;

  // Eventual reception, per channel.
  for (std::uint32_t channel = 0; channel < semantics.channels().size(); ++channel) {
    auto receives = states_with_edge(space, [&](EdgeIndex edge) {
      const auto move = space.move(edge);
      return is_receive(semantics, move) && semantics.transition_channel(move.first) == channel;
    });
    auto received = can_reach_along(space, reverse, std::move(receives), FollowEvery{});
    const auto& c = semantics.channels()[channel];
    if (system.is_environment(c.from) && !system.is_environment(c.to)) {
      // The receiver may also end without ever waiting for the sender again.
      const std::uint32_t receiver = *semantics.local_index(c.to);
      const auto& machine = system.machines[c.to];
      std::vector<char> deaf_state(machine.state_count(), 0), final_state(machine.state_count(), 0);
      for (automata::StateId m = 0; m < machine.state_count(); ++m) {
        deaf_state[m] = waits_for(system, c.to, m, c.from) ? 0 : 1;
        final_state[m] = machine.kind(m) == automata::StateKind::Final ? 1 : 0;
      }
      std::vector<char> deaf(space.size(), 0), ended(space.size(), 0);
      for (StateIndex state = 0; state < space.size(); ++state) {
        poll_budget();
        deaf[state] = deaf_state[read.state(state, receiver)];
        ended[state] = final_state[read.state(state, receiver)];
      }
      const auto dropped = can_reach_along(space, reverse, std::move(ended),
                                           [&](EdgeIndex, StateIndex source) { return deaf[source] != 0; });
      for (StateIndex state = 0; state < space.size(); ++state) received[state] = received[state] || dropped[state];
    }
    for (StateIndex state = 0; state < space.size() && (!first || state < first->at); ++state) {
      poll_budget();
      if (received[state] || read.length(state, channel) == 0) continue;
      keep_first(first, {state, {},
                         fmt::format("eventual reception fails: {} at the head of queue {} is never received by {}",
                                     message_name(semantics, channel, read.head(state, channel)),
                                     channel_name(semantics, channel), system.role_names[c.to])});
      break;
    }
  }

  // Progress, per role.
  for (std::uint32_t local = 0; local < semantics.roles().size(); ++local) {
    const automata::RoleId role = semantics.roles()[local];
    if (system.is_environment(role)) continue;  // it may stop listening at any time
    const auto& machine = system.machines[role];
    std::vector<char> receiving(machine.state_count(), 0);
    for (const auto& transition : machine.transitions())
      if (transition.action.direction == automata::Direction::Receive) receiving[transition.source] = 1;
    auto receives = states_with_edge(space, [&](EdgeIndex edge) {
      const auto move = space.move(edge);
      return semantics.mover(move) == role && is_receive(semantics, move);
    });
    const auto progresses = can_reach_along(space, reverse, std::move(receives), FollowEvery{});
    for (StateIndex state = 0; state < space.size() && (!first || state < first->at); ++state) {
      poll_budget();
      const auto machine_state = read.state(state, local);
      if (progresses[state] || !receiving[machine_state]) continue;
      keep_first(first, {state, {},
                         fmt::format("progress fails: {} waits at {} but never receives anything",
                                     system.role_names[role], state_text(semantics, role, machine_state))});
      break;
    }
  }
  return first;
}

}  // namespace lim::properties
