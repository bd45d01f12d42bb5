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

// `inbox(role)` is the queue of IncomingMessage from that role; `rotation`
// is the transport's own counter, kept between calls.
template <class InboxOf>
std::optional<IncomingMessage> take_fairly(std::span<const automata::RoleId> from, std::size_t& rotation,
                                           InboxOf&& inbox_of) {
  for (std::size_t i = 0; i < from.size(); ++i) {
    auto& inbox = inbox_of(from[(rotation + i) % from.size()]);
    if (inbox.empty()) continue;
    auto message = std::move(inbox.front());
    inbox.pop_front();
    ++rotation;
    return message;
  }
  return std::nullopt;
}

}  // namespace lim::runtime::detail
