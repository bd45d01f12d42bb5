// The TCB's data path driven by hand, on a clock that moves only when the
// test says so: what RFC 9293 asks of a sender facing a small or closed
// window, and of a receiver whose application reads slowly, over minutes of
// simulated time that a test against the kernel could not wait for; and
// RFC 7323's timestamps: the echo, PAWS, RTT from TSecr, the 24-day rule.
#include <chrono>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "lim/tcp/tcb/sack_scoreboard.hpp"
#include "lim/tcp/tcb/sequence.hpp"
#include "lim/tcp/tcb/tcb.hpp"

namespace lim::tcp::tcb {
namespace {

using namespace std::chrono_literals;
using wire::flag::kAck;
using wire::flag::kRst;
using wire::flag::kSyn;

constexpr std::uint32_t kPeerIsn = 1000;

// One connection in a TCB, and its peer as a test plays it.
class HandDriven {
 public:
  explicit HandDriven(TcbConfig config = {})
      : streams_(std::make_shared<Streams>(config.send_buffer, config.receive_buffer)),
        tcb_(config, isn_, streams_) {}

  Tcb& tcb() { return tcb_; }
  TimePoint now() const { return now_; }
  // lim's next sequence number as the peer acknowledges it.
  std::uint32_t iss() const { return iss_; }

  // SYN (with `mss`, no window scaling), SYN-ACK, ACK `rtt` later: ESTABLISHED.
  // With stamp() first, the SYN offers timestamps and the ACK echoes the SYN-ACK's.
  void connect(std::uint16_t window, std::uint16_t mss, Clock::duration rtt = {}) {
    Segment syn = segment(kSyn, kPeerIsn, 0, window);
    syn.options.maximum_segment_size = mss;
    const auto synack = send(syn);
    ASSERT_EQ(synack.size(), 1u);
    ASSERT_EQ(synack[0].flags, kSyn | kAck);
    syn_ack_ = synack[0];
    iss_ = synack[0].seq;
    if (stamp_ && synack[0].options.timestamps) stamp_->echo_reply = synack[0].options.timestamps->value;
    now_ += rtt;
    (void)send(segment(kAck, kPeerIsn + 1, iss_ + 1, window));
    ASSERT_EQ(tcb_.state(), TcpState::Established);
  }
  // The same with SACK-permitted on the SYN (RFC 2018) and 1000 octets of
  // data a segment (the Timestamps option aside, RFC 7323 §3.2); SND.UNA.
  std::uint32_t connect_with_sack(Clock::duration rtt) {
    Segment syn = segment(kSyn, kPeerIsn, 0, 65535);
    syn.options.maximum_segment_size = syn.options.timestamps ? 1012 : 1000;
    syn.options.sack_permitted = true;
    const auto synack = send(syn);
    EXPECT_EQ(synack.size(), 1u);
    if (synack.empty()) return 0;
    EXPECT_TRUE(synack[0].options.sack_permitted);
    syn_ack_ = synack[0];
    iss_ = synack[0].seq;
    now_ += rtt;
    (void)send(segment(kAck, kPeerIsn + 1, iss_ + 1, 65535));
    EXPECT_EQ(tcb_.state(), TcpState::Established);
    return iss_ + 1;
  }
  const OutSegment& syn_ack() const { return syn_ack_; }
  // From now on every segment of the peer carries the Timestamps option
  // <TSval=tsval, TSecr=tsecr> (RFC 7323); unstamp() ends that.
  void stamp(std::uint32_t tsval, std::uint32_t tsecr = 0) { stamp_ = wire::Timestamps{tsval, tsecr}; }
  void unstamp() { stamp_.reset(); }
  // Any segment, as the server delivers it: the guard variables read at
  // `now` first (the session reads them so before every event).
  std::vector<OutSegment> send(const Segment& s) {
    (void)tcb_.variables_at(now_);
    return net(tcb_.on_segment(s, now_));
  }
  Segment segment(std::uint8_t flags, std::uint32_t seq, std::uint32_t ack, std::uint16_t window) const {
    Segment s;
    s.tuple = {wire::IpAddress::v4(0xC6120002), 7, wire::IpAddress::v4(0xC6120001), 40000};
    s.seq = seq;
    s.ack = ack;
    s.flags = flags;
    s.window = window;
    s.options.timestamps = stamp_;
    return s;
  }
  void advance(Clock::duration by) { now_ += by; }

  // The application writes `bytes` octets.
  void write(std::size_t bytes) {
    {
      const std::lock_guard lock(streams_->mutex);
      std::vector<std::uint8_t> data(bytes);
      for (std::size_t i = 0; i < bytes; ++i) data[i] = static_cast<std::uint8_t>(written_++);
      ASSERT_EQ(streams_->send.push(data), bytes);
    }
    (void)net(tcb_.on_user(UserCall::Data, now_));
  }
  // The application reads up to `bytes` octets; whether a window update is owed.
  bool read(std::size_t bytes) {
    {
      const std::lock_guard lock(streams_->mutex);
      std::vector<std::uint8_t> out(bytes);
      EXPECT_EQ(streams_->receive.read(out), bytes);
    }
    return tcb_.on_read();
  }

  // What the peer sends (its next sequence number is `peer_nxt`).
  std::vector<OutSegment> ack(std::uint32_t acknowledged, std::uint16_t window) {
    return send(segment(kAck, peer_nxt_, acknowledged, window));
  }
  // Data from the peer (it has taken nothing from lim).
  std::vector<OutSegment> data(std::uint32_t seq, std::size_t bytes, std::uint16_t window = 65535) {
    Segment s = segment(kAck, seq, iss_ + 1, window);
    s.payload.assign(bytes, 0x5A);
    auto out = send(s);
    if (!seq_lt(seq + static_cast<std::uint32_t>(bytes), peer_nxt_)) peer_nxt_ = seq + static_cast<std::uint32_t>(bytes);
    return out;
  }
  std::uint32_t peer_nxt() const { return peer_nxt_; }

  // Fires every timer due up to `until` (the clock then stands there); the
  // segments lim sent meanwhile, each passed to `answer` as it goes.
  std::vector<OutSegment> run_until(TimePoint until,
                                    const std::function<void(const OutSegment&)>& answer = {}) {
    std::vector<OutSegment> sent;
    for (int guard = 0; guard < 100000; ++guard) {
      const auto due = tcb_.next_timer(now_);
      if (!due || *due > until) break;
      now_ = std::max(now_, *due);
      for (auto& segment : net(tcb_.on_timer(now_))) {
        sent.push_back(segment);
        if (answer) answer(sent.back());
      }
      if (tcb_.state() == TcpState::Closed) break;
    }
    if (now_ < until) now_ = until;
    return sent;
  }
  std::vector<OutSegment> run_for(Clock::duration duration,
                                  const std::function<void(const OutSegment&)>& answer = {}) {
    return run_until(now_ + duration, answer);
  }

 private:
  std::vector<OutSegment> net(const Reaction& reaction) {
    std::vector<OutSegment> segments;
    for (const auto& output : reaction)
      if (output.to == Output::To::Net) segments.push_back(output.segment);
    return segments;
  }

  IsnGenerator isn_{std::array<std::uint8_t, 32>{}};
  std::shared_ptr<Streams> streams_;
  Tcb tcb_;
  TimePoint now_ = TimePoint{} + 1h;
  std::uint32_t iss_ = 0;
  std::uint32_t peer_nxt_ = kPeerIsn + 1;
  std::size_t written_ = 0;
  std::optional<wire::Timestamps> stamp_;
  OutSegment syn_ack_;
};

std::size_t payload_of(const std::vector<OutSegment>& segments) {
  std::size_t total = 0;
  for (const auto& segment : segments) total += segment.payload.size();
  return total;
}

bool any_reset(const std::vector<OutSegment>& segments) {
  for (const auto& segment : segments)
    if (segment.flags & kRst) return true;
  return false;
}

// The peer takes 2000 octets, then shuts its window while lim has 3000 more.
struct ShutWindow {
  HandDriven lim;
  std::uint32_t acked = 0;
  ShutWindow() {
    lim.connect(2000, 1000);
    lim.write(5000);
    const auto first = lim.run_for(0ms);
    EXPECT_EQ(payload_of(first), 2000u);
    acked = lim.iss() + 1 + 2000;
    EXPECT_TRUE(lim.ack(acked, 0).empty());
  }
};

TEST(TcpTcbDataPath, MUST37_APeerThatAnswersEveryProbeKeepsItsWindowShutForAsLongAsItLikes) {
  ShutWindow shut;
  auto& lim = shut.lim;
  std::vector<TimePoint> probes;
  // Ten minutes, six times R2 (100 s): each probe answered, the window still 0.
  const auto sent = lim.run_for(600s, [&](const OutSegment& segment) {
    if (segment.payload.empty()) return;
    EXPECT_EQ(segment.seq, shut.acked) << "a probe is the octet after what the peer took";
    EXPECT_EQ(segment.payload.size(), 1u);
    probes.push_back(lim.now());
    (void)lim.ack(shut.acked, 0);
  });
  EXPECT_FALSE(any_reset(sent));
  EXPECT_EQ(lim.tcb().state(), TcpState::Established);
  ASSERT_GE(probes.size(), 10u);
  // SHLD-30: the interval grows, up to the RTO's ceiling (60 s).
  EXPECT_GT(probes[3] - probes[2], probes[1] - probes[0]);
  EXPECT_LE(probes.back() - probes[probes.size() - 2], 61s);
  // The window opens: the 3000 octets follow at once, from where the peer
  // stopped (the probe's octet among them), each acknowledged as it comes.
  std::uint32_t next = shut.acked;
  (void)lim.ack(shut.acked, 8000);
  const auto after = lim.run_for(0ms, [&](const OutSegment& segment) {
    EXPECT_EQ(segment.seq, next);
    next += static_cast<std::uint32_t>(segment.payload.size());
    (void)lim.ack(next, 8000);
  });
  EXPECT_EQ(payload_of(after), 3000u);
  EXPECT_EQ(next, shut.acked + 3000);
}

TEST(TcpTcbDataPath, MUST20_APeerThatStopsAnsweringProbesIsGivenUpAfterR2) {
  ShutWindow shut;
  auto& lim = shut.lim;
  const auto sent = lim.run_for(600s);  // probes go unanswered
  EXPECT_TRUE(any_reset(sent));
  EXPECT_EQ(lim.tcb().state(), TcpState::Closed);
}

TEST(TcpTcbDataPath, MUST38_ASmallWindowIsNotFilledWithASillySegmentUntilTheOverrideTimer) {
  HandDriven lim;
  lim.connect(10000, 1000);  // Max(SND.WND) = 10000
  lim.write(20000);
  const auto first = lim.run_for(0ms);
  const std::uint32_t acked = lim.iss() + 1 + static_cast<std::uint32_t>(payload_of(first));
  ASSERT_GT(payload_of(first), 0u);
  // Everything taken, but the window is down to 300 octets: under a full
  // segment and under half the largest window, so nothing goes at once.
  EXPECT_EQ(payload_of(lim.ack(acked, 300)), 0u);
  EXPECT_EQ(payload_of(lim.run_for(150ms)), 0u);
  // Rule 4: the override (200 ms) sends what the window takes.
  const auto forced = lim.run_for(100ms);
  ASSERT_EQ(forced.size(), 1u);
  EXPECT_EQ(forced[0].seq, acked);
  EXPECT_EQ(forced[0].payload.size(), 300u);
}

TEST(TcpTcbDataPath, MUST38_HalfTheLargestWindowGoesAtOnce) {
  HandDriven lim;
  lim.connect(1500, 1000);  // Max(SND.WND) = 1500: half is 750
  lim.write(5000);
  const auto first = lim.run_for(0ms);
  ASSERT_EQ(first.size(), 1u);  // a full segment; the 500 left of the window is silly
  EXPECT_EQ(first[0].payload.size(), 1000u);
  const std::uint32_t acked = lim.iss() + 1 + 1000;
  auto next = lim.ack(acked, 800);  // 800 >= 750: rule 3
  const auto more = lim.run_for(0ms);
  next.insert(next.end(), more.begin(), more.end());
  ASSERT_EQ(next.size(), 1u);
  EXPECT_EQ(next[0].payload.size(), 800u);
}

TEST(TcpTcbDataPath, MUST38_AllThatIsQueuedGoesEvenWhenShort) {
  HandDriven lim;
  lim.connect(10000, 1000);
  lim.write(10);  // rule 2: all the data there is, nothing in flight
  const auto sent = lim.run_for(0ms);
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].payload.size(), 10u);
}

// Without window scaling the field holds 65,535 of a 256 KiB buffer: a
// read frees octets the window cannot show, so it owes no update (one was
// sent, a pure ACK, after every read of a connection that did not scale).
TEST(TcpTcbDataPath, MUST39_WithoutWindowScalingAReadOwesNoUpdateTheFieldCannotShow) {
  HandDriven lim;
  lim.connect(65535, 1000);
  const std::uint32_t seq = kPeerIsn + 1;
  (void)lim.data(seq, 100);
  (void)lim.run_for(100ms);
  EXPECT_FALSE(lim.read(100)) << "an update for a window that stays 65535";
  EXPECT_TRUE(lim.run_for(100ms).empty());
}

TEST(TcpTcbDataPath, MUST39_AClosedReceiveWindowReopensByAtLeastOneSegment) {
  TcbConfig config;
  config.receive_buffer = 4000;
  HandDriven lim(config);
  lim.connect(65535, 1000);  // threshold: min(4000 / 2, 1000) = 1000
  std::uint32_t seq = kPeerIsn + 1;
  std::optional<OutSegment> last;
  for (int i = 0; i < 4; ++i, seq += 1000) {
    for (auto& segment : lim.data(seq, 1000)) last = segment;
    for (auto& segment : lim.run_for(0ms)) last = segment;
  }
  (void)lim.run_for(1s);  // any delayed ACK
  // The buffer is full: the window is shut.
  auto probe_answer = lim.data(seq, 1);  // a zero-window probe
  ASSERT_FALSE(probe_answer.empty());
  EXPECT_EQ(probe_answer.back().ack, seq);
  EXPECT_EQ(probe_answer.back().window, 0u);
  // The application reads 100 octets: too few to move the right edge.
  EXPECT_FALSE(lim.read(100));
  probe_answer = lim.data(seq, 1);
  ASSERT_FALSE(probe_answer.empty());
  EXPECT_EQ(probe_answer.back().window, 0u) << "a silly window offered after a read of 100 octets";
  // 1000 read in all: a segment's worth, so the window reopens, by at least that.
  EXPECT_TRUE(lim.read(900));
  const auto update = lim.run_for(0ms);
  ASSERT_FALSE(update.empty());
  EXPECT_GE(update.back().window, 1000u);
}

// ---- RFC 7323 timestamps ----------------------------------------------------------

std::uint32_t tsval(const OutSegment& segment) { return segment.options.timestamps->value; }
std::uint32_t tsecr(const OutSegment& segment) { return segment.options.timestamps->echo_reply; }

// §3.2, §4.3: a SYN with the option is answered with one echoing its TSval;
// from then on every segment carries it, TSval from a 1 ms clock and TSecr
// TS.Recent: the TSval of the earliest segment an ACK acknowledges, not of a
// later one it also covers, nor of one beyond a hole — until the hole is
// filled. The option's 12 octets come out of every segment's data.
TEST(TcpTcbDataPath, RFC7323_TimestampsAreEchoedWhenNegotiated) {
  HandDriven lim;
  lim.stamp(5000);
  // A 100 ms round trip: the tail-loss probe (2·SRTT, RFC 8985) is due
  // after the 40 ms delayed ACK, as on any path slower than loopback.
  lim.connect(65535, 1000, 100ms);
  ASSERT_TRUE(lim.syn_ack().options.timestamps);
  EXPECT_EQ(tsecr(lim.syn_ack()), 5000u);
  EXPECT_TRUE(lim.tcb().timestamps());
  EXPECT_EQ(lim.tcb().send_mss(), 988u);
  const std::uint32_t first = tsval(lim.syn_ack());

  lim.advance(250ms);
  lim.write(2 * 988);
  const auto sent = lim.run_for(0ms);
  ASSERT_EQ(sent.size(), 2u);
  for (const auto& segment : sent) {
    EXPECT_EQ(segment.payload.size(), 988u);
    ASSERT_TRUE(segment.options.timestamps);
    EXPECT_EQ(tsval(segment), first + 100 + 250);
    EXPECT_EQ(tsecr(segment), 5000u);
  }

  // Two segments before lim acknowledges: the ACK echoes the first.
  std::uint32_t seq = kPeerIsn + 1;
  lim.stamp(5200, tsval(sent[1]));
  (void)lim.data(seq, 100);
  lim.stamp(5300, tsval(sent[1]));
  (void)lim.data(seq + 100, 100);
  seq += 200;
  auto acks = lim.run_for(100ms);
  ASSERT_FALSE(acks.empty());
  EXPECT_EQ(acks.back().ack, seq);
  EXPECT_EQ(tsecr(acks.back()), 5200u);
  EXPECT_EQ(tsval(acks.back()), first + 100 + 250 + 40) << "the delayed ACK goes 40 ms after the data";

  // Beyond a hole: the duplicate ACK echoes what came in order, not it.
  lim.stamp(5400);
  (void)lim.data(seq + 500, 100);
  acks = lim.run_for(0ms);
  ASSERT_EQ(acks.size(), 1u);
  EXPECT_EQ(acks[0].ack, seq);
  EXPECT_EQ(tsecr(acks[0]), 5200u);
  // The segment that fills the hole is the one echoed.
  lim.stamp(5500);
  (void)lim.data(seq, 500);
  acks = lim.run_for(0ms);
  ASSERT_EQ(acks.size(), 1u);
  EXPECT_EQ(acks[0].ack, seq + 600);
  EXPECT_EQ(tsecr(acks[0]), 5500u);
}

// §5.3 R1 (PAWS): a segment whose TSval is older than TS.Recent is answered
// with an ACK and dropped, whatever its sequence number; the same octets
// with a current TSval are taken; a RST is not judged by its timestamp.
TEST(TcpTcbDataPath, RFC7323_PawsDropsAnOldDuplicateAndAcks) {
  HandDriven lim;
  lim.stamp(5000);
  lim.connect(65535, 1000);
  std::uint32_t seq = kPeerIsn + 1;
  lim.stamp(6000);
  (void)lim.data(seq, 100);
  (void)lim.run_for(100ms);
  seq += 100;
  ASSERT_EQ(lim.tcb().rcv_nxt(), seq);

  // New sequence numbers, in the window, but from a TSval before TS.Recent:
  // a duplicate from an earlier cycle of the sequence space.
  lim.stamp(5999);
  Segment old = lim.segment(kAck, seq, lim.iss() + 1, 65535);
  old.payload.assign(100, 0x0D);
  const auto v = lim.tcb().variables_at(lim.now());
  EXPECT_TRUE(v.ts_recent_valid);
  EXPECT_EQ(v.ts_recent, 6000u);
  EXPECT_TRUE(paws_rejects(v, old));
  EXPECT_FALSE(acceptable(v, old));
  EXPECT_FALSE(valid(v, old));
  const auto answer = lim.send(old);
  ASSERT_EQ(answer.size(), 1u);
  EXPECT_EQ(answer[0].flags, kAck);
  EXPECT_EQ(answer[0].ack, seq);
  EXPECT_TRUE(answer[0].payload.empty());
  EXPECT_EQ(tsecr(answer[0]), 6000u) << "TS.Recent is not taken from a rejected segment";
  EXPECT_EQ(lim.tcb().rcv_nxt(), seq);
  EXPECT_TRUE(lim.run_for(1s).empty()) << "nothing else is owed for it";

  old.options.timestamps = wire::Timestamps{6001, 0};
  EXPECT_TRUE(valid(lim.tcb().variables_at(lim.now()), old));
  (void)lim.send(old);
  seq += 100;
  EXPECT_EQ(lim.tcb().rcv_nxt(), seq);

  lim.stamp(1);
  (void)lim.send(lim.segment(kRst, seq, 0, 0));
  EXPECT_EQ(lim.tcb().state(), TcpState::Closed);
}

// §4.1: the ACK's TSecr gives the round trip, on the handshake's ACK and on
// the ACK of a retransmission (which Karn's rule leaves unmeasured without
// timestamps), into RFC 6298's estimator.
TEST(TcpTcbDataPath, RFC7323_RttIsMeasuredFromTsecr) {
  HandDriven lim;
  lim.stamp(5000);
  lim.connect(65535, 1000, 100ms);
  EXPECT_EQ(lim.tcb().srtt(), 100ms);
  EXPECT_EQ(lim.tcb().rto(), 300ms);  // SRTT + 4·RTTVAR = 100 + 4·50

  lim.write(500);
  const auto first = lim.run_for(0ms);
  ASSERT_EQ(first.size(), 1u);
  const auto again = lim.run_for(300ms);  // unanswered: the RTO sends it again
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].seq, first[0].seq);
  EXPECT_EQ(tsval(again[0]), tsval(first[0]) + 300);
  EXPECT_EQ(lim.tcb().rto(), 600ms);
  // The ACK, 50 ms after the retransmission, echoes it.
  lim.advance(50ms);
  lim.stamp(5100, tsval(again[0]));
  (void)lim.ack(lim.iss() + 1 + 500, 65535);
  EXPECT_EQ(lim.tcb().srtt(), 93750us);  // 100 + (50 − 100)/8
  EXPECT_EQ(lim.tcb().rto(), 293750us);  // + 4·50: RTTVAR = 50 + (|100 − 50| − 50)/4
}

// The path without timestamps is RFC 6298's with Karn's algorithm: the
// handshake is the first sample; the ACK of a retransmitted segment gives
// none and the backed-off RTO stays; a segment sent once is timed.
TEST(TcpTcbDataPath, MUST18_WithoutTimestampsARetransmittedSegmentGivesNoRttSample) {
  HandDriven lim;
  lim.connect(65535, 1000, 100ms);
  EXPECT_FALSE(lim.tcb().timestamps());
  EXPECT_EQ(lim.tcb().srtt(), 100ms) << "the SYN-ACK is timed (RFC 6298 §2.2)";
  EXPECT_EQ(lim.tcb().rto(), 300ms);  // SRTT + 4·RTTVAR, RTTVAR = R/2
  lim.write(500);
  ASSERT_EQ(lim.run_for(0ms).size(), 1u);
  ASSERT_EQ(lim.run_for(300ms).size(), 1u);  // retransmitted
  EXPECT_EQ(lim.tcb().rto(), 600ms);
  lim.advance(50ms);
  (void)lim.ack(lim.iss() + 1 + 500, 65535);
  EXPECT_EQ(lim.tcb().rto(), 600ms);
  EXPECT_EQ(lim.tcb().srtt(), 100ms);
  lim.write(500);
  ASSERT_EQ(lim.run_for(0ms).size(), 1u);
  lim.advance(80ms);
  (void)lim.ack(lim.iss() + 1 + 1000, 65535);
  EXPECT_EQ(lim.tcb().srtt(), 97500us);  // 100 + (80 − 100)/8
  EXPECT_EQ(lim.tcb().rto(), 267500us);  // + 4·42.5: RTTVAR = 50 + (|100 − 80| − 50)/4
}

// Karn's rule for the handshake: the ACK of a retransmitted SYN-ACK may be
// the first SYN-ACK's or the second's, so it measures nothing.
TEST(TcpTcbDataPath, MUST18_ARetransmittedSynAckGivesNoRttSample) {
  HandDriven lim;
  Segment syn = lim.segment(kSyn, kPeerIsn, 0, 65535);
  syn.options.maximum_segment_size = 1000;
  const auto synack = lim.send(syn);
  ASSERT_EQ(synack.size(), 1u);
  const auto again = lim.run_for(1s);
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].flags, kSyn | kAck);
  lim.advance(30ms);
  (void)lim.send(lim.segment(kAck, kPeerIsn + 1, synack[0].seq + 1, 65535));
  ASSERT_EQ(lim.tcb().state(), TcpState::Established);
  EXPECT_EQ(lim.tcb().srtt(), 0ms) << "no sample";
  EXPECT_EQ(lim.tcb().rto(), 2s) << "the backed-off RTO stays";
}

// §3.2: no option unless the SYN had one; the peer's TSvals on later
// segments are then neither echoed nor judged, and all of the MSS is data.
// Karn's ambiguity with timestamps: a peer whose ACK of the original was
// lost answers the retransmission, a duplicate to it, echoing the TSval of
// the original (its TS.Recent is that old). The span includes the timeout:
// no sample, and the backed-off RTO stays.
TEST(TcpTcbDataPath, MUST18_AnEchoOfWhatWentBeforeTheTimeoutGivesNoRttSample) {
  HandDriven lim;
  lim.stamp(5000);
  lim.connect(65535, 1000, 100ms);
  lim.write(500);
  const auto first = lim.run_for(0ms);
  ASSERT_EQ(first.size(), 1u);
  ASSERT_EQ(lim.run_for(300ms).size(), 1u);  // the timeout's retransmission
  ASSERT_EQ(lim.tcb().rto(), 600ms);
  lim.advance(50ms);
  lim.stamp(5100, tsval(first[0]));
  (void)lim.ack(lim.iss() + 1 + 500, 65535);
  EXPECT_EQ(lim.tcb().srtt(), 100ms) << "a 350 ms span was taken for a round trip";
  EXPECT_EQ(lim.tcb().rto(), 600ms);
}

TEST(TcpTcbDataPath, RFC7323_NoTimestampsUnlessNegotiated) {
  HandDriven lim;
  lim.connect(65535, 1000);
  EXPECT_FALSE(lim.syn_ack().options.timestamps);
  EXPECT_FALSE(lim.tcb().timestamps());
  EXPECT_EQ(lim.tcb().send_mss(), 1000u);
  std::uint32_t seq = kPeerIsn + 1;
  lim.stamp(7000);
  (void)lim.data(seq, 100);
  lim.stamp(1);  // "older", were PAWS on
  (void)lim.data(seq + 100, 100);
  seq += 200;
  EXPECT_EQ(lim.tcb().rcv_nxt(), seq);
  EXPECT_FALSE(lim.tcb().variables_at(lim.now()).ts_recent_valid);
  lim.write(2000);
  const auto sent = lim.run_for(100ms);
  ASSERT_FALSE(sent.empty());
  EXPECT_EQ(sent[0].payload.size(), 1000u);
  for (const auto& segment : sent) EXPECT_FALSE(segment.options.timestamps);
}

// §5.5: after 24 days without a new TS.Recent the peer's clock may have
// wrapped its sign bit, so TS.Recent is invalid: a TSval below it is taken
// (and becomes TS.Recent) instead of freezing the connection. A day before,
// the same segment is still an old duplicate. The session learns when the
// variable changes from variables_change_at.
TEST(TcpTcbDataPath, RFC7323_AfterTwentyFourDaysIdleTsRecentIsInvalid) {
  HandDriven lim;
  lim.stamp(5000);
  lim.connect(65535, 1000);
  const auto set_at = lim.now();
  (void)lim.tcb().variables_at(lim.now());
  EXPECT_EQ(lim.tcb().variables_change_at(), set_at + 24 * 24h);
  const std::uint32_t seq = kPeerIsn + 1;
  (void)lim.run_for(23 * 24h);
  lim.stamp(4000);
  auto answer = lim.data(seq, 100);
  ASSERT_EQ(answer.size(), 1u);
  EXPECT_EQ(answer[0].ack, seq);
  EXPECT_EQ(lim.tcb().rcv_nxt(), seq);
  (void)lim.run_for(24h + 1s);
  (void)lim.data(seq, 100);
  EXPECT_EQ(lim.tcb().rcv_nxt(), seq + 100);
  const auto acks = lim.run_for(100ms);
  ASSERT_FALSE(acks.empty());
  EXPECT_EQ(tsecr(acks.back()), 4000u);
  const auto v = lim.tcb().variables_at(lim.now());
  EXPECT_TRUE(v.ts_recent_valid);
  EXPECT_EQ(v.ts_recent, 4000u);
}

wire::TcpOptions sack(std::initializer_list<wire::SackBlock> blocks) {
  wire::TcpOptions options;
  for (const auto& block : blocks) options.sack[options.sack_blocks++] = block;
  return options;
}

// RFC 6675 §3's scoreboard, near the top of the sequence space so that the
// blocks wrap around 2^32.
TEST(TcpTcbDataPath, RFC6675_TheScoreboardMergesBlocksAndFindsTheHoles) {
  const std::uint32_t una = 0xFFFFF000u, nxt = una + 10000;
  SackScoreboard board;
  EXPECT_TRUE(board.update(sack({{una + 3000, una + 4000}, {una + 6000, una + 7000}}), una, nxt));
  EXPECT_FALSE(board.update(sack({{una + 3000, una + 4000}}), una, nxt)) << "nothing new";
  EXPECT_TRUE(board.update(sack({{una + 4000, una + 5000}}), una, nxt));  // adjacent: one block
  EXPECT_EQ(board.blocks(), 2u);
  EXPECT_EQ(board.skip(una), una);
  EXPECT_EQ(board.skip(una + 3500), una + 5000);
  EXPECT_EQ(board.hole_end(una, nxt), una + 3000);
  EXPECT_EQ(board.hole_end(una + 5000, nxt), una + 6000);
  EXPECT_EQ(board.hole_end(una + 7000, nxt), nxt);
  EXPECT_EQ(board.highest(), una + 7000);
  // IsLost by octets: 3000 SACKed above SND.UNA, 1000 above the second hole.
  EXPECT_TRUE(board.lost(una, 3000));
  EXPECT_FALSE(board.lost(una + 5000, 3000));
  // Blocks a receiver cannot honestly send: past SND.NXT, inverted, below SND.UNA.
  EXPECT_FALSE(board.update(sack({{nxt, nxt + 1000}, {una + 9000, una + 8000}, {una - 2000, una - 1000}}), una, nxt));
  EXPECT_EQ(board.blocks(), 2u);
  // A cumulative ACK past the first block forgets it and trims nothing else.
  board.acknowledged(una + 5500);
  EXPECT_EQ(board.blocks(), 1u);
  EXPECT_EQ(board.skip(una + 6500), una + 7000);
  board.acknowledged(nxt);
  EXPECT_TRUE(board.empty());
}

// RFC 6675 §5.1 with Errata 1610: the scoreboard outlives retransmission
// timeouts, so a go-back retransmission after two of them still skips what
// the receiver holds (under 20 % loss two timeouts in a row are common, and
// forgetting would resend everything); an ACK that stops inside a SACKed
// block — RFC 2018 §8's reneging — drops the scoreboard, and that block goes
// again.
TEST(TcpTcbDataPath, RFC6675_TheScoreboardOutlivesTimeoutsAndRenegingClearsIt) {
  HandDriven lim;
  const std::uint32_t una = lim.connect_with_sack(0ms);
  lim.write(4000);
  ASSERT_EQ(lim.run_for(0ms).size(), 4u);
  // Only the third segment arrived.
  const auto ack_with = [&](std::uint32_t acknowledged, std::optional<wire::SackBlock> block) {
    Segment s = lim.segment(kAck, kPeerIsn + 1, acknowledged, 65535);
    if (block) s.options = sack({*block});
    return lim.send(s);
  };
  (void)ack_with(una, wire::SackBlock{una + 2000, una + 3000});
  // Nothing more comes back: timeouts, backing off.
  const auto silent = lim.run_for(1500ms);
  ASSERT_GE(lim.tcb().statistics().timeouts, 2u);
  for (const auto& segment : silent) EXPECT_NE(segment.seq, una + 2000) << "the SACKed block was resent";
  // The first segment's retransmission arrives: the window opens, and the
  // go-back retransmission goes on past the SACKed block.
  auto after = ack_with(una + 1000, wire::SackBlock{una + 2000, una + 3000});
  for (auto& segment : lim.run_for(100ms)) after.push_back(segment);
  std::set<std::uint32_t> resent;
  for (const auto& segment : after)
    if (!segment.payload.empty()) resent.insert(segment.seq);
  EXPECT_TRUE(resent.contains(una + 1000));
  EXPECT_FALSE(resent.contains(una + 2000)) << "the scoreboard was forgotten";
  // The receiver acknowledges up to the block it SACKed, and no further:
  // it dropped the block, so the block goes again.
  (void)ack_with(una + 2000, std::nullopt);
  EXPECT_EQ(lim.tcb().statistics().reneging, 1u);
  bool again = false;
  for (const auto& segment : lim.run_for(5s)) again = again || segment.seq == una + 2000;
  EXPECT_TRUE(again) << "the reneged block was never resent";
}

// RFC 8985's RACK, by sequence: one segment SACKed above SND.UNA — too few
// for three duplicate ACKs, with more data waiting so that early retransmit
// does not apply — and a reordering window (SRTT/4) later the segment at
// SND.UNA goes again, long before the 300 ms timer or the 200 ms probe.
TEST(TcpTcbDataPath, RFC8985_DataSackedAboveSndUnaResendsItAfterTheReorderingWindow) {
  HandDriven lim;
  const std::uint32_t una = lim.connect_with_sack(100ms);
  ASSERT_EQ(lim.tcb().srtt(), 100ms);
  lim.write(8000);
  ASSERT_EQ(lim.run_for(0ms).size(), 4u);
  Segment sacked = lim.segment(kAck, kPeerIsn + 1, una, 65535);
  sacked.options = sack({{una + 2000, una + 3000}});
  (void)lim.send(sacked);
  const auto early = lim.run_for(20ms);
  for (const auto& segment : early) EXPECT_NE(segment.seq, una) << "resent inside the reordering window";
  bool resent = false;
  for (const auto& segment : lim.run_for(10ms)) resent = resent || segment.seq == una;
  EXPECT_TRUE(resent) << "the segment at SND.UNA was not resent once the reordering window passed";
}


// RACK by time (RFC 8985 §6.2): after a timeout the go-back resends two
// segments at once; the peer SACKs the second, so the first — sent no later
// — was lost again. No duplicate count or SACKed octets above SND.NXT can
// show that, and this window's loss was already paid for (RFC 6582's
// "recover"); it goes again a reordering window later, not at the
// backed-off timeout.
TEST(TcpTcbDataPath, RFC8985_ARetransmissionSentBeforeOneDeliveredIsResentAfterTheReorderingWindow) {
  HandDriven lim;
  const std::uint32_t una = lim.connect_with_sack(100ms);
  ASSERT_EQ(lim.tcb().rto(), 300ms);
  lim.write(4000);
  ASSERT_EQ(lim.run_for(0ms).size(), 4u);
  const auto probe = lim.run_for(200ms);  // the tail loss probe: the last segment
  ASSERT_EQ(probe.size(), 1u);
  ASSERT_EQ(probe[0].seq, una + 3000);
  const auto timeout = lim.run_for(300ms);
  ASSERT_EQ(timeout.size(), 1u);
  ASSERT_EQ(timeout[0].seq, una);
  lim.advance(100ms);
  (void)lim.send(lim.segment(kAck, kPeerIsn + 1, una + 1000, 65535));
  const auto go_back = lim.run_for(0ms);
  ASSERT_EQ(go_back.size(), 2u) << "slow start after the timeout: two segments";
  ASSERT_EQ(go_back[0].seq, una + 1000);
  ASSERT_EQ(go_back[1].seq, una + 2000);
  lim.advance(100ms);
  Segment sacked = lim.segment(kAck, kPeerIsn + 1, una + 1000, 65535);
  sacked.options = sack({{una + 2000, una + 3000}});
  (void)lim.send(sacked);
  for (const auto& segment : lim.run_for(20ms)) EXPECT_NE(segment.seq, una + 1000) << "resent inside the reordering window";
  bool resent = false;
  for (const auto& segment : lim.run_for(10ms)) resent = resent || segment.seq == una + 1000;
  EXPECT_TRUE(resent) << "the lost retransmission waited for the timer";
}


// A connection with SACK (and, after stamp(), timestamps), MSS 1000 and a
// 100 ms handshake; four segments of data out: SND.UNA, and the first
// segment's TSval in `first_tsval` (when timestamps are on).
std::uint32_t four_segments_out(HandDriven& lim, std::uint32_t* first_tsval = nullptr) {
  const std::uint32_t una = lim.connect_with_sack(100ms);
  lim.write(4000);
  const auto data = lim.run_for(0ms);
  EXPECT_EQ(data.size(), 4u);
  if (first_tsval && !data.empty() && data[0].options.timestamps) *first_tsval = tsval(data[0]);
  return una;
}

// The peer SACKs the last three of the four: the first is deemed lost,
// resent, and the window halved (RFC 6675, RFC 5681 equation 4).
std::uint32_t first_deemed_lost(HandDriven& lim, std::uint32_t una) {
  lim.advance(10ms);
  Segment sacked = lim.segment(kAck, kPeerIsn + 1, una, 65535);
  sacked.options.sack_blocks = 1;
  sacked.options.sack[0] = {una + 1000, una + 4000};
  (void)lim.send(sacked);
  const auto resent = lim.run_for(0ms);
  EXPECT_EQ(lim.tcb().congestion().ssthresh(), 2000u);
  if (resent.empty()) {
    ADD_FAILURE() << "nothing resent";
    return 0;
  }
  EXPECT_EQ(resent[0].seq, una);
  return resent[0].options.timestamps ? tsval(resent[0]) : 0;
}

// RFC 3708 / RFC 2883: the peer reports the retransmission a duplicate
// (a D-SACK block below its ACK), so the first segment was only late; with
// every retransmission of the episode so reported, the reduction is undone.
// The same ACK without the report leaves it.
TEST(TcpTcbDataPath, RFC3708_ADuplicateReportOfEveryRetransmissionUndoesTheReduction) {
  for (const bool reported : {true, false}) {
    HandDriven lim;
    const std::uint32_t una = four_segments_out(lim);
    first_deemed_lost(lim, una);
    lim.advance(10ms);
    Segment ack = lim.segment(kAck, kPeerIsn + 1, una + 4000, 65535);
    if (reported) {
      ack.options.sack_blocks = 1;
      ack.options.sack[0] = {una, una + 1000};
    }
    (void)lim.send(ack);
    EXPECT_EQ(lim.tcb().statistics().spurious_recoveries, reported ? 1u : 0u);
    if (reported)
      EXPECT_EQ(lim.tcb().congestion().ssthresh(), 0xFFFFFFFFu) << "the threshold before the reduction is back";
    else
      EXPECT_EQ(lim.tcb().congestion().ssthresh(), 2000u);
  }
}

// RFC 3522's Eifel detection with RFC 4015's response: the ACK that first
// covers the retransmission echoes the TSval of the original, so the
// original arrived and the reduction is undone; an echo of the
// retransmission itself leaves it.
TEST(TcpTcbDataPath, RFC3522_AnEchoOfTheOriginalUndoesTheReduction) {
  for (const bool original : {true, false}) {
    HandDriven lim;
    lim.stamp(5000);
    std::uint32_t original_tsval = 0;
    const std::uint32_t una = four_segments_out(lim, &original_tsval);
    ASSERT_TRUE(lim.tcb().timestamps());
    const std::uint32_t retransmission_tsval = first_deemed_lost(lim, una);
    ASSERT_EQ(retransmission_tsval, original_tsval + 10);
    lim.advance(10ms);
    lim.stamp(5001, original ? original_tsval : retransmission_tsval);
    (void)lim.ack(una + 4000, 65535);
    EXPECT_EQ(lim.tcb().statistics().spurious_recoveries, original ? 1u : 0u);
    EXPECT_EQ(lim.tcb().congestion().ssthresh(), original ? 0xFFFFFFFFu : 2000u);
  }
}

// ---- acknowledgements (RFC 9293 §3.8.6.3, §4.2 of RFC 5681) ---------------------------------

// The instant a test's `answer` saw each segment lim sent, with the segment.
struct Timed {
  TimePoint at;
  OutSegment segment;
};
std::vector<Timed> timed_run(HandDriven& lim, Clock::duration duration) {
  std::vector<Timed> seen;
  (void)lim.run_for(duration, [&](const OutSegment& s) { seen.push_back({lim.now(), s}); });
  return seen;
}

// SHLD-18, MUST-40, MUST-58: a lone short segment is not acknowledged at
// once but after the delayed-ACK timer, well under 0.5 s; three that came
// together are answered by that one ACK.
TEST(TcpTcbDataPath, MUST40_SHLD18_MUST58_ShortSegmentsAreAcknowledgedTogetherWithinHalfASecond) {
  HandDriven lim;
  lim.connect(65535, 1000);
  const TimePoint arrived = lim.now();
  (void)lim.data(kPeerIsn + 1, 100);
  (void)lim.data(kPeerIsn + 101, 100);
  (void)lim.data(kPeerIsn + 201, 100);
  EXPECT_TRUE(lim.run_for(0ms).empty()) << "acknowledged at once: no delayed ACK";
  const auto acks = timed_run(lim, 1000ms);
  ASSERT_EQ(acks.size(), 1u) << "the three were not acknowledged by one ACK";
  EXPECT_EQ(acks[0].segment.ack, kPeerIsn + 301);
  EXPECT_LT(acks[0].at - arrived, 500ms);
  EXPECT_GT(acks[0].at - arrived, 0ms);
}

// SHLD-19: the second full-sized segment is acknowledged at once, with the
// first, without waiting for the timer.
TEST(TcpTcbDataPath, SHLD19_EverySecondFullSizedSegmentIsAcknowledgedAtOnce) {
  HandDriven lim;
  lim.connect(65535, 1000);
  (void)lim.data(kPeerIsn + 1, 1000);
  EXPECT_TRUE(lim.run_for(0ms).empty()) << "one full segment owes no immediate ACK";
  (void)lim.data(kPeerIsn + 1001, 1000);
  const auto now = lim.run_for(0ms);
  ASSERT_EQ(now.size(), 1u) << "the second full segment was not acknowledged at once";
  EXPECT_EQ(now[0].ack, kPeerIsn + 2001);
  (void)lim.data(kPeerIsn + 2001, 1000);
  EXPECT_TRUE(lim.run_for(0ms).empty()) << "the count starts again after the ACK";
}

// ---- sending (RFC 9293 §3.7.4, §3.8.6.2, §3.9.1.2) ---------------------------------------

// SHLD-7: with a small segment unacknowledged, another small one waits for
// the ACK (Nagle); MUST-17: with Nagle off it goes at once.
TEST(TcpTcbDataPath, SHLD7_MUST17_NagleHoldsASmallSegmentUntilTheAckUnlessTurnedOff) {
  for (const bool nagle : {true, false}) {
    SCOPED_TRACE(nagle ? "Nagle on" : "Nagle off");
    HandDriven lim;
    lim.connect(65535, 1000);
    lim.tcb().set_nagle(nagle);
    lim.write(100);
    EXPECT_EQ(payload_of(lim.run_for(0ms)), 100u);
    lim.write(100);
    const auto second = lim.run_for(100ms);
    if (nagle) {
      EXPECT_EQ(payload_of(second), 0u) << "a second small segment with the first unacknowledged";
      (void)lim.ack(lim.iss() + 101, 65535);
      EXPECT_EQ(payload_of(lim.run_for(0ms)), 100u) << "the ACK did not release it";
    } else {
      EXPECT_EQ(payload_of(second), 100u) << "held back with Nagle off";
    }
  }
}

// SHLD-27, SHLD-28: small writes held back meanwhile leave as full-sized
// segments, cut by the MSS rather than by the writes.
TEST(TcpTcbDataPath, SHLD27_SHLD28_SmallWritesLeaveAsFullSizedSegments) {
  HandDriven lim;
  lim.connect(65535, 1000);
  lim.write(300);
  ASSERT_EQ(payload_of(lim.run_for(0ms)), 300u);
  const auto sizes = [](const std::vector<OutSegment>& sent) {
    std::vector<std::size_t> out;
    for (const auto& segment : sent)
      if (!segment.payload.empty()) out.push_back(segment.payload.size());
    return out;
  };
  // Five writes of 300 with the first unacknowledged: the first 1000 octets
  // of them are a full segment and go; the last 500 wait for the ACK (Nagle).
  std::vector<std::size_t> meanwhile;
  for (int i = 0; i < 5; ++i) {
    lim.write(300);
    for (const auto size : sizes(lim.run_for(0ms))) meanwhile.push_back(size);
  }
  EXPECT_EQ(meanwhile, (std::vector<std::size_t>{1000}));
  (void)lim.ack(lim.iss() + 301, 65535);
  EXPECT_TRUE(sizes(lim.run_for(0ms)).empty()) << "short, with the full segment still unacknowledged";
  (void)lim.ack(lim.iss() + 1301, 65535);
  EXPECT_EQ(sizes(lim.run_for(0ms)), (std::vector<std::size_t>{500}));
}

// MUST-61: the segment that empties the send buffer carries PSH, the ones
// before it do not; MUST-65: none of them carries an MSS option (only the
// SYN-ACK does).
TEST(TcpTcbDataPath, MUST61_MUST65_PshOnTheLastSegmentOfTheBufferAndMssOnlyOnTheSyn) {
  HandDriven lim;
  lim.connect(65535, 1000);
  EXPECT_TRUE(lim.syn_ack().options.maximum_segment_size.has_value());
  lim.tcb().set_nagle(false);  // the short last segment goes with the others
  lim.write(2500);
  const auto sent = lim.run_for(0ms);
  ASSERT_EQ(sent.size(), 3u);
  for (std::size_t i = 0; i < sent.size(); ++i) {
    EXPECT_EQ((sent[i].flags & wire::flag::kPsh) != 0, i + 1 == sent.size()) << "segment " << i;
    EXPECT_FALSE(sent[i].options.maximum_segment_size.has_value()) << "segment " << i;
  }
}

// ---- a window that shrinks (RFC 9293 §3.8.6.2.2) ----------------------------------------

// MUST-34, SHLD-15, SHLD-16: the peer takes back the right edge of its
// window: no new data goes past the new edge, and the retransmission timer
// resends the old data inside it, from SND.UNA; nothing breaks.
TEST(TcpTcbDataPath, MUST34_SHLD15_SHLD16_AShrunkWindowGetsNoNewDataAndOldDataInsideItIsResent) {
  HandDriven lim;
  lim.connect(4000, 1000);
  lim.write(8000);
  ASSERT_EQ(payload_of(lim.run_for(0ms)), 4000u);
  const std::uint32_t una = lim.iss() + 1 + 1000;
  // The first segment taken, the window 1000: the edge moves back from
  // ISS+4001 to ISS+2001 while SND.NXT is ISS+4001.
  EXPECT_EQ(payload_of(lim.ack(una, 1000)), 0u);
  std::vector<OutSegment> resent;
  (void)lim.run_for(3s, [&](const OutSegment& segment) {
    if (!segment.payload.empty()) resent.push_back(segment);
  });
  ASSERT_FALSE(resent.empty()) << "the old data inside the window was not resent";
  for (const auto& segment : resent) {
    EXPECT_EQ(segment.seq, una) << "new data, or data past the shrunk edge";
    EXPECT_LE(segment.payload.size(), 1000u);
  }
  EXPECT_NE(lim.tcb().state(), TcpState::Closed);
  // The peer takes it and opens the window: the rest follows.
  (void)lim.ack(una + 1000, 65535);
  EXPECT_GT(payload_of(lim.run_for(10s, [&](const OutSegment& segment) {
              if (!segment.payload.empty()) (void)lim.ack(segment.seq + static_cast<std::uint32_t>(segment.payload.size()), 65535);
            })),
            0u);
  EXPECT_EQ(lim.tcb().snd_una(), lim.iss() + 1 + 8000);
}

// MUST-35: a window that shrinks to zero with data outstanding is probed
// (the octet at SND.UNA, again and again), for as long as the peer answers.
TEST(TcpTcbDataPath, MUST35_AWindowShrunkToZeroIsProbed) {
  HandDriven lim;
  lim.connect(4000, 1000);
  lim.write(4000);
  ASSERT_EQ(payload_of(lim.run_for(0ms)), 4000u);
  const std::uint32_t una = lim.iss() + 1 + 1000;
  (void)lim.ack(una, 0);
  std::size_t probes = 0;
  const auto sent = lim.run_for(10min, [&](const OutSegment& segment) {
    if (segment.seq == una && !segment.payload.empty()) ++probes;
    (void)lim.ack(una, 0);
  });
  EXPECT_GE(probes, 5u);
  EXPECT_FALSE(any_reset(sent));
  EXPECT_EQ(lim.tcb().state(), TcpState::Established);
}

// SHLD-14: a receiver whose application does not read never moves its
// window's right edge back, whatever arrives.
TEST(TcpTcbDataPath, SHLD14_TheReceiverNeverMovesItsRightEdgeBack) {
  TcbConfig config;
  config.receive_buffer = 8000;
  HandDriven lim(config);
  lim.connect(65535, 1000);
  std::uint32_t edge = 0;
  bool first = true;
  const auto check = [&](const std::vector<OutSegment>& segments) {
    for (const auto& segment : segments) {
      const std::uint32_t right = segment.ack + segment.window;
      if (!first) {
        EXPECT_TRUE(seq_le(edge, right)) << "the right edge moved back from " << edge << " to " << right;
      }
      edge = right;
      first = false;
    }
  };
  for (std::uint32_t i = 0; i < 12; ++i) {
    check(lim.data(kPeerIsn + 1 + 700 * i, 700));
    check(lim.run_for(50ms));
  }
  EXPECT_FALSE(first) << "no ACK came at all";
  EXPECT_LT(lim.tcb().rcv_wnd(), 8000u) << "the window never filled";
}

// ---- excessive retransmission (RFC 9293 §3.8.3) -----------------------------------------

// SHLD-11: data nobody acknowledges is retransmitted for at least 100 s
// before the connection is given up (and then it is, with a RST).
TEST(TcpTcbDataPath, SHLD11_DataIsRetransmittedForAtLeast100SecondsBeforeR2) {
  HandDriven lim;
  lim.connect(65535, 1000);
  const TimePoint written = lim.now();
  lim.write(500);
  std::optional<TimePoint> reset_at;
  std::size_t retransmissions = 0;
  (void)lim.run_for(10min, [&](const OutSegment& segment) {
    if (segment.flags & kRst) {
      reset_at = lim.now();
    } else if (!segment.payload.empty()) {
      ++retransmissions;
    }
  });
  ASSERT_TRUE(reset_at) << "never given up";
  EXPECT_GE(*reset_at - written, 100s);
  EXPECT_LE(*reset_at - written, 100s + 2 * TcbConfig{}.max_rto);
  EXPECT_GE(retransmissions, 5u);
}

// MUST-23: a SYN-ACK nobody acknowledges is retransmitted for at least
// 3 minutes before SYN-RECEIVED gives up.
TEST(TcpTcbDataPath, MUST23_ASynAckIsRetransmittedForAtLeastThreeMinutes) {
  HandDriven lim;
  Segment syn = lim.segment(kSyn, kPeerIsn, 0, 65535);
  syn.options.maximum_segment_size = 1000;
  const TimePoint arrived = lim.now();
  ASSERT_EQ(lim.send(syn).size(), 1u);
  std::size_t again = 0;
  TimePoint last{};
  (void)lim.run_for(3min - 1s, [&](const OutSegment& segment) {
    if (segment.flags == (kSyn | kAck)) {
      ++again;
      last = lim.now();
    }
  });
  EXPECT_EQ(lim.tcb().state(), TcpState::SynReceived) << "given up before 3 minutes";
  EXPECT_GE(again, 4u);
  EXPECT_GT(last - arrived, 1min);
  (void)lim.run_for(10min);
  EXPECT_EQ(lim.tcb().state(), TcpState::Closed) << "never given up";
}

}  // namespace
}  // namespace lim::tcp::tcb
