#include "lim/properties/violation_screen.hpp"

#include <algorithm>
#include <functional>

#include <fmt/format.h>

#include "async_support.hpp"
#include "lim/explore/state_store.hpp"
#include "lim/properties/asynchronous_trace.hpp"
#include "lim/support/budget.hpp"

namespace lim::properties {
namespace {

// Beyond this many configurations, a search for a move that frees a queue
// gives up and leaves the configuration to the complete analysis.
constexpr std::size_t kSearchBudget = 64;

}  // namespace

ViolationScreen::ViolationScreen(const semantics::AsynchronousSemantics& semantics, Refutation watch,
                                 std::vector<Refutation> goals, Refutation already)
    : semantics_(semantics), watch_(watch), goals_(std::move(goals)), found_(already) {
  const auto& system = semantics.system();
  send_channels_.resize(semantics.roles().size());
  for (std::uint32_t local = 0; local < semantics.roles().size(); ++local) {
    const automata::RoleId role = semantics.roles()[local];
    const auto& machine = system.machines[role];
    send_channels_[local].resize(machine.state_count());
    // An environment's sends are neither k-OBI nor k-exhaustivity obligations.
    if (system.is_environment(role)) continue;
    for (const auto& transition : machine.transitions()) {
      if (transition.action.direction != automata::Direction::Send) continue;
      const auto channel = semantics.channel_index(role, transition.action.peer);
      if (!channel) continue;
      auto& list = send_channels_[local][transition.source];
      if (std::find(list.begin(), list.end(), *channel) == list.end()) list.push_back(*channel);
    }
  }
}

const std::optional<ViolationScreen::Witness>& ViolationScreen::witness(Refutation kind) const {
  return kind == Refutation::Exhaustivity ? exhaustivity_ : kind == Refutation::OutputIndependence ? obi_ : race_;
}

bool ViolationScreen::operator()(explore::StateIndex state, std::span<const std::uint32_t> configuration) {
  return examine(state, configuration, nullptr);
}

bool ViolationScreen::settled() const {
  return !goals_.empty() &&
         std::all_of(goals_.begin(), goals_.end(), [&](Refutation goal) { return any(found_, goal); });
}

bool ViolationScreen::examine(explore::StateIndex state, std::span<const std::uint32_t> configuration,
                              const std::function<std::vector<explore::Move>()>* run) {
  const auto record = [&](Refutation kind, std::optional<Witness>& slot, std::optional<std::string> why, bool first) {
    if (!why) return;
    slot = Witness{state, {configuration.begin(), configuration.end()}, std::move(*why), first, std::nullopt};
    if (run) slot->run = (*run)();
    found_ = found_ | kind;
  };
  if (any(watch_, Refutation::OutputIndependence) && !obi_)
    record(Refutation::OutputIndependence, obi_, obi_violation(configuration), run == nullptr);
  if (any(watch_, Refutation::InputRace) && !race_)
    record(Refutation::InputRace, race_, race_violation(configuration), run == nullptr);
  if (any(watch_, Refutation::Exhaustivity) && !exhaustivity_) {
    const bool first = run == nullptr && !undecided_before_;
    record(Refutation::Exhaustivity, exhaustivity_, exhaustivity_violation(configuration), first);
  }
  return settled();
}

bool ViolationScreen::hunt(std::size_t budget) {
  const auto& layout = semantics_.layout();
  const std::size_t fields = layout.field_count();
  struct Node {
    std::uint32_t parent;
    explore::Move move;
  };
  std::vector<Node> nodes{{0, {}}};
  std::vector<std::uint32_t> configurations(fields);  // node i at [i * fields, (i+1) * fields)
  semantics_.initial(std::span<std::uint32_t>(configurations.data(), fields));
  explore::StateStore visited(layout.word_count());
  std::vector<std::uint64_t> packed(layout.word_count());
  layout.pack(std::span<const std::uint32_t>(configurations.data(), fields), packed);
  visited.insert(packed);
  std::vector<std::uint32_t> stack{0}, scratch(fields), current(fields);
  std::vector<std::pair<explore::Move, std::vector<std::uint32_t>>> receives, sends;
  std::uint32_t node = 0;
  const std::function<std::vector<explore::Move>()> run = [&] {
    std::vector<explore::Move> moves;
    for (std::uint32_t at = node; at != 0; at = nodes[at].parent) moves.push_back(nodes[at].move);
    std::reverse(moves.begin(), moves.end());
    return moves;
  };
  while (!stack.empty() && nodes.size() <= budget) {
    poll_budget();
    node = stack.back();
    stack.pop_back();
    std::copy_n(configurations.begin() + std::ptrdiff_t{node} * static_cast<std::ptrdiff_t>(fields), fields,
                current.begin());
    if (examine(node, current, &run)) return true;
    receives.clear();
    sends.clear();
    semantics_.for_each_successor(std::span<const std::uint32_t>(current), std::span<std::uint32_t>(scratch),
                                  [&](explore::Move move, std::span<const std::uint32_t> next) {
                                    layout.pack(next, packed);
                                    if (!visited.insert(packed).inserted) return;
                                    const bool send =
                                        semantics_.step(move).direction == automata::Direction::Send;
                                    (send ? sends : receives).emplace_back(move, std::vector<std::uint32_t>(
                                                                                    next.begin(), next.end()));
                                  });
    // Pushed last, popped first: sends are tried before receives.
    for (auto* group : {&receives, &sends})
      for (auto& [move, next] : *group) {
        stack.push_back(static_cast<std::uint32_t>(nodes.size()));
        nodes.push_back({node, move});
        configurations.insert(configurations.end(), next.begin(), next.end());
      }
  }
  return false;
}

std::optional<std::string> ViolationScreen::obi_violation(std::span<const std::uint32_t> configuration) const {
  for (std::uint32_t local = 0; local < semantics_.roles().size(); ++local) {
    const auto& channels = send_channels_[local][configuration[local]];
    if (channels.size() < 2) continue;
    std::optional<std::uint32_t> open, full;
    for (const auto channel : channels)
      (semantics_.queue_length(configuration, channel) < semantics_.bound() ? open : full) = channel;
    if (open && full) {
      const auto& system = semantics_.system();
      const auto role = semantics_.roles()[local];
      return fmt::format("{} at {} can send to {} but not to {}, whose queue is full",
                         system.role_names[role], system.describe_state(role, configuration[local]),
                         system.role_names[semantics_.channels()[*open].to],
                         system.role_names[semantics_.channels()[*full].to]);
    }
  }
  return std::nullopt;
}

std::optional<std::string> ViolationScreen::race_violation(std::span<const std::uint32_t> configuration) const {
  const auto& system = semantics_.system();
  for (std::uint32_t local = 0; local < semantics_.roles().size(); ++local) {
    const automata::RoleId role = semantics_.roles()[local];
    if (system.is_environment(role)) continue;  // it owes no input independence
    const auto& machine = system.machines[role];
    const auto state = configuration[local];
    const auto first_index = machine.first_outgoing_index(state);
    const auto outgoing = machine.outgoing(state);
    std::optional<automata::Action> enabled;
    for (std::uint32_t i = 0; i < outgoing.size(); ++i) {
      const auto& action = outgoing[i].action;
      if (action.direction != automata::Direction::Receive) continue;
      const auto global = semantics_.global_index({role, first_index + i});
      const auto channel = semantics_.transition_channel(global);
      if (channel == semantics::AsynchronousSemantics::kNoChannel ||
          semantics_.queue_length(configuration, channel) == 0 ||
          !semantics_.accepts(global, semantics_.queued_message(configuration, channel, 0)))
        continue;
      if (!enabled) {
        enabled = action;
      } else if (!same_message(*enabled, action)) {  // guarded copies are one receive
        return fmt::format("{} can receive both {} and {}: two receives are enabled at once", system.role_names[role],
                           system.describe_action(role, *enabled), system.describe_action(role, action));
      }
    }
  }
  return std::nullopt;
}

std::optional<std::string> ViolationScreen::exhaustivity_violation(std::span<const std::uint32_t> configuration) {
  const auto& system = semantics_.system();
  for (std::uint32_t local = 0; local < semantics_.roles().size(); ++local) {
    for (const auto channel : send_channels_[local][configuration[local]]) {
      if (semantics_.queue_length(configuration, channel) < semantics_.bound()) continue;
      const auto role = semantics_.roles()[local];
      if (can_free(configuration, role, channel)) continue;
      return fmt::format("{} is at {} but queue {} → {} is full and no moves of the other roles ever take a "
                         "message out of it",
                         system.role_names[role], system.describe_state(role, configuration[local]),
                         system.role_names[role], system.role_names[semantics_.channels()[channel].to]);
    }
  }
  return std::nullopt;
}

// Whether moves of roles other than `sender` lead to a configuration where
// `channel` has room: a search over those moves (the sender stays put, so
// only the receiver can take from the queue).
bool ViolationScreen::can_free(std::span<const std::uint32_t> configuration, automata::RoleId sender,
                               std::uint32_t channel) {
  // Most often the receiver can take the head right away.
  const auto& system = semantics_.system();
  const auto receiver = semantics_.channels()[channel].to;
  const auto receiver_state = semantics_.state_of(configuration, receiver);
  const auto first_index = system.machines[receiver].first_outgoing_index(receiver_state);
  const auto head = semantics_.queued_message(configuration, channel, 0);
  for (std::uint32_t i = 0; i < system.machines[receiver].outgoing(receiver_state).size(); ++i) {
    const auto global = semantics_.global_index({receiver, first_index + i});
    if (semantics_.transition_channel(global) == channel &&
        system.transition(semantics_.transition_ref(global)).action.direction == automata::Direction::Receive &&
        semantics_.accepts(global, head))
      return true;
  }
  // Breadth-first over the other roles' moves, within a small budget; the
  // visited set is a flat array searched linearly, which beats any hash
  // table at this size and allocates nothing after the first call.
  const auto& layout = semantics_.layout();
  const std::size_t fields = configuration.size();
  const std::size_t width = layout.word_count();
  search_configurations_.assign(configuration.begin(), configuration.end());
  search_words_.resize(width);
  layout.pack(configuration, std::span<std::uint64_t>(search_words_.data(), width));
  search_scratch_.resize(fields);
  search_packed_.resize(width);
  bool freed = false;
  for (std::size_t head = 0; head * fields < search_configurations_.size() && !freed; ++head) {
    if (search_configurations_.size() / fields > kSearchBudget) {
      undecided_before_ = true;
      return true;  // not proven: the complete analysis will tell
    }
    search_current_.assign(search_configurations_.begin() + static_cast<std::ptrdiff_t>(head * fields),
                           search_configurations_.begin() + static_cast<std::ptrdiff_t>((head + 1) * fields));
    semantics_.for_each_successor(
        std::span<const std::uint32_t>(search_current_), std::span<std::uint32_t>(search_scratch_),
        [&](explore::Move move, std::span<const std::uint32_t> next) {
          if (freed || semantics_.mover(move) == sender) return;
          if (semantics_.queue_length(next, channel) < semantics_.bound()) {
            freed = true;
            return;
          }
          layout.pack(next, search_packed_);
          for (std::size_t at = 0; at < search_words_.size(); at += width)
            if (std::equal(search_packed_.begin(), search_packed_.end(), search_words_.begin() + static_cast<std::ptrdiff_t>(at)))
              return;
          search_words_.insert(search_words_.end(), search_packed_.begin(), search_packed_.end());
          search_configurations_.insert(search_configurations_.end(), next.begin(), next.end());
        });
  }
  return freed;
}

}  // namespace lim::properties
