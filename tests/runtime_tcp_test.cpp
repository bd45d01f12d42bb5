// The TCP transport on real loopback sockets: frames, handshakes, whole
// sessions, and every way a session can break — a peer that dies, a reset
// connection, malformed or illegal frames — each ending with a typed error
// on the waiting endpoint, never a hang.
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <future>
#include <thread>

#include <gtest/gtest.h>

#include "lim/runtime/clock/manual_clock.hpp"
#include "lim/runtime/support/child_process.hpp"
#include "lim/runtime/transport/tcp/frame.hpp"
#include "lim/runtime/transport/tcp/socket_address.hpp"
#include "lim/runtime/transport/tcp/tcp_session.hpp"
#include "runtime_tcp_support.hpp"
#include "runtime_test_support.hpp"

namespace lim::runtime {
namespace {

using namespace std::chrono_literals;
using testing::kRequestReply;
using testing::verified;
using namespace testing_tcp;

// ---- frames ---------------------------------------------------------------------------

TEST(RuntimeTcpFrame, DataFramesSurviveBeingCutAnywhere) {
  std::vector<std::uint8_t> stream;
  tcp::append_data_frame(stream, 7, {{"title", "Dune"}, {"pages", 412}});
  tcp::append_frame(stream, tcp::FrameType::Goodbye, {});
  tcp::append_data_frame(stream, 0, nullptr);
  tcp::FrameDecoder decoder(1 << 20);
  std::vector<std::pair<tcp::FrameType, Payload>> frames;
  for (const auto byte : stream) {  // one byte at a time: the worst a socket does
    decoder.append(std::span(&byte, 1));
    while (const auto frame = decoder.next())
      frames.emplace_back(frame->type, frame->type == tcp::FrameType::Data ? tcp::decode_data(frame->body).payload
                                                                            : Payload());
  }
  ASSERT_EQ(frames.size(), 3u);
  EXPECT_EQ(frames[0].first, tcp::FrameType::Data);
  EXPECT_EQ(frames[0].second.at("pages"), 412);
  EXPECT_EQ(frames[1].first, tcp::FrameType::Goodbye);
  EXPECT_TRUE(frames[2].second.is_null());
  EXPECT_TRUE(decoder.empty());
}

TEST(RuntimeTcpFrame, MalformedFramesAreErrors) {
  const auto decode = [](std::vector<std::uint8_t> bytes) {
    tcp::FrameDecoder decoder(1024);
    decoder.append(bytes);
    return decoder.next();
  };
  EXPECT_THROW(decode({0, 0, 0, 0}), tcp::FrameError);              // length 0
  EXPECT_THROW(decode({0, 0, 4, 1, 2}), tcp::FrameError);           // longer than the limit
  EXPECT_THROW(decode({0, 0, 0, 2, 9, 0}), tcp::FrameError);        // unknown type
  EXPECT_FALSE(decode({0, 0, 0, 9, 2, 0, 0}).has_value());          // incomplete: wait for more
  EXPECT_THROW(tcp::decode_data(std::vector<std::uint8_t>{0, 0, 0, 1}), tcp::FrameError);  // no payload
  EXPECT_THROW(tcp::decode_data(std::vector<std::uint8_t>{0, 0, 0, 1, 0xff}), tcp::FrameError);  // not CBOR
  EXPECT_EQ(tcp::Address::parse("127.0.0.1:8080").port, 8080);
  EXPECT_EQ(tcp::Address::parse("[::1]:9").host, "::1");
  EXPECT_THROW(tcp::Address::parse("localhost"), std::invalid_argument);
  EXPECT_THROW(tcp::Address::parse("localhost:99999"), std::invalid_argument);
}

// ---- sessions -------------------------------------------------------------------------

TEST(RuntimeTcp, TwoRolesRunTheProtocolOverLoopback) {
  const auto protocol = verified(kRequestReply);
  tcp::Listener listener;  // the client is declared first: the server connects to it
  auto client_config = config_for();
  client_config.listener = &listener;
  auto client = std::async(std::launch::async, [&] {
    auto endpoint = tcp::join(protocol, "client", client_config);
    endpoint->send("server", "request", 41);
    const auto answer = endpoint->offer();
    EXPECT_EQ(endpoint->transport_name(), "tcp");
    EXPECT_TRUE(endpoint->complete());
    return answer.payload.get<std::string>();
  });
  auto server = tcp::join(protocol, "server", config_for(&listener));
  const auto request = server->receive("client");
  server->send("client", "accept", "request " + std::to_string(request.payload.get<int>() + 1));
  EXPECT_EQ(client.get(), "request 42");
  EXPECT_TRUE(server->complete());
}

TEST(RuntimeTcp, ManyMessagesKeepTheirOrder) {
  const auto protocol = verified(testing::kPingPong);
  tcp::Listener listener;
  tcp::Config ping_config = config_for();
  ping_config.listener = &listener;
  tcp::Config pong_config = config_for();
  pong_config.peers["ping"] = listener.address();
  auto pong = std::async(std::launch::async, [&] {
    auto endpoint = tcp::join(protocol, "pong", pong_config);
    int rounds = 0;
    while (true) {
      const auto message = endpoint->offer();
      if (message.is("stop")) break;
      endpoint->send("ping", "pong", message.payload.get<int>() * 2);
      ++rounds;
    }
    return rounds;
  });
  auto ping = tcp::join(protocol, "ping", ping_config);
  for (int i = 0; i < 2000; ++i) {
    ping->send("pong", "ping", i);
    ASSERT_EQ(ping->receive("pong").payload, 2 * i);
  }
  ping->select("pong", "stop");
  EXPECT_EQ(pong.get(), 2000);
}

TEST(RuntimeTcp, ThreeRolesInAFullMesh) {
  const auto protocol = testing::verified_spec("specs/amazon-prime-video.lim");
  tcp::Listener client_listener, authenticator_listener;
  tcp::Config client = config_for(), authenticator = config_for(), server = config_for();
  client.listener = &client_listener;
  authenticator.listener = &authenticator_listener;
  authenticator.peers["client"] = client_listener.address();
  server.peers["client"] = client_listener.address();
  server.peers["authenticator"] = authenticator_listener.address();
  auto server_run = std::async(std::launch::async, [&] {
    auto endpoint = tcp::join(protocol, "server", server);
    int served = 0;
    while (endpoint->offer().is("request")) {
      endpoint->send("authenticator", "video", "frames");
      ++served;
    }
    return served;
  });
  auto authenticator_run = std::async(std::launch::async, [&] {
    auto endpoint = tcp::join(protocol, "authenticator", authenticator);
    (void)endpoint->receive("client");
    endpoint->select("client", "accepted");
    while (true) {
      const auto request = endpoint->offer();
      if (request.is("close")) break;
      endpoint->send("server", "request", request.payload);
      endpoint->send("client", "video", endpoint->receive("server").payload);
    }
    endpoint->select("server", "close");
  });
  auto endpoint = tcp::join(protocol, "client", client);
  endpoint->send("authenticator", "id", 7);
  ASSERT_TRUE(endpoint->offer().is("accepted"));
  for (const auto* title : {"Metropolis", "Nosferatu", "Sunrise"}) {
    endpoint->send("authenticator", "request", title);
    EXPECT_EQ(endpoint->receive("authenticator").payload, "frames");
  }
  endpoint->select("authenticator", "close");
  authenticator_run.get();
  EXPECT_EQ(server_run.get(), 3);
}

class RuntimeTcpFailures : public ::testing::Test {
 protected:
  std::shared_ptr<const Protocol> protocol = verified(kRequestReply);
  tcp::Listener listener;
  nlohmann::json hello(const std::string& fingerprint = "") const { return testing_hello(*protocol, "server", "client", fingerprint); }
  // The client's endpoint, joined by the raw peer playing the server.
  std::unique_ptr<Endpoint> client_with(std::unique_ptr<RawPeer>& peer) {
    auto config = config_for();
    config.listener = &listener;
    config.keepalive = 0ms;  // the raw peer never pings: its silence is no failure here
    auto joining = std::async(std::launch::async, [&] { return tcp::join(protocol, "client", config); });
    peer = std::make_unique<RawPeer>(listener.address(), hello());
    EXPECT_EQ(peer->welcome().value("ok", false), true);
    return joining.get();
  }
  std::vector<std::uint8_t> data(const std::string& label, const Payload& payload) const {
    std::vector<std::uint8_t> bytes;
    tcp::append_data_frame(bytes, *protocol->find_label(label), payload);
    return bytes;
  }
  template <class Error>
  Error failure_of(Endpoint& endpoint) {
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

TEST_F(RuntimeTcpFailures, PeerThatClosesWithoutGoodbyeDied) {
  std::unique_ptr<RawPeer> server;
  auto client = client_with(server);
  client->send("server", "request", 1);
  ASSERT_TRUE(server->next_frame());  // read it: a socket closed with unread data resets
  server->close();
  const auto error = failure_of<TransportError>(*client);
  EXPECT_EQ(error.failure(), TransportFailure::PeerDied);
  EXPECT_EQ(error.peer(), "server");
  EXPECT_TRUE(client->failed());
}

// A process that dies with unread data resets its connections: the same
// death as a close, one kind (issue 11: one event reached one role as
// ConnectionLost and another as PeerDied).
TEST_F(RuntimeTcpFailures, ResetConnectionIsAPeerDeath) {
  std::unique_ptr<RawPeer> server;
  auto client = client_with(server);
  client->send("server", "request", 1);
  ASSERT_TRUE(server->next_frame());  // read it: a socket closed with unread data resets
  server->reset();
  const auto error = failure_of<TransportError>(*client);
  EXPECT_EQ(error.failure(), TransportFailure::PeerDied);
  EXPECT_EQ(error.peer(), "server");
}

TEST_F(RuntimeTcpFailures, GarbageIsAMalformedFrame) {
  std::unique_ptr<RawPeer> server;
  auto client = client_with(server);
  client->send("server", "request", 1);
  ASSERT_TRUE(server->next_frame());  // read it: a socket closed with unread data resets
  server->write({0, 0, 0, 3, 77, 1, 2});  // type 77
  const auto error = failure_of<TransportError>(*client);
  EXPECT_EQ(error.failure(), TransportFailure::MalformedFrame);
  EXPECT_NE(std::string(error.what()).find("unknown frame type 77"), std::string::npos) << error.what();
}

TEST_F(RuntimeTcpFailures, OversizedFrameIsMalformed) {
  std::unique_ptr<RawPeer> server;
  auto client = client_with(server);
  client->send("server", "request", 1);
  ASSERT_TRUE(server->next_frame());  // read it: a socket closed with unread data resets
  server->write({0x7f, 0xff, 0xff, 0xff, 2});  // 2 GiB announced
  EXPECT_EQ(failure_of<TransportError>(*client).failure(), TransportFailure::MalformedFrame);
}

TEST_F(RuntimeTcpFailures, PayloadThatIsNotCborIsMalformed) {
  std::unique_ptr<RawPeer> server;
  auto client = client_with(server);
  client->send("server", "request", 1);
  ASSERT_TRUE(server->next_frame());  // read it: a socket closed with unread data resets
  server->write({0, 0, 0, 6, 2, 0, 0, 0, 0, 0xff});
  EXPECT_EQ(failure_of<TransportError>(*client).failure(), TransportFailure::MalformedFrame);
}

TEST_F(RuntimeTcpFailures, LabelTheStateDoesNotAcceptIsAPeerViolation) {
  std::unique_ptr<RawPeer> server;
  auto client = client_with(server);
  client->send("server", "request", 1);
  ASSERT_TRUE(server->next_frame());  // read it: a socket closed with unread data resets
  server->write(data("request", 5));  // the client waits for accept or refuse
  const auto violation = failure_of<ProtocolViolation>(*client);
  EXPECT_EQ(violation.culprit(), ProtocolViolation::Culprit::Peer);
  EXPECT_EQ(violation.details().peer, "server");
}

TEST_F(RuntimeTcpFailures, PayloadOfTheWrongSortIsAPeerViolation) {
  std::unique_ptr<RawPeer> server;
  auto client = client_with(server);
  client->send("server", "request", 1);
  ASSERT_TRUE(server->next_frame());  // read it: a socket closed with unread data resets
  server->write(data("accept", 12));  // accept carries a String
  EXPECT_EQ(failure_of<ProtocolViolation>(*client).culprit(), ProtocolViolation::Culprit::Peer);
}

TEST_F(RuntimeTcpFailures, AbortFromThePeerEndsTheSession) {
  std::unique_ptr<RawPeer> server;
  auto client = client_with(server);
  client->send("server", "request", 1);
  ASSERT_TRUE(server->next_frame());  // read it: a socket closed with unread data resets
  std::vector<std::uint8_t> abort;
  const std::string reason = "disk full";
  tcp::append_frame(abort, tcp::FrameType::Abort,
                    std::span(reinterpret_cast<const std::uint8_t*>(reason.data()), reason.size()));
  server->write(abort);
  const auto error = failure_of<SessionAborted>(*client);
  EXPECT_EQ(error.origin(), "server");
  EXPECT_EQ(error.reason(), "disk full");
}

TEST_F(RuntimeTcpFailures, OtherAutomataAreRefusedAtTheHandshake) {
  auto config = config_for();
  config.listener = &listener;
  auto joining = std::async(std::launch::async, [&] { return tcp::join(protocol, "client", config); });
  RawPeer server(listener.address(), hello(std::string(64, '0')));
  const auto welcome = server.welcome();
  EXPECT_EQ(welcome.value("ok", true), false);
  EXPECT_NE(welcome.value("error", std::string()).find("other automata"), std::string::npos) << welcome.dump();
  try {
    (void)joining.get();
    FAIL() << "the handshake accepted another protocol";
  } catch (const TransportError& error) {
    EXPECT_EQ(error.failure(), TransportFailure::HandshakeFailed);
  }
}

TEST_F(RuntimeTcpFailures, ConnectorLearnsWhyItWasRefused) {
  // The server's endpoint connects to a client of another session.
  auto client_config = config_for();
  client_config.listener = &listener;
  client_config.session = "other";
  client_config.connect_timeout = 2s;  // the client drops the stranger and waits on
  auto client = std::async(std::launch::async, [&] { return tcp::join(protocol, "client", client_config); });
  try {
    (void)tcp::join(protocol, "server", config_for(&listener));
    FAIL() << "joined a session of another name";
  } catch (const TransportError& error) {
    EXPECT_EQ(error.failure(), TransportFailure::HandshakeFailed);
    EXPECT_NE(std::string(error.what()).find("session"), std::string::npos) << error.what();
  }
  EXPECT_THROW((void)client.get(), TransportError);
}

TEST_F(RuntimeTcpFailures, AbsentPeerIsAConnectTimeout) {
  auto config = config_for();
  config.listener = &listener;
  config.connect_timeout = 200ms;
  try {
    (void)tcp::join(protocol, "client", config);
    FAIL();
  } catch (const TransportError& error) {
    EXPECT_EQ(error.failure(), TransportFailure::ConnectTimeout);
    EXPECT_NE(std::string(error.what()).find("server did not connect"), std::string::npos) << error.what();
  }
}

TEST_F(RuntimeTcpFailures, MissingAddressOrListenerIsAConfigurationError) {
  EXPECT_THROW((void)tcp::join(protocol, "client", config_for()), std::invalid_argument);  // no listener
  EXPECT_THROW((void)tcp::join(protocol, "server", config_for()), std::invalid_argument);  // no address
}

TEST(RuntimeTcpGate, ProtocolNotVerifiedForUnboundedChannelsNeverConnects) {
  const auto path = testing::shared_dir() / "corpus/kmc/sndprojnocommute2-res.txt";
  if (!std::filesystem::exists(path)) GTEST_SKIP() << "needs ../shared/corpus";
  const VerificationGate gate;
  const auto protocol = gate.verify_file(path);
  tcp::Config config;
  config.connect_timeout = 100ms;
  EXPECT_THROW((void)tcp::join(protocol, "S", config), VerificationFailed);
}

// ---- processes: a peer that really dies -------------------------------------------------

TEST(RuntimeTcpProcesses, KilledPeerEndsTheSessionForEveryWaitingRole) {
  const auto protocol = testing::verified_spec("specs/amazon-prime-video.lim");
  tcp::Listener client_listener, authenticator_listener;
  // The server runs in a process of its own, and is killed while the
  // authenticator waits for its video and the client for the authenticator.
  support::ChildProcess server([&](support::ChildProcess& self) {
    tcp::Config config = config_for();
    config.peers["client"] = client_listener.address();
    config.peers["authenticator"] = authenticator_listener.address();
    auto endpoint = tcp::join(protocol, "server", config);
    (void)endpoint->offer();  // the request
    self.signal_parent();
    ::pause();  // never answers
    return 0;
  });
  tcp::Config client = config_for(), authenticator = config_for();
  client.listener = &client_listener;
  authenticator.listener = &authenticator_listener;
  authenticator.peers["client"] = client_listener.address();
  auto authenticator_run = std::async(std::launch::async, [&]() -> std::string {
    auto endpoint = tcp::join(protocol, "authenticator", authenticator);
    (void)endpoint->receive("client");
    endpoint->select("client", "accepted");
    endpoint->send("server", "request", endpoint->receive("client").payload);
    try {
      (void)endpoint->receive("server");
    } catch (const TransportError& error) {
      EXPECT_EQ(error.peer(), "server");
      return std::string(to_string(error.failure()));
    }
    return "no error";
  });
  auto endpoint = tcp::join(protocol, "client", client);
  endpoint->send("authenticator", "id", 1);
  (void)endpoint->offer();
  endpoint->send("authenticator", "request", "Vertigo");
  ASSERT_TRUE(server.await_signal(std::chrono::steady_clock::now() + 60s));
  server.kill();
  EXPECT_EQ(authenticator_run.get(), "peer died");
  try {
    (void)endpoint->receive("authenticator");
    FAIL() << "the client got a video from a dead server";
  } catch (const SessionError& error) {
    // Either the server's own connection (it died) or the authenticator's
    // abort tells the client first; both end its session.
    SUCCEED() << error.what();
  }
  EXPECT_TRUE(endpoint->failed());
  EXPECT_EQ(server.wait(std::chrono::steady_clock::now() + 60s), 128 + SIGKILL);
}

// ---- timeouts over TCP, on a manual clock -------------------------------------------------

TEST(RuntimeTcpTimeout, TimeoutBranchWakesAPollingEndpoint) {
  // A timeout is outside the unbounded-channel theorem: this gate accepts
  // the assumption (RuntimeGate.UnboundedChannelsAreRefusedBeyondTheTheorem).
  GateOptions options;
  options.local_moves_over_unbounded_channels = true;
  const auto protocol =
      VerificationGate(options).verify_text("test.lim", "a: b&{ ping . end, timeout(2s) . b&ping . end }\nb: a⊕ping . end\n");
  const auto clock = std::make_shared<ManualClock>();
  tcp::Listener listener;
  tcp::Config a_config = config_for(), b_config = config_for();
  a_config.listener = &listener;
  a_config.endpoint.clock = clock;
  b_config.peers["a"] = listener.address();
  auto b_joined = std::async(std::launch::async, [&] { return tcp::join(protocol, "b", b_config); });
  auto a = tcp::join(protocol, "a", a_config);
  auto b = b_joined.get();
  auto waiting = std::async(std::launch::async, [&] { return a->offer(); });
  ASSERT_TRUE(clock->await_sleepers(1));
  clock->advance(2s);
  EXPECT_TRUE(waiting.get().timed_out);
  b->send("a", "ping");
  EXPECT_TRUE(a->receive("b").is("ping"));
  EXPECT_TRUE(a->complete());
}

}  // namespace
}  // namespace lim::runtime
