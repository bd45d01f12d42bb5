// k-CIBI (kmc's kinputindepChanSize), the dependence-aware variant of
// k-SIBI. In every reachable configuration each role has at most one receive
// enabled (find_input_race), and when role p can receive a, then along every
// path after a, whenever another sender can send p a message p's state also
// accepts (a "bad" send z), z causally depends on a: some chain
// a → y1 → … → yj → z through the labels of the path links each element to
// the next, where x → y when x and y have the same subject (the role that
// moves), or x is a send on the channel of y and that channel's queue is
// empty — in the configuration where z is enabled (kmc evaluates every link
// there).
//
// The chain is existential over subsequences of the path, so the labels that
// can end a chain form a set that grows monotonically along the path; only
// the roles and send-channels of that set matter. A violation is therefore a
// path, in the product of the state space with (roles, channels) sets, to a
// bad send those sets do not cover. The queue-emptiness vector E of the
// final configuration enters every link, so the product is searched once
// per E that a configuration with a bad send exhibits. kmc enumerates all
// simple paths instead; the verdicts agree because a path that violates
// stays violating when its cycles are cut out (fewer links, smaller sets).
//
// Guarded copies of one receive are one receive (the input race counts them
// once); the paths after each copy are searched. An environment role owes
// no input independence (ReceiveTable lists no receives of it).
#include <algorithm>
#include <deque>
#include <map>
#include <unordered_map>

#include <fmt/format.h>

#include "async_receives.hpp"
#include "lim/properties/asynchronous_properties.hpp"
#include "lim/properties/guarded_reachability.hpp"
#include "lim/support/budget.hpp"

namespace lim::properties {
namespace {

using Bits = std::vector<std::uint64_t>;

bool test(const Bits& bits, std::size_t i) { return (bits[i / 64] >> (i % 64)) & 1U; }
void set(Bits& bits, std::size_t i) { bits[i / 64] |= std::uint64_t{1} << (i % 64); }

struct KeyHash {
  std::size_t operator()(const Bits& key) const {
    std::uint64_t h = 0x9e3779b97f4a7c15ULL;
    for (const auto word : key) {
      h ^= word + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
    }
    return static_cast<std::size_t>(h);
  }
};

class DependenceSearch {
 public:
  DependenceSearch(const ComponentSpace& component, const FieldReader& read)
      : semantics_(*component.semantics), space_(*component.space), read_(read) {
    role_words_ = (semantics_.roles().size() + 63) / 64;
    channel_words_ = (semantics_.channels().size() + 63) / 64;
  }

  // A path from `start` (after p's receive) ending with a bad send that does
  // not depend on the receive; nullopt when every bad send depends on it.
  template <class Bad>
  std::optional<std::vector<EdgeIndex>> undependent_bad_send(StateIndex start, std::uint32_t receiver_local,
                                                             Bad&& bad) const {
    // The emptiness vectors of the configurations reachable from `start`
    // that enable a bad send, in order of discovery.
    std::vector<Bits> vectors;
    {
      std::vector<StateIndex> queue{start};
      std::unordered_map<StateIndex, char> seen{{start, 1}};
      for (std::size_t i = 0; i < queue.size(); ++i) {
        const StateIndex state = queue[i];
        if (state >= space_.expanded()) continue;
        bool has_bad = false;
        for (EdgeIndex edge = space_.edges_begin(state); edge < space_.edges_end(state); ++edge) {
          has_bad = has_bad || bad(edge);
          if (seen.emplace(space_.target(edge), 1).second) queue.push_back(space_.target(edge));
        }
        if (!has_bad) continue;
        auto empty = emptiness(state);
        if (std::find(vectors.begin(), vectors.end(), empty) == vectors.end()) vectors.push_back(std::move(empty));
      }
    }
    for (const auto& empty : vectors)
      if (auto path = search(start, receiver_local, empty, bad)) return path;
    return std::nullopt;
  }

 private:
  Bits emptiness(StateIndex state) const {
    Bits empty(channel_words_, 0);
    for (std::uint32_t channel = 0; channel < semantics_.channels().size(); ++channel)
      if (read_.length(state, channel) == 0) set(empty, channel);
    return empty;
  }

  std::uint32_t mover_local(EdgeIndex edge) const {
    return *semantics_.local_index(semantics_.mover(space_.move(edge)));
  }
  std::uint32_t channel_of(EdgeIndex edge) const { return semantics_.transition_channel(space_.move(edge).first); }
  bool is_send(EdgeIndex edge) const {
    return semantics_.step(space_.move(edge)).direction == automata::Direction::Send;
  }

  // Node key: [state, role bits…, channel bits…].
  template <class Bad>
  std::optional<std::vector<EdgeIndex>> search(StateIndex start, std::uint32_t receiver_local, const Bits& empty,
                                               Bad& bad) const {
    struct Node {
      Bits key;
      std::size_t parent;
      EdgeIndex edge;
    };
    std::vector<Node> nodes;
    std::unordered_map<Bits, std::size_t, KeyHash> index;
    Bits first(1 + role_words_ + channel_words_, 0);
    first[0] = start;
    first[1 + receiver_local / 64] |= std::uint64_t{1} << (receiver_local % 64);
    nodes.push_back({first, 0, 0});
    index.emplace(std::move(first), 0);
    const auto roles_has = [&](const Bits& key, std::uint32_t local) { return (key[1 + local / 64] >> (local % 64)) & 1U; };
    const auto channels_has = [&](const Bits& key, std::uint32_t channel) {
      return (key[1 + role_words_ + channel / 64] >> (channel % 64)) & 1U;
    };
    const auto linked = [&](const Bits& key, EdgeIndex edge) {
      const auto channel = channel_of(edge);
      return roles_has(key, mover_local(edge)) ||
             (channel != semantics::AsynchronousSemantics::kNoChannel && channels_has(key, channel) &&
              test(empty, channel));
    };
    for (std::size_t current = 0; current < nodes.size(); ++current) {
      const auto state = static_cast<StateIndex>(nodes[current].key[0]);
      if (state >= space_.expanded()) continue;
      const bool judged_here = emptiness(state) == empty;
      for (EdgeIndex edge = space_.edges_begin(state); edge < space_.edges_end(state); ++edge) {
        const Bits& key = nodes[current].key;
        if (judged_here && bad(edge) && !linked(key, edge)) {
          std::vector<EdgeIndex> path{edge};
          for (std::size_t node = current; node != 0; node = nodes[node].parent) path.push_back(nodes[node].edge);
          return std::vector<EdgeIndex>(path.rbegin(), path.rend());
        }
        Bits next = key;
        next[0] = space_.target(edge);
        if (linked(key, edge)) {
          const auto mover = mover_local(edge);
          next[1 + mover / 64] |= std::uint64_t{1} << (mover % 64);
          if (is_send(edge)) {
            const auto channel = channel_of(edge);
            next[1 + role_words_ + channel / 64] |= std::uint64_t{1} << (channel % 64);
          }
        }
        if (index.contains(next)) continue;
        index.emplace(next, nodes.size());
        nodes.push_back({std::move(next), current, edge});
      }
    }
    return std::nullopt;
  }

  const semantics::AsynchronousSemantics& semantics_;
  const explore::StateSpace& space_;
  const FieldReader& read_;
  std::size_t role_words_ = 0;
  std::size_t channel_words_ = 0;
};

}  // namespace

std::optional<Violation> find_k_cibi_violation(const ComponentSpace& component) {
  const auto race = find_input_race(component);
  const auto& semantics = *component.semantics;
  const auto& space = *component.space;
  const auto& system = semantics.system();
  const FieldReader read(component);
  const ReceiveTable receives(component);
  const DependenceSearch search(component, read);
  for (StateIndex state = 0; state < space.expanded() && (!race || state < race->at); ++state)
    for (std::uint32_t local = 0; local < semantics.roles().size(); ++local) {
      poll_budget();
      const auto& options = receives.options(local, read.state(state, local));
      if (options.size() < 2) continue;
      const auto enabled = receives.enabled_actions(read, state, local);
      if (enabled.empty()) continue;
      const auto& active = enabled.front();
      // The other senders' messages this state accepts.
      std::vector<const ReceiveOption*> others;
      for (const auto& option : options)
        if (option.channel != active.channel) others.push_back(&option);
      if (others.empty()) continue;
      const auto bad = [&](EdgeIndex edge) {
        const auto move = space.move(edge);
        if (semantics.step(move).direction != automata::Direction::Send) return false;
        const auto channel = semantics.transition_channel(move.first);
        return std::any_of(others.begin(), others.end(), [&](const ReceiveOption* other) {
          return other->channel == channel && semantics.accepts(other->global, move.second);
        });
      };
      // The receive, and its guarded copies: one message, after which the
      // receiver continues in the copy its data chooses, so the paths after
      // every copy count.
      const auto& active_action = system.transition(semantics.transition_ref(active.global)).action;
      std::vector<std::uint32_t> copies{active.global};
      for (const auto& option : options) {
        const auto& action = system.transition(semantics.transition_ref(option.global)).action;
        if (option.channel == active.channel && action.guard != active_action.guard &&
            same_message(action, active_action) && receives.enabled(read, state, option))
          copies.push_back(option.global);
      }
      std::optional<std::vector<EdgeIndex>> path;
      for (const auto global : copies) {
        EdgeIndex receive = space.edges_end(state);
        for (EdgeIndex edge = space.edges_begin(state); edge < space.edges_end(state); ++edge)
          if (space.move(edge).first == global) {
            receive = edge;
            break;
          }
        if (receive == space.edges_end(state)) continue;
        path = search.undependent_bad_send(space.target(receive), local, bad);
        if (!path) continue;
        path->insert(path->begin(), receive);
        break;
      }
      if (!path) continue;
      const auto last = semantics.step(space.move(path->back()));
      const automata::RoleId role = semantics.roles()[local];
      return Violation{
          state, std::move(*path),
          fmt::format("{} can receive {} from {}, and afterwards {} can send it {} without depending on that "
                      "receive: receives from different senders race",
                      system.role_names[role], message_name(semantics, active.channel, read.head(state, active.channel)),
                      role_name(semantics, semantics.channels()[active.channel].from),
                      role_name(semantics, last.role), message_name(semantics, last.channel, last.message))};
    }
  return race;
}

}  // namespace lim::properties
