#include "inprocess_hub.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "lim/runtime/endpoint/session_error.hpp"
#include "lim/runtime/gate/protocol.hpp"

namespace lim::runtime::detail {

InProcessHub::InProcessHub(std::shared_ptr<const Protocol> protocol, unsigned k, std::shared_ptr<Clock> clock)
    : protocol_(std::move(protocol)),
      k_(k),
      clock_(std::move(clock)),
      finished_(new std::atomic<bool>[protocol_->role_count()]) {
  const auto roles = protocol_->role_count();
  for (std::size_t role = 0; role < roles; ++role) {
    auto mailbox = std::make_unique<Mailbox>();
    // A rendezvous still needs one slot to hand the message over in.
    mailbox->queues.assign(roles, BoundedQueue(std::max(k, 1u)));
    mailbox->taken.assign(roles, 0);
    mailbox->put.assign(roles, 0);
    mailboxes_.push_back(std::move(mailbox));
    finished_[role] = false;
  }
}

void InProcessHub::watch_clock() {
  for (std::size_t index = 0; index < mailboxes_.size(); ++index) {
    // The callback holds the hub weakly: a clock may outlive the session.
    mailboxes_[index]->wake = std::make_shared<const WakeCallback>([hub = weak_from_this(), index] {
      if (const auto self = hub.lock()) {
        auto& mailbox = *self->mailboxes_[index];
        { const std::lock_guard lock(mailbox.mutex); }
        mailbox.arrived.notify_all();
      }
    });
    clock_->on_time_change(mailboxes_[index]->wake);
  }
}

void InProcessHub::throw_ended(automata::RoleId) const {
  const std::lock_guard lock(abort_mutex_);
  throw SessionAborted(abort_origin_, abort_reason_);
}

void InProcessHub::send(automata::RoleId from, automata::RoleId to, automata::LabelId label, Payload payload) {
  auto& mailbox = *mailboxes_[to];
  std::unique_lock lock(mailbox.mutex);
  auto& queue = mailbox.queues[from];
  mailbox.space.wait(lock, [&] { return ended() || finished_[to].load() || !queue.full(); });
  if (ended()) {
    lock.unlock();
    throw_ended(from);
  }
  if (finished_[to].load())
    throw TransportError(TransportFailure::PeerFinished, protocol_->role_name(to),
                         fmt::format("{} completed its role and will not receive {}", protocol_->role_name(to),
                                     protocol_->label_name(label)));
  queue.push({from, label, std::move(payload)});
  const auto ticket = ++mailbox.put[from];
  lock.unlock();
  mailbox.arrived.notify_all();
  if (k_ != 0) return;
  // Rendezvous: the send happens when the receiver takes the message.
  lock.lock();
  mailbox.space.wait(lock, [&] { return ended() || finished_[to].load() || mailbox.taken[from] >= ticket; });
  if (mailbox.taken[from] >= ticket) return;
  if (ended()) {
    lock.unlock();
    throw_ended(from);
  }
  throw TransportError(TransportFailure::PeerFinished, protocol_->role_name(to),
                       fmt::format("{} completed its role without taking {}", protocol_->role_name(to),
                                   protocol_->label_name(label)));
}

std::optional<IncomingMessage> InProcessHub::receive(automata::RoleId to, std::span<const automata::RoleId> from,
                                                     Deadline deadline) {
  auto& mailbox = *mailboxes_[to];
  std::unique_lock lock(mailbox.mutex);
  std::optional<automata::RoleId> sender;
  const auto ready = [&] {
    if (ended()) return true;
    for (std::size_t i = 0; i < from.size(); ++i) {
      const auto candidate = from[(mailbox.rotation + i) % from.size()];
      if (!mailbox.queues[candidate].empty()) {
        sender = candidate;
        return true;
      }
    }
    // Every role waited for has completed: nothing more can come.
    return !from.empty() && std::all_of(from.begin(), from.end(), [&](auto peer) { return finished_[peer].load(); });
  };
  const bool woken = deadline ? clock_->wait_until(lock, mailbox.arrived, *deadline, ready)
                              : (mailbox.arrived.wait(lock, ready), true);
  if (ended()) {
    lock.unlock();
    throw_ended(to);
  }
  if (!woken) return std::nullopt;
  if (!sender) {
    std::string peers;
    for (const auto peer : from) peers += (peers.empty() ? "" : ", ") + protocol_->role_name(peer);
    throw TransportError(TransportFailure::PeerFinished, protocol_->role_name(from.front()),
                         fmt::format("{} waits for {}, which completed its role without sending more",
                                     protocol_->role_name(to), peers));
  }
  auto message = mailbox.queues[*sender].pop();
  ++mailbox.taken[*sender];
  ++mailbox.rotation;
  lock.unlock();
  mailbox.space.notify_all();
  return message;
}

void InProcessHub::finish(automata::RoleId role) {
  finished_[role] = true;
  for (auto& mailbox : mailboxes_) {
    { const std::lock_guard lock(mailbox->mutex); }
    mailbox->arrived.notify_all();
    mailbox->space.notify_all();
  }
}

void InProcessHub::abort(automata::RoleId origin, std::string_view reason) noexcept {
  {
    const std::lock_guard lock(abort_mutex_);
    if (aborted_.load()) return;
    try {
      abort_origin_ = protocol_->role_name(origin);
      abort_reason_ = std::string(reason);
    } catch (...) {
      // Out of memory: the session still ends, with a shorter explanation.
    }
    aborted_.store(true, std::memory_order_release);
  }
  for (auto& mailbox : mailboxes_) {
    { const std::lock_guard lock(mailbox->mutex); }
    mailbox->arrived.notify_all();
    mailbox->space.notify_all();
  }
}

}  // namespace lim::runtime::detail
