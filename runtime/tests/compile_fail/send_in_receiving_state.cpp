// The seller's first state receives a title: it cannot send a quote yet.
// expect-error: has no member named [^a-z]*send_quote
#include "two_buyer/seller.hpp"

namespace api = lim_generated::two_buyer::seller;

void send_in_receiving_state(lim::runtime::Endpoint& endpoint) {
  auto state = api::begin(endpoint);
#ifdef LIM_VIOLATION
  (void)std::move(state).send_quote(api::buyer1, 10);
#endif
  (void)std::move(state).receive_title();
}
