// A quote is an Int: 41.9 would arrive as 41. Narrowing must not compile.
// expect-error: use of deleted function
#include "two_buyer/seller.hpp"

namespace api = lim_generated::two_buyer::seller;

void narrowing_payload(api::q1 quoting) {
#ifdef LIM_VIOLATION
  (void)std::move(quoting).send_quote(api::buyer1, 41.9);
#endif
  (void)std::move(quoting).send_quote(api::buyer1, 41);
}
