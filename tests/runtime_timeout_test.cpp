// Timeout branches: offer waits for a message or the branch's deadline,
// whichever comes first, on an injectable clock so that no test sleeps.
#include <future>
#include <thread>

#include <gtest/gtest.h>

#include "lim/runtime/clock/manual_clock.hpp"
#include "lim/runtime/clock/steady_clock.hpp"
#include "lim/runtime/transport/inproc/inprocess_session.hpp"
#include "runtime_test_support.hpp"

namespace lim::runtime {
namespace {

using namespace std::chrono_literals;

// `a: b&{ ping . end, timeout(…) . end }`, `b: a⊕ping . end`. The timeout
// branch is added to the automaton directly: that is what the language's
// `timeout(d)` syntax compiles to.
std::shared_ptr<const Protocol> watchdog(automata::TimeoutDuration duration) {
  auto system = testing::system_of("a: b&ping . end\nb: a⊕ping . end\n", "watchdog.lim");
  const auto a = automata::RoleId{0};
  const auto b = automata::RoleId{1};
  auto& machine = system.machines[a];
  const auto timed_out = machine.add_state({"timed-out", {}});
  system.timeouts.push_back(std::move(duration));
  machine.add_transition(machine.initial, timed_out,
                         {automata::Action{automata::Direction::Timeout, b, 0, 0}, SourceLocation{1, 20}});
  system.freeze();
  const VerificationGate gate;
  return gate.verify_system("watchdog.lim", std::move(system));
}

class RuntimeTimeout : public ::testing::Test {
 protected:
  std::shared_ptr<ManualClock> clock = std::make_shared<ManualClock>();
  InProcessOptions options() {
    InProcessOptions options;
    options.endpoint.clock = clock;
    options.endpoint.timeouts["patience"] = 2s;
    return options;
  }
};

TEST_F(RuntimeTimeout, OfferTakesTheTimeoutBranchWhenTheDeadlinePasses) {
  InProcessSession session(watchdog({500, "", {}}), options());
  auto& a = session.endpoint("a");
  auto waiting = std::async(std::launch::async, [&] { return a.offer(); });
  ASSERT_TRUE(clock->await_sleepers(1));
  clock->advance(499ms);
  // Woken, it finds the deadline still ahead and sleeps again.
  ASSERT_TRUE(clock->await_sleepers(1));
  EXPECT_EQ(a.operations(), 0u);
  clock->advance(1ms);
  const auto received = waiting.get();
  EXPECT_TRUE(received.timed_out);
  EXPECT_EQ(received.peer, "b");
  EXPECT_TRUE(received.label.empty());
  EXPECT_FALSE(received.is("ping"));
  const auto metadata = a.metadata();
  EXPECT_EQ(metadata.state, "timed-out");
  EXPECT_EQ(metadata.operations, 1u);
  EXPECT_TRUE(metadata.complete);
  // b's ping now has nobody to receive it.
  EXPECT_THROW(session.endpoint("b").send("a", "ping"), TransportError);
}

TEST_F(RuntimeTimeout, MessageThatIsThereWinsOverAPassedDeadline) {
  InProcessSession session(watchdog({500, "", {}}), options());
  session.endpoint("b").send("a", "ping");
  clock->advance(10s);
  const auto received = session.endpoint("a").offer();
  EXPECT_FALSE(received.timed_out);
  EXPECT_TRUE(received.is("ping"));
}

TEST_F(RuntimeTimeout, MessageArrivingWhileWaitingIsTaken) {
  InProcessSession session(watchdog({500, "", {}}), options());
  auto& a = session.endpoint("a");
  auto waiting = std::async(std::launch::async, [&] { return a.receive("b"); });
  ASSERT_TRUE(clock->await_sleepers(1));
  session.endpoint("b").send("a", "ping");
  EXPECT_TRUE(waiting.get().is("ping"));
  EXPECT_TRUE(a.complete());
  EXPECT_TRUE(session.endpoint("b").complete());
}

TEST_F(RuntimeTimeout, ProgramDeadlineBeforeTheBranchsDeadlineLeavesTheStateAlone) {
  InProcessSession session(watchdog({500, "", {}}), options());
  auto& a = session.endpoint("a");
  auto waiting = std::async(std::launch::async, [&] { return a.offer(clock->now() + 100ms); });
  ASSERT_TRUE(clock->await_sleepers(1));
  clock->advance(100ms);
  EXPECT_THROW(waiting.get(), DeadlineExpired);
  EXPECT_EQ(a.operations(), 0u);
  EXPECT_FALSE(a.failed());
  session.endpoint("b").send("a", "ping");
  EXPECT_TRUE(a.offer().is("ping"));
}

TEST_F(RuntimeTimeout, NamedTimeoutTakesItsValueFromTheOptions) {
  InProcessSession session(watchdog({std::nullopt, "patience", {}}), options());
  auto& a = session.endpoint("a");
  auto waiting = std::async(std::launch::async, [&] { return a.offer(); });
  ASSERT_TRUE(clock->await_sleepers(1));
  clock->advance(1999ms);
  ASSERT_TRUE(clock->await_sleepers(1));
  clock->advance(1ms);
  EXPECT_TRUE(waiting.get().timed_out);
}

TEST_F(RuntimeTimeout, NamedTimeoutWithoutValueIsRefusedUpFront) {
  InProcessOptions no_values;
  no_values.endpoint.clock = clock;
  try {
    InProcessSession session(watchdog({std::nullopt, "rto", {}}), no_values);
    FAIL() << "an endpoint started without a value for timeout(rto)";
  } catch (const std::invalid_argument& error) {
    EXPECT_NE(std::string(error.what()).find("timeouts[\"rto\"]"), std::string::npos) << error.what();
  }
}

TEST(RuntimeTimeoutSteady, RealClockTimesOutToo) {
  // The one test on real time: a 1 ms timeout, with no assertion on how long
  // it took.
  InProcessSession session(watchdog({1, "", {}}), {});
  EXPECT_TRUE(session.endpoint("a").offer().timed_out);
}

TEST(RuntimeClock, ManualClockWakesWaitersOnlyWhenTheirDeadlinePasses) {
  ManualClock clock;
  std::mutex mutex;
  std::condition_variable condition;
  const auto wake = std::make_shared<const WakeCallback>([&] {
    { const std::lock_guard lock(mutex); }
    condition.notify_all();
  });
  clock.on_time_change(wake);
  const auto start = clock.now();
  auto waiter = std::async(std::launch::async, [&] {
    std::unique_lock lock(mutex);
    return clock.wait_until(lock, condition, start + 1s, [] { return false; });
  });
  ASSERT_TRUE(clock.await_sleepers(1));
  clock.advance(1s);
  EXPECT_FALSE(waiter.get());
  EXPECT_EQ(clock.now() - start, 1s);
  EXPECT_EQ(clock.sleepers(), 0u);
}

TEST(RuntimeClock, SteadyClockSleepsForTheTimeLeft) {
  SteadyClock clock;
  EXPECT_EQ(clock.real_time_until(clock.now() - 1s), Duration::zero());
  EXPECT_GT(*clock.real_time_until(clock.now() + 1h), 59min);
}

}  // namespace
}  // namespace lim::runtime
