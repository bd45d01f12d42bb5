// The title goes to the seller, not to buyer2.
// expect-error: cannot convert .*buyer2_t.* to .*seller_t
#include "two_buyer/buyer1.hpp"

namespace api = lim_generated::two_buyer::buyer1;

void wrong_receiver(lim::runtime::Endpoint& endpoint) {
  auto state = api::begin(endpoint);
#ifdef LIM_VIOLATION
  (void)std::move(state).send_title(api::buyer2, "Title");
#endif
  (void)std::move(state).send_title(api::seller, "Title");
}
