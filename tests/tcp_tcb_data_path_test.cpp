// The TCB's data path driven by hand, on a clock that moves only when the
// test says so: what RFC 9293 asks of a sender facing a small or closed
// window, and of a receiver whose application reads slowly, over minutes of
// simulated time that a test against the kernel could not wait for.
#include <functional>
#include <optional>
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

  // SYN (with `mss`, no window scaling), SYN-ACK, ACK: ESTABLISHED.
  void connect(std::uint16_t window, std::uint16_t mss) {
    Segment syn = segment(kSyn, kPeerIsn, 0, window);
    syn.options.maximum_segment_size = mss;
    const auto synack = net(tcb_.on_segment(syn, now_));
    ASSERT_EQ(synack.size(), 1u);
    ASSERT_EQ(synack[0].flags, kSyn | kAck);
    iss_ = synack[0].seq;
    (void)net(tcb_.on_segment(segment(kAck, kPeerIsn + 1, iss_ + 1, window), now_));
    ASSERT_EQ(tcb_.state(), TcpState::Established);
  }

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
    return net(tcb_.on_segment(segment(kAck, peer_nxt_, acknowledged, window), now_));
  }
  // Data from the peer (it has taken nothing from lim).
  std::vector<OutSegment> data(std::uint32_t seq, std::size_t bytes, std::uint16_t window = 65535) {
    Segment s = segment(kAck, seq, iss_ + 1, window);
    s.payload.assign(bytes, 0x5A);
    auto out = net(tcb_.on_segment(s, now_));
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
  Segment segment(std::uint8_t flags, std::uint32_t seq, std::uint32_t ack, std::uint16_t window) const {
    Segment s;
    s.tuple = {wire::IpAddress::v4(0xC6120002), 7, wire::IpAddress::v4(0xC6120001), 40000};
    s.seq = seq;
    s.ack = ack;
    s.flags = flags;
    s.window = window;
    return s;
  }
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

}  // namespace
}  // namespace lim::tcp::tcb
