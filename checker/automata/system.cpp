#include "lim/automata/system.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "lim/refine/refinements.hpp"

namespace lim::automata {

SortId SortTable::add(std::string display, std::optional<std::string> session) {
  displays_.push_back(std::move(display));
  sessions_.push_back(std::move(session));
  for (auto& row : subsort_) row.push_back(false);
  subsort_.emplace_back(displays_.size(), false);
  const auto id = static_cast<SortId>(displays_.size() - 1);
  subsort_[id][id] = true;
  return id;
}

void SortTable::set_subsort(SortId sub, SortId super) { subsort_.at(sub).at(super) = true; }

bool SortTable::is_subsort(SortId sub, SortId super) const { return subsort_[sub][super]; }

std::string System::describe_timeout(std::uint32_t timeout) const {
  const auto& duration = timeouts.at(timeout);
  return duration.milliseconds ? fmt::format("timeout({}ms)", *duration.milliseconds)
                               : fmt::format("timeout({})", duration.variable);
}

std::string System::describe_label(const Action& action) const {
  if (action.direction == Direction::Timeout) return describe_timeout(action.label);
  const auto& sort = sorts.display(action.payload);
  std::string text = sort.empty() ? labels.name(action.label) : fmt::format("{}({})", labels.name(action.label), sort);
  if (action.guard != kNoGuard && refinements && action.guard < refinements->guards.size())
    text += " if " + refinements->guards[action.guard].text;
  return text;
}

std::string System::describe_message(RoleId from, RoleId to, LabelId label, SortId payload) const {
  return fmt::format("{} → {}: {}", role_names[from], role_names[to],
                     describe_label({Direction::Send, to, label, payload}));
}

std::string System::describe_action(RoleId role, const Action& action) const {
  // kmc's notation: `pq!a<S>` / `pq?a<S>`.
  if (action.direction == Direction::Timeout)
    return fmt::format("{}{}#{}", role_names[role], role_names[action.peer], describe_timeout(action.label));
  const auto& sort = sorts.display(action.payload);
  return fmt::format("{}{}{}{}{}", role_names[role], role_names[action.peer],
                     action.direction == Direction::Send ? "!" : "?", labels.name(action.label),
                     sort.empty() ? std::string() : "<" + sort + ">");
}

std::string System::describe_state(RoleId role, StateId state) const {
  const auto outgoing = machines[role].outgoing(state);
  if (outgoing.empty()) return "end";
  // A state that only receives (or only sends) with several peers reads as
  // the syntax that writes it: `&{ net: {ack, rst}, user: {close}, timeout(rto) }`.
  const auto kind = machines[role].kind(state);
  std::vector<RoleId> peers;
  for (const auto& transition : outgoing)
    if (transition.action.direction != Direction::Timeout &&
        std::find(peers.begin(), peers.end(), transition.action.peer) == peers.end())
      peers.push_back(transition.action.peer);
  if (peers.size() > 1 && (kind == StateKind::Sending || kind == StateKind::Receiving)) {
    std::string text = kind == StateKind::Sending ? "⊕{ " : "&{ ";
    for (const RoleId peer : peers) {
      std::string alternatives;
      for (const auto& transition : outgoing)
        if (transition.action.direction != Direction::Timeout && transition.action.peer == peer)
          alternatives += (alternatives.empty() ? "" : ", ") + describe_label(transition.action);
      text += fmt::format("{}{}: {{{}}}", peer == peers.front() ? "" : ", ", role_names[peer], alternatives);
    }
    for (const auto& transition : outgoing)
      if (transition.action.direction == Direction::Timeout) text += ", " + describe_label(transition.action);
    return text + " }";
  }
  // Group consecutive transitions by (direction, peer) so directed states
  // read like the local type they came from.
  std::string text;
  std::size_t i = 0;
  while (i < outgoing.size()) {
    const auto& head = outgoing[i].action;
    std::string alternatives;
    std::size_t j = i;
    // A timeout is written inside its branch: `net&{ack, timeout(rto)}`.
    const auto sends = [](const Action& action) { return action.direction == Direction::Send; };
    for (; j < outgoing.size() && sends(outgoing[j].action) == sends(head) && outgoing[j].action.peer == head.peer;
         ++j)
      alternatives += (alternatives.empty() ? "" : ", ") + describe_label(outgoing[j].action);
    if (!text.empty()) text += " | ";
    text += fmt::format("{}{}{{{}}}", role_names[head.peer], head.direction == Direction::Send ? "⊕" : "&",
                        alternatives);
    i = j;
  }
  return text;
}

void System::freeze() {
  for (auto& machine : machines) machine.freeze();
}

}  // namespace lim::automata
