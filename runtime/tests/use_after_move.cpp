// Reusing a consumed typestate object, the one mistake the compiler lets
// through: clang-tidy's bugprone-use-after-move must flag it (CI runs that
// check on the generated-API code; RuntimeClangTidyUseAfterMove pins it).
#include "two_buyer/buyer1.hpp"

namespace api = lim_generated::two_buyer::buyer1;

void buy_twice(lim::runtime::Endpoint& endpoint) {
  auto buying = api::begin(endpoint);
  auto first = std::move(buying).send_title(api::seller, "Beloved");
  auto second = std::move(buying).send_title(api::seller, "Jazz");  // reuse: flagged
  (void)first;
  (void)second;
}
