// k-SIBI, k-strong input bounded independence (kmc's `kinputindep True`):
// in every reachable configuration, a role has at most one receive enabled
// (find_input_race), and when it has one — from p — none of the messages its
// state would accept from another sender is ever sent to it afterwards, on
// any path (kmc's findLabel from the configuration).
//
// Guarded copies of one receive share their sender, so they never race with
// each other here; an environment role has no receives in the ReceiveTable
// and owes neither clause. A message an environment may send to another
// role's receiving state that is also waiting for someone else still races.
#include <map>

#include <fmt/format.h>

#include "async_receives.hpp"
#include "lim/properties/asynchronous_properties.hpp"
#include "lim/properties/guarded_reachability.hpp"
#include "lim/support/budget.hpp"

namespace lim::properties {

std::optional<Violation> find_k_sibi_violation(const ComponentSpace& component, const ReverseGraph& reverse) {
  const auto race = find_input_race(component);
  const auto& semantics = *component.semantics;
  const auto& space = *component.space;
  const auto& system = semantics.system();
  const FieldReader read(component);
  const ReceiveTable receives(component);
  const auto is_send_of = [&](EdgeIndex edge, std::uint32_t channel, std::uint32_t message) {
    const auto move = space.move(edge);
    return semantics.step(move).direction == automata::Direction::Send &&
           semantics.transition_channel(move.first) == channel && move.second == message;
  };
  // (channel, message) → configurations from which that send happens on some path.
  std::map<std::pair<std::uint32_t, std::uint32_t>, std::vector<char>> eventually_sent;
  const auto sent_later = [&](std::uint32_t channel, std::uint32_t message) -> const std::vector<char>& {
    auto [it, inserted] = eventually_sent.try_emplace({channel, message});
    if (inserted) {
      auto sends = states_with_edge(space, [&](EdgeIndex edge) { return is_send_of(edge, channel, message); });
      it->second = can_reach_along(space, reverse, std::move(sends), FollowEvery{});
    }
    return it->second;
  };
  for (StateIndex state = 0; state < space.size() && (!race || state < race->at); ++state)
    for (std::uint32_t local = 0; local < semantics.roles().size(); ++local) {
      poll_budget();
      const auto& options = receives.options(local, read.state(state, local));
      if (options.size() < 2) continue;
      const auto enabled = receives.enabled_actions(read, state, local);
      if (enabled.empty()) continue;
      const auto active_channel = enabled.front().channel;
      for (const auto& other : options) {
        if (other.channel == active_channel) continue;
        const auto& alphabet = semantics.channels()[other.channel].alphabet;
        for (std::uint32_t message = 0; message < alphabet.size(); ++message) {
          if (!semantics.accepts(other.global, message) || !sent_later(other.channel, message)[state]) continue;
          const automata::RoleId role = semantics.roles()[local];
          return Violation{
              state,
              shortest_path_to_edge(space, state,
                                    [&](EdgeIndex edge) { return is_send_of(edge, other.channel, message); }),
              fmt::format("{} can receive {} from {}, yet {} can still send it {}, which its state also accepts: "
                          "receives from different senders race",
                          system.role_names[role],
                          message_name(semantics, active_channel, read.head(state, active_channel)),
                          role_name(semantics, semantics.channels()[active_channel].from),
                          role_name(semantics, semantics.channels()[other.channel].from),
                          message_name(semantics, other.channel, message))};
        }
      }
    }
  return race;
}

}  // namespace lim::properties
