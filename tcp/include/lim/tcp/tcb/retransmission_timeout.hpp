#pragma once
// The retransmission timeout of RFC 6298 (MUST-19): SRTT and RTTVAR from
// round-trip samples, RTO = SRTT + max(G, 4·RTTVAR) within [min, max], doubled
// on every expiry (§5.5). Karn's algorithm (MUST-18) is the caller's part:
// never sample a retransmitted segment.
#include <chrono>

namespace lim::tcp::tcb {

class RetransmissionTimeout {
 public:
  using Duration = std::chrono::steady_clock::duration;
  RetransmissionTimeout(Duration initial, Duration minimum, Duration maximum)
      : rto_(initial), minimum_(minimum), maximum_(maximum) {}

  void sample(Duration rtt);
  void back_off() { rto_ = std::min(rto_ * 2, maximum_); }
  Duration current() const { return rto_; }
  bool measured() const { return measured_; }
  Duration smoothed() const { return srtt_; }

 private:
  Duration rto_;
  Duration minimum_, maximum_;
  Duration srtt_{0}, rttvar_{0};
  bool measured_ = false;
};

}  // namespace lim::tcp::tcb
