#include "lim/tcp/server/session_channels.hpp"

#include <algorithm>
#include <stdexcept>

#include <fmt/format.h>

#include "lim/runtime/endpoint/session_error.hpp"
#include "lim/tcp/server/segment_codec.hpp"

namespace lim::tcp::server {

using automata::RoleId;
using runtime::IncomingMessage;

namespace {

// How many queued messages a due timer lets go first (receive()): a
// burst's worth, well under the inbox's bound.
constexpr unsigned kTakenWhileDue = 64;

class ChannelTransport final : public runtime::Transport {
 public:
  ChannelTransport(std::shared_ptr<SessionChannels> channels, RoleId role) : channels_(std::move(channels)), role_(role) {}
  std::string_view name() const override { return "tcp-server"; }
  // The spec is verified at k = 1 for these channels (docs/tcp.md §3).
  runtime::Requirement requirement() const override { return {1, false}; }
  void send(RoleId to, automata::LabelId label, runtime::Payload payload) override {
    channels_->send(role_, to, label, std::move(payload));
  }
  std::optional<IncomingMessage> receive(std::span<const RoleId> from, runtime::Deadline deadline) override {
    return channels_->receive(role_, from, deadline);
  }
  void finish() override { channels_->finish(role_); }
  void abort(std::string_view reason) noexcept override { channels_->abort(role_, reason); }

 private:
  std::shared_ptr<SessionChannels> channels_;
  RoleId role_;
};

}  // namespace

SessionChannels::SessionChannels(std::shared_ptr<const runtime::Protocol> protocol, RoleId net,
                                 std::size_t net_capacity, std::shared_ptr<runtime::Clock> clock, Wire wire)
    : protocol_(std::move(protocol)),
      net_(net),
      roles_(protocol_->role_count()),
      net_capacity_(std::max<std::size_t>(net_capacity, 1)),
      clock_(std::move(clock)),
      wire_(std::move(wire)),
      slots_(roles_ * roles_),
      finished_(roles_, false),
      taken_while_due_(roles_, 0),
      poked_(roles_, false),
      refresh_(roles_) {}

void SessionChannels::watch_clock() {
  wake_ = std::make_shared<const runtime::WakeCallback>([weak = weak_from_this()] {
    if (const auto self = weak.lock()) {
      { const std::lock_guard lock(self->mutex_); }
      self->changed_.notify_all();
    }
  });
  clock_->on_time_change(wake_);
}

std::unique_ptr<runtime::Transport> SessionChannels::transport(RoleId role) {
  return std::make_unique<ChannelTransport>(shared_from_this(), role);
}

bool SessionChannels::deliver(tcb::Segment segment) {
  bool was_empty = false;
  {
    const std::lock_guard lock(mutex_);
    if (inbox_closed_ || aborted_ || inbox_.size() >= net_capacity_) {
      ++dropped_;
      return false;
    }
    was_empty = inbox_.empty();
    inbox_.push_back(std::move(segment));
  }
  // Only the system takes from the inbox, and it was woken when the inbox
  // stopped being empty: waking it (and every other waiter) again for each
  // segment of a burst costs a futex call and a context switch apiece.
  if (was_empty) changed_.notify_all();
  return true;
}

void SessionChannels::close_inbox() {
  const std::lock_guard lock(mutex_);
  inbox_closed_ = true;
  inbox_.clear();
}

std::uint64_t SessionChannels::dropped() const {
  const std::lock_guard lock(mutex_);
  return dropped_;
}

void SessionChannels::stage(tcb::OutSegment segment) {
  const std::lock_guard lock(mutex_);
  staged_ = std::move(segment);
}

void SessionChannels::poke(RoleId role) {
  {
    const std::lock_guard lock(mutex_);
    poked_[role] = true;
  }
  changed_.notify_all();
}

void SessionChannels::refresh_at(RoleId role, runtime::Deadline at) {
  const std::lock_guard lock(mutex_);
  refresh_[role] = at;
}

void SessionChannels::send(RoleId from, RoleId to, automata::LabelId label, runtime::Payload payload) {
  std::unique_lock lock(mutex_);
  if (to == net_) {
    // What the monitor let through must be what goes on the wire.
    if (!staged_ || tcb::segment_label(staged_->flags) != protocol_->label_name(label) ||
        segment_record(*staged_) != payload)
      throw std::logic_error(fmt::format("the segment for the wire ({}) is not the {}{} the monitor allowed",
                                         staged_ ? segment_record(*staged_).dump() : "none",
                                         protocol_->label_name(label), payload.dump()));
    const tcb::OutSegment segment = std::move(*staged_);
    staged_.reset();
    lock.unlock();
    wire_(segment);
    return;
  }
  auto& target = slot(from, to);
  changed_.wait(lock, [&] { return aborted_ || finished_[to] || !target.has_value(); });
  if (aborted_) throw runtime::SessionAborted(abort_origin_, abort_reason_);
  if (finished_[to])
    throw runtime::TransportError(runtime::TransportFailure::PeerFinished, protocol_->role_name(to),
                                  fmt::format("{} completed its role and will not receive {}",
                                              protocol_->role_name(to), protocol_->label_name(label)));
  target = IncomingMessage{from, label, std::move(payload)};
  lock.unlock();
  changed_.notify_all();
}

std::optional<IncomingMessage> SessionChannels::receive(RoleId to, std::span<const RoleId> from,
                                                        runtime::Deadline deadline) {
  std::unique_lock lock(mutex_);
  const bool due_at_entry = deadline && clock_->now() >= *deadline;
  std::optional<IncomingMessage> message;
  bool from_slot = false;
  const auto take = [&]() -> bool {
    for (const RoleId peer : from) {
      if (peer == net_) {
        if (inbox_.empty()) continue;
        current_ = std::move(inbox_.front());
        inbox_.pop_front();
        const auto label = protocol_->find_label(tcb::segment_label(current_.flags));
        message = IncomingMessage{net_, label.value_or(0), segment_record(current_)};
        return true;
      }
      auto& source = slot(peer, to);
      if (source) {
        message = std::move(source);
        source.reset();
        from_slot = true;
        return true;
      }
    }
    return false;
  };
  const auto taken = [&] {
    lock.unlock();
    if (from_slot) changed_.notify_all();  // a slot is free again
    return std::move(message);
  };
  // A timer already due waits while messages are queued, up to
  // kTakenWhileDue of them in a row, then goes: queued segments are processed
  // before the ACK they owe is sent (RFC 9293 MUST-59), one ACK and one
  // wake-up of the reader answer a burst, and neither the timer nor the
  // inputs starve. (In the spec a timeout may fire whenever the role waits,
  // so either order is a run of the semantics.)
  if (due_at_entry) {
    if (aborted_) throw runtime::SessionAborted(abort_origin_, abort_reason_);
    if (taken_while_due_[to] < kTakenWhileDue && take()) {
      ++taken_while_due_[to];
      return taken();
    }
    taken_while_due_[to] = 0;
    return std::nullopt;
  }
  taken_while_due_[to] = 0;
  const auto ready = [&] {
    if (aborted_ || poked_[to]) return true;
    if (take()) return true;
    return std::all_of(from.begin(), from.end(), [&](RoleId peer) { return peer != net_ && finished_[peer]; });
  };
  const auto sleeping = clock_->sleeping();
  const auto refresh = refresh_[to];
  const bool refresh_first = refresh && (!deadline || *refresh < *deadline);
  const auto until = refresh_first ? refresh : deadline;
  const bool woken = until ? clock_->wait_until(lock, changed_, *until, ready) : (changed_.wait(lock, ready), true);
  if (aborted_) throw runtime::SessionAborted(abort_origin_, abort_reason_);
  if (message) return taken();
  if (poked_[to]) {
    poked_[to] = false;
    return std::nullopt;  // not a timeout (unless due): the caller waits again
  }
  if (!woken && refresh_first) {
    refresh_[to].reset();
    return std::nullopt;  // not a timeout: the caller reads its variables and waits again
  }
  if (!woken) return std::nullopt;
  std::string peers;
  for (const auto peer : from) peers += (peers.empty() ? "" : ", ") + protocol_->role_name(peer);
  throw runtime::TransportError(runtime::TransportFailure::PeerFinished, protocol_->role_name(from.front()),
                                fmt::format("{} waits for {}, which completed its role", protocol_->role_name(to), peers));
}

void SessionChannels::finish(RoleId role) {
  {
    const std::lock_guard lock(mutex_);
    finished_[role] = true;
  }
  changed_.notify_all();
}

void SessionChannels::abort(RoleId origin, std::string_view reason) noexcept {
  {
    const std::lock_guard lock(mutex_);
    if (aborted_) return;
    aborted_ = true;
    try {
      abort_origin_ = protocol_->role_name(origin);
      abort_reason_ = std::string(reason);
    } catch (...) {
    }
    inbox_.clear();
  }
  changed_.notify_all();
}

}  // namespace lim::tcp::server
