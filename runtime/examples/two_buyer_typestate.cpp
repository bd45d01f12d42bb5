// The two-buyer protocol (specs/two-buyer.lim) in one process, each role
// written against the typestate API `lim gen cpp` generated for it. Try
// swapping two lines of a role, or forgetting a branch of a std::visit: the
// program stops compiling.
//
//   two-buyer-typestate [SPEC] [--quit]
#include <cstdlib>
#include <iostream>
#include <mutex>
#include <string>
#include <variant>

#include "lim/runtime/gate/verification_gate.hpp"
#include "lim/runtime/transport/inproc/inprocess_session.hpp"
#include "two_buyer/buyer1.hpp"
#include "two_buyer/buyer2.hpp"
#include "two_buyer/seller.hpp"

namespace {

using lim::runtime::Endpoint;

template <class... Handlers>
struct overloaded : Handlers... {
  using Handlers::operator()...;
};
template <class... Handlers>
overloaded(Handlers...) -> overloaded<Handlers...>;  // for compilers without aggregate CTAD (clang < 17)

std::mutex print_mutex;
void say(const std::string& role, const std::string& text) {
  const std::lock_guard lock(print_mutex);
  std::cout << role << ": " << text << "\n";
}

void buyer1(Endpoint& endpoint) {
  namespace api = lim_generated::two_buyer::buyer1;
  auto asking = api::begin(endpoint).send_title(api::seller, "The Brothers Karamazov");
  auto [price, deciding] = std::move(asking).receive_quote();
  say("buyer1", "the seller asks " + std::to_string(price) + "; I pay half");
  std::move(deciding).send_share(api::buyer2, price / 2).close();
}

void seller(Endpoint& endpoint) {
  namespace api = lim_generated::two_buyer::seller;
  auto [title, quoting] = api::begin(endpoint).receive_title();
  const std::int64_t price = 30 + static_cast<std::int64_t>(title.size());
  say("seller", "quoting " + std::to_string(price) + " for " + title);
  auto waiting = std::move(quoting).send_quote(api::buyer1, price).send_quote(api::buyer2, price);
  std::visit(overloaded{[](api::q3::ok accepted) {
                          auto [address, delivering] = std::move(accepted.next).receive_address();
                          say("seller", "shipping to " + address);
                          std::move(delivering).send_delivery(api::buyer2, "2 days").close();
                        },
                        [](api::q3::quit declined) {
                          say("seller", "no sale");
                          std::move(declined.next).close();
                        }},
             std::move(waiting).offer());
}

void buyer2(Endpoint& endpoint, bool quit) {
  namespace api = lim_generated::two_buyer::buyer2;
  auto [price, sharing] = api::begin(endpoint).receive_quote();
  auto [share, deciding] = std::move(sharing).receive_share();
  say("buyer2", "I would pay " + std::to_string(price - share));
  if (quit || price - share > 50) {
    std::move(deciding).send_quit(api::seller).close();
    return;
  }
  auto [delivery, done] = std::move(deciding).send_ok(api::seller).send_address(api::seller, "221b Baker Street")
                              .receive_delivery();
  say("buyer2", "delivery in " + delivery);
  std::move(done).close();
}

}  // namespace

int main(int argc, char** argv) {
  std::string spec = LIM_SPECS_DIR "/two-buyer.lim";
  bool quit = false;
  for (int i = 1; i < argc; ++i) {
    const std::string argument = argv[i];
    if (argument == "--quit") quit = true;
    else spec = argument;
  }
  try {
    lim::runtime::InProcessSession session(lim::runtime::verify_file(spec));
    session.run({{"buyer1", buyer1}, {"seller", seller}, {"buyer2", [quit](Endpoint& e) { buyer2(e, quit); }}});
    for (const auto* role : {"buyer1", "seller", "buyer2"}) {
      const auto metadata = session.endpoint(role).metadata();
      std::cout << role << ": " << (metadata.complete ? "complete" : "incomplete") << " after "
                << metadata.operations << " operations\n";
    }
  } catch (const std::exception& error) {
    std::cerr << "two-buyer-typestate: " << error.what() << "\n";
    return EXIT_FAILURE;
  }
  return EXIT_SUCCESS;
}
