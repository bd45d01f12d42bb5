// After `ok`, buyer2 must send its address before anything else; it cannot
// jump to receiving the delivery date.
// expect-error: has no member named [^a-z]*receive_delivery
#include "two_buyer/buyer2.hpp"

namespace api = lim_generated::two_buyer::buyer2;

void skipped_step(api::q2 deciding) {
  auto accepted = std::move(deciding).send_ok(api::seller);
#ifdef LIM_VIOLATION
  (void)std::move(accepted).receive_delivery();
#endif
  (void)std::move(accepted).send_address(api::seller, "Address");
}
