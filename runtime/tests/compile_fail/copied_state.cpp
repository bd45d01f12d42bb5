// A state object cannot be copied: there is one of it, like the state itself.
// expect-error: use of deleted function
#include "two_buyer/buyer1.hpp"

namespace api = lim_generated::two_buyer::buyer1;

void copied_state(lim::runtime::Endpoint& endpoint) {
  auto state = api::begin(endpoint);
#ifdef LIM_VIOLATION
  auto copy = state;
  (void)std::move(copy).send_title(api::seller, "Title");
#endif
  (void)std::move(state).send_title(api::seller, "Title");
}
