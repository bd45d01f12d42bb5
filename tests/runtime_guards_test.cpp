// Data-aware branches at run time: which copy of a label a message takes is
// decided by the spec's guards, evaluated on the payload and the role's
// state variables (refine::select_branch) — no hand-written picker.
#include <future>

#include <gtest/gtest.h>

#include "lim/runtime/transport/inproc/inprocess_session.hpp"
#include "runtime_test_support.hpp"

namespace lim::runtime {
namespace {

// A sensor reports samples until it stops; the monitor answers `ok` while a
// sample stays within its limit and raises the alarm (ending the session)
// the first time one does not.
const std::string kThreshold = R"(// threshold monitor
record sample { value: u32, sensor: u8 }
state monitor { limit: u32 }

sensor: rec loop . monitor⊕{ reading(sample) . monitor&{ ok . loop, alarm(u32) . end },
                             stop . end }
monitor: rec loop . sensor&{
           reading(s: sample) if s.value <= limit . sensor⊕ok . loop,
           reading(s: sample) if s.value > limit . sensor⊕alarm(u32) . end,
           stop . end }
)";

class RuntimeGuards : public ::testing::Test {
 protected:
  std::shared_ptr<const Protocol> protocol = testing::verified(kThreshold, "threshold.lim");
  InProcessOptions options() {
    InProcessOptions options;
    options.variables["monitor"]["limit"] = 100;
    return options;
  }
};

TEST_F(RuntimeGuards, TheGuardThatHoldsChoosesTheBranch) {
  InProcessSession session(protocol, options());
  auto& sensor = session.endpoint("sensor");
  auto& monitor = session.endpoint("monitor");
  sensor.send("monitor", "reading", {{"value", 42}, {"sensor", 1}});
  const auto first = monitor.offer();
  EXPECT_TRUE(first.is("reading"));
  EXPECT_EQ(monitor.expected(), std::vector<std::string>{"send ok to sensor"});
  monitor.select("sensor", "ok");
  EXPECT_TRUE(sensor.offer().is("ok"));

  sensor.send("monitor", "reading", {{"value", 101}, {"sensor", 1}});
  EXPECT_TRUE(monitor.offer().is("reading"));
  EXPECT_EQ(monitor.expected(), std::vector<std::string>{"send alarm(u32) to sensor"});
  EXPECT_THROW(monitor.select("sensor", "ok"), ProtocolViolation);  // not on this branch
  monitor.send("sensor", "alarm", 101);
  EXPECT_EQ(sensor.offer().payload, 101);
  EXPECT_TRUE(monitor.complete());
  EXPECT_TRUE(sensor.complete());
}

TEST_F(RuntimeGuards, StateVariablesMoveTheLimit) {
  InProcessSession session(protocol, options());
  auto& sensor = session.endpoint("sensor");
  auto& monitor = session.endpoint("monitor");
  monitor.set_variable("limit", 10);
  sensor.send("monitor", "reading", {{"value", 42}, {"sensor", 7}});
  (void)monitor.offer();
  EXPECT_EQ(monitor.expected(), std::vector<std::string>{"send alarm(u32) to sensor"});
  EXPECT_EQ(monitor.variables().at("limit"), 10);
  EXPECT_THROW(monitor.set_variable("limit", 1ull << 32), std::invalid_argument);  // does not fit a u32
  EXPECT_THROW(monitor.set_variable("threshold", 1), std::invalid_argument);      // no such variable
  monitor.abandon("test over");
}

TEST_F(RuntimeGuards, MissingVariableIsReportedBeforeAnyMessageIsTaken) {
  InProcessSession session(protocol);  // no value for `limit`
  auto& sensor = session.endpoint("sensor");
  auto& monitor = session.endpoint("monitor");
  sensor.send("monitor", "reading", {{"value", 1}, {"sensor", 1}});
  EXPECT_THROW((void)monitor.offer(), std::logic_error);
  EXPECT_EQ(monitor.operations(), 0u);
  monitor.set_variable("limit", 5);
  EXPECT_TRUE(monitor.offer().is("reading"));  // the message waited
  monitor.abandon("test over");
}

TEST_F(RuntimeGuards, RecordPayloadsAreChecked) {
  InProcessSession session(protocol, options());
  auto& sensor = session.endpoint("sensor");
  EXPECT_THROW(sensor.send("monitor", "reading", {{"value", 1}}), ProtocolViolation);  // no `sensor` field
  EXPECT_THROW(sensor.send("monitor", "reading", {{"value", -1}, {"sensor", 1}}), ProtocolViolation);
  EXPECT_THROW(sensor.send("monitor", "reading", {{"value", 1}, {"sensor", 256}}), ProtocolViolation);  // u8
  EXPECT_THROW(sensor.send("monitor", "reading", 5), ProtocolViolation);
  EXPECT_EQ(sensor.operations(), 0u);
  sensor.select("monitor", "stop");
  EXPECT_TRUE(session.endpoint("monitor").offer().is("stop"));
}

TEST_F(RuntimeGuards, GuardsChangeTheFingerprint) {
  auto other = kThreshold;
  other.replace(other.find("s.value <= limit"), 16, "s.value < limit");
  other.replace(other.find("s.value > limit"), 15, "s.value >= limit");
  EXPECT_NE(testing::verified(other, "threshold.lim")->fingerprint(), protocol->fingerprint());
}

}  // namespace
}  // namespace lim::runtime
