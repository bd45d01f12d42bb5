#include "lim/tcp/tcb/rack.hpp"

#include <algorithm>

#include "lim/tcp/tcb/sequence.hpp"

namespace lim::tcp::tcb {

void Rack::sent(std::uint32_t seq, std::uint32_t end, TimePoint now) {
  if (!seq_lt(seq, end)) return;
  if (!segments_.empty() && seq_lt(seq, segments_.back().end)) {
    // A retransmission: every entry it overlaps went again now.
    auto it = std::partition_point(segments_.begin(), segments_.end(),
                                   [&](const Segment& s) { return seq_le(s.end, seq); });
    for (; it != segments_.end() && seq_lt(it->seq, end); ++it) {
      if (it->delivered) continue;
      if (!it->retransmitted) ++retransmitted_outstanding_;
      it->retransmitted = true;
      it->sent_at = now;
      if (it->lost) {
        it->lost = false;
        --lost_;
      }
    }
    seq = segments_.back().end;
    if (!seq_lt(seq, end)) return;
  }
  if (segments_.size() >= kMaxSegments) return;
  segments_.push_back({seq, end, now});
}

void Rack::deliver(Segment& segment, TimePoint now, Duration min_rtt) {
  if (segment.delivered) return;
  segment.delivered = true;
  if (segment.retransmitted) --retransmitted_outstanding_;
  if (segment.lost) {
    segment.lost = false;
    --lost_;
  }
  // RFC 8985 §6.2 step 2: an ACK sooner than a round trip after the
  // retransmission acknowledges the original, which says nothing of when.
  if (segment.retransmitted && now - segment.sent_at < min_rtt) return;
  if (!xmit_ts_ || segment.sent_at > *xmit_ts_ || (segment.sent_at == *xmit_ts_ && seq_gt(segment.end, end_seq_))) {
    xmit_ts_ = segment.sent_at;
    end_seq_ = segment.end;
    rtt_ = now - segment.sent_at;
  }
}

void Rack::delivered(std::uint32_t snd_una, const SackScoreboard& scoreboard, const wire::TcpOptions& options,
                     TimePoint now, Duration min_rtt) {
  while (!segments_.empty() && seq_le(segments_.front().end, snd_una)) {
    deliver(segments_.front(), now, min_rtt);
    segments_.pop_front();
  }
  if (!segments_.empty() && seq_lt(segments_.front().seq, snd_una)) segments_.front().seq = snd_una;
  if (options.sack_blocks == 0 || scoreboard.empty()) return;
  const auto sacked = [&](const Segment& s) { return scoreboard.holds(s.seq) && !seq_lt(scoreboard.skip(s.seq), s.end); };
  for (std::uint8_t i = 0; i < options.sack_blocks; ++i) {
    const auto [left, right] = options.sack[i];
    auto first = std::partition_point(segments_.begin(), segments_.end(),
                                      [&](const Segment& s) { return seq_lt(s.seq, left); });
    auto last = std::partition_point(first, segments_.end(), [&](const Segment& s) { return seq_le(s.end, right); });
    // A block grows at its edges: from each end inwards, up to what an
    // earlier ACK delivered already.
    for (auto it = first; it != last && !it->delivered; ++it)
      if (sacked(*it)) deliver(*it, now, min_rtt);
    for (auto it = last; it != first && !(it - 1)->delivered; --it)
      if (sacked(*(it - 1))) deliver(*(it - 1), now, min_rtt);
  }
  // A retransmission can fill a hole in the middle of a block: those are few.
  if (retransmitted_outstanding_ > 0)
    for (auto& segment : segments_)
      if (segment.retransmitted && !segment.delivered && sacked(segment)) deliver(segment, now, min_rtt);
}

std::optional<Rack::TimePoint> Rack::detect(TimePoint now, Duration reordering_window) {
  if (!xmit_ts_) return std::nullopt;
  std::optional<TimePoint> next;
  std::size_t retransmissions_seen = 0;
  for (auto& segment : segments_) {
    if (segment.retransmitted && !segment.delivered) ++retransmissions_seen;
    const bool sent_before = segment.sent_at < *xmit_ts_ || (segment.sent_at == *xmit_ts_ && seq_lt(segment.end, end_seq_));
    if (!sent_before) {
      // Originals go in sequence order: past the first sent after
      // RACK.xmit_ts only retransmissions can still qualify.
      if (!segment.retransmitted && retransmissions_seen == retransmitted_outstanding_) break;
      continue;
    }
    if (segment.delivered || segment.lost) continue;
    const TimePoint due = segment.sent_at + rtt_ + reordering_window;
    if (now >= due) {
      segment.lost = true;
      ++lost_;
    } else if (!next || due < *next) {
      next = due;
    }
  }
  return next;
}

std::optional<std::pair<std::uint32_t, std::uint32_t>> Rack::first_lost() const {
  if (lost_ == 0) return std::nullopt;
  for (const auto& segment : segments_)
    if (segment.lost) return std::pair{segment.seq, segment.end};
  return std::nullopt;
}

void Rack::unmark(std::uint32_t seq) {
  for (auto& segment : segments_)
    if (segment.seq == seq && segment.lost) {
      segment.lost = false;
      --lost_;
    }
}

void Rack::unmark_from(std::uint32_t seq) {
  if (lost_ == 0) return;
  for (auto& segment : segments_)
    if (segment.lost && !seq_lt(segment.seq, seq)) {
      segment.lost = false;
      --lost_;
    }
}

void Rack::unmark_all() {
  for (auto& segment : segments_) segment.lost = false;
  lost_ = 0;
}

void Rack::forget_sacks() {
  for (auto& segment : segments_)
    if (segment.delivered) {
      segment.delivered = false;
      if (segment.retransmitted) ++retransmitted_outstanding_;
    }
}

void Rack::truncate(std::uint32_t snd_nxt) {
  while (!segments_.empty() && !seq_lt(segments_.back().seq, snd_nxt)) {
    const Segment& last = segments_.back();
    if (last.lost) --lost_;
    if (last.retransmitted && !last.delivered) --retransmitted_outstanding_;
    segments_.pop_back();
  }
  if (!segments_.empty() && seq_gt(segments_.back().end, snd_nxt)) segments_.back().end = snd_nxt;
}

void Rack::clear() {
  segments_.clear();
  lost_ = 0;
  retransmitted_outstanding_ = 0;
  xmit_ts_.reset();
}

}  // namespace lim::tcp::tcb
