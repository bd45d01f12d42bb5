// The monitored endpoint API over the in-process transport: real threads,
// real bounded queues, every action checked against the role's automaton.
#include <thread>

#include <gtest/gtest.h>

#include "lim/runtime/transport/inproc/inprocess_session.hpp"
#include "runtime_test_support.hpp"

namespace lim::runtime {
namespace {

using testing::kPingPong;
using testing::kRequestReply;
using testing::verified;
using testing::verified_spec;

using Culprit = ProtocolViolation::Culprit;

void buyer1(Endpoint& endpoint) {
  endpoint.send("seller", "title", "War and Peace");
  const auto quote = endpoint.receive("seller");
  ASSERT_TRUE(quote.is("quote"));
  endpoint.send("buyer2", "share", quote.payload.get<std::int64_t>() / 2);
}

void seller(Endpoint& endpoint) {
  const auto title = endpoint.receive("buyer1");
  ASSERT_EQ(title.payload, "War and Peace");
  endpoint.send("buyer1", "quote", 42);
  endpoint.send("buyer2", "quote", 42);
  const auto decision = endpoint.offer();
  if (decision.is("ok")) {
    const auto address = endpoint.receive("buyer2");
    EXPECT_EQ(address.payload, "Baker Street 221b");
    endpoint.send("buyer2", "delivery", "tomorrow");
  }
}

void buyer2(Endpoint& endpoint, bool accept) {
  const auto quote = endpoint.receive("seller");
  const auto share = endpoint.receive("buyer1");
  EXPECT_EQ(quote.payload.get<std::int64_t>() - share.payload.get<std::int64_t>(), 21);
  if (!accept) {
    endpoint.select("seller", "quit");
    return;
  }
  endpoint.select("seller", "ok");
  endpoint.send("seller", "address", "Baker Street 221b");
  EXPECT_EQ(endpoint.receive("seller").payload, "tomorrow");
}

class RuntimeInProcess : public ::testing::TestWithParam<unsigned> {};

TEST_P(RuntimeInProcess, TwoBuyerRunsToCompletion) {
  for (const bool accept : {true, false}) {
    InProcessSession session(verified_spec("specs/two-buyer.lim"), InProcessOptions(GetParam()));
    session.run({{"buyer1", buyer1}, {"seller", seller}, {"buyer2", [&](Endpoint& e) { buyer2(e, accept); }}});
    for (const auto* role : {"buyer1", "seller", "buyer2"}) {
      const auto metadata = session.endpoint(role).metadata();
      EXPECT_TRUE(metadata.complete) << role;
      EXPECT_FALSE(metadata.failed) << role;
      EXPECT_EQ(metadata.state_type, "end");
      EXPECT_TRUE(metadata.expected.empty());
    }
    EXPECT_EQ(session.endpoint("buyer1").operations(), 3u);
    EXPECT_EQ(session.endpoint("seller").operations(), accept ? 6u : 4u);
  }
}

TEST_P(RuntimeInProcess, RecursiveProtocolRunsManyRounds) {
  InProcessSession session(verified(kPingPong), InProcessOptions(GetParam()));
  constexpr int kRounds = 1000;
  session.run({{"ping",
                [](Endpoint& endpoint) {
                  for (int i = 0; i < kRounds; ++i) {
                    endpoint.send("pong", "ping", i);
                    ASSERT_EQ(endpoint.receive("pong").payload, i + 1);
                  }
                  endpoint.select("pong", "stop");
                }},
               {"pong", [](Endpoint& endpoint) {
                  while (true) {
                    const auto message = endpoint.offer();
                    if (message.is("stop")) break;
                    endpoint.send("ping", "pong", message.payload.get<int>() + 1);
                  }
                }}});
  EXPECT_EQ(session.endpoint("ping").operations(), 2u * kRounds + 1);
}

INSTANTIATE_TEST_SUITE_P(Bounds, RuntimeInProcess, ::testing::Values(0u, 1u, 2u),
                         [](const auto& info) { return "k" + std::to_string(info.param); });

TEST(RuntimeEndpoint, SendTheStateDoesNotOfferIsALocalViolation) {
  InProcessSession session(verified_spec("specs/two-buyer.lim"));
  auto& endpoint = session.endpoint("buyer1");
  try {
    endpoint.send("buyer2", "share", 10);  // buyer1 must first ask the seller
    FAIL() << "an action outside the protocol was accepted";
  } catch (const ProtocolViolation& violation) {
    EXPECT_EQ(violation.culprit(), Culprit::Local);
    EXPECT_EQ(violation.details().state, "q0");
    EXPECT_EQ(violation.details().state_type, "seller⊕{title(String)}");
    EXPECT_EQ(violation.expected(), std::vector<std::string>{"send title(String) to seller"});
    EXPECT_EQ(violation.details().location.line, 8u);
    const std::string message = violation.what();
    EXPECT_NE(message.find("two-buyer.lim:8:"), std::string::npos) << message;
    EXPECT_NE(message.find("buyer1 sends share to buyer2"), std::string::npos) << message;
  }
  // Nothing happened: the endpoint is where it was and can go on correctly.
  EXPECT_EQ(endpoint.operations(), 0u);
  EXPECT_FALSE(endpoint.failed());
  endpoint.send("seller", "title", "Dune");
  EXPECT_EQ(endpoint.operations(), 1u);
}

TEST(RuntimeEndpoint, PayloadOfTheWrongSortIsALocalViolation) {
  InProcessSession session(verified_spec("specs/two-buyer.lim"));
  auto& endpoint = session.endpoint("buyer1");
  try {
    endpoint.send("seller", "title", 1984);
    FAIL() << "an integer was sent where the spec says String";
  } catch (const ProtocolViolation& violation) {
    EXPECT_EQ(violation.culprit(), Culprit::Local);
    EXPECT_NE(std::string(violation.what()).find("an integer payload"), std::string::npos) << violation.what();
  }
  EXPECT_THROW(endpoint.send("seller", "title"), ProtocolViolation);  // no payload at all
  EXPECT_EQ(endpoint.operations(), 0u);
}

TEST(RuntimeEndpoint, UnknownRolesAndLabelsAndWrongDirectionsAreViolations) {
  InProcessSession session(verified_spec("specs/two-buyer.lim"));
  auto& seller = session.endpoint("seller");
  EXPECT_THROW(seller.send("buyer1", "quote", 3), ProtocolViolation);   // must receive first
  EXPECT_THROW(seller.send("nobody", "title", "x"), ProtocolViolation);  // no such role
  EXPECT_THROW(seller.send("buyer1", "nothing", 3), ProtocolViolation);  // no such label
  EXPECT_THROW((void)seller.receive("buyer2"), ProtocolViolation);       // waits for buyer1, not buyer2
  auto& buyer1 = session.endpoint("buyer1");
  EXPECT_THROW((void)buyer1.offer(), ProtocolViolation);  // buyer1 sends first
  EXPECT_THROW((void)buyer1.receive("seller"), ProtocolViolation);
  EXPECT_EQ(seller.operations() + buyer1.operations(), 0u);
}

TEST(RuntimeEndpoint, MetadataFollowsTheStateWithItsSpecLocation) {
  InProcessSession session(verified(kRequestReply, "request-reply.lim"));
  auto& client = session.endpoint("client");
  auto& server = session.endpoint("server");
  auto metadata = client.metadata();
  EXPECT_EQ(metadata.role, "client");
  EXPECT_EQ(metadata.transport, "in-process");
  EXPECT_EQ(metadata.state, "q0");
  EXPECT_EQ(metadata.location.line, 2u);
  EXPECT_EQ(metadata.location_text, "request-reply.lim:2:9");
  EXPECT_EQ(metadata.expected, std::vector<std::string>{"send request(Int) to server"});
  EXPECT_EQ(metadata.operations, 0u);
  EXPECT_FALSE(metadata.complete);

  client.send("server", "request", 7);
  metadata = client.metadata();
  EXPECT_EQ(metadata.state_type, "server&{accept(String), refuse}");
  EXPECT_EQ(metadata.location.line, 3u);
  EXPECT_EQ(metadata.expected,
            (std::vector<std::string>{"receive accept(String) from server", "receive refuse from server"}));
  EXPECT_EQ(metadata.operations, 1u);

  EXPECT_EQ(server.receive("client").payload, 7);
  server.select("client", "refuse");
  EXPECT_TRUE(server.complete());
  const auto answer = client.offer();
  EXPECT_EQ(answer.peer, "server");
  EXPECT_EQ(answer.label, "refuse");
  EXPECT_TRUE(answer.payload.is_null());
  EXPECT_TRUE(client.complete());
  EXPECT_EQ(client.metadata().operations, 2u);
  // A completed role allows nothing more.
  try {
    client.send("server", "request", 1);
    FAIL();
  } catch (const ProtocolViolation& violation) {
    EXPECT_TRUE(violation.expected().empty());
    EXPECT_NE(std::string(violation.what()).find("completed"), std::string::npos) << violation.what();
  }
}

TEST(RuntimeEndpoint, FailingRoleEndsTheSessionForEveryWaitingRole) {
  InProcessSession session(verified_spec("specs/two-buyer.lim"));
  std::atomic<int> aborted{0};
  const auto expect_aborted = [&](Endpoint& endpoint) {
    try {
      (void)endpoint.offer();
      ADD_FAILURE() << endpoint.role_name() << " got a message";
    } catch (const SessionAborted& error) {
      EXPECT_EQ(error.origin(), "buyer1");
      EXPECT_NE(error.reason().find("card declined"), std::string::npos) << error.reason();
      ++aborted;
    }
  };
  try {
    session.run({{"buyer1", [](Endpoint&) { throw std::runtime_error("card declined"); }},
                 {"seller", expect_aborted},
                 {"buyer2", expect_aborted}});
    FAIL() << "run() hid buyer1's failure";
  } catch (const std::runtime_error& error) {
    EXPECT_STREQ(error.what(), "card declined");
  }
  EXPECT_EQ(aborted, 2);
  EXPECT_TRUE(session.endpoint("seller").failed());
  EXPECT_NE(session.endpoint("seller").metadata().failure.find("card declined"), std::string::npos);
}

TEST(RuntimeEndpoint, RoleReturningEarlyEndsTheSession) {
  InProcessSession session(verified(kRequestReply));
  try {
    session.run({{"client", [](Endpoint&) {}},  // forgets to send its request
                 {"server", [](Endpoint& endpoint) { (void)endpoint.receive("client"); }}});
    FAIL();
  } catch (const SessionAborted& error) {
    EXPECT_EQ(error.origin(), "client");
    EXPECT_NE(error.reason().find("before completing"), std::string::npos) << error.reason();
  }
}

TEST(RuntimeEndpoint, DroppedEndpointAbortsItsPeers) {
  auto session = std::make_unique<InProcessSession>(verified(kRequestReply));
  auto& server = session->endpoint("server");
  std::thread waiting([&] { EXPECT_THROW((void)server.receive("client"), SessionAborted); });
  // Dropping the client's endpoint is what a crashed role thread does.
  session->endpoint("client").abandon("client dropped");
  waiting.join();
  EXPECT_TRUE(server.failed());
  EXPECT_THROW((void)server.receive("client"), SessionAborted);  // the failure sticks
}

TEST(RuntimeEndpoint, MessagesSentBeforeCompletingStillArrive) {
  InProcessSession session(verified(R"(a: b⊕x . end
b: a&x . end
)"));
  session.endpoint("a").send("b", "x");
  EXPECT_TRUE(session.endpoint("a").complete());
  EXPECT_EQ(session.endpoint("b").receive("a").label, "x");  // what a sent before completing still arrives
}

TEST(RuntimeEndpoint, SynchronousSessionNeedsNoAsynchronousCheck) {
  const VerificationGate gate;
  const auto protocol = gate.verify_file(testing::source_dir() / "specs/two-buyer.lim");
  { InProcessSession session(protocol, InProcessOptions(0)); }
  EXPECT_EQ(gate.statistics().checks, 1u);  // the synchronous check only
  { InProcessSession session(protocol, InProcessOptions(3)); }
  EXPECT_EQ(gate.statistics().checks, 2u);  // k-MC at 3
  EXPECT_TRUE(protocol->established({3, false}));
}

TEST(RuntimeEndpoint, ProtocolNotVerifiedForTheTransportIsRefused) {
  const auto path = testing::shared_dir() / "corpus/kmc/sndprojnocommute2-res.txt";
  if (!std::filesystem::exists(path)) GTEST_SKIP() << "needs ../shared/corpus";
  const VerificationGate gate;
  const auto protocol = gate.verify_file(path);
  EXPECT_NO_THROW(InProcessSession(protocol, InProcessOptions(0)));
  EXPECT_THROW(InProcessSession(protocol, InProcessOptions(1)), VerificationFailed);
}

}  // namespace
}  // namespace lim::runtime
