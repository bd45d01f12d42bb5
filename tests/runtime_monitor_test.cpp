// The monitor against a peer that does not follow the protocol. The
// transport here is a scripted stand-in, the only way to make an in-process
// peer misbehave (real endpoints cannot); the TCP and MQTT tests do the same
// with raw sockets and raw MQTT clients.
#include <deque>

#include <gtest/gtest.h>

#include "lim/runtime/clock/manual_clock.hpp"
#include "lim/runtime/endpoint/endpoint.hpp"
#include "runtime_test_support.hpp"

namespace lim::runtime {
namespace {

using testing::kRequestReply;
using testing::verified;

struct Script {
  std::deque<IncomingMessage> incoming;
  std::vector<std::pair<automata::RoleId, automata::LabelId>> sent;
  std::vector<std::string> aborts;
  int finishes = 0;
};

class ScriptedTransport final : public Transport {
 public:
  explicit ScriptedTransport(Script& script) : script_(script) {}
  std::string_view name() const override { return "scripted"; }
  Requirement requirement() const override { return {}; }
  void send(automata::RoleId to, automata::LabelId label, Payload) override { script_.sent.emplace_back(to, label); }
  std::optional<IncomingMessage> receive(std::span<const automata::RoleId>, Deadline) override {
    if (script_.incoming.empty()) return std::nullopt;
    auto message = std::move(script_.incoming.front());
    script_.incoming.pop_front();
    return message;
  }
  void finish() override { ++script_.finishes; }
  void abort(std::string_view reason) noexcept override { script_.aborts.emplace_back(reason); }

 private:
  Script& script_;
};

class RuntimeMonitor : public ::testing::Test {
 protected:
  std::shared_ptr<const Protocol> protocol = verified(kRequestReply, "request-reply.lim");
  automata::RoleId client = protocol->role("client");
  automata::RoleId server = protocol->role("server");
  automata::LabelId accept = *protocol->find_label("accept");
  automata::LabelId refuse = *protocol->find_label("refuse");
  automata::LabelId request = *protocol->find_label("request");
  Script script;
  Endpoint endpoint{protocol, client, std::make_unique<ScriptedTransport>(script)};
};

TEST_F(RuntimeMonitor, PeerSendingALabelTheStateDoesNotAcceptIsReported) {
  endpoint.send("server", "request", 1);
  script.incoming.push_back({server, request, 5});  // the server "requests" back
  try {
    (void)endpoint.offer();
    FAIL() << "an unexpected label was accepted";
  } catch (const ProtocolViolation& violation) {
    EXPECT_EQ(violation.culprit(), ProtocolViolation::Culprit::Peer);
    EXPECT_EQ(violation.details().peer, "server");
    const std::string message = violation.what();
    EXPECT_NE(message.find("server sent request"), std::string::npos) << message;
    EXPECT_NE(message.find("receive accept(String) from server"), std::string::npos) << message;
    EXPECT_NE(message.find("request-reply.lim:3:"), std::string::npos) << message;
  }
  // The session is over, for this endpoint and (through the transport) for everybody.
  EXPECT_TRUE(endpoint.failed());
  ASSERT_EQ(script.aborts.size(), 1u);
  EXPECT_NE(script.aborts[0].find("server sent request"), std::string::npos);
  EXPECT_THROW((void)endpoint.offer(), ProtocolViolation);
}

TEST_F(RuntimeMonitor, PeerPayloadOfTheWrongSortIsReported) {
  endpoint.send("server", "request", 1);
  script.incoming.push_back({server, accept, 42});  // accept carries a String
  try {
    (void)endpoint.receive("server");
    FAIL() << "a payload of the wrong sort was accepted";
  } catch (const ProtocolViolation& violation) {
    EXPECT_EQ(violation.culprit(), ProtocolViolation::Culprit::Peer);
    EXPECT_NE(std::string(violation.what()).find("an integer payload"), std::string::npos) << violation.what();
  }
  EXPECT_EQ(script.aborts.size(), 1u);
}

TEST_F(RuntimeMonitor, MessageFromARoleTheStateDoesNotWaitForIsReported) {
  endpoint.send("server", "request", 1);
  script.incoming.push_back({client, accept, "x"});  // "from" itself
  EXPECT_THROW((void)endpoint.offer(), ProtocolViolation);
}

TEST_F(RuntimeMonitor, GoodRunSendsWhatTheProgramSaidAndFinishesOnce) {
  endpoint.send("server", "request", 1);
  script.incoming.push_back({server, accept, "yes"});
  const auto answer = endpoint.offer();
  EXPECT_EQ(answer.label, "accept");
  EXPECT_EQ(answer.payload, "yes");
  EXPECT_TRUE(endpoint.complete());
  EXPECT_EQ(script.finishes, 1);
  EXPECT_TRUE(script.aborts.empty());
  ASSERT_EQ(script.sent.size(), 1u);
  EXPECT_EQ(script.sent[0], std::make_pair(server, request));
}

TEST_F(RuntimeMonitor, DeadlineWithoutMessageLeavesTheStateAlone) {
  endpoint.send("server", "request", 1);
  EXPECT_THROW((void)endpoint.offer(endpoint.clock().now()), DeadlineExpired);
  EXPECT_FALSE(endpoint.failed());
  EXPECT_EQ(endpoint.operations(), 1u);
  script.incoming.push_back({server, refuse, nullptr});
  EXPECT_TRUE(endpoint.offer().is("refuse"));
}

TEST(RuntimeMonitorLifetime, EndpointDroppedMidProtocolAbortsTheSession) {
  const auto protocol = verified(kRequestReply);
  Script script;
  {
    Endpoint endpoint(protocol, protocol->role("server"), std::make_unique<ScriptedTransport>(script));
  }
  ASSERT_EQ(script.aborts.size(), 1u);
  EXPECT_NE(script.aborts[0].find("server left the session in state q0"), std::string::npos) << script.aborts[0];
}

}  // namespace
}  // namespace lim::runtime
