#pragma once
// Receiving from any of several peers, as a network transport does when an
// offer accepts messages from more than one role: the scan starts after the
// peer served last, so that a peer that always has something to say cannot
// starve the others.
#include <cstddef>
#include <optional>
#include <span>
#include <utility>

#include "lim/runtime/transport/transport.hpp"

namespace lim::runtime::detail {

// `peers[role].inbox` is a queue of IncomingMessage; `rotation` is the
// transport's own counter, kept between calls.
template <class Peers>
std::optional<IncomingMessage> take_fairly(Peers& peers, std::span<const automata::RoleId> from,
                                           std::size_t& rotation) {
  for (std::size_t i = 0; i < from.size(); ++i) {
    auto& inbox = peers[from[(rotation + i) % from.size()]].inbox;
    if (inbox.empty()) continue;
    auto message = std::move(inbox.front());
    inbox.pop_front();
    ++rotation;
    return message;
  }
  return std::nullopt;
}

}  // namespace lim::runtime::detail
