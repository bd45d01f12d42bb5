// buyer1 must ask for a title first: its initial state has nothing to receive.
// expect-error: has no member named [^a-z]*receive_quote
#include "two_buyer/buyer1.hpp"

namespace api = lim_generated::two_buyer::buyer1;

void receive_in_sending_state(lim::runtime::Endpoint& endpoint) {
  auto state = api::begin(endpoint);
#ifdef LIM_VIOLATION
  (void)std::move(state).receive_quote();
#endif
  (void)std::move(state).send_title(api::seller, "Title");
}
