// A completed role has nothing left to do.
// expect-error: has no member named [^a-z]*send_share
#include "two_buyer/buyer1.hpp"

namespace api = lim_generated::two_buyer::buyer1;

void act_after_end(api::q2 sharing) {
  auto done = std::move(sharing).send_share(api::buyer2, 5);
#ifdef LIM_VIOLATION
  (void)std::move(done).send_share(api::buyer2, 5);
#endif
  std::move(done).close();
}
