#include "lim/tcp/tcb/isn.hpp"

namespace lim::tcp::tcb {

std::uint32_t IsnGenerator::isn(const wire::FourTuple& tuple, std::chrono::steady_clock::time_point now) const {
  const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(now.time_since_epoch()).count();
  return keyed_(tuple) + static_cast<std::uint32_t>(micros / 4);
}

// One byte more than the ISN's input: a hash unrelated to the ISN's.
std::uint32_t IsnGenerator::timestamp_offset(const wire::FourTuple& tuple) const {
  const std::uint8_t domain[] = {'T'};
  return keyed_(tuple, domain);
}

}  // namespace lim::tcp::tcb
