#pragma once
// The channels of one TCP session, as the runtime's transports: one slot
// (a queue of capacity 1, the k = 1 the spec is verified at) for each pair of
// the in-process roles — system, user, reader — and the network, an
// environment role: segments from the demultiplexer wait in a bounded inbox
// that drops what does not fit (a dropped segment is a network that did not
// send), and what the system sends to it goes to the wire at once.
//
// docs/tcp.md §3 says why the spec's k-MC at k = 1 covers this: the inbox's
// size does not matter, because the network's sends can always be moved to
// just before the system takes them.
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "lim/runtime/clock/clock.hpp"
#include "lim/runtime/gate/protocol.hpp"
#include "lim/runtime/transport/transport.hpp"
#include "lim/tcp/tcb/tcb.hpp"

namespace lim::tcp::server {

class SessionChannels : public std::enable_shared_from_this<SessionChannels> {
 public:
  using Wire = std::function<void(const tcb::OutSegment&)>;
  SessionChannels(std::shared_ptr<const runtime::Protocol> protocol, automata::RoleId net, std::size_t net_capacity,
                  std::shared_ptr<runtime::Clock> clock, Wire wire);
  // After construction (needs shared_from_this): ManualClock wake-ups.
  void watch_clock();

  // The transport of an in-process role.
  std::unique_ptr<runtime::Transport> transport(automata::RoleId role);

  // ---- the network's side --------------------------------------------------------
  // Queues a segment from the network; false when the inbox is full or closed.
  bool deliver(tcb::Segment segment);
  // No more segments will be delivered (the 4-tuple is unbound).
  void close_inbox();
  // The segment the last receive from the network returned.
  const tcb::Segment& current() const { return current_; }
  // The next send to the network must be exactly this segment.
  void stage(tcb::OutSegment segment);
  // Ends `role`'s wait early (it sees DeadlineExpired and waits again):
  // something the TCB holds changed, and its timer may be due now.
  void poke(automata::RoleId role);
  // Ends `role`'s waits at `at` the same way (nullopt: never): the guard
  // variables it waits with change then.
  void refresh_at(automata::RoleId role, runtime::Deadline at);

  std::uint64_t dropped() const;

  // ---- the transports' calls ---------------------------------------------------------
  void send(automata::RoleId from, automata::RoleId to, automata::LabelId label, runtime::Payload payload);
  std::optional<runtime::IncomingMessage> receive(automata::RoleId to, std::span<const automata::RoleId> from,
                                                  runtime::Deadline deadline);
  void finish(automata::RoleId role);
  void abort(automata::RoleId origin, std::string_view reason) noexcept;

 private:
  std::optional<runtime::IncomingMessage>& slot(automata::RoleId from, automata::RoleId to) {
    return slots_[from * roles_ + to];
  }

  std::shared_ptr<const runtime::Protocol> protocol_;
  automata::RoleId net_;
  std::size_t roles_;
  std::size_t net_capacity_;
  std::shared_ptr<runtime::Clock> clock_;
  Wire wire_;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::shared_ptr<const runtime::WakeCallback> wake_;
  std::vector<std::optional<runtime::IncomingMessage>> slots_;  // [from * roles + to]
  std::vector<bool> finished_;
  // Per role: messages taken in a row while its timer was due (receive()).
  std::vector<unsigned> taken_while_due_;
  std::deque<tcb::Segment> inbox_;
  bool inbox_closed_ = false;
  std::uint64_t dropped_ = 0;
  std::vector<bool> poked_;
  std::vector<runtime::Deadline> refresh_;
  tcb::Segment current_;
  std::optional<tcb::OutSegment> staged_;
  bool aborted_ = false;
  std::string abort_origin_, abort_reason_;
};

}  // namespace lim::tcp::server
