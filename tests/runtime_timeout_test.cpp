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

// `a` waits for b's ping; when the timeout fires first it notes that and
// keeps waiting (a timeout may fire whenever a role waits, so the spec must
// stay safe after it: here b's ping is still taken).
std::shared_ptr<const Protocol> watchdog(const std::string& duration) {
  return testing::verified("state a { patience: u64 }\n"
                           "a: b&{ ping . end, timeout(" + duration + ") . b&ping . end }\n"
                           "b: a⊕ping . end\n",
                           "watchdog.lim");
}

class RuntimeTimeout : public ::testing::Test {
 protected:
  std::shared_ptr<ManualClock> clock = std::make_shared<ManualClock>();
  InProcessOptions options() {
    InProcessOptions options;
    options.endpoint.clock = clock;
    options.variables["a"]["patience"] = 2000;  // milliseconds
    return options;
  }
};

TEST_F(RuntimeTimeout, OfferTakesTheTimeoutBranchWhenTheDeadlinePasses) {
  InProcessSession session(watchdog("500ms"), options());
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
  EXPECT_EQ(metadata.operations, 1u);
  EXPECT_FALSE(metadata.complete);
  EXPECT_EQ(metadata.state_type, "b&{ping}");
  EXPECT_EQ(metadata.location.line, 2u);
  // The late ping is still taken, in the state after the timeout.
  session.endpoint("b").send("a", "ping");
  EXPECT_TRUE(a.receive("b").is("ping"));
  EXPECT_TRUE(a.complete());
}

TEST_F(RuntimeTimeout, MessageThatIsThereWinsOverAPassedDeadline) {
  InProcessSession session(watchdog("500ms"), options());
  session.endpoint("b").send("a", "ping");
  clock->advance(10s);
  const auto received = session.endpoint("a").offer();
  EXPECT_FALSE(received.timed_out);
  EXPECT_TRUE(received.is("ping"));
}

TEST_F(RuntimeTimeout, MessageArrivingWhileWaitingIsTaken) {
  InProcessSession session(watchdog("500ms"), options());
  auto& a = session.endpoint("a");
  auto waiting = std::async(std::launch::async, [&] { return a.receive("b"); });
  ASSERT_TRUE(clock->await_sleepers(1));
  session.endpoint("b").send("a", "ping");
  EXPECT_TRUE(waiting.get().is("ping"));
  EXPECT_TRUE(a.complete());
  EXPECT_TRUE(session.endpoint("b").complete());
}

TEST_F(RuntimeTimeout, ProgramDeadlineBeforeTheBranchsDeadlineLeavesTheStateAlone) {
  InProcessSession session(watchdog("500ms"), options());
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
  InProcessSession session(watchdog("patience"), options());
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
    InProcessSession session(watchdog("patience"), no_values);
    FAIL() << "an endpoint started without a value for timeout(patience)";
  } catch (const std::invalid_argument& error) {
    EXPECT_NE(std::string(error.what()).find("give patience a value"), std::string::npos) << error.what();
  }
}

TEST_F(RuntimeTimeout, NamedTimeoutFollowsTheVariable) {
  // An RTO changes as the role runs: timeout(variable) reads it at each wait.
  InProcessSession session(watchdog("patience"), options());
  auto& a = session.endpoint("a");
  a.set_variable("patience", 50);
  auto waiting = std::async(std::launch::async, [&] { return a.offer(); });
  ASSERT_TRUE(clock->await_sleepers(1));
  clock->advance(50ms);
  EXPECT_TRUE(waiting.get().timed_out);
  EXPECT_THROW(a.set_variable("impatience", 1), std::invalid_argument);  // not a variable of a
}

TEST(RuntimeTimeoutSteady, RealClockTimesOutToo) {
  // The one test on real time: a 1 ms timeout, with no assertion on how long
  // it took.
  InProcessSession session(watchdog("1ms"), {});
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
