#pragma once
// Credit-based flow control between two endpoints, shared by the TCP and
// MQTT transports. A receiver grants each sender a window — messages and
// bytes it has not yet taken — and reports how many it took; a sender
// never has more than the window outstanding. So no receive buffer grows
// past its window (a sender that ignores the window is an Overflow), and a
// broker never holds more of a channel than the window, well below what it
// would drop.
//
// A window of 0 messages is a rendezvous: one message at a time, and the
// sender waits until it has been taken.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <deque>

namespace lim::runtime::detail {

struct Window {
  std::uint64_t messages = 0;
  std::uint64_t bytes = 0;
};

// The sender's side of one channel.
class SendCredit {
 public:
  void set_window(Window window) { window_ = window; }
  const Window& window() const { return window_; }
  // Whether a message of `bytes` may go now. A message larger than the byte
  // window goes alone.
  bool may_send(std::size_t bytes) const {
    if (in_flight_.empty()) return true;
    return in_flight_.size() < window_.messages && in_flight_bytes_ + bytes <= window_.bytes;
  }
  void sent(std::size_t bytes) {
    in_flight_.push_back(bytes);
    in_flight_bytes_ += bytes;
    ++sent_;
  }
  // The receiver reports `consumed` messages taken in all. False when that
  // is less than it reported before or more than were sent: a lying peer.
  bool credit(std::uint64_t consumed) {
    if (consumed < acknowledged_ || consumed > sent_) return false;
    for (; acknowledged_ < consumed; ++acknowledged_) {
      in_flight_bytes_ -= in_flight_.front();
      in_flight_.pop_front();
    }
    return true;
  }
  bool rendezvous() const { return window_.messages == 0; }
  // Every message sent has been taken.
  bool all_taken() const { return in_flight_.empty(); }
  std::uint64_t sent_count() const { return sent_; }
  std::uint64_t taken_count() const { return acknowledged_; }

 private:
  Window window_;
  std::deque<std::size_t> in_flight_;  // sizes of the messages not yet taken
  std::uint64_t in_flight_bytes_ = 0;
  std::uint64_t sent_ = 0;
  std::uint64_t acknowledged_ = 0;
};

// The receiver's side of one channel.
class ReceiveCredit {
 public:
  // `eager`: report every message taken at once (bounded channels, where a
  // sender waits for each credit); otherwise in batches of a quarter window.
  void set_window(Window window, bool eager) {
    window_ = window;
    eager_ = eager;
  }
  const Window& window() const { return window_; }
  // A message arrived; false when it exceeds the window.
  bool arrived(std::size_t bytes) {
    ++buffered_;
    buffered_bytes_ += bytes;
    return buffered_ <= std::max<std::uint64_t>(1, window_.messages) &&
           (buffered_bytes_ <= window_.bytes || buffered_ == 1);
  }
  // The endpoint took a message of `bytes`: whether to report now.
  bool taken(std::size_t bytes) {
    --buffered_;
    buffered_bytes_ -= bytes;
    ++consumed_;
    unreported_bytes_ += bytes;
    return eager_ || consumed_ - reported_ >= std::max<std::uint64_t>(1, window_.messages / 4) ||
           unreported_bytes_ >= window_.bytes / 4;
  }
  // Something taken is not reported yet: report before waiting, so that no
  // sender waits for a credit the receiver holds back.
  bool unreported() const { return consumed_ != reported_; }
  // The count to report; marks it reported.
  std::uint64_t report() {
    reported_ = consumed_;
    unreported_bytes_ = 0;
    return consumed_;
  }
  std::uint64_t consumed() const { return consumed_; }

 private:
  Window window_;
  bool eager_ = false;
  std::uint64_t buffered_ = 0;
  std::uint64_t buffered_bytes_ = 0;
  std::uint64_t consumed_ = 0;
  std::uint64_t reported_ = 0;
  std::uint64_t unreported_bytes_ = 0;
};

}  // namespace lim::runtime::detail
