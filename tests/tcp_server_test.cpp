// The server over an in-memory link, no kernel: crafted segments in, the
// segments lim answers with out, one RFC rule per test (the way smoltcp
// tests its socket). Each goes through the whole server: demultiplexer,
// the verified automaton with its guards, the TCB, the monitored endpoint.
#include <atomic>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "lim/runtime/gate/verification_gate.hpp"
#include "lim/tcp/link/memory_link.hpp"
#include "lim/tcp/server/apps.hpp"
#include "lim/tcp/server/segment_codec.hpp"
#include "lim/tcp/server/tcp_server.hpp"
#include "lim/tcp/wire/checksum.hpp"
#include "lim/tcp/wire/ipv4.hpp"

namespace lim::tcp::server {
namespace {

using namespace std::chrono_literals;
using wire::flag::kAck;
using wire::flag::kFin;
using wire::flag::kPsh;
using wire::flag::kRst;
using wire::flag::kSyn;

const wire::IpAddress kPeer = wire::IpAddress::v4(0xC6120001);
const wire::IpAddress kLim = wire::IpAddress::v4(0xC6120002);

class TcpServerInMemory : public ::testing::Test {
 protected:
  void start(std::function<void(tcb::Reaction&)> tamper = {}) {
    static const runtime::VerificationGate gate;
    auto spec = load_server_spec(gate, "specs/tcp/server.lim", builtin_server_spec());
    auto closed = load_stateless_specs(gate);
    auto link = std::make_unique<link::MemoryLink>();
    link_ = link.get();
    TcpServerOptions options;
    options.address = kLim;
    options.tcb = tcb_;
    options.tamper = std::move(tamper);
    options.limits = limits_;
    options.log = [this](const std::string& line) {
      const std::lock_guard lock(log_mutex_);
      log_.push_back(line);
    };
    server_ = std::make_unique<TcpServer>(std::move(spec), std::move(closed), std::move(link), options);
    listener_ = server_->listen(7);
    acceptor_ = std::thread([this] {
      while (auto connection = listener_->accept()) {
        try {
          if (app_)
            app_(*connection);
          else
            serve(App::Echo, *connection);
        } catch (const ConnectionError& error) {
          const std::lock_guard lock(log_mutex_);
          app_errors_.push_back(error.what());
        }
      }
    });
  }
  TcpServerInMemory() {
    tcb_.initial_rto = 10s;  // no retransmission by the timer unless a test asks for one
    tcb_.min_rto = 10s;      // (RTT samples would bring it down to the floor)
  }
  void TearDown() override {
    stop_app_ = true;
    if (!server_) return;
    server_->shutdown(200ms);
    acceptor_.join();
    server_.reset();
  }

  // A segment from the peer 198.18.0.1:port to lim:to.
  void send(std::uint8_t flags, std::uint32_t seq, std::uint32_t ack, std::string payload = {},
            std::uint16_t to = 7, wire::TcpOptions options = {}, std::uint16_t port = 40000) {
    tcb::OutSegment segment;
    segment.tuple = {kPeer, port, kLim, to};
    segment.seq = seq;
    segment.ack = ack;
    segment.flags = flags;
    segment.window = 65535;
    segment.options = options;
    segment.payload.assign(payload.begin(), payload.end());
    link_->inject(to_packet(segment, 1));
  }
  // The next segment lim sent, parsed (as the peer sees it).
  std::optional<tcb::Segment> receive(std::chrono::milliseconds within = 2000ms) {
    const auto packet = link_->take(within);
    if (!packet) return std::nullopt;
    auto parsed = parse_packet(*packet);
    EXPECT_TRUE(parsed.ok());
    return parsed.ok() ? std::optional(*parsed) : std::nullopt;
  }
  // `count` octets of data from lim, each segment acknowledged as a peer
  // would (our next sequence number is `seq`); the sizes of the segments.
  std::vector<std::size_t> receive_data(std::size_t count, std::uint32_t seq) {
    std::vector<std::size_t> sizes;
    std::size_t got = 0;
    while (got < count) {
      const auto segment = receive();
      if (!segment) {
        ADD_FAILURE() << "only " << got << " of " << count << " octets came";
        break;
      }
      if (segment->payload.empty()) continue;
      sizes.push_back(segment->payload.size());
      got += segment->payload.size();
      send(kAck, seq, segment->seq + static_cast<std::uint32_t>(segment->payload.size()));
    }
    return sizes;
  }
  // Completes a handshake from port 40000 with ISN 1000; returns lim's ISN.
  // The handshake's ACK goes `rtt` after the SYN-ACK: lim's first RTT sample.
  std::uint32_t connect(std::chrono::milliseconds rtt = 0ms) {
    wire::TcpOptions options;
    options.maximum_segment_size = 1000;
    send(kSyn, 1000, 0, {}, 7, options);
    const auto synack = receive();
    EXPECT_TRUE(synack && synack->flags == (kSyn | kAck)) << (synack ? int(synack->flags) : -1);
    if (!synack) return 0;
    EXPECT_EQ(synack->ack, 1001u);
    std::this_thread::sleep_for(rtt);
    send(kAck, 1001, synack->seq + 1);
    return synack->seq;
  }
  // The next segment lim sends that carries data, within `within`.
  std::optional<tcb::Segment> next_data(std::chrono::milliseconds within) {
    const auto deadline = std::chrono::steady_clock::now() + within;
    while (std::chrono::steady_clock::now() < deadline) {
      const auto segment = receive(std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now()));
      if (segment && !segment->payload.empty()) return segment;
    }
    return std::nullopt;
  }
  bool logged(const std::string& needle, std::chrono::milliseconds within = 2000ms) {
    const auto deadline = std::chrono::steady_clock::now() + within;
    while (std::chrono::steady_clock::now() < deadline) {
      {
        const std::lock_guard lock(log_mutex_);
        for (const auto& line : log_)
          if (line.find(needle) != std::string::npos) return true;
      }
      std::this_thread::sleep_for(2ms);
    }
    return false;
  }

  link::MemoryLink* link_ = nullptr;
  tcb::TcbConfig tcb_;
  DemultiplexerLimits limits_;
  std::unique_ptr<TcpServer> server_;
  std::shared_ptr<Listener> listener_;
  std::thread acceptor_;
  std::mutex log_mutex_;
  std::vector<std::string> log_;
  std::vector<std::string> app_errors_;
  // Instead of the echo: what the application does with each connection
  // (stop_app_ tells it the test is over).
  std::function<void(Connection&)> app_;
  std::atomic<bool> stop_app_{false};
};

TEST_F(TcpServerInMemory, MUST14_TheSynAckCarriesOurMssAndUsesThePeers) {
  start();
  wire::TcpOptions options;
  options.maximum_segment_size = 1000;
  options.window_scale = 2;
  send(kSyn, 1000, 0, {}, 7, options);
  const auto synack = receive();
  ASSERT_TRUE(synack);
  EXPECT_EQ(synack->flags, kSyn | kAck);
  EXPECT_EQ(synack->ack, 1001u);
  EXPECT_EQ(synack->options.maximum_segment_size, 1460);  // MTU 1500 − 40 (MUST-67)
  EXPECT_TRUE(synack->options.window_scale);              // the peer offered one (RFC 7323)
  send(kAck, 1001, synack->seq + 1);
  // MUST-16: data back is cut to the peer's MSS of 1000.
  send(kAck | kPsh, 1001, synack->seq + 1, std::string(2500, 'x'));
  for (const auto size : receive_data(2500, 3501)) EXPECT_LE(size, 1000u);
}

TEST_F(TcpServerInMemory, MUST15_WithoutAnMssOptionSegmentsAreAt536) {
  start();
  send(kSyn, 1000, 0);
  const auto synack = receive();
  ASSERT_TRUE(synack);
  send(kAck, 1001, synack->seq + 1);
  send(kAck | kPsh, 1001, synack->seq + 1, std::string(1500, 'y'));
  for (const auto size : receive_data(1500, 2501)) EXPECT_LE(size, 536u);
}

TEST_F(TcpServerInMemory, MUST3_ABadChecksumIsDroppedSilently) {
  start();
  tcb::OutSegment syn;
  syn.tuple = {kPeer, 40000, kLim, 7};
  syn.seq = 1000;
  syn.flags = kSyn;
  auto packet = to_packet(syn, 1);
  packet.back() ^= 0xFF;  // the TCP checksum
  link_->inject(packet);
  EXPECT_FALSE(receive(300ms));
  EXPECT_GE(server_->counters().malformed, 1u);
}

TEST_F(TcpServerInMemory, AnUnacceptableSegmentIsAnsweredWithAnAck) {
  start();
  const auto iss = connect();
  send(kAck, 1001 + 1'000'000, iss + 1, "far outside the window");
  const auto reply = receive();
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->flags, kAck);
  EXPECT_EQ(reply->ack, 1001u);  // where we are
  EXPECT_TRUE(reply->payload.empty());
}

TEST_F(TcpServerInMemory, AnAckOfDataNotYetSentIsAnsweredAndDropped) {
  start();
  const auto iss = connect();
  send(kAck | kPsh, 1001, iss + 100, "data");  // acknowledges 99 octets never sent
  const auto reply = receive();
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->flags, kAck);
  EXPECT_EQ(reply->ack, 1001u);  // the data was dropped with the segment
}

TEST_F(TcpServerInMemory, RFC5961_ARstInTheWindowButNotAtRcvNxtGetsAChallengeAck) {
  start();
  const auto iss = connect();
  send(kRst, 1001 + 10, 0);
  const auto challenge = receive();
  ASSERT_TRUE(challenge);
  EXPECT_EQ(challenge->flags, kAck);
  EXPECT_EQ(challenge->seq, iss + 1);
  EXPECT_EQ(challenge->ack, 1001u);
  // The connection is still there.
  send(kAck | kPsh, 1001, iss + 1, "still");
  const auto echo = receive();
  ASSERT_TRUE(echo);
  EXPECT_EQ(std::string(echo->payload.begin(), echo->payload.end()), "still");
}

TEST_F(TcpServerInMemory, RFC5961_ARstOutsideTheWindowIsDropped) {
  start();
  connect();
  send(kRst, 1001 + 5'000'000, 0);
  EXPECT_FALSE(receive(300ms));
}

TEST_F(TcpServerInMemory, MUST12_ARstAtRcvNxtResetsAndTheApplicationIsTold) {
  start();
  connect();
  ASSERT_TRUE(logged("ESTABLISHED"));
  send(kRst, 1001, 0);
  EXPECT_TRUE(logged("CLOSED"));
  EXPECT_FALSE(receive(200ms));  // a RST is never answered
}

TEST_F(TcpServerInMemory, RFC5961_ASynInEstablishedGetsAChallengeAck) {
  start();
  const auto iss = connect();
  send(kSyn, 5000, 0);
  const auto challenge = receive();
  ASSERT_TRUE(challenge);
  EXPECT_EQ(challenge->flags, kAck);
  EXPECT_EQ(challenge->ack, 1001u);
  EXPECT_EQ(challenge->seq, iss + 1);
}

// RFC 5961 §7: challenge ACKs are rate-limited per connection; past the
// budget a RST or SYN that would be challenged is dropped, and the budget
// comes back with the next interval. The automaton's `throttled` branches
// are what the server takes then (specs/tcp/server.lim).
TEST_F(TcpServerInMemory, RFC5961_ChallengeAcksAreThrottledPerConnection) {
  tcb_.challenge_ack_limit = 3;
  tcb_.challenge_ack_interval = 400ms;
  start();
  const auto iss = connect();
  for (int i = 0; i < 5; ++i) send(i % 2 == 0 ? kRst : kSyn, i % 2 == 0 ? 1001 + 10 + i : 7000 + i, 0);
  int challenges = 0;
  while (const auto answer = receive(200ms)) {
    EXPECT_EQ(answer->flags, kAck);
    EXPECT_EQ(answer->ack, 1001u);
    ++challenges;
  }
  EXPECT_EQ(challenges, 3);
  std::this_thread::sleep_for(400ms);  // the next interval
  send(kRst, 1001 + 20, 0);
  const auto again = receive();
  ASSERT_TRUE(again);
  EXPECT_EQ(again->flags, kAck);
  // Through all of it the connection stayed.
  send(kAck | kPsh, 1001, iss + 1, "still");
  auto echo = receive();
  while (echo && echo->payload.empty()) echo = receive();  // its ACK may come alone first
  ASSERT_TRUE(echo);
  EXPECT_EQ(std::string(echo->payload.begin(), echo->payload.end()), "still");
}

// RFC 2018: SACK-permitted is answered in kind, and an ACK for data that
// arrived out of order reports the blocks held, the latest first (§4).
TEST_F(TcpServerInMemory, RFC2018_OutOfOrderDataIsReportedInSackBlocks) {
  start();
  wire::TcpOptions offer;
  offer.maximum_segment_size = 1000;
  offer.sack_permitted = true;
  send(kSyn, 1000, 0, {}, 7, offer);
  const auto synack = receive();
  ASSERT_TRUE(synack);
  EXPECT_TRUE(synack->options.sack_permitted);
  const std::uint32_t iss = synack->seq;
  send(kAck, 1001, iss + 1);
  send(kAck, 1001 + 100, iss + 1, std::string(50, 'b'));  // a hole of 100 before it
  auto ack = receive();
  while (ack && ack->options.sack_blocks == 0) ack = receive();
  ASSERT_TRUE(ack);
  EXPECT_EQ(ack->ack, 1001u);
  ASSERT_EQ(ack->options.sack_blocks, 1);
  EXPECT_EQ(ack->options.sack[0].left, 1101u);
  EXPECT_EQ(ack->options.sack[0].right, 1151u);
  send(kAck, 1001 + 300, iss + 1, std::string(20, 'd'));  // a second block, the newest
  ack = receive();
  ASSERT_TRUE(ack);
  ASSERT_EQ(ack->options.sack_blocks, 2);
  EXPECT_EQ(ack->options.sack[0].left, 1301u);
  EXPECT_EQ(ack->options.sack[1].left, 1101u);
  // The holes filled: everything in order, no blocks left.
  send(kAck, 1001, iss + 1, std::string(100, 'a'));
  send(kAck, 1151, iss + 1, std::string(150, 'c'));
  std::optional<tcb::Segment> last;
  while (auto segment = receive(300ms)) last = segment;
  ASSERT_TRUE(last);
  EXPECT_EQ(last->options.sack_blocks, 0);
}

// RFC 7323 through the whole server: the SYN-ACK answers the option, every
// segment after carries it, and PAWS is decided by the automaton — the
// spec's acceptable(s) on the segment's tsval and the session's ts_recent
// and ts_recent_valid. Were those not the TCB's, the monitor would refuse
// the ACK the TCB sends for the old duplicate (the automaton taking the
// silent `valid` branch) and the server would log a BUG.
TEST_F(TcpServerInMemory, RFC7323_PawsDropsAnOldDuplicateThroughTheAutomaton) {
  start();
  wire::TcpOptions offer;
  offer.maximum_segment_size = 1000;
  offer.timestamps = wire::Timestamps{5000, 0};
  send(kSyn, 1000, 0, {}, 7, offer);
  const auto synack = receive();
  ASSERT_TRUE(synack && synack->flags == (kSyn | kAck));
  ASSERT_TRUE(synack->options.timestamps);
  EXPECT_EQ(synack->options.timestamps->echo_reply, 5000u);
  const std::uint32_t iss = synack->seq;
  const auto stamped = [&](std::uint32_t tsval) {
    wire::TcpOptions options;
    options.timestamps = wire::Timestamps{tsval, synack->options.timestamps->value};
    return options;
  };
  const auto next_data = [&] {
    auto segment = receive();
    while (segment && segment->payload.empty()) segment = receive();
    return segment;
  };
  send(kAck, 1001, iss + 1, {}, 7, stamped(5001));
  send(kAck | kPsh, 1001, iss + 1, "fresh", 7, stamped(6000));
  const auto echo = next_data();
  ASSERT_TRUE(echo);
  EXPECT_EQ(std::string(echo->payload.begin(), echo->payload.end()), "fresh");
  ASSERT_TRUE(echo->options.timestamps);
  EXPECT_EQ(echo->options.timestamps->echo_reply, 6000u);
  send(kAck, 1006, iss + 6, {}, 7, stamped(6001));
  while (receive(100ms)) {
  }

  send(kAck | kPsh, 1006, iss + 6, "stale", 7, stamped(5999));
  const auto reply = receive();
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->flags, kAck);
  EXPECT_EQ(reply->ack, 1006u) << "the old duplicate's octets were taken";
  EXPECT_TRUE(reply->payload.empty());
  ASSERT_TRUE(reply->options.timestamps);
  EXPECT_EQ(reply->options.timestamps->echo_reply, 6001u);
  EXPECT_FALSE(receive(200ms)) << "something of the old duplicate was echoed";

  send(kAck | kPsh, 1006, iss + 6, "again", 7, stamped(6002));
  const auto again = next_data();
  ASSERT_TRUE(again);
  EXPECT_EQ(std::string(again->payload.begin(), again->payload.end()), "again");
  EXPECT_FALSE(logged("BUG", 50ms));
}

TEST_F(TcpServerInMemory, ASegmentToAClosedPortIsAnsweredWithRst) {
  start();
  send(kSyn, 777, 0, {}, 9);  // no ACK bit: <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>
  const auto reset = receive();
  ASSERT_TRUE(reset);
  EXPECT_EQ(reset->flags, kRst | kAck);
  EXPECT_EQ(reset->seq, 0u);
  EXPECT_EQ(reset->ack, 778u);
  send(kAck, 777, 4242, {}, 9);  // with ACK: <SEQ=SEG.ACK><CTL=RST>
  const auto second = receive();
  ASSERT_TRUE(second);
  EXPECT_EQ(second->flags, kRst);
  EXPECT_EQ(second->seq, 4242u);
  send(kRst, 1, 0, {}, 9);  // a RST is never answered
  EXPECT_FALSE(receive(200ms));
}

TEST_F(TcpServerInMemory, SegmentsWithoutAckAreDropped) {
  start();
  connect();
  send(0, 1001, 0, "no flags at all");
  send(kFin, 1001, 0);  // FIN without ACK
  send(kSyn | kFin, 1001, 0);
  EXPECT_FALSE(receive(300ms));
}

TEST_F(TcpServerInMemory, TheDataOfTheHandshakesAckIsDelivered) {
  start();
  send(kSyn, 1000, 0);
  const auto synack = receive();
  ASSERT_TRUE(synack);
  send(kAck | kPsh, 1001, synack->seq + 1, "early");  // completes the handshake and carries data
  std::string echoed;
  while (echoed.size() < 5) {
    const auto segment = receive();
    ASSERT_TRUE(segment);
    echoed.append(segment->payload.begin(), segment->payload.end());
  }
  EXPECT_EQ(echoed, "early");
}

TEST_F(TcpServerInMemory, AWrongTcbIsStoppedByTheMonitor) {
  // A TCB that answers the handshake's ACK with a second SYN-ACK.
  start([](tcb::Reaction& reaction) {
    for (auto& output : reaction)
      if (output.to == tcb::Output::To::Reader && output.label == "connected") {
        tcb::OutSegment extra;
        extra.flags = kSyn | kAck;
        reaction.insert(reaction.begin(), tcb::Output{tcb::Output::To::Net, "syn_ack", extra});
        return;
      }
  });
  connect();
  const auto reset = receive();  // lim resets the connection it cannot run
  ASSERT_TRUE(reset);
  EXPECT_TRUE(reset->flags & kRst);
  EXPECT_TRUE(logged("BUG"));
  std::string bug;
  {
    const std::lock_guard lock(log_mutex_);
    for (const auto& line : log_)
      if (line.find("BUG") != std::string::npos) bug = line;
  }
  EXPECT_NE(bug.find("sends syn_ack to net"), std::string::npos) << bug;
  EXPECT_NE(bug.find("specs/tcp/server.lim:"), std::string::npos) << bug;  // the spec location
  EXPECT_FALSE(receive(200ms));  // and nothing else: no SYN-ACK reached the link
}

// RFC 9293 MUST-59: segments queued together are all processed before any
// ACK is sent. The session is held inside its reaction to the first of eight
// full-sized segments until the other seven wait in its inbox, and until the
// first's delayed ACK is due; an ACK sent between two of them (the delayed
// one, or SHLD-19's at every second full segment) would acknowledge less
// than all eight. Every segment lim sends afterwards acknowledges all eight,
// and one pure ACK at most does.
TEST_F(TcpServerInMemory, MUST59_QueuedSegmentsAreAllProcessedBeforeAnyAck) {
  struct Hold {
    std::mutex mutex;
    std::condition_variable changed;
    bool armed = false, held = false, released = false;
    void release() {
      {
        const std::lock_guard lock(mutex);
        released = true;
      }
      changed.notify_all();
    }
  };
  const auto hold = std::make_shared<Hold>();
  start([hold](tcb::Reaction&) {
    std::unique_lock lock(hold->mutex);
    if (!hold->armed) return;
    hold->armed = false;
    hold->held = true;
    hold->changed.notify_all();
    hold->changed.wait(lock, [&] { return hold->released; });
  });
  const struct Release {
    std::shared_ptr<Hold> hold;
    ~Release() { hold->release(); }
  } release_at_exit{hold};
  const std::uint32_t iss = connect();
  ASSERT_TRUE(logged("ESTABLISHED"));
  const auto routed = server_->counters().segments;
  {
    const std::lock_guard lock(hold->mutex);
    hold->armed = true;
  }
  constexpr std::uint32_t kSegments = 8;
  send(kAck, 1001, iss + 1, std::string(1000, 'a'));
  {
    std::unique_lock lock(hold->mutex);
    ASSERT_TRUE(hold->changed.wait_for(lock, 2s, [&] { return hold->held; })) << "the first segment was not taken";
  }
  for (std::uint32_t i = 1; i < kSegments; ++i)
    send(kAck, 1001 + 1000 * i, iss + 1, std::string(1000, static_cast<char>('a' + i)));
  send(kRst, 1, 0, {}, 9);  // a marker behind them, to a closed port (a RST there is dropped)
  for (int i = 0; i < 400 && server_->counters().segments < routed + kSegments + 1; ++i)
    std::this_thread::sleep_for(5ms);
  ASSERT_EQ(server_->counters().segments, routed + kSegments + 1) << "the segments did not all reach the inbox";
  std::this_thread::sleep_for(tcb_.delayed_ack + 10ms);  // the first segment's delayed ACK is due
  hold->release();
  constexpr std::uint32_t kAll = 1001 + 1000 * kSegments;
  int pure_acks = 0, segments = 0;
  while (const auto segment = receive(300ms)) {
    ++segments;
    EXPECT_EQ(segment->ack, kAll) << "an ACK between queued segments: it acknowledges " << segment->ack - 1001
                                  << " octets of " << kAll - 1001;
    if (segment->flags == kAck && segment->payload.empty()) ++pure_acks;
  }
  EXPECT_GT(segments, 0) << "nothing acknowledged the eight segments";
  EXPECT_LE(pure_acks, 1);
}

// RFC 4987 §3.4, with SYN cookies turned off (--no-syn-cookies): with the
// half-open bound full, a new SYN evicts the oldest half-open connection (a
// RST from SND.NXT, the user's ABORT in SYN-RECEIVED) instead of being
// dropped; the new client connects and its data comes back, and neither a
// further flood nor eviction touches an established connection. The bound
// holds throughout.
TEST_F(TcpServerInMemory, RFC4987_AFullHalfOpenBoundEvictsTheOldestAndANewClientConnects) {
  limits_.half_open = 4;
  limits_.syn_cookies = false;
  start();
  std::map<std::uint16_t, std::uint32_t> iss;  // the flood's ports, lim's ISN for each
  for (std::uint16_t port = 50000; port < 50004; ++port) {
    send(kSyn, 7000, 0, {}, 7, {}, port);
    const auto synack = receive();
    ASSERT_TRUE(synack && synack->flags == (kSyn | kAck));
    iss[synack->tuple.local_port] = synack->seq;
  }
  EXPECT_EQ(server_->half_open(), 4u);
  send(kSyn, 1000, 0);
  std::optional<tcb::Segment> synack, reset;
  for (int i = 0; i < 2; ++i) {
    const auto segment = receive();
    ASSERT_TRUE(segment) << "lim sent " << i << " of a SYN-ACK and a RST";
    if (segment->has(kRst)) {
      reset = segment;
    } else {
      synack = segment;
    }
  }
  ASSERT_TRUE(reset && synack);
  EXPECT_EQ(reset->tuple.local_port, 50000) << "the oldest half-open connection goes";
  EXPECT_EQ(reset->seq, iss[50000] + 1);
  EXPECT_EQ(synack->tuple.local_port, 40000);
  EXPECT_EQ(synack->flags, kSyn | kAck);
  EXPECT_EQ(synack->ack, 1001u);
  send(kAck | kPsh, 1001, synack->seq + 1, "still served");
  std::string echoed;
  while (echoed.size() < 12) {
    const auto segment = receive();
    ASSERT_TRUE(segment);
    EXPECT_FALSE(segment->has(kRst));
    echoed.append(segment->payload.begin(), segment->payload.end());
  }
  EXPECT_EQ(echoed, "still served");
  EXPECT_EQ(server_->counters().evicted, 1u);
  EXPECT_EQ(server_->counters().dropped_syns, 0u);
  send(kAck, 1013, synack->seq + 13);  // the echo is acknowledged: nothing is owed on it
  // Forty more SYNs: the first fills the bound again, each later one evicts
  // the oldest; the established connection is never among them. An evicted
  // session that had answered its SYN resets it; one evicted before it took
  // its SYN from the inbox answers nothing.
  for (std::uint16_t port = 50100; port < 50140; ++port) send(kSyn, 7000, 0, {}, 7, {}, port);
  std::set<std::uint16_t> answered, reset_ports;
  while (const auto segment = receive(300ms)) {
    ASSERT_NE(segment->tuple.local_port, 40000)
        << "the established connection was touched: flags " << int(segment->flags) << " seq " << segment->seq - synack->seq
        << " ack " << segment->ack << " len " << segment->payload.size();
    if (segment->has(kRst)) reset_ports.insert(segment->tuple.local_port);
    if (segment->has(kSyn | kAck)) answered.insert(segment->tuple.local_port);
    EXPECT_LE(server_->half_open(), 4u);
  }
  EXPECT_EQ(server_->counters().evicted, 40u);
  std::set<std::uint16_t> survivors;
  for (const auto port : answered)
    if (!reset_ports.contains(port)) survivors.insert(port);
  EXPECT_EQ(survivors, (std::set<std::uint16_t>{50136, 50137, 50138, 50139})) << "the newest four are left";
  for (const std::uint16_t port : {50001, 50002, 50003}) EXPECT_TRUE(reset_ports.contains(port)) << port;
  for (const auto port : reset_ports)
    EXPECT_TRUE(answered.contains(port) || port < 50100) << "a RST for " << port << ", which had no SYN-ACK";
  send(kAck | kPsh, 1013, synack->seq + 13, "and after");
  echoed.clear();
  while (echoed.size() < 9) {
    const auto segment = receive();
    ASSERT_TRUE(segment);
    echoed.append(segment->payload.begin(), segment->payload.end());
  }
  EXPECT_EQ(echoed, "and after");
  // Every evicted session ends and gives its 4-tuple back.
  for (int i = 0; i < 200 && server_->connections() > 5; ++i) std::this_thread::sleep_for(5ms);
  EXPECT_EQ(server_->connections(), 5u);  // four half-open and the established one
  EXPECT_EQ(server_->half_open(), 4u);
}

// RFC 4987 §3.6: with the half-open bound full, a SYN is answered with a
// cookie and nothing is kept — no session, no eviction, the bound's four
// untouched. The cookie's SYN-ACK offers only what a cookie can carry (the
// MSS, not window scaling, SACK or timestamps, though the SYN offered them).
// Its ACK, however late, makes the connection: the data is echoed, from
// ISS + 1, and the SYN-ACK the rebuilt handshake plays is not sent again. An
// ACK with a cookie one bit off, or for another ISN, is a stranger's: LISTEN
// answers it with a RST (§3.10.7.2) and no connection is made.
TEST_F(TcpServerInMemory, RFC4987_AFullHalfOpenBoundAnswersWithASynCookieAndItsAckConnects) {
  limits_.half_open = 4;
  start();
  for (std::uint16_t port = 50000; port < 50004; ++port) {
    send(kSyn, 7000, 0, {}, 7, {}, port);
    const auto synack = receive();
    ASSERT_TRUE(synack && synack->flags == (kSyn | kAck));
  }
  ASSERT_EQ(server_->half_open(), 4u);
  const auto connections = server_->connections();
  wire::TcpOptions offered;
  offered.maximum_segment_size = 1400;
  offered.window_scale = 7;
  offered.sack_permitted = true;
  offered.timestamps = wire::Timestamps{12345, 0};
  send(kSyn, 1000, 0, {}, 7, offered);
  const auto cookie = receive();
  ASSERT_TRUE(cookie && cookie->flags == (kSyn | kAck));
  EXPECT_EQ(cookie->tuple.local_port, 40000);
  EXPECT_EQ(cookie->ack, 1001u);
  EXPECT_EQ(cookie->options.maximum_segment_size, std::optional<std::uint16_t>(1460));
  EXPECT_FALSE(cookie->options.window_scale);
  EXPECT_FALSE(cookie->options.sack_permitted);
  EXPECT_FALSE(cookie->options.timestamps);
  EXPECT_EQ(cookie->window, std::min<std::size_t>(tcb_.receive_buffer, 0xFFFF));
  EXPECT_FALSE(receive(200ms)) << "a cookie SYN is answered once, and nothing is evicted";
  EXPECT_EQ(server_->half_open(), 4u);
  EXPECT_EQ(server_->connections(), connections) << "a cookie keeps nothing";
  EXPECT_EQ(server_->counters().cookies_sent, 1u);
  EXPECT_EQ(server_->counters().evicted, 0u);
  // Strangers' ACKs: the cookie with one bit flipped, and the cookie for
  // another ISN. Each is answered by LISTEN's RST at SEG.ACK.
  for (const auto& [seq, ack] : {std::pair{1001u, (cookie->seq ^ 0x10u) + 1}, std::pair{2001u, cookie->seq + 1}}) {
    send(kAck, seq, ack, {}, 7, {}, 40001);
    const auto reset = receive();
    ASSERT_TRUE(reset);
    EXPECT_EQ(reset->flags, kRst);
    EXPECT_EQ(reset->seq, ack);
  }
  EXPECT_EQ(server_->counters().cookies_accepted, 0u);
  // The client's ACK, half a second later, with its first data.
  std::this_thread::sleep_for(500ms);
  send(kAck | kPsh, 1001, cookie->seq + 1, "made from a cookie");
  std::string echoed;
  while (echoed.size() < 18) {
    const auto segment = receive();
    ASSERT_TRUE(segment) << "no echo on the connection made from the cookie";
    EXPECT_FALSE(segment->has(kSyn)) << "the rebuilt handshake's SYN-ACK went out";
    EXPECT_FALSE(segment->has(kRst));
    EXPECT_EQ(segment->seq, cookie->seq + 1 + echoed.size());
    echoed.append(segment->payload.begin(), segment->payload.end());
  }
  EXPECT_EQ(echoed, "made from a cookie");
  EXPECT_EQ(server_->counters().cookies_accepted, 1u);
  EXPECT_EQ(server_->half_open(), 4u);
  EXPECT_EQ(server_->connections(), connections + 1);
}

// Collects lim's echo of the peer's data, segment by segment.
struct EchoedSegments {
  std::map<std::uint32_t, std::size_t> at;  // sequence number → octets
  std::size_t octets = 0;
};

// Fast retransmit and NewReno (RFC 5681 §3.2, RFC 6582; RFC 9293's MUST-19
// asks for RFC 5681). The retransmission timer is 10 s here, so a segment
// resent within 5 s was resent by the duplicate ACKs, not by the timer. The
// handshake takes 500 ms, so the tail loss probe (2·SRTT) waits 1 s, and
// five segments are in flight when the ACKs repeat: early retransmit
// (RFC 5827) is for fewer than four.
TEST_F(TcpServerInMemory, MUST19_TheThirdDuplicateAckRetransmitsAndAPartialAckTheNextHole) {
  start();
  const std::uint32_t iss = connect(500ms);
  for (std::uint32_t i = 0; i < 6; ++i) send(kAck | kPsh, 1001 + 1000 * i, iss + 1, std::string(1000, char('a' + i)));
  const std::uint32_t peer_next = 1001 + 6000;
  EchoedSegments echo;
  const auto collect = [&](std::size_t until) {
    while (echo.octets < until) {
      const auto segment = receive();
      ASSERT_TRUE(segment) << "only " << echo.octets << " octets of the echo came";
      if (segment->payload.empty()) continue;
      echo.at[segment->seq] = segment->payload.size();
      echo.octets += segment->payload.size();
    }
  };
  // The initial window is 4 segments for this MSS; the first ACK opens it
  // to 5 (slow start) and lets the last two go.
  collect(4000);
  send(kAck, peer_next, iss + 1001);
  collect(6000);
  ASSERT_EQ(echo.at.begin()->first, iss + 1);
  ASSERT_EQ(echo.octets, 6000u) << "a segment went twice";
  // The second segment was lost: the peer repeats its ACK of the first for
  // each later segment that arrives.
  send(kAck, peer_next, iss + 1001);
  send(kAck, peer_next, iss + 1001);
  if (const auto early = next_data(300ms))
    ADD_FAILURE() << "two duplicate ACKs are not yet a loss, but " << early->payload.size() << " octets at "
                  << early->seq - iss << " went out";
  send(kAck, peer_next, iss + 1001);
  const auto resent = next_data(5000ms);
  ASSERT_TRUE(resent) << "no fast retransmit";
  EXPECT_EQ(resent->seq, iss + 1001);
  EXPECT_EQ(std::string(resent->payload.begin(), resent->payload.end()), std::string(1000, 'b'));
  // It repaired the first hole, and the third segment was lost too: a
  // partial ACK, and the next hole goes out at once.
  send(kAck, peer_next, iss + 2001);
  const auto next_hole = next_data(5000ms);
  ASSERT_TRUE(next_hole) << "a partial ACK retransmitted nothing";
  EXPECT_EQ(next_hole->seq, iss + 2001);
  EXPECT_EQ(std::string(next_hole->payload.begin(), next_hole->payload.end()), std::string(1000, 'c'));
  // Everything acknowledged: recovery is over, nothing more is resent.
  send(kAck, peer_next, iss + 6001);
  EXPECT_FALSE(next_data(300ms));
}

// RFC 5827 early retransmit: with three segments outstanding and nothing
// new to send, a third duplicate ACK can never come, so the threshold is
// one less than the segments outstanding — the second duplicate resends.
TEST_F(TcpServerInMemory, RFC5827_WithThreeSegmentsOutstandingTheSecondDuplicateAckRetransmits) {
  start();
  const std::uint32_t iss = connect(500ms);
  for (std::uint32_t i = 0; i < 4; ++i) send(kAck | kPsh, 1001 + 1000 * i, iss + 1, std::string(1000, char('a' + i)));
  const std::uint32_t peer_next = 1001 + 4000;
  std::size_t echoed = 0;
  while (echoed < 4000) {
    const auto segment = receive();
    ASSERT_TRUE(segment) << "only " << echoed << " octets of the echo came";
    echoed += segment->payload.size();
  }
  send(kAck, peer_next, iss + 1001);  // new: three segments are left outstanding
  send(kAck, peer_next, iss + 1001);
  if (const auto early = next_data(300ms))
    ADD_FAILURE() << "one duplicate ACK is not a loss, but " << early->payload.size() << " octets at "
                  << early->seq - iss << " went out";
  send(kAck, peer_next, iss + 1001);
  const auto resent = next_data(500ms);
  ASSERT_TRUE(resent) << "no early retransmit";
  EXPECT_EQ(resent->seq, iss + 1001);
  EXPECT_EQ(std::string(resent->payload.begin(), resent->payload.end()), std::string(1000, 'b'));
  send(kAck, peer_next, iss + 4001);
  EXPECT_FALSE(next_data(300ms));
}

// ---- opening, resets, what is not for lim (RFC 9293 §3.9.1.1, §3.5.3, §3.9.2) -------------

// MUST-41: a second passive OPEN of a port in use is refused and leaves the
// connection on that port as it was.
TEST_F(TcpServerInMemory, MUST41_APassiveOpenLeavesExistingConnectionsAlone) {
  start();
  const std::uint32_t iss = connect();
  EXPECT_THROW(server_->listen(7), std::invalid_argument);
  send(kAck | kPsh, 1001, iss + 1, "still here");
  const auto echo = next_data(2000ms);
  ASSERT_TRUE(echo) << "the connection did not survive the second OPEN";
  EXPECT_EQ(std::string(echo->payload.begin(), echo->payload.end()), "still here");
}

// MUST-11: a SYN-RECEIVED that came from a passive OPEN goes back to
// listening when it is reset: the port takes the next SYN.
TEST_F(TcpServerInMemory, MUST11_AResetInSynReceivedFromAPassiveOpenLeavesThePortListening) {
  start();
  wire::TcpOptions options;
  options.maximum_segment_size = 1000;
  send(kSyn, 1000, 0, {}, 7, options);
  const auto synack = receive();
  ASSERT_TRUE(synack && synack->flags == (kSyn | kAck));
  send(kRst, 1001, 0);
  EXPECT_TRUE(logged("CLOSED")) << "the reset did not end SYN-RECEIVED";
  send(kSyn, 5000, 0, {}, 7, options, 40001);
  const auto again = receive();
  ASSERT_TRUE(again) << "the port stopped listening";
  EXPECT_EQ(again->flags, kSyn | kAck);
  EXPECT_EQ(again->ack, 5001u);
}

// SHLD-2: a RST may carry data; it is judged by its sequence number, and the
// data does not stop it resetting.
TEST_F(TcpServerInMemory, SHLD2_ARstCarryingDataStillResets) {
  start();
  connect();
  send(kRst | kAck, 1001, 0, "diagnostic text");
  EXPECT_TRUE(logged("CLOSED")) << "a RST with data was not taken";
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(server_->connections(), 0u);
}

// MUST-57: a SYN to a broadcast or multicast address is dropped silently.
TEST_F(TcpServerInMemory, MUST57_SynsToBroadcastAndMulticastAddressesGetNoAnswer) {
  start();
  for (const std::uint32_t to : {0xFFFFFFFFu, 0xC612FFFFu, 0xE0000001u, 0xEFFFFFFAu}) {
    tcb::OutSegment syn;
    syn.tuple = {kPeer, 40000, wire::IpAddress::v4(to), 7};
    syn.seq = 1000;
    syn.flags = kSyn;
    syn.window = 65535;
    link_->inject(to_packet(syn, 1));
  }
  EXPECT_FALSE(receive(300ms)) << "answered a SYN not addressed to lim";
  EXPECT_EQ(server_->half_open(), 0u);
}

// An ICMP error about the connection (RFC 792): type, code, and the header
// of lim's segment that caused it with 8 octets of its TCP header.
link::Packet icmp_about(std::uint8_t type, std::uint8_t code, const wire::FourTuple& tuple, std::uint32_t seq) {
  tcb::OutSegment quoted;
  quoted.tuple = tuple;  // lim's segment: from lim to the peer
  quoted.seq = seq;
  quoted.flags = kAck;
  const auto original = to_packet(quoted, 9);
  std::vector<std::uint8_t> icmp = {type, code, 0, 0, 0, 0, 0, 0};
  icmp.insert(icmp.end(), original.begin(), original.begin() + 28);
  wire::Checksum sum;
  sum.add(icmp);
  const auto value = sum.finish();
  icmp[2] = static_cast<std::uint8_t>(value >> 8);
  icmp[3] = static_cast<std::uint8_t>(value);
  link::Packet packet(wire::kIpv4HeaderBytes);
  wire::write_ipv4_header(std::span<std::uint8_t, wire::kIpv4HeaderBytes>(packet.data(), wire::kIpv4HeaderBytes),
                          tuple.remote, tuple.local, 1, icmp.size(), 77);
  packet.insert(packet.end(), icmp.begin(), icmp.end());
  return packet;
}

// MUST-55, MUST-56: Source Quench, and the soft errors (Destination
// Unreachable 0, 1, 5, Time Exceeded, Parameter Problem) about a live
// connection abort nothing: it goes on echoing.
TEST_F(TcpServerInMemory, MUST55_MUST56_SourceQuenchAndSoftIcmpErrorsDoNotAbort) {
  start();
  const std::uint32_t iss = connect();
  const wire::FourTuple ours = {kLim, 7, kPeer, 40000};
  const std::vector<std::pair<std::uint8_t, std::uint8_t>> errors = {{4, 0}, {3, 0}, {3, 1}, {3, 5}, {11, 0}, {12, 0}};
  for (const auto& [type, code] : errors) link_->inject(icmp_about(type, code, ours, iss + 1));
  EXPECT_FALSE(receive(200ms)) << "an ICMP message was answered";
  send(kAck | kPsh, 1001, iss + 1, "after the errors");
  const auto echo = next_data(2000ms);
  ASSERT_TRUE(echo) << "the connection did not survive the ICMP messages";
  EXPECT_EQ(std::string(echo->payload.begin(), echo->payload.end()), "after the errors");
  EXPECT_EQ(server_->connections(), 1u);
}

// ---- the IP layer's fields (RFC 9293 §3.9.1.9, §3.9.2.1) ------------------------------

// MUST-49: the TTL is configurable; every segment, the SYN-ACK's and the
// data's, goes with the server's.
TEST_F(TcpServerInMemory, MUST49_TheTtlIsConfigurable) {
  tcb_.ttl = 17;
  start();
  wire::TcpOptions options;
  options.maximum_segment_size = 1000;
  send(kSyn, 1000, 0, {}, 7, options);
  const auto synack = receive();
  ASSERT_TRUE(synack);
  EXPECT_EQ(synack->ttl, 17u);
  send(kAck | kPsh, 1001, synack->seq + 1, "ping");
  const auto echo = next_data(2000ms);
  ASSERT_TRUE(echo);
  EXPECT_EQ(echo->ttl, 17u);
}

// MUST-48, SHLD-21, SHLD-22: the application sets the Diffserv codepoint of
// its connection, changes it midway, and IP carries each unchanged; a
// codepoint that does not fit six bits is refused.
TEST_F(TcpServerInMemory, MUST48_SHLD21_SHLD22_TheApplicationSetsAndChangesTheDiffservField) {
  std::mutex mutex;
  std::condition_variable changed;
  int step = 0;
  std::string refused;
  app_ = [&](Connection& connection) {
    try {
      connection.set_diffserv(64);
    } catch (const std::invalid_argument& error) {
      refused = error.what();
    }
    connection.set_diffserv(46);  // EF (RFC 3246)
    connection.write("first");
    std::unique_lock lock(mutex);
    changed.wait_for(lock, 10s, [&] { return step == 1 || stop_app_; });
    connection.set_diffserv(10);  // AF11 (RFC 2597)
    connection.write("second");
    changed.wait_for(lock, 10s, [&] { return stop_app_.load(); });
  };
  start();
  const std::uint32_t iss = connect();
  const auto first = next_data(2000ms);
  ASSERT_TRUE(first);
  EXPECT_EQ(std::string(first->payload.begin(), first->payload.end()), "first");
  EXPECT_EQ(first->diffserv, 46u);
  send(kAck, 1001, iss + 1 + 5);
  {
    const std::lock_guard lock(mutex);
    step = 1;
  }
  changed.notify_all();
  const auto second = next_data(2000ms);
  ASSERT_TRUE(second);
  EXPECT_EQ(std::string(second->payload.begin(), second->payload.end()), "second");
  EXPECT_EQ(second->diffserv, 10u);
  EXPECT_NE(refused.find("0 to 63"), std::string::npos) << refused;
  stop_app_ = true;
  changed.notify_all();
}

// ---- RFC 9293 §3.8.3: excessive retransmission -------------------------------------------

// An application that writes "hello", does what `setup` says to its
// connection, then takes its soft-error reports until the test ends; the
// reports, and whether a read saw the reset.
struct ReportingApp {
  std::mutex mutex;
  std::vector<tcb::ErrorReport> reports;
  bool reset_seen = false;
  std::function<void(Connection&)> setup;
  std::atomic<bool> write_again{false};  // then "world" follows, once

  void operator()(Connection& connection, const std::atomic<bool>& stop) {
    if (setup) setup(connection);
    connection.write("hello");
    while (!stop) {
      if (write_again.exchange(false)) connection.write("world");
      if (auto report = connection.take_error_report()) {
        const std::lock_guard lock(mutex);
        reports.push_back(*report);
      }
      if (connection.state() == tcb::TcpState::Closed) {
        std::array<std::uint8_t, 16> buffer{};
        try {
          (void)connection.read(buffer);
        } catch (const ConnectionError&) {
          const std::lock_guard lock(mutex);
          reset_seen = true;
        }
        return;
      }
      std::this_thread::sleep_for(2ms);
    }
  }
  std::size_t count() {
    const std::lock_guard lock(mutex);
    return reports.size();
  }
};

// What lim sends a peer that never acknowledges, until a RST or `within`:
// the transmissions of its data, and whether it reset.
struct Unanswered {
  std::size_t transmissions = 0;
  bool reset = false;
};

class TcpServerRetransmission : public TcpServerInMemory {
 protected:
  TcpServerRetransmission() {
    tcb_.initial_rto = 100ms;  // timeouts come quickly; back-off stops at 400 ms
    tcb_.min_rto = 100ms;
    tcb_.max_rto = 400ms;
  }
  void start_with(ReportingApp& app) {
    app_ = [this, &app](Connection& connection) { app(connection, stop_app_); };
    start();
  }
  Unanswered ignore(std::chrono::milliseconds within, const std::function<bool()>& until = {}) {
    Unanswered seen;
    const auto deadline = std::chrono::steady_clock::now() + within;
    while (std::chrono::steady_clock::now() < deadline && !(until && until())) {
      const auto segment = receive(50ms);
      if (!segment) continue;
      if (segment->flags & kRst) {
        seen.reset = true;
        break;
      }
      if (!segment->payload.empty()) ++seen.transmissions;
    }
    return seen;
  }
};

// MUST-21: an application sets R2 for its connection. The server's R2 is
// 100 s; this connection's is 1 s, and its unacknowledged "hello" is given
// up with a RST after about a second, the application told by its read.
TEST_F(TcpServerRetransmission, MUST21_AnApplicationSetsR2ForItsConnection) {
  ReportingApp app;
  app.setup = [](Connection& connection) { connection.set_retransmission_limit(1000ms); };
  start_with(app);
  connect();
  const auto started = std::chrono::steady_clock::now();
  const auto seen = ignore(20s);
  ASSERT_TRUE(seen.reset) << "no RST: the connection's R2 was not applied";
  EXPECT_GE(std::chrono::steady_clock::now() - started, 1000ms) << "given up before R2";
  EXPECT_GE(seen.transmissions, 3u);
  for (int i = 0; i < 500 && !app.reset_seen; ++i) {
    std::this_thread::sleep_for(10ms);
    const std::lock_guard lock(app.mutex);
    if (app.reset_seen) break;
  }
  const std::lock_guard lock(app.mutex);
  EXPECT_TRUE(app.reset_seen) << "the application was not told";
}

// MUST-21's "infinity": the server's R2 is 300 ms, but this connection never
// gives up; after seconds of silence the peer's ACK finds it alive.
TEST_F(TcpServerRetransmission, MUST21_AnR2OfInfinityRetransmitsUntilThePeerAnswers) {
  tcb_.data_give_up = 300ms;
  ReportingApp app;
  app.setup = [](Connection& connection) { connection.set_retransmission_limit(std::nullopt); };
  start_with(app);
  const std::uint32_t iss = connect();
  const auto seen = ignore(2500ms);
  EXPECT_FALSE(seen.reset) << "given up with R2 set to infinity";
  EXPECT_GE(seen.transmissions, 4u);
  send(kAck, 1001, iss + 1 + 5);
  EXPECT_FALSE(ignore(500ms).reset);
  EXPECT_EQ(server_->connections(), 1u);
}

// SHLD-9, SHLD-10: at the third retransmission of the same segment (R1),
// before R2, the application is told, once for the stall; a stall after
// the peer answered is told again.
TEST_F(TcpServerRetransmission, SHLD9_SHLD10_R1IsReportedBeforeR2OncePerStall) {
  tcb_.data_give_up = 20s;
  ReportingApp app;
  start_with(app);
  const std::uint32_t iss = connect();
  const auto first = ignore(10s, [&] { return app.count() > 0; });
  ASSERT_EQ(app.count(), 1u) << "no report at R1";
  EXPECT_FALSE(first.reset);
  {
    const std::lock_guard lock(app.mutex);
    EXPECT_EQ(app.reports[0].retransmissions, 3u);
    EXPECT_GE(app.reports[0].stalled_for, 100ms + 200ms);  // two back-offs before the third
  }
  EXPECT_GE(first.transmissions, 1u + 3u);
  // More retransmissions of the same stall: no second report.
  (void)ignore(1200ms);
  EXPECT_EQ(app.count(), 1u) << "told more than once for one stall";
  // The peer takes "hello": the stall is over, and nothing more is told.
  send(kAck, 1001, iss + 1 + 5);
  EXPECT_FALSE(ignore(300ms).reset);
  EXPECT_EQ(app.count(), 1u);
  // "world" goes unanswered too: a new stall, a new report at its R1.
  app.write_again = true;
  const auto second = ignore(10s, [&] { return app.count() > 1; });
  EXPECT_FALSE(second.reset);
  ASSERT_EQ(app.count(), 2u) << "a second stall was not reported";
  const std::lock_guard lock(app.mutex);
  EXPECT_EQ(app.reports[1].retransmissions, 3u);
}

// SHLD-20: an application that turned the reports off gets none, even past R1.
TEST_F(TcpServerRetransmission, SHLD20_AnApplicationCanTurnErrorReportsOff) {
  tcb_.data_give_up = 20s;
  ReportingApp app;
  app.setup = [](Connection& connection) { connection.set_error_reports(false); };
  start_with(app);
  connect();
  const auto seen = ignore(2500ms);  // R1 comes at about 0.7 s
  EXPECT_FALSE(seen.reset);
  EXPECT_GE(seen.transmissions, 1u + 4u);
  EXPECT_EQ(app.count(), 0u);
}

}  // namespace
}  // namespace lim::tcp::server
