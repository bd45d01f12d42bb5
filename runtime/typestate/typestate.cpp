#include "lim/runtime/typestate/typestate.hpp"

#include <fmt/format.h>

namespace lim::runtime::typestate {

void check_binding(const Endpoint& endpoint, std::string_view role, std::string_view fingerprint) {
  if (endpoint.role_name() != role)
    throw BindingError(fmt::format("the generated API for role {} was given the endpoint of role {}", role,
                                   endpoint.role_name()));
  if (endpoint.protocol().fingerprint() != fingerprint)
    throw BindingError(fmt::format("the generated API for role {} was made from other automata than {}'s "
                                   "(fingerprint {} ≠ {}); regenerate it with `lim gen cpp`",
                                   role, endpoint.protocol().spec_path(), fingerprint,
                                   endpoint.protocol().fingerprint()));
  if (endpoint.operations() != 0 || endpoint.failed())
    throw BindingError(fmt::format("the endpoint of {} has already acted ({} operations); the generated API "
                                   "starts at the role's initial state",
                                   role, endpoint.operations()));
}

void State::throw_consumed() const {
  throw ConsumedState(fmt::format("a typestate object was used after it was consumed (state #{}): each state "
                                  "object allows one action, after which only the object it returned is valid",
                                  state_));
}

void State::abandon() noexcept {
  try {
    endpoint_->abandon(fmt::format("{}'s typestate object for state {} was dropped without acting",
                                   endpoint_->role_name(),
                                   endpoint_->protocol().system().machines[endpoint_->role()].graph[state_].name));
  } catch (...) {
    endpoint_->abandon("a typestate object was dropped without acting");
  }
}

void unexpected_step(const Endpoint& endpoint, const Endpoint::Step& step) {
  throw std::logic_error(fmt::format("generated API of {}: the engine took transition {}, which the generated code "
                                     "does not know",
                                     endpoint.role_name(), step.transition));
}

}  // namespace lim::runtime::typestate
