#include "lim/tcp/tcb/congestion_control.hpp"

#include <algorithm>

#include "lim/tcp/tcb/sequence.hpp"

namespace lim::tcp::tcb {

void NewReno::start(std::uint32_t iss, std::uint32_t mss) {
  cwnd_ = mss > 2190 ? 2 * mss : mss > 1095 ? 3 * mss : 4 * mss;  // RFC 5681 §3.1, IW
  mss_ = mss;
  ssthresh_ = 0xFFFFFFFFu;
  duplicates_ = 0;
  in_recovery_ = false;
  recover_ = iss;  // RFC 6582 §3.2 step 1
  bytes_acked_ = 0;
}

bool NewReno::on_ack(std::uint32_t acked, const Flight& flight) {
  duplicates_ = 0;
  if (in_recovery_) {
    if (!seq_lt(flight.snd_una, recover_)) {
      // A full ACK (RFC 6582 §3.2 step 3, option 1): deflate the window.
      cwnd_ = std::min(ssthresh_, std::max(flight.in_flight(), flight.mss) + flight.mss);
      in_recovery_ = false;
      return false;
    }
    // A partial ACK: the next hole goes out now; the window deflates by what
    // was acknowledged and grows back by one segment if that much was.
    cwnd_ = cwnd_ > acked ? cwnd_ - acked : 0;
    if (acked >= flight.mss) cwnd_ += flight.mss;
    cwnd_ = std::max(cwnd_, flight.mss);
    return true;
  }
  if (cwnd_ < ssthresh_) {
    cwnd_ += std::min(acked, flight.mss);  // slow start
  } else {
    // Congestion avoidance: one segment per window of data acknowledged.
    bytes_acked_ += acked;
    if (bytes_acked_ >= cwnd_) {
      bytes_acked_ -= cwnd_;
      cwnd_ += flight.mss;
    }
  }
  return false;
}

bool NewReno::on_duplicate_ack(std::uint32_t ack, const Flight& flight) {
  if (in_recovery_) {
    cwnd_ += flight.mss;  // each duplicate says a segment left the network
    return false;
  }
  if (++duplicates_ < duplicate_threshold(flight)) return false;
  // RFC 6582 §3.2 step 2: not for a loss in the window that was already
  // recovered or timed out ("recover" is here the first octet after it).
  if (seq_lt(ack, recover_)) return false;
  enter_recovery(flight);
  return true;
}

bool NewReno::on_loss(const Flight& flight) {
  if (in_recovery_ || seq_lt(flight.snd_una, recover_)) return false;
  enter_recovery(flight);
  return true;
}

void NewReno::on_repaired_loss(const Flight& flight) {
  if (in_recovery_) return;
  before_reduction_ = {cwnd_, ssthresh_};
  ssthresh_ = std::max(cwnd_ / 2, 2 * flight.mss);
  cwnd_ = ssthresh_;
  bytes_acked_ = 0;
}

void NewReno::enter_recovery(const Flight& flight) {
  before_reduction_ = {cwnd_, ssthresh_};
  ssthresh_ = std::max(flight.in_flight() / 2, 2 * flight.mss);  // RFC 5681 equation 4
  recover_ = flight.snd_nxt;
  in_recovery_ = true;
  cwnd_ = ssthresh_ + kDuplicateThreshold * flight.mss;
}

unsigned NewReno::duplicate_threshold(const Flight& flight) {
  const std::uint32_t outstanding = (flight.in_flight() + flight.mss - 1) / flight.mss;
  if (flight.more_to_send || outstanding >= 4 || outstanding < 2) return kDuplicateThreshold;
  return outstanding - 1;
}

std::uint32_t NewReno::send_allowance() const {
  // RFC 3042: each of the first two duplicates lets one new segment go.
  if (in_recovery_) return cwnd_;
  return cwnd_ + std::min(duplicates_, 2u) * mss_;
}

void NewReno::on_timeout(const Flight& flight) {
  before_reduction_.reset();  // a timeout's collapse is not undone
  ssthresh_ = std::max(flight.in_flight() / 2, 2 * flight.mss);
  cwnd_ = flight.mss;  // loss window: one segment (RFC 5681 §3.1)
  duplicates_ = 0;
  bytes_acked_ = 0;
  // RFC 6582 §3.2 step 4: leave recovery; what was sent so far is one window.
  in_recovery_ = false;
  recover_ = flight.snd_nxt;
}

void NewReno::on_spurious_loss() {
  if (!before_reduction_) return;
  cwnd_ = std::max(cwnd_, before_reduction_->first);
  ssthresh_ = std::max(ssthresh_, before_reduction_->second);
  before_reduction_.reset();
  in_recovery_ = false;
  bytes_acked_ = 0;
}

}  // namespace lim::tcp::tcb
