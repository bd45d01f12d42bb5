// The MQTT transport through a real mosquitto broker that each test starts
// on a free loopback port: whole sessions, and every way one can break — a
// peer that dies (its last will), the broker going away, malformed or
// illegal messages, a role that never joins.
#include <mosquitto.h>
#include <unistd.h>

#include <future>
#include <mutex>

#include <gtest/gtest.h>

#include "lim/runtime/support/child_process.hpp"
#include "lim/runtime/support/mosquitto_broker.hpp"
#include "lim/runtime/transport/mqtt/mqtt_session.hpp"
#include "runtime_mqtt_support.hpp"
#include "runtime_test_support.hpp"

namespace lim::runtime {
namespace {

using namespace std::chrono_literals;
using testing::kRequestReply;
using testing::verified;
using namespace testing_mqtt;

class RuntimeMqtt : public ::testing::Test {
 protected:
  support::MosquittoBroker broker;
  std::shared_ptr<const Protocol> protocol = verified(kRequestReply);

  template <class Error>
  static Error failure_of(Endpoint& endpoint) {
    try {
      (void)endpoint.offer();
    } catch (const Error& error) {
      return error;
    } catch (const std::exception& other) {
      ADD_FAILURE() << "unexpected error: " << other.what();
      throw;
    }
    ADD_FAILURE() << "offer() returned";
    throw std::logic_error("no error");
  }
};

TEST_F(RuntimeMqtt, TwoRolesMeetThroughTheBroker) {
  auto server = std::async(std::launch::async, [&] {
    auto endpoint = mqtt::join(protocol, "server", config_for(broker));
    const auto request = endpoint->receive("client");
    endpoint->send("client", "accept", "yes to " + std::to_string(request.payload.get<int>()));
    return endpoint->complete();
  });
  auto client = mqtt::join(protocol, "client", config_for(broker));
  EXPECT_EQ(client->transport_name(), "mqtt");
  client->send("server", "request", 5);
  EXPECT_EQ(client->offer().payload, "yes to 5");
  EXPECT_TRUE(client->complete());
  EXPECT_TRUE(server.get());
}

TEST_F(RuntimeMqtt, SessionsSharingABrokerStayApart) {
  const auto run = [&](const std::string& session, int value) {
    auto server = std::async(std::launch::async, [&] {
      auto endpoint = mqtt::join(protocol, "server", config_for(broker, session));
      endpoint->send("client", "accept", std::to_string(endpoint->receive("client").payload.get<int>()));
    });
    auto client = mqtt::join(protocol, "client", config_for(broker, session));
    client->send("server", "request", value);
    const auto answer = client->offer().payload.get<std::string>();
    server.get();
    return answer;
  };
  auto first = std::async(std::launch::async, run, "first", 1);
  auto second = std::async(std::launch::async, run, "second", 2);
  EXPECT_EQ(first.get(), "1");
  EXPECT_EQ(second.get(), "2");
}

TEST_F(RuntimeMqtt, ManyMessagesKeepTheirOrder) {
  const auto ping_pong = verified(testing::kPingPong);
  auto pong = std::async(std::launch::async, [&] {
    auto endpoint = mqtt::join(ping_pong, "pong", config_for(broker));
    while (true) {
      const auto message = endpoint->offer();
      if (message.is("stop")) return;
      endpoint->send("ping", "pong", message.payload.get<int>() + 1);
    }
  });
  auto ping = mqtt::join(ping_pong, "ping", config_for(broker));
  for (int i = 0; i < 300; ++i) {
    ping->send("pong", "ping", i);
    ASSERT_EQ(ping->receive("pong").payload, i + 1);
  }
  ping->select("pong", "stop");
  pong.get();
}

TEST_F(RuntimeMqtt, KilledPeerIsReportedByItsLastWill) {
  support::ChildProcess server([&](support::ChildProcess& self) {
    auto endpoint = mqtt::join(protocol, "server", config_for(broker));
    (void)endpoint->receive("client");
    self.signal_parent();
    ::pause();  // never answers
    return 0;
  });
  auto client = mqtt::join(protocol, "client", config_for(broker));
  client->send("server", "request", 1);
  ASSERT_TRUE(server.await_signal(std::chrono::steady_clock::now() + 60s));
  server.kill();
  const auto error = failure_of<TransportError>(*client);
  EXPECT_EQ(error.failure(), TransportFailure::PeerDied);
  EXPECT_EQ(error.peer(), "server");
}

TEST_F(RuntimeMqtt, BrokerGoingAwayEndsTheWaitingEndpoint) {
  auto config = config_for(broker);
  config.reconnect_timeout = 1s;
  auto server = std::async(std::launch::async, [&] { return mqtt::join(protocol, "server", config); });
  auto client = mqtt::join(protocol, "client", config);
  auto server_endpoint = server.get();
  client->send("server", "request", 1);
  EXPECT_EQ(server_endpoint->receive("client").payload, 1);
  // The client waits for its answer; the broker dies (and would not come back).
  auto waiting = std::async(std::launch::async, [&] { return failure_of<TransportError>(*client).failure(); });
  broker.kill();
  EXPECT_EQ(waiting.get(), TransportFailure::ConnectionLost);
}

// Without the secret nothing tells garbage from a broken peer.
TEST_F(RuntimeMqtt, GarbageOnADataTopicIsAMalformedFrameWithoutAuthentication) {
  auto joining = std::async(std::launch::async, [&] { return mqtt::join(protocol, "client", plaintext_config_for(broker)); });
  RawParticipant server(broker, *protocol, "server", std::nullopt);
  auto client = joining.get();
  client->send("server", "request", 1);
  server.publish_raw("lim/test/m/0/1", {1, 2, 3});
  EXPECT_EQ(failure_of<TransportError>(*client).failure(), TransportFailure::MalformedFrame);
}

TEST_F(RuntimeMqtt, LostOrRepeatedMessageIsDetected) {
  auto joining = std::async(std::launch::async, [&] { return mqtt::join(protocol, "client", plaintext_config_for(broker)); });
  RawParticipant server(broker, *protocol, "server", std::nullopt);
  auto client = joining.get();
  client->send("server", "request", 1);
  server.send_data(0, 3, *protocol->find_label("accept"), "x");  // number 3, where 0 is due
  const auto error = failure_of<TransportError>(*client);
  EXPECT_EQ(error.failure(), TransportFailure::MalformedFrame);
  EXPECT_NE(std::string(error.what()).find("lost or repeated"), std::string::npos) << error.what();
}

TEST_F(RuntimeMqtt, LabelTheStateDoesNotAcceptIsAPeerViolation) {
  auto joining = std::async(std::launch::async, [&] { return mqtt::join(protocol, "client", plaintext_config_for(broker)); });
  RawParticipant server(broker, *protocol, "server", std::nullopt);
  auto client = joining.get();
  client->send("server", "request", 1);
  server.send_data(0, 0, *protocol->find_label("request"), 1);
  EXPECT_EQ(failure_of<ProtocolViolation>(*client).culprit(), ProtocolViolation::Culprit::Peer);
}

TEST_F(RuntimeMqtt, OtherAutomataAreRefused) {
  auto joining = std::async(std::launch::async, [&] { return mqtt::join(protocol, "client", plaintext_config_for(broker)); });
  RawParticipant server(broker, *protocol, "server", std::nullopt, std::string(64, 'f'));
  try {
    (void)joining.get();
    FAIL() << "joined a participant running other automata";
  } catch (const TransportError& error) {
    EXPECT_EQ(error.failure(), TransportFailure::HandshakeFailed);
  }
}

TEST_F(RuntimeMqtt, RoleThatNeverJoinsIsAConnectTimeout) {
  auto config = config_for(broker);
  // Time for the broker's welcome and subscriptions even on a loaded
  // machine: the timeout must come from the missing server.
  config.connect_timeout = 2s;
  try {
    (void)mqtt::join(protocol, "client", config);
    FAIL();
  } catch (const TransportError& error) {
    EXPECT_EQ(error.failure(), TransportFailure::ConnectTimeout);
    EXPECT_NE(std::string(error.what()).find("server did not join"), std::string::npos) << error.what();
  }
}

TEST_F(RuntimeMqtt, AbandonedEndpointAbortsItsPeers) {
  auto server = std::async(std::launch::async, [&] { return mqtt::join(protocol, "server", config_for(broker)); });
  auto client = mqtt::join(protocol, "client", config_for(broker));
  auto server_endpoint = server.get();
  client.reset();  // dropped before sending its request
  try {
    (void)server_endpoint->receive("client");
    FAIL();
  } catch (const SessionAborted& error) {
    EXPECT_EQ(error.origin(), "client");
  }
}

TEST(RuntimeMqttConfig, BadSessionNamesAreRefused) {
  const auto protocol = verified(kRequestReply);
  mqtt::Config config;
  config.secret = test_secret();
  config.session = "a/b";
  EXPECT_THROW((void)mqtt::join(protocol, "client", config), std::invalid_argument);
  config.session = "#";
  EXPECT_THROW((void)mqtt::join(protocol, "client", config), std::invalid_argument);
  config.session = "fine";
  config.secret.reset();  // neither a secret nor plaintext
  EXPECT_THROW((void)mqtt::join(protocol, "client", config), std::invalid_argument);
}

}  // namespace
}  // namespace lim::runtime
