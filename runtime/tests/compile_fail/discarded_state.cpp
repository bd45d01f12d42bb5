// The next state must be used: dropping it would leave the session hanging.
// expect-error: ignoring return value
#include "two_buyer/buyer1.hpp"

// The project builds with -Werror; say it here too, whatever the flags.
#pragma GCC diagnostic error "-Wunused-result"

namespace api = lim_generated::two_buyer::buyer1;

void discarded_state(lim::runtime::Endpoint& endpoint) {
  auto state = api::begin(endpoint);
#ifdef LIM_VIOLATION
  std::move(state).send_title(api::seller, "Title");
#else
  auto next = std::move(state).send_title(api::seller, "Title");
  (void)next;
#endif
}
