#pragma once
// What an endpoint needs besides its protocol, role and transport.
#include <map>
#include <memory>
#include <string>

#include "lim/runtime/clock/clock.hpp"

namespace lim::runtime {

// Values of the spec's named timeouts: `timeout(rto)` waits for timeouts["rto"].
using TimeoutValues = std::map<std::string, Duration, std::less<>>;

struct EndpointOptions {
  std::shared_ptr<Clock> clock;  // nullptr: the steady clock
  TimeoutValues timeouts;
};

}  // namespace lim::runtime
