// A handler of the seller's offer must handle every alternative: forgetting
// `quit` does not compile.
// expect-error: (std::visit requires the visitor to be exhaustive|no type named 'type'|invoke_result)
#include <variant>

#include "two_buyer/seller.hpp"

namespace api = lim_generated::two_buyer::seller;

template <class... Handlers>
struct overloaded : Handlers... {
  using Handlers::operator()...;
};
template <class... Handlers>
overloaded(Handlers...) -> overloaded<Handlers...>;  // for compilers without aggregate CTAD (clang < 17)

void unhandled_branch(api::q3 deciding) {
#ifdef LIM_VIOLATION
  std::visit(overloaded{[](api::q3::ok ok) { (void)std::move(ok.next).receive_address(); }},
             std::move(deciding).offer());
#else
  std::visit(overloaded{[](api::q3::ok ok) { (void)std::move(ok.next).receive_address(); },
                        [](api::q3::quit quit) { std::move(quit.next).close(); }},
             std::move(deciding).offer());
#endif
}
