// ping and pong written against their generated typestate APIs, run in one
// process over the runtime's in-process transport.
#include <cstdlib>
#include <iostream>
#include <variant>

#include "lim/runtime/gate/verification_gate.hpp"
#include "lim/runtime/transport/inproc/inprocess_session.hpp"
#include "ping_pong/ping.hpp"
#include "ping_pong/pong.hpp"

namespace {

template <class... Handlers>
struct overloaded : Handlers... {
  using Handlers::operator()...;
};
template <class... Handlers>
overloaded(Handlers...) -> overloaded<Handlers...>;

namespace ping_api = lim_generated::ping_pong::ping;
namespace pong_api = lim_generated::ping_pong::pong;

void play(ping_api::q0 state, std::int64_t round) {
  if (round == 3) {
    std::move(state).send_stop(ping_api::pong).close();
    return;
  }
  auto [answer, next] = std::move(state).send_ping(ping_api::pong, round).receive_pong();
  std::cout << "ping: pong answered " << answer << "\n";
  play(std::move(next), round + 1);
}

void serve(pong_api::q0 state) {
  std::visit(overloaded{[](pong_api::q0::ping received) {
                          serve(std::move(received.next).send_pong(pong_api::ping, received.payload + 1));
                        },
                        [](pong_api::q0::stop received) { std::move(received.next).close(); }},
             std::move(state).offer());
}

void ping(lim::runtime::Endpoint& endpoint) { play(ping_api::begin(endpoint), 0); }
void pong(lim::runtime::Endpoint& endpoint) { serve(pong_api::begin(endpoint)); }

}  // namespace

int main(int argc, char** argv) {
  try {
    lim::runtime::InProcessSession session(lim::runtime::verify_file(argc > 1 ? argv[1] : PING_PONG_SPEC));
    session.run({{"ping", ping}, {"pong", pong}});
  } catch (const std::exception& error) {
    std::cerr << "ping_pong: " << error.what() << "\n";
    return EXIT_FAILURE;
  }
  std::cout << "ping_pong: done\n";
  return EXIT_SUCCESS;
}
