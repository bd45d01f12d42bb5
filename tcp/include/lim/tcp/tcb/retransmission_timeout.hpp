#pragma once
// The retransmission timeout of RFC 6298 (MUST-19): SRTT and RTTVAR from
// round-trip samples, RTO = SRTT + max(G, 4·RTTVAR) within [min, max], doubled
// on every expiry (§5.5). Karn's algorithm (MUST-18) is the caller's part:
// never sample a retransmitted segment.
//
// With RFC 7323's timestamps every ACK that advances SND.UNA is a sample;
// Appendix G then divides the gains α and β by the samples expected per
// round trip, so that SRTT and RTTVAR move per round trip as they would with
// one sample per flight.
#include <chrono>

namespace lim::tcp::tcb {

class RetransmissionTimeout {
 public:
  using Duration = std::chrono::steady_clock::duration;
  RetransmissionTimeout(Duration initial, Duration minimum, Duration maximum)
      : rto_(initial), minimum_(minimum), maximum_(maximum) {}

  // `expected_samples`: Appendix G's ExpectedSamples, ceil(FlightSize / (2·SMSS)), at least 1.
  void sample(Duration rtt, unsigned expected_samples = 1);
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
