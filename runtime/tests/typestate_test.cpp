// The generated typestate API at run time, on the two-buyer protocol: what
// the compiler cannot rule out (a state object used twice, dropped, bound to
// the wrong endpoint) is caught by the runtime.
#include <future>
#include <mutex>
#include <variant>

#include <gtest/gtest.h>

#include "lim/runtime/clock/manual_clock.hpp"
#include "lim/runtime/gate/verification_gate.hpp"
#include "lim/runtime/transport/inproc/inprocess_session.hpp"
#include "first_come/hub.hpp"
#include "threshold/monitor.hpp"
#include "threshold/sensor.hpp"
#include "watchdog/watcher.hpp"
#include "watchdog/worker.hpp"
#include "two_buyer/buyer1.hpp"
#include "two_buyer/buyer2.hpp"
#include "two_buyer/seller.hpp"

namespace lim::runtime {
namespace {

namespace buyer1_api = lim_generated::two_buyer::buyer1;
namespace buyer2_api = lim_generated::two_buyer::buyer2;
namespace seller_api = lim_generated::two_buyer::seller;

template <class... Handlers>
struct overloaded : Handlers... {
  using Handlers::operator()...;
};
template <class... Handlers>
overloaded(Handlers...) -> overloaded<Handlers...>;  // for compilers without aggregate CTAD (clang < 17)

std::shared_ptr<const Protocol> two_buyer() {
  static const VerificationGate gate;
  return gate.verify_file(LIM_SPECS_DIR "/two-buyer.lim");
}

TEST(RuntimeTypestate, ThreeRolesRunTheProtocol) {
  InProcessSession session(two_buyer());
  std::string address;
  session.run({{"buyer1",
                [](Endpoint& endpoint) {
                  auto [price, share] = buyer1_api::begin(endpoint).send_title(buyer1_api::seller, "Ulysses")
                                            .receive_quote();
                  EXPECT_EQ(price, 37);
                  std::move(share).send_share(buyer1_api::buyer2, 17).close();
                }},
               {"seller",
                [&](Endpoint& endpoint) {
                  auto [title, quoting] = seller_api::begin(endpoint).receive_title();
                  auto deciding = std::move(quoting).send_quote(seller_api::buyer1, 37).send_quote(
                      seller_api::buyer2, 37);
                  std::visit(overloaded{[&](seller_api::q3::ok ok) {
                                          auto [where, delivering] = std::move(ok.next).receive_address();
                                          address = where;
                                          std::move(delivering).send_delivery(seller_api::buyer2, "soon").close();
                                        },
                                        [](seller_api::q3::quit) { ADD_FAILURE() << "buyer2 quit"; }},
                             std::move(deciding).offer());
                }},
               {"buyer2", [](Endpoint& endpoint) {
                  auto [quote, sharing] = buyer2_api::begin(endpoint).receive_quote();
                  auto [share, deciding] = std::move(sharing).receive_share();
                  EXPECT_EQ(quote - share, 20);
                  auto [when, done] = std::move(deciding).send_ok(buyer2_api::seller)
                                          .send_address(buyer2_api::seller, "7 Eccles Street")
                                          .receive_delivery();
                  EXPECT_EQ(when, "soon");
                  EXPECT_TRUE(done.valid());
                  std::move(done).close();
                  EXPECT_FALSE(done.valid());  // NOLINT(bugprone-use-after-move): checking the moved-from state
                }}});
  EXPECT_EQ(address, "7 Eccles Street");
  EXPECT_TRUE(session.endpoint("seller").complete());
}

TEST(RuntimeTypestate, UsingAConsumedStateThrows) {
  InProcessSession session(two_buyer());
  auto start = buyer1_api::begin(session.endpoint("buyer1"));
  auto next = std::move(start).send_title(buyer1_api::seller, "Dubliners");
  EXPECT_FALSE(start.valid());  // NOLINT(bugprone-use-after-move): the point of the test
  EXPECT_THROW((void)std::move(start).send_title(buyer1_api::seller, "again"),  // NOLINT(bugprone-use-after-move)
               ConsumedState);
  // Nothing was sent by the failed reuse: the seller receives one title only.
  EXPECT_EQ(session.endpoint("buyer1").operations(), 1u);
  EXPECT_TRUE(next.valid());
  // A moved-from state is consumed too.
  auto moved = std::move(next);
  EXPECT_THROW((void)std::move(next).receive_quote(), ConsumedState);  // NOLINT(bugprone-use-after-move)
  EXPECT_TRUE(moved.valid());
  session.endpoint("seller").abandon("test over");
}

TEST(RuntimeTypestate, DroppingAStateWithoutActingAbortsTheSession) {
  InProcessSession session(two_buyer());
  auto seller = std::async(std::launch::async, [&] {
    auto state = seller_api::begin(session.endpoint("seller"));
    EXPECT_THROW((void)std::move(state).receive_title(), SessionAborted);
  });
  {
    auto unused = buyer1_api::begin(session.endpoint("buyer1"));
  }  // dropped: buyer1 will never send its title
  seller.get();
  EXPECT_TRUE(session.endpoint("buyer1").failed());
  EXPECT_NE(session.endpoint("seller").metadata().failure.find("dropped without acting"), std::string::npos)
      << session.endpoint("seller").metadata().failure;
}

TEST(RuntimeTypestate, DeadlineLeavesTheStateUsable) {
  InProcessSession session(two_buyer());
  auto waiting = seller_api::begin(session.endpoint("seller"));
  EXPECT_THROW((void)std::move(waiting).receive_title(session.endpoint("seller").clock().now()),
               DeadlineExpired);
  EXPECT_TRUE(waiting.valid());  // NOLINT(bugprone-use-after-move): a failed call does not consume
  // (Discarding the state returned here would abandon the session.)
  auto buyer1_next = buyer1_api::begin(session.endpoint("buyer1")).send_title(buyer1_api::seller, "Emma");
  auto [title, quoting] = std::move(waiting).receive_title();  // NOLINT(bugprone-use-after-move)
  EXPECT_EQ(title, "Emma");
  session.endpoint("buyer1").abandon("test over");
}

TEST(RuntimeTypestate, BeginChecksRoleProtocolAndFreshness) {
  InProcessSession session(two_buyer());
  EXPECT_THROW((void)seller_api::begin(session.endpoint("buyer1")), typestate::BindingError);
  // Same roles and labels, different automata: the fingerprint differs.
  const VerificationGate gate;
  InProcessSession other(gate.verify_text("two-buyer-variant.lim", R"(
buyer1: seller⊕title(String) . seller&quote(Int) . buyer2⊕share(Int) . end
seller: buyer1&title(String) . buyer1⊕quote(Int) . buyer2⊕quote(Int) . buyer2&{ ok . end, quit . end }
buyer2: seller&quote(Int) . buyer1&share(Int) . seller⊕{ ok . end, quit . end }
)"));
  try {
    (void)seller_api::begin(other.endpoint("seller"));
    FAIL() << "an API generated from other automata was bound";
  } catch (const typestate::BindingError& error) {
    EXPECT_NE(std::string(error.what()).find("regenerate"), std::string::npos) << error.what();
  }
  // An endpoint that already acted is not at the initial state any more.
  session.endpoint("buyer1").send("seller", "title", "Persuasion");
  EXPECT_THROW((void)buyer1_api::begin(session.endpoint("buyer1")), typestate::BindingError);
  session.endpoint("buyer1").abandon("test over");
}

TEST(RuntimeTypestate, MonitoredAndTypestateRolesInteroperate) {
  // buyer1 uses the monitored API, so its deviations are refused before
  // anything is sent: the typestate seller only ever sees protocol messages.
  InProcessSession session(two_buyer());
  auto& buyer1 = session.endpoint("buyer1");
  EXPECT_THROW(buyer1.send("seller", "quote", 3), ProtocolViolation);
  buyer1.send("seller", "title", "Middlemarch");
  auto [title, quoting] = seller_api::begin(session.endpoint("seller")).receive_title();
  EXPECT_EQ(title, "Middlemarch");
  auto seller_next = std::move(quoting).send_quote(seller_api::buyer1, 12);
  EXPECT_EQ(buyer1.receive("seller").payload, 12);
  buyer1.abandon("test over");
}

// ---- data: records, scalars, guards, timeouts --------------------------------------------

TEST(RuntimeTypestateData, GuardsChooseTheAlternativeAndRecordsTravelTyped) {
  const VerificationGate gate;
  InProcessOptions options;
  options.variables["monitor"]["limit"] = 50;
  InProcessSession session(gate.verify_file(LIM_TEST_SPECS_DIR "/threshold.lim"), options);
  std::vector<std::uint32_t> accepted;
  std::uint32_t alarm = 0;
  session.run({{"sensor",
                [&](Endpoint& endpoint) {
                  namespace api = lim_generated::threshold::sensor;
                  auto reporting = api::begin(endpoint);
                  for (const std::uint32_t value : {10u, 50u, 51u}) {
                    auto outcome = std::move(reporting).send_reading(api::monitor, api::records::sample{value, 3})
                                       .offer();
                    if (auto* ok = std::get_if<api::q1::ok>(&outcome)) {
                      reporting = std::move(ok->next);
                      continue;
                    }
                    auto& raised = std::get<api::q1::alarm>(outcome);
                    alarm = raised.payload;
                    std::move(raised.next).close();
                    return;
                  }
                  ADD_FAILURE() << "no alarm";
                }},
               {"monitor", [&](Endpoint& endpoint) {
                  namespace api = lim_generated::threshold::monitor;
                  // A loop over a recursive protocol: each handler returns the
                  // state to go on from, or nothing when the role is done.
                  auto watching = api::begin(endpoint);
                  while (true) {
                    auto next = std::visit(
                        overloaded{[&](api::q0::reading_1 within) -> std::optional<api::q0> {  // s.value <= limit
                                     EXPECT_EQ(within.payload.sensor, 3);
                                     accepted.push_back(within.payload.value);
                                     return std::move(within.next).send_ok(api::sensor);
                                   },
                                   [](api::q0::reading_2 over) -> std::optional<api::q0> {  // s.value > limit
                                     std::move(over.next).send_alarm(api::sensor, over.payload.value).close();
                                     return std::nullopt;
                                   },
                                   [](api::q0::stop stop) -> std::optional<api::q0> {
                                     std::move(stop.next).close();
                                     return std::nullopt;
                                   }},
                        std::move(watching).offer());
                    if (!next) break;
                    watching = std::move(*next);
                  }
                }}});
  EXPECT_EQ(accepted, (std::vector<std::uint32_t>{10, 50}));
  EXPECT_EQ(alarm, 51u);
}

TEST(RuntimeTypestateData, TimeoutIsAnAlternativeOfTheOffer) {
  const VerificationGate gate;
  const auto clock = std::make_shared<ManualClock>();
  InProcessOptions options;
  options.endpoint.clock = clock;
  options.variables["watcher"]["patience"] = 1000;
  InProcessSession session(gate.verify_file(LIM_TEST_SPECS_DIR "/watchdog.lim"), options);
  namespace api = lim_generated::watchdog::watcher;
  std::promise<void> timed_out;
  auto waiting = std::async(std::launch::async, [&] {
    auto branch = api::begin(session.endpoint("watcher")).offer();
    timed_out.set_value();
    auto* late = std::get_if<api::q0::timeout>(&branch);
    EXPECT_NE(late, nullptr);
    if (!late) return false;
    // Still waiting for the beat, in the state after the timeout.
    auto beat = std::move(late->next).receive_beat();
    std::move(beat.next).close();
    return true;
  });
  ASSERT_TRUE(clock->await_sleepers(1));
  clock->advance(std::chrono::milliseconds(1000));
  timed_out.get_future().wait();  // the beat comes after the timeout fired
  lim_generated::watchdog::worker::begin(session.endpoint("worker")).send_beat(lim_generated::watchdog::worker::watcher).close();
  EXPECT_TRUE(waiting.get());
  EXPECT_TRUE(session.endpoint("watcher").complete());
}

// A wait for several peers and a timer is one std::visit over all of them;
// a send to one of several peers is one method per peer.
std::string first_come(bool a_first) {
  namespace hub_api = lim_generated::first_come::hub;
  static const VerificationGate gate;
  InProcessOptions options(1);
  options.variables["hub"] = {{"patience", 3'600'000}};  // an hour: the workers report first
  InProcessSession session(gate.verify_file(LIM_TEST_SPECS_DIR "/first-come.lim"), options);
  std::mutex mutex;
  std::string outcome;
  std::promise<void> first_sent;
  const std::shared_future<void> first = first_sent.get_future().share();
  const auto worker = [&](bool is_a) {
    return [&, is_a](Endpoint& endpoint) {
      if (is_a != a_first) first.wait();
      endpoint.send("hub", is_a ? "x" : "y");
      if (is_a == a_first) first_sent.set_value();
      const auto told = endpoint.receive("hub").label;
      const std::lock_guard lock(mutex);
      outcome += endpoint.role_name() + ":" + std::string(told) + " ";
    };
  };
  session.run({{"hub",
                [&](Endpoint& endpoint) {
                  first.wait();
                  std::visit(overloaded{[](hub_api::q0::x x) {
                                          auto [deciding] = std::move(x.next).receive_y();
                                          std::move(deciding).send_won(hub_api::a).send_lost(hub_api::b).close();
                                        },
                                        [](hub_api::q0::y y) {
                                          auto [deciding] = std::move(y.next).receive_x();
                                          std::move(deciding).send_won(hub_api::b).send_lost(hub_api::a).close();
                                        },
                                        [](hub_api::q0::timeout timeout) {
                                          ADD_FAILURE() << "an hour passed";
                                          auto [rest] = std::move(timeout.next).receive_x();
                                          auto [telling] = std::move(rest).receive_y();
                                          std::move(telling).send_lost(hub_api::a).send_lost(hub_api::b).close();
                                        }},
                             hub_api::begin(endpoint).offer());
                }},
               {"a", worker(true)},
               {"b", worker(false)}});
  return outcome;
}

TEST(RuntimeTypestate, AWaitForSeveralPeersTakesWhicheverComesFirst) {
  const auto a_first = first_come(true);
  EXPECT_NE(a_first.find("a:won"), std::string::npos) << a_first;
  EXPECT_NE(a_first.find("b:lost"), std::string::npos) << a_first;
  const auto b_first = first_come(false);
  EXPECT_NE(b_first.find("b:won"), std::string::npos) << b_first;
  EXPECT_NE(b_first.find("a:lost"), std::string::npos) << b_first;
}

}  // namespace
}  // namespace lim::runtime
