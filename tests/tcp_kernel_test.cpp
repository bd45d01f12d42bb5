// lim's session-typed TCP server against the Linux kernel's TCP stack, in a
// network namespace of each test's own (tcp_kernel_support.hpp): the
// handshake, data in both directions, every way a connection closes, resets
// in each state, lost segments in the handshake and the closing states, and
// the kernel socket's state where the RFC says it must be. Graceful paths
// must leave no RST on the link.
//
// Tests are named after what they pin; where RFC 9293 Appendix B numbers the
// requirement, the name starts with it.
#include <atomic>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <thread>

#include <fmt/format.h>

#include <gtest/gtest.h>

#include "lim/tcp/server/apps.hpp"
#include "lim/tcp/tcb/sequence.hpp"
#include "tcp_kernel_support.hpp"

namespace lim::tcp::testing {
namespace {

using wire::flag::kAck;
using wire::flag::kFin;
using wire::flag::kRst;
using wire::flag::kSyn;

class TcpKernel : public ::testing::Test {
 protected:
  void SetUp() override {
    if (const auto why = kernel_tests_unavailable()) GTEST_SKIP() << "no TUN device: " << *why;
    namespace_ = std::make_unique<NetworkNamespace>();
    if (namespace_->error()) GTEST_SKIP() << *namespace_->error();
  }
  void TearDown() override {
    server_.reset();  // before the namespace goes
    namespace_.reset();
  }
  KernelServer& serve(KernelServer::App app, tcb::TcbConfig config = KernelServer::fast(),
                      std::function<void(tcb::Reaction&)> tamper = {}) {
    KernelServer::Options options;
    options.tcb = config;
    options.tamper = std::move(tamper);
    return serve_with(std::move(app), std::move(options));
  }
  KernelServer& serve_with(KernelServer::App app, KernelServer::Options options) {
    server_ = std::make_unique<KernelServer>(std::move(app), std::move(options));
    return *server_;
  }
  static void echo(server::Connection& connection) { server::serve(server::App::Echo, connection); }
  // A flag for a tap rule: the link's thread evaluates rules until the
  // server stops, after the test's body (and its locals) are gone.
  std::atomic<bool>& flag() { return flags_.emplace_back(false); }

  // No RST crossed the link while a connection lived: what every graceful
  // path must show (KernelServer::resets_from_lim_while_open).
  void expect_no_reset() const {
    EXPECT_EQ(server_->resets_from_lim_while_open(), 0u) << "lim sent a RST" << around_resets();
    EXPECT_EQ(server_->count(false, kRst), 0u) << "the kernel sent a RST" << around_resets();
  }
  // The packets of the connections that saw a RST, for the failure message.
  std::string around_resets() const {
    std::set<std::uint16_t> ports;
    const auto seen = server_->seen();
    for (const auto& packet : seen)
      if (packet.has(kRst)) ports.insert(packet.outbound ? packet.segment.tuple.local_port : packet.segment.tuple.remote_port);
    std::string text;
    for (const auto& packet : seen) {
      const auto port = packet.outbound ? packet.segment.tuple.local_port : packet.segment.tuple.remote_port;
      if (!ports.contains(port)) continue;
      text += fmt::format("\n{} {} port {} seq {} ack {} len {} flags {:#x}", packet.outbound ? "lim →" : "→ lim",
                          tcb::segment_label(packet.segment.flags), port, packet.segment.seq, packet.segment.ack,
                          packet.segment.length(), packet.segment.flags);
    }
    return text;
  }
  bool logged(const std::string& text) const { return server_->wait_for_log(text); }

  std::deque<std::atomic<bool>> flags_;  // declared first: destroyed after the server
  std::unique_ptr<NetworkNamespace> namespace_;
  std::unique_ptr<KernelServer> server_;
};

std::string random_bytes(std::size_t count, unsigned seed) {
  std::mt19937 random(seed);
  std::string bytes(count, '\0');
  for (auto& byte : bytes) byte = static_cast<char>(random());
  return bytes;
}

// The lines of `ss` for TIME-WAIT sockets towards lim's port 7, in this
// thread's namespace.
std::string kernel_time_wait() {
  std::string out;
  if (FILE* pipe = ::popen("ss -Htan state time-wait 2>/dev/null", "r")) {
    char line[512];
    while (std::fgets(line, sizeof line, pipe)) out += line;
    ::pclose(pipe);
  }
  return out;
}

// ---- opening -------------------------------------------------------------------------

TEST_F(TcpKernel, HandshakeCompletesAndBothSidesAreEstablished) {
  auto& server = serve([](server::Connection& connection) {
    char byte;
    connection.read(std::span(reinterpret_cast<std::uint8_t*>(&byte), 1));
  });
  Socket client;
  ASSERT_EQ(client.connect(7), 0);
  EXPECT_EQ(client.state(), TCP_ESTABLISHED);
  EXPECT_TRUE(logged("ESTABLISHED"));
  // MUST-14: our SYN-ACK carries an MSS option (the TUN device's MTU - 40).
  bool mss = false;
  for (const auto& packet : server.seen())
    if (packet.outbound && packet.has(kSyn | kAck)) mss = packet.segment.options.maximum_segment_size == 1460;
  EXPECT_TRUE(mss);
  client.send_all("x");
}

TEST_F(TcpKernel, SynToAClosedPortIsRefusedWithRst) {
  auto& server = serve(echo);
  Socket client;
  EXPECT_EQ(client.connect(9), ECONNREFUSED);
  bool answered = false;
  for (const auto& packet : server.seen())
    if (packet.outbound && packet.has(kRst | kAck) && packet.segment.tuple.remote_port == 9) answered = true;
  EXPECT_TRUE(answered);
}

TEST_F(TcpKernel, AnAckInListenGetsARstAtItsAcknowledgementNumber) {
  auto& server = serve(echo);
  ASSERT_TRUE(inject(crafted(40000, 7, 1000, 0x12345678, kAck)));
  bool answered = false;
  for (int i = 0; i < 200 && !answered; ++i) {
    for (const auto& packet : server.seen())
      if (packet.outbound && packet.has(kRst) && packet.segment.seq == 0x12345678u) answered = true;
    std::this_thread::sleep_for(5ms);
  }
  EXPECT_TRUE(answered) << "RFC 9293 §3.10.7.2: <SEQ=SEG.ACK><CTL=RST>";
  // And the listener still works.
  Socket client;
  EXPECT_EQ(client.connect(7), 0);
}

TEST_F(TcpKernel, TheAckOfOurSynAckLostSoTheSynAckIsRetransmitted) {
  auto& server = serve(echo);
  // Drop the kernel's ACK that completes the handshake (its first pure ACK).
  server.add_rule({[](const Seen& seen) {
                     return !seen.outbound && seen.segment.flags == kAck && seen.segment.payload.empty();
                   },
                   {link::TapVerdict::Action::Drop, {}}});
  Socket client;
  ASSERT_EQ(client.connect(7), 0);  // the kernel is ESTABLISHED; lim is still in SYN-RECEIVED
  EXPECT_TRUE(logged("ESTABLISHED"));  // after lim's SYN-ACK went out again
  EXPECT_GE(server.count(true, kSyn | kAck), 2u);
  ASSERT_TRUE(client.send_all("after the lost ack"));
  EXPECT_EQ(client.receive_exactly(18), "after the lost ack");
}

// ---- data ------------------------------------------------------------------------------

class TcpKernelEcho : public TcpKernel, public ::testing::WithParamInterface<std::size_t> {};

TEST_P(TcpKernelEcho, EchoesBytesIntact) {
  serve(echo);
  const std::string data = random_bytes(GetParam(), static_cast<unsigned>(GetParam()));
  Socket client;
  ASSERT_EQ(client.connect(7), 0);
  std::string echoed;
  std::thread reader([&] { echoed = client.receive_all(); });
  ASSERT_TRUE(client.send_all(data));
  client.shutdown_write();
  reader.join();
  EXPECT_EQ(echoed.size(), data.size());
  EXPECT_TRUE(echoed == data);
  expect_no_reset();
}

// One byte, one MSS, one MiB.
INSTANTIATE_TEST_SUITE_P(Sizes, TcpKernelEcho, ::testing::Values(1, 1460, 1 << 20));

// RFC 7323 against Linux, which offers timestamps on its SYN (a fresh
// namespace's net.ipv4.tcp_timestamps is 1): lim's SYN-ACK answers with the
// option echoing the SYN's TSval, the kernel's socket reports them agreed
// (TCP_INFO), every segment after carries the option both ways, lim's full
// segments are the kernel's MSS less the option's 12 octets, TSvals never go
// back, and 1 MiB echoes byte-identical.
TEST_F(TcpKernel, RFC7323_LinuxNegotiatesTimestampsAndA1MiBEchoCarriesThem) {
  auto& server = serve(echo);
  const std::string data = random_bytes(1 << 20, 7323);
  Socket client;
  ASSERT_EQ(client.connect(7), 0);
  tcp_info info{};
  socklen_t size = sizeof info;
  ASSERT_EQ(::getsockopt(client.fd(), IPPROTO_TCP, TCP_INFO, &info, &size), 0);
  EXPECT_TRUE(info.tcpi_options & TCPI_OPT_TIMESTAMPS) << "Linux did not take lim's SYN-ACK as agreeing to timestamps";
  std::string echoed;
  std::thread reader([&] { echoed = client.receive_all(); });
  ASSERT_TRUE(client.send_all(data));
  client.shutdown_write();
  reader.join();
  EXPECT_EQ(echoed.size(), data.size());
  EXPECT_TRUE(echoed == data);
  expect_no_reset();

  std::optional<std::uint32_t> syn_tsval, last_lim_tsval;
  bool syn_ack_echoes = false;
  std::size_t unstamped = 0, full = 0, largest = 0, backwards = 0;
  for (const auto& packet : server.seen()) {
    const auto& segment = packet.segment;
    const auto& stamp = segment.options.timestamps;
    if (!packet.outbound && segment.has(kSyn) && !segment.has(kAck)) {
      if (stamp) syn_tsval = stamp->value;
      continue;
    }
    if (packet.outbound && segment.has(kSyn | kAck))
      syn_ack_echoes = stamp && syn_tsval && stamp->echo_reply == *syn_tsval;
    if (!stamp) {
      ++unstamped;
      continue;
    }
    if (!packet.outbound) continue;
    if (last_lim_tsval && tcb::seq_lt(stamp->value, *last_lim_tsval)) ++backwards;
    last_lim_tsval = stamp->value;
    largest = std::max(largest, segment.payload.size());
    if (segment.payload.size() == 1460 - 12) ++full;
  }
  ASSERT_TRUE(syn_tsval) << "the kernel's SYN offered no timestamps (net.ipv4.tcp_timestamps = 0?)";
  EXPECT_TRUE(syn_ack_echoes) << "lim's SYN-ACK does not echo the SYN's TSval";
  EXPECT_EQ(unstamped, 0u) << "segments without the option after it was agreed";
  EXPECT_EQ(backwards, 0u) << "lim's TSvals went back";
  EXPECT_EQ(largest, 1460u - 12) << "the option's 12 octets must come out of each segment's data";
  EXPECT_GT(full, 100u);
}

// With TUN offloads the kernel hands lim segments of many MSS at once and
// leaves their checksums to the receiver (CHECKSUM_PARTIAL): lim completes
// them, so that they pass its own verification, and takes the long segments
// whole. (A segment whose checksum lim failed to complete is dropped as
// malformed, and the echo does not come back intact.)
TEST_F(TcpKernel, WithTunOffloadsTheKernelsLongSegmentsArriveIntact) {
  KernelServer::Options options;
  options.offload = true;
  auto& server = serve_with(echo, std::move(options));
  if (!server.offloaded()) GTEST_SKIP() << "this kernel offers no TUN offloads";
  const std::string data = random_bytes(4 << 20, 4);
  Socket client;
  ASSERT_EQ(client.connect(7), 0);
  std::string echoed;
  std::thread reader([&] { echoed = client.receive_all(); });
  ASSERT_TRUE(client.send_all(data));
  client.shutdown_write();
  reader.join();
  EXPECT_EQ(echoed.size(), data.size());
  EXPECT_TRUE(echoed == data);
  std::size_t longest = 0;
  for (const auto& packet : server.seen())
    if (!packet.outbound) longest = std::max(longest, packet.segment.payload.size());
  EXPECT_GT(longest, 1460u) << "no segment longer than the MSS came: the offloads did nothing";
  expect_no_reset();
}

TEST_F(TcpKernel, TheReverseAppReversesLinesAndAnEmptyLineCloses) {
  serve([](server::Connection& connection) { server::serve(server::App::Reverse, connection); });
  Socket client;
  ASSERT_EQ(client.connect(7), 0);
  ASSERT_TRUE(client.send_all("hello\nsession types\n\n"));
  EXPECT_EQ(client.receive_all(), "olleh\nsepyt noisses\n");
  expect_no_reset();
}

TEST_F(TcpKernel, AHundredConnectionsEachEchoTheirOwnData) {
  serve(echo);
  constexpr int kConnections = 100;
  std::vector<std::thread> clients;
  std::atomic<int> intact{0};
  for (int i = 0; i < kConnections; ++i) {
    clients.emplace_back([&, i] {
      const std::string data = random_bytes(10000 + static_cast<std::size_t>(i) * 97, static_cast<unsigned>(i));
      Socket client;
      if (client.connect(7, 20000ms) != 0) return;
      std::string echoed;
      std::thread reader([&] { echoed = client.receive_all(); });
      client.send_all(data);
      client.shutdown_write();
      reader.join();
      if (echoed == data) ++intact;
    });
  }
  for (auto& client : clients) client.join();
  EXPECT_EQ(intact.load(), kConnections);
  expect_no_reset();
}

// ---- closing -----------------------------------------------------------------------------

TEST_F(TcpKernel, ClientInitiatedCloseGoesThroughCloseWaitAndLastAck) {
  serve(echo);
  Socket client;
  ASSERT_EQ(client.connect(7), 0);
  ASSERT_TRUE(client.send_all("bye"));
  client.shutdown_write();
  EXPECT_EQ(client.receive_all(), "bye");
  EXPECT_TRUE(logged("CLOSE-WAIT"));
  EXPECT_TRUE(logged("LAST-ACK"));
  EXPECT_TRUE(logged("CLOSED"));
  // The kernel closed first, so it is the one that lingers in TIME-WAIT.
  const auto port = std::to_string(client.local_port());
  EXPECT_NE(kernel_time_wait().find("198.18.0.1:" + port), std::string::npos) << kernel_time_wait();
  expect_no_reset();
}

TEST_F(TcpKernel, MUST13_ServerInitiatedCloseLingersInTimeWait) {
  serve([](server::Connection& connection) {
    connection.write(std::string_view("bye"));
    connection.close();
    std::uint8_t buffer[64];
    while (connection.read(buffer) > 0) {
    }
  });
  Socket client;
  ASSERT_EQ(client.connect(7), 0);
  EXPECT_EQ(client.receive_all(), "bye");
  EXPECT_TRUE(wait_state(client, TCP_CLOSE_WAIT));  // our FIN arrived
  EXPECT_TRUE(logged("FIN-WAIT-2"));                // and its ACK came back
  client.close();
  EXPECT_TRUE(logged("TIME-WAIT"));
  EXPECT_TRUE(logged("CLOSED"));  // 2 MSL later (MSL is 100 ms here)
  const auto log = server_->log();
  const auto at = [&](const std::string& what) {
    for (std::size_t i = 0; i < log.size(); ++i)
      if (log[i].find(what) != std::string::npos) return i;
    return log.size();
  };
  EXPECT_LT(at("FIN-WAIT-1"), at("FIN-WAIT-2"));
  EXPECT_LT(at("FIN-WAIT-2"), at("TIME-WAIT"));
  EXPECT_LT(at("TIME-WAIT"), at("CLOSED"));
  expect_no_reset();
}

TEST_F(TcpKernel, AFinCarryingDataIsProcessedWithItsData) {
  auto& server = serve(echo);
  Socket client;
  ASSERT_EQ(client.connect(7), 0);
  int cork = 1;
  ::setsockopt(client.fd(), IPPROTO_TCP, TCP_CORK, &cork, sizeof cork);
  ASSERT_TRUE(client.send_all("data and fin"));
  client.shutdown_write();  // corked: the FIN rides on the data
  EXPECT_EQ(client.receive_all(), "data and fin");
  bool together = false;
  for (const auto& packet : server.seen())
    if (!packet.outbound && packet.has(kFin) && !packet.segment.payload.empty()) together = true;
  EXPECT_TRUE(together);
  expect_no_reset();
}

TEST_F(TcpKernel, SimultaneousCloseGoesThroughClosing) {
  auto& server = serve([](server::Connection& connection) {
    std::uint8_t buffer[16];
    connection.read(buffer);  // "bye"
    connection.close();
    while (connection.read(buffer) > 0) {
    }
  });
  // Hold the kernel's FIN, and what it sends after it, so that ours
  // crosses it: lim sees the FIN before the ACK of its own.
  auto& their_fin = flag();
  server.add_rule({[&](const Seen& seen) {
                     if (!seen.outbound && seen.has(kFin)) their_fin = true;
                     return !seen.outbound && their_fin;
                   },
                   {link::TapVerdict::Action::Delay, 150ms}, 1000});
  Socket client;
  ASSERT_EQ(client.connect(7), 0);
  ASSERT_TRUE(client.send_all("bye"));
  client.shutdown_write();
  EXPECT_EQ(client.receive_all(), "");
  EXPECT_TRUE(logged("CLOSING")) << ::testing::PrintToString(server.log());
  EXPECT_TRUE(logged("TIME-WAIT"));
  EXPECT_TRUE(logged("CLOSED"));
  expect_no_reset();
}

TEST_F(TcpKernel, DataAfterTheClientsHalfCloseStillReachesIt) {
  const std::string tail = random_bytes(100000, 7);
  serve([&](server::Connection& connection) {
    std::uint8_t buffer[64];
    while (connection.read(buffer) > 0) {
    }
    connection.write(tail);  // in CLOSE-WAIT
    connection.close();
  });
  Socket client;
  ASSERT_EQ(client.connect(7), 0);
  ASSERT_TRUE(client.send_all("half"));
  client.shutdown_write();
  EXPECT_TRUE(client.receive_all() == tail);
  expect_no_reset();
}

// ---- lost FINs --------------------------------------------------------------------------

TEST_F(TcpKernel, OurLostFinIsRetransmitted) {
  auto& server = serve([](server::Connection& connection) {
    connection.write(std::string_view("x"));
    connection.close();
    std::uint8_t buffer[16];
    while (connection.read(buffer) > 0) {
    }
  });
  server.add_rule({[](const Seen& seen) { return seen.outbound && seen.has(kFin); },
                   {link::TapVerdict::Action::Drop, {}}});
  Socket client;
  ASSERT_EQ(client.connect(7), 0);
  EXPECT_EQ(client.receive_all(), "x");
  client.close();
  EXPECT_TRUE(logged("CLOSED"));
  EXPECT_GE(server.count(true, kFin), 2u);
  expect_no_reset();
}

TEST_F(TcpKernel, TheirLostFinIsTakenWhenItComesAgain) {
  auto& server = serve(echo);
  server.add_rule({[](const Seen& seen) { return !seen.outbound && seen.has(kFin); },
                   {link::TapVerdict::Action::Drop, {}}});
  Socket client;
  ASSERT_EQ(client.connect(7), 0);
  ASSERT_TRUE(client.send_all("again"));
  client.shutdown_write();
  EXPECT_EQ(client.receive_all(), "again");
  EXPECT_TRUE(logged("CLOSED"));
  EXPECT_GE(server.count(false, kFin), 2u);
  expect_no_reset();
}

// ---- resets -----------------------------------------------------------------------------

TEST_F(TcpKernel, MUST12_ResetInEstablishedEndsTheConnection) {
  auto& server = serve(echo);
  Socket client;
  ASSERT_EQ(client.connect(7), 0);
  ASSERT_TRUE(logged("ESTABLISHED"));
  client.reset();
  EXPECT_TRUE(logged("CLOSED"));
  for (int i = 0; i < 100 && server.app_errors().empty(); ++i) std::this_thread::sleep_for(5ms);
  ASSERT_EQ(server.app_errors().size(), 1u);  // read() tells the application
  EXPECT_EQ(server.count(true, kRst), 0u);    // a RST is never answered
}

TEST_F(TcpKernel, ResetInCloseWait) {
  auto& server = serve([](server::Connection& connection) {
    std::uint8_t buffer[16];
    while (connection.read(buffer) > 0) {
    }
    std::this_thread::sleep_for(200ms);  // the peer resets meanwhile
    connection.close();
  });
  Socket client;
  ASSERT_EQ(client.connect(7), 0);
  client.shutdown_write();
  ASSERT_TRUE(logged("CLOSE-WAIT"));
  client.reset();
  EXPECT_TRUE(logged("CLOSED"));
  for (const auto& line : server.log()) EXPECT_EQ(line.find("LAST-ACK"), std::string::npos) << line;
  EXPECT_EQ(server.count(true, kRst), 0u);
}

TEST_F(TcpKernel, ResetInFinWait1) {
  auto& server = serve([](server::Connection& connection) {
    connection.close();
    std::uint8_t buffer[16];
    while (connection.read(buffer) > 0) {
    }
  });
  // The kernel's ACK of our FIN never arrives: lim stays in FIN-WAIT-1.
  auto& fin_out = flag();
  server.add_rule({[&](const Seen& seen) {
                     if (seen.outbound && seen.has(kFin)) fin_out = true;
                     return !seen.outbound && fin_out && !seen.has(kRst);
                   },
                   {link::TapVerdict::Action::Drop, {}}, 1000});
  Socket client;
  ASSERT_EQ(client.connect(7), 0);
  ASSERT_TRUE(logged("FIN-WAIT-1"));
  client.reset();
  EXPECT_TRUE(logged("CLOSED"));
  for (const auto& line : server.log()) EXPECT_EQ(line.find("FIN-WAIT-2"), std::string::npos) << line;
}

TEST_F(TcpKernel, ResetInFinWait2) {
  auto& server = serve([](server::Connection& connection) {
    connection.close();
    std::uint8_t buffer[16];
    while (connection.read(buffer) > 0) {
    }
  });
  Socket client;
  ASSERT_EQ(client.connect(7), 0);
  ASSERT_TRUE(logged("FIN-WAIT-2"));
  client.reset();
  EXPECT_TRUE(logged("CLOSED"));
  for (const auto& line : server.log()) EXPECT_EQ(line.find("TIME-WAIT"), std::string::npos) << line;
  EXPECT_EQ(server.count(true, kRst), 0u);
}

TEST_F(TcpKernel, ResetInLastAck) {
  auto& server = serve(echo);
  // Our FIN never reaches the kernel, which stays in FIN-WAIT-2 and can reset.
  server.add_rule({[](const Seen& seen) { return seen.outbound && seen.has(kFin); },
                   {link::TapVerdict::Action::Drop, {}}, 1000});
  Socket client;
  ASSERT_EQ(client.connect(7), 0);
  client.shutdown_write();
  ASSERT_TRUE(logged("LAST-ACK"));
  client.reset();
  EXPECT_TRUE(logged("CLOSED"));
}

// The exact RST (SEQ = RCV.NXT) the kernel cannot send from these states,
// crafted: lim's last segment says what RCV.NXT is.
void inject_exact_reset(const KernelServer& server, std::uint16_t client_port) {
  std::uint32_t rcv_nxt = 0;
  for (const auto& packet : server.seen())
    if (packet.outbound && packet.has(kAck)) rcv_nxt = packet.segment.ack;
  ASSERT_TRUE(inject(crafted(client_port, 7, rcv_nxt, 0, kRst)));
}

TEST_F(TcpKernel, ResetInClosing) {
  auto& server = serve([](server::Connection& connection) {
    std::uint8_t buffer[16];
    connection.read(buffer);
    connection.close();
    while (connection.read(buffer) > 0) {
    }
  });
  server.add_rule({[](const Seen& seen) { return !seen.outbound && seen.has(kFin); },
                   {link::TapVerdict::Action::Delay, 150ms}});
  // Once lim's FIN is out, nothing more from the kernel: lim stays in CLOSING.
  auto& fin_out = flag();
  server.add_rule({[&](const Seen& seen) {
                     if (seen.outbound && seen.has(kFin)) fin_out = true;
                     return !seen.outbound && fin_out && !seen.has(kFin) && !seen.has(kRst);
                   },
                   {link::TapVerdict::Action::Drop, {}}, 1000});
  Socket client;
  ASSERT_EQ(client.connect(7), 0);
  ASSERT_TRUE(client.send_all("bye"));
  client.shutdown_write();
  ASSERT_TRUE(logged("CLOSING"));
  inject_exact_reset(server, client.local_port());
  EXPECT_TRUE(logged("CLOSED"));
  for (const auto& line : server.log()) EXPECT_EQ(line.find("TIME-WAIT"), std::string::npos) << line;
}

TEST_F(TcpKernel, ResetInTimeWait) {
  auto config = KernelServer::fast();
  config.msl = 10s;  // TIME-WAIT would last 20 s: the RST ends it
  auto& server = serve(
      [](server::Connection& connection) {
        connection.close();
        std::uint8_t buffer[16];
        while (connection.read(buffer) > 0) {
        }
      },
      config);
  Socket client;
  ASSERT_EQ(client.connect(7), 0);
  const auto port = client.local_port();
  EXPECT_EQ(client.receive_all(), "");
  client.close();
  ASSERT_TRUE(logged("TIME-WAIT"));
  inject_exact_reset(server, port);
  EXPECT_TRUE(server.wait_for_log("CLOSED", 3000ms));
}

// ---- the link ----------------------------------------------------------------------------

TEST_F(TcpKernel, EchoSurvivesSeededLossDuplicationAndReorderingBothWays) {
  KernelServer::Options options;
  options.impairment = *link::parse_impairment("loss=0.1,dup=0.1,reorder=0.2,delay=1ms,seed=8").config;
  serve_with(echo, options);
  const std::string data = random_bytes(30000, 11);
  Socket client;
  ASSERT_EQ(client.connect(7, 20000ms), 0);  // the handshake may lose segments too
  std::string echoed;
  std::thread reader([&] { echoed = client.receive_all(); });
  ASSERT_TRUE(client.send_all(data));
  client.shutdown_write();
  reader.join();
  EXPECT_TRUE(echoed == data) << echoed.size() << " of " << data.size() << " octets";
}

TEST_F(TcpKernel, ThePcapCaptureHoldsEveryPacketAndScapyReadsIt) {
  const auto path = std::filesystem::temp_directory_path() / ("lim-capture-" + std::to_string(::getpid()) + ".pcap");
  KernelServer::Options options;
  options.pcap = path.string();
  auto& server = serve_with(echo, options);
  {
    Socket client;
    ASSERT_EQ(client.connect(7), 0);
    ASSERT_TRUE(client.send_all("captured"));
    client.shutdown_write();
    EXPECT_EQ(client.receive_all(), "captured");
    ASSERT_TRUE(logged("CLOSED"));
  }
  const auto packets = server.seen().size();
  server.stop();
  // Wireshark's reading, by proxy: Debian's python3-scapy.
  const std::string command = "/usr/bin/python3 -c \"import sys; from scapy.all import rdpcap, TCP; p = rdpcap(sys.argv[1]); "
                              "print(len(p), sum(1 for x in p if TCP in x and (x[TCP].dport == 7 or x[TCP].sport == 7)))\" '" +
                              path.string() + "' 2>&1";
  std::string out;
  if (FILE* pipe = ::popen(command.c_str(), "r")) {
    char line[256];
    while (std::fgets(line, sizeof line, pipe)) out += line;
    ::pclose(pipe);
  }
  std::filesystem::remove(path);
  if (out.find("No module named") != std::string::npos) GTEST_SKIP() << "python3-scapy is not installed";
  // Everything that crossed the device is there; the TCP segments of port 7
  // are exactly those the tap saw (the rest is the kernel's own chatter,
  // such as IPv6 router solicitations on a new link).
  unsigned all = 0, tcp = 0;
  ASSERT_EQ(std::sscanf(out.c_str(), "%u %u", &all, &tcp), 2) << out;
  EXPECT_EQ(tcp, packets) << out;
  EXPECT_GE(all, tcp);
}

// ---- the monitor ------------------------------------------------------------------------

TEST_F(TcpKernel, AWrongTcbIsStoppedByTheMonitorAndTheConnectionReset) {
  // This TCB answers data with a SYN-ACK, which no state of the spec offers
  // after the handshake.
  // Shared with the server's threads, which outlive this body (the fixture
  // stops the server after it).
  const auto established = std::make_shared<std::atomic<bool>>(false);
  auto& server = serve(
      [established](server::Connection& connection) {
        *established = true;
        server::serve(server::App::Echo, connection);
      },
      KernelServer::fast(),
      [established](tcb::Reaction& reaction) {
        if (!*established) return;
        for (auto& output : reaction)
          if (output.to == tcb::Output::To::Net && output.label == "ack") {
            output.label = "syn_ack";
            output.segment.flags |= kSyn;
          }
      });
  Socket client;
  ASSERT_EQ(client.connect(7), 0);
  ASSERT_TRUE(client.send_all("anything"));
  int error = 0;
  client.receive_all(&error);
  EXPECT_EQ(error, ECONNRESET);
  bool logged_bug = false;
  for (const auto& line : server.log())
    if (line.find("BUG") != std::string::npos && line.find("specs/tcp/server.lim:") != std::string::npos &&
        line.find("syn_ack") != std::string::npos)
      logged_bug = true;
  EXPECT_TRUE(logged_bug) << ::testing::PrintToString(server.log());
  // No SYN-ACK after the handshake reached the wire.
  EXPECT_EQ(server.count(true, kSyn | kAck), 1u);
}

}  // namespace
}  // namespace lim::tcp::testing
