#include "lim/tcp/tcb/retransmission_timeout.hpp"

#include <algorithm>

namespace lim::tcp::tcb {

void RetransmissionTimeout::sample(Duration rtt) {
  constexpr Duration kGranularity = std::chrono::milliseconds(1);
  if (!measured_) {
    srtt_ = rtt;
    rttvar_ = rtt / 2;
    measured_ = true;
  } else {
    const Duration error = srtt_ > rtt ? srtt_ - rtt : rtt - srtt_;
    rttvar_ = (3 * rttvar_ + error) / 4;
    srtt_ = (7 * srtt_ + rtt) / 8;
  }
  rto_ = std::clamp(srtt_ + std::max(kGranularity, 4 * rttvar_), minimum_, maximum_);
}

}  // namespace lim::tcp::tcb
