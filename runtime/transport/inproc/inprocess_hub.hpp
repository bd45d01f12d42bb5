#pragma once
// The shared state of an in-process session: a mailbox per role holding one
// bounded FIFO queue per sender, and the session's fate. Each mailbox has
// its own lock, so roles that do not talk never contend.
#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "lim/runtime/gate/protocol.hpp"
#include "lim/runtime/transport/transport.hpp"

namespace lim::runtime::detail {

// A fixed-capacity FIFO: a queue of the k-bounded semantics.
class BoundedQueue {
 public:
  explicit BoundedQueue(std::size_t capacity) : slots_(capacity) {}
  bool empty() const { return size_ == 0; }
  bool full() const { return size_ == slots_.size(); }
  void push(IncomingMessage message) {
    slots_[(head_ + size_) % slots_.size()] = std::move(message);
    ++size_;
  }
  IncomingMessage pop() {
    IncomingMessage message = std::move(slots_[head_]);
    head_ = (head_ + 1) % slots_.size();
    --size_;
    return message;
  }

 private:
  std::vector<IncomingMessage> slots_;
  std::size_t head_ = 0;
  std::size_t size_ = 0;
};

class InProcessHub : public std::enable_shared_from_this<InProcessHub> {
 public:
  InProcessHub(std::shared_ptr<const Protocol> protocol, unsigned k, std::shared_ptr<Clock> clock);
  // Registers the mailboxes' wake-ups with the clock (needs shared_from_this).
  void watch_clock();

  void send(automata::RoleId from, automata::RoleId to, automata::LabelId label, Payload payload);
  std::optional<IncomingMessage> receive(automata::RoleId to, std::span<const automata::RoleId> from,
                                         Deadline deadline);
  void finish(automata::RoleId role);
  void abort(automata::RoleId origin, std::string_view reason) noexcept;
  unsigned k() const { return k_; }

 private:
  struct Mailbox {
    std::mutex mutex;
    std::condition_variable arrived;  // receiver waits: a message, or the session ended
    std::condition_variable space;    // senders wait: room in their queue (k ≥ 1) or pick-up (k = 0)
    std::vector<BoundedQueue> queues;  // index = sender
    std::vector<std::uint64_t> taken;  // per sender: messages taken so far (rendezvous)
    std::vector<std::uint64_t> put;    // per sender: messages put so far
    std::size_t rotation = 0;          // where the next scan starts, for fairness
    std::shared_ptr<const WakeCallback> wake;
  };

  [[noreturn]] void throw_ended(automata::RoleId self) const;
  bool ended() const { return aborted_.load(std::memory_order_acquire); }

  std::shared_ptr<const Protocol> protocol_;
  unsigned k_;
  std::shared_ptr<Clock> clock_;
  std::vector<std::unique_ptr<Mailbox>> mailboxes_;  // index = receiver
  std::unique_ptr<std::atomic<bool>[]> finished_;     // index = role
  std::atomic<bool> aborted_{false};
  mutable std::mutex abort_mutex_;
  std::string abort_origin_;
  std::string abort_reason_;
};

// One endpoint's view of the hub.
class InProcessTransport final : public Transport {
 public:
  InProcessTransport(std::shared_ptr<InProcessHub> hub, automata::RoleId role) : hub_(std::move(hub)), role_(role) {}
  std::string_view name() const override { return "in-process"; }
  Requirement requirement() const override { return {hub_->k(), false}; }
  void send(automata::RoleId to, automata::LabelId label, Payload payload) override {
    hub_->send(role_, to, label, std::move(payload));
  }
  std::optional<IncomingMessage> receive(std::span<const automata::RoleId> from, Deadline deadline) override {
    return hub_->receive(role_, from, deadline);
  }
  void finish() override { hub_->finish(role_); }
  void abort(std::string_view reason) noexcept override { hub_->abort(role_, reason); }

 private:
  std::shared_ptr<InProcessHub> hub_;
  automata::RoleId role_;
};

}  // namespace lim::runtime::detail
