#pragma once
// What an endpoint needs besides its protocol, role and transport.
#include <memory>

#include "lim/runtime/clock/clock.hpp"
#include "lim/runtime/endpoint/payload.hpp"

namespace lim::runtime {

struct EndpointOptions {
  std::shared_ptr<Clock> clock;  // nullptr: the steady clock
  // Initial values of the role's state variables (`state role { rto: u64 }`),
  // e.g. {"rto": 200}: guards read them, and `timeout(rto)` waits rto
  // milliseconds. Endpoint::set_variable changes them as the role runs.
  Payload variables = Payload::object();
};

}  // namespace lim::runtime
