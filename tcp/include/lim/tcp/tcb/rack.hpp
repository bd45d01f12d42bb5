#pragma once
// RFC 8985's RACK, by time: when each outstanding data segment was last sent,
// so that one sent before a segment the receiver has since delivered, and
// not itself delivered a reordering window after that, is lost — new data or
// a retransmission alike. Duplicate-ACK counting cannot see a retransmission
// lost again, and under heavy loss the flight is too small for it to see much
// else: without this, each such loss waits for the retransmission timer.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <utility>

#include "lim/tcp/tcb/sack_scoreboard.hpp"
#include "lim/tcp/wire/tcp_options.hpp"

namespace lim::tcp::tcb {

class Rack {
 public:
  using Clock = std::chrono::steady_clock;
  using TimePoint = Clock::time_point;
  using Duration = Clock::duration;

  // Data [seq, end) went out at `now`; what overlaps data sent before is a
  // retransmission of it.
  void sent(std::uint32_t seq, std::uint32_t end, TimePoint now);
  // An ACK's news (RFC 8985 §6.2 steps 1–2): everything below SND.UNA, and
  // what its SACK blocks add to the scoreboard, is delivered; the most
  // recently sent of those is RACK.xmit_ts. A retransmission delivered
  // sooner than `min_rtt` after it went is taken for its original's arrival
  // and ignored.
  void delivered(std::uint32_t snd_una, const SackScoreboard& scoreboard, const wire::TcpOptions& options,
                 TimePoint now, Duration min_rtt);
  // RFC 8985 §6.2 step 5: marks lost every segment sent before RACK.xmit_ts
  // that a round trip plus `reordering_window` has not brought back; when
  // the next one would be, if any (the reordering timer).
  std::optional<TimePoint> detect(TimePoint now, Duration reordering_window);
  // The first segment marked lost and not resent since.
  std::optional<std::pair<std::uint32_t, std::uint32_t>> first_lost() const;
  bool has_lost() const { return lost_ > 0; }
  // The segment at `seq` is dealt with (resent, or nothing left of it to send).
  void unmark(std::uint32_t seq);
  // ... every one from `seq` on.
  void unmark_from(std::uint32_t seq);
  // A timeout resends everything not SACKed anyway: nothing stays marked.
  void unmark_all();
  // The receiver reneged: what it SACKed may be gone.
  void forget_sacks();
  // SND.NXT went back to `snd_nxt` (an untaken window probe).
  void truncate(std::uint32_t snd_nxt);
  void clear();
  std::size_t size() const { return segments_.size(); }

 private:
  struct Segment {
    std::uint32_t seq, end;
    TimePoint sent_at;
    bool retransmitted = false, delivered = false, lost = false;
  };
  void deliver(Segment& segment, TimePoint now, Duration min_rtt);
  // Every segment of a window is one entry at most; a peer's huge window
  // cannot make the log grow past this (beyond it RACK sees less, and the
  // other loss detection still works).
  static constexpr std::size_t kMaxSegments = 1 << 16;
  std::deque<Segment> segments_;  // by sequence number
  std::size_t lost_ = 0;                    // entries marked lost
  std::size_t retransmitted_outstanding_ = 0;  // retransmitted, not delivered
  std::optional<TimePoint> xmit_ts_;         // RACK.xmit_ts
  std::uint32_t end_seq_ = 0;                // RACK.end_seq
  Duration rtt_{};                           // RACK.rtt
};

}  // namespace lim::tcp::tcb
