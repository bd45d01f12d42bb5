#include "lim/tcp/tcb/retransmission_timeout.hpp"

#include <algorithm>

namespace lim::tcp::tcb {

void RetransmissionTimeout::sample(Duration rtt, unsigned expected_samples) {
  constexpr Duration kGranularity = std::chrono::milliseconds(1);
  if (!measured_) {
    srtt_ = rtt;
    rttvar_ = rtt / 2;
    measured_ = true;
  } else if (expected_samples <= 1) {
    const Duration error = srtt_ > rtt ? srtt_ - rtt : rtt - srtt_;
    rttvar_ = (3 * rttvar_ + error) / 4;
    srtt_ = (7 * srtt_ + rtt) / 8;
  } else {
    // β' = 1/(4·n), α' = 1/(8·n).
    const auto n = static_cast<Duration::rep>(expected_samples);
    const Duration error = srtt_ > rtt ? srtt_ - rtt : rtt - srtt_;
    rttvar_ += (error - rttvar_) / (4 * n);
    srtt_ += (rtt - srtt_) / (8 * n);
  }
  rto_ = std::clamp(srtt_ + std::max(kGranularity, 4 * rttvar_), minimum_, maximum_);
}

}  // namespace lim::tcp::tcb
