// Only the protocol makes states: no program can conjure one.
// expect-error: is private within this context
#include "two_buyer/seller.hpp"

namespace api = lim_generated::two_buyer::seller;

void forged_state(lim::runtime::Endpoint& endpoint) {
#ifdef LIM_VIOLATION
  api::q6 delivering(endpoint);
  (void)std::move(delivering).send_delivery(api::buyer2, "now");
#endif
  (void)api::begin(endpoint);
}
