// Actions consume their state: they cannot be called on an lvalue, only on
// std::move(state), which makes every reuse visible (and flagged by
// clang-tidy's bugprone-use-after-move).
// expect-error: (discards qualifiers|cannot bind rvalue reference|no matching function)
#include "two_buyer/buyer1.hpp"

namespace api = lim_generated::two_buyer::buyer1;

void lvalue_state(lim::runtime::Endpoint& endpoint) {
  auto state = api::begin(endpoint);
#ifdef LIM_VIOLATION
  (void)state.send_title(api::seller, "Title");
#endif
  (void)std::move(state).send_title(api::seller, "Title");
}
