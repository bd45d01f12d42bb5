#include "lim/tcp/tcb/tcb.hpp"

#include <algorithm>
#include <limits>

#include "lim/tcp/tcb/acceptability.hpp"
#include "lim/tcp/tcb/sequence.hpp"

namespace lim::tcp::tcb {

using wire::flag::kAck;
using wire::flag::kFin;
using wire::flag::kPsh;
using wire::flag::kRst;
using wire::flag::kSyn;

namespace {

// RFC 7323 §5.5: a TS.Recent this old may be from before the peer's clock
// wrapped its sign bit (24.8 days at 1 ms a tick), so PAWS no longer trusts it.
constexpr auto kPawsIdle = std::chrono::hours(24 * 24);
// NOP, NOP, kind, length, TSval, TSecr: what the option takes of every
// segment once negotiated.
constexpr std::uint32_t kTimestampsSpace = 12;

}  // namespace

std::string_view name(TcpState state) {
  switch (state) {
    case TcpState::Closed: return "CLOSED";
    case TcpState::Listen: return "LISTEN";
    case TcpState::SynReceived: return "SYN-RECEIVED";
    case TcpState::Established: return "ESTABLISHED";
    case TcpState::FinWait1: return "FIN-WAIT-1";
    case TcpState::FinWait2: return "FIN-WAIT-2";
    case TcpState::CloseWait: return "CLOSE-WAIT";
    case TcpState::Closing: return "CLOSING";
    case TcpState::LastAck: return "LAST-ACK";
    case TcpState::TimeWait: return "TIME-WAIT";
  }
  return "?";
}

std::string_view segment_label(std::uint8_t flags) {
  if (flags & kRst) return "rst";
  if (flags & kSyn) {
    if (flags & kFin) return {};
    return (flags & kAck) ? "syn_ack" : "syn";
  }
  if (!(flags & kAck)) return {};
  return (flags & kFin) ? "fin_ack" : "ack";
}

Tcb::Tcb(const TcbConfig& config, const IsnGenerator& isn, std::shared_ptr<Streams> streams)
    : config_(config),
      isn_(isn),
      streams_(std::move(streams)),
      rto_(config.initial_rto, config.min_rto, config.max_rto),
      nagle_(config.nagle),
      data_give_up_ms_(config.data_give_up.count()) {}

void Tcb::set_data_give_up(std::optional<Milliseconds> r2) {
  data_give_up_ms_ = r2 ? r2->count() : std::numeric_limits<std::int64_t>::max();
}

void Tcb::stall_ended() {
  stalled_since_.reset();
  stalled_timeouts_ = 0;
  error_reported_ = false;
  error_report_due_ = false;
}

// ---- the spec's predicates ------------------------------------------------------------

GuardVariables Tcb::variables() const {
  return {rcv_nxt_,   rcv_wnd_, snd_una_, snd_nxt_, max_snd_wnd_, fin_sent_, challenges_ >= config_.challenge_ack_limit,
          ts_recent_, ts_recent_valid_};
}

std::optional<TimePoint> Tcb::variables_change_at() const {
  std::optional<TimePoint> at;
  if (variables().throttled) at = challenge_interval_start_ + config_.challenge_ack_interval;
  if (ts_recent_valid_ && (!at || ts_recent_at_ + kPawsIdle < *at)) at = ts_recent_at_ + kPawsIdle;
  return at;
}

GuardVariables Tcb::variables_at(TimePoint now) {
  if (now - challenge_interval_start_ >= config_.challenge_ack_interval) {
    challenge_interval_start_ = now;
    challenges_ = 0;
  }
  ts_recent_valid_ = ts_ok_ && now - ts_recent_at_ < kPawsIdle;
  return variables();
}
bool Tcb::in_window(std::uint32_t x) const { return tcb::in_window(variables(), x); }
bool Tcb::acceptable(const Segment& s) const { return tcb::acceptable(variables(), s); }
bool Tcb::valid(const Segment& s) const { return tcb::valid(variables(), s); }
bool Tcb::acks_syn(const Segment& s) const { return tcb::acks_syn(variables(), s); }
bool Tcb::acks_fin(const Segment& s) const { return tcb::acks_fin(variables(), s); }
bool Tcb::in_order(const Segment& s) const { return tcb::in_order(variables(), s); }

bool Tcb::seq_lt_iss() const { return seq_lt(iss_, snd_una_); }

bool Tcb::reader_open() const {
  // The reader role ends when it is told of the end of the stream or a reset.
  return !fin_received_ && (state_ == TcpState::Established || state_ == TcpState::FinWait1 ||
                            state_ == TcpState::FinWait2);
}

// ---- outputs ------------------------------------------------------------------------------

OutSegment Tcb::make(std::uint8_t flags, std::uint32_t seq, std::vector<std::uint8_t> payload) {
  OutSegment out;
  out.tuple = tuple_;
  out.seq = seq;
  out.flags = flags;
  out.payload = std::move(payload);
  out.ttl = config_.ttl;
  out.diffserv = diffserv_.load(std::memory_order_relaxed);
  if (flags & kAck) {
    out.ack = rcv_nxt_;
    advertise();
    out.window = static_cast<std::uint16_t>(std::min<std::uint32_t>(rcv_wnd_ >> rcv_scale_, 0xFFFF));
    if (sack_permitted_ && !(flags & (kSyn | kRst))) add_sack_blocks(out);
  }
  return out;
}

// RFC 2018 §4: up to four blocks (three fit beside timestamps, and
// write_tcp_options leaves the last out), the first the
// one holding the segment that arrived last, then the other recent ones,
// then the rest from the highest down.
void Tcb::add_sack_blocks(OutSegment& out) {
  std::vector<std::pair<std::uint64_t, std::uint64_t>> ranges;
  std::uint64_t next = 0;
  {
    const std::lock_guard lock(streams_->mutex);
    if (!streams_->receive.has_holes()) {
      sack_recent_.clear();
      return;
    }
    ranges = streams_->receive.held_ranges();
    next = streams_->receive.next();
  }
  std::vector<bool> taken(ranges.size(), false);
  const auto add = [&](std::size_t i) {
    if (taken[i] || out.options.sack_blocks == out.options.sack.size()) return;
    taken[i] = true;
    out.options.sack[out.options.sack_blocks++] = {rcv_nxt_ + static_cast<std::uint32_t>(ranges[i].first - next),
                                                   rcv_nxt_ + static_cast<std::uint32_t>(ranges[i].second - next)};
  };
  for (const auto offset : sack_recent_)
    for (std::size_t i = 0; i < ranges.size(); ++i)
      if (ranges[i].first <= offset && offset < ranges[i].second) add(i);
  for (std::size_t i = ranges.size(); i-- > 0;) add(i);
}

OutSegment Tcb::reset_segment() {
  // ABORT and giving up: <SEQ=SND.NXT><CTL=RST> (with the ACK Linux sends too).
  return make(kRst | kAck, snd_nxt_);
}

std::optional<OutSegment> reset_for(const Segment& segment) {
  if (segment.has(kRst)) return std::nullopt;
  OutSegment out;
  out.tuple = segment.tuple;
  if (segment.has(kAck)) {
    out.seq = segment.ack;  // <SEQ=SEG.ACK><CTL=RST>
    out.flags = kRst;
  } else {
    out.seq = 0;  // <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>
    out.ack = segment.seq + segment.length();
    out.flags = kRst | kAck;
  }
  return out;
}

// The receive window to offer: the free buffer space, grown only in steps
// of min(buffer/2, MSS) (receiver SWS avoidance, RFC 9293 §3.8.6.2.2), never
// moving the right edge back (SHLD-14).
// The most a window field can say of `free` octets: no more than 16 bits
// at our shift, in whole units of it.
std::uint32_t Tcb::offerable(std::size_t free) const {
  const std::uint32_t limit = std::uint32_t{0xFFFF} << rcv_scale_;
  const auto offer = static_cast<std::uint32_t>(std::min<std::size_t>(free, limit));
  return offer & ~((std::uint32_t{1} << rcv_scale_) - 1);
}

void Tcb::advertise() {
  std::size_t free = 0;
  {
    const std::lock_guard lock(streams_->mutex);
    free = streams_->receive.free();
  }
  std::uint32_t offer = offerable(free);
  const std::uint32_t threshold =
      std::min<std::uint32_t>(static_cast<std::uint32_t>(streams_->receive.capacity() / 2), send_mss_);
  // Receiver SWS avoidance (MUST-39): the right edge moves by at least
  // min(RCV.BUFF / 2, MSS) — from a closed window too, or the reply to a
  // probe would offer the few octets just read.
  if (offer > rcv_wnd_ && offer - rcv_wnd_ < threshold) offer = rcv_wnd_;
  if (offer < rcv_wnd_) offer = std::min(rcv_wnd_, static_cast<std::uint32_t>(free));  // keep the edge
  rcv_wnd_ = offer;
  window_update_ = false;
  const std::lock_guard lock(streams_->mutex);
  streams_->advertised = rcv_wnd_;
  streams_->update_threshold = std::max<std::uint32_t>(threshold, 1);
}

Output Tcb::to_net(OutSegment segment, TimePoint now) {
  // RFC 7323 §3.2: once negotiated, on every segment (a RST too: a SHOULD);
  // TSecr is TS.Recent (§4.3 rule 3), zero without ACK.
  if (ts_ok_) segment.options.timestamps = wire::Timestamps{ts_clock(now), (segment.flags & kAck) ? ts_recent_ : 0};
  if (segment.flags & kAck) last_ack_sent_ = segment.ack;
  ++statistics_.segments_out;
  statistics_.bytes_out += segment.payload.size();
  if (segment.flags & kAck) {
    // Any ACK we send carries everything owed.
    ack_now_ = false;
    ack_deadline_.reset();
    full_segments_unacked_ = 0;
  }
  if (segment.length() > 0 && !(segment.flags & kRst)) {
    arm_retransmission(now);
    arm_tail_loss_probe(now);
  }
  const auto label = segment_label(segment.flags);
  return {Output::To::Net, label, std::move(segment)};
}

std::uint32_t Tcb::ts_clock(TimePoint now) const {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  return ts_offset_ + static_cast<std::uint32_t>(ms);
}

void Tcb::take_timestamp(const Segment& s, TimePoint now) {
  if (!ts_ok_ || !s.options.timestamps) return;
  const std::uint32_t tsval = s.options.timestamps->value;
  // Only a segment at or before Last.ACK.sent: then the ACK that answers a
  // run of segments echoes the earliest, and the peer's RTT includes our
  // delay in acknowledging (§4.3). A TS.Recent gone invalid (§5.5) is
  // replaced whatever it was (§5.5, R3).
  if ((!ts_recent_valid_ || seq_le(ts_recent_, tsval)) && seq_le(s.seq, last_ack_sent_)) {
    ts_recent_ = tsval;
    ts_recent_at_ = now;
  }
}

std::optional<Clock::duration> Tcb::timestamp_rtt(const Segment& s, TimePoint now) const {
  if (!ts_ok_ || !s.options.timestamps) return std::nullopt;
  const std::uint32_t echo = s.options.timestamps->echo_reply;
  const std::uint32_t clock = ts_clock(now);
  // An echo of what this connection never sent (before its first TSval, or
  // ahead of the clock) measures nothing.
  if (seq_lt(echo, ts_first_) || seq_lt(clock, echo)) return std::nullopt;
  // An echo of what went before the last timeout: the peer's TS.Recent is
  // that old when what it got since was a duplicate (its ACK of the
  // original was lost), so the span includes the timeout and the losses —
  // Karn's ambiguity again, which timestamps do not resolve here.
  if (ts_timeout_ && seq_lt(echo, *ts_timeout_)) return std::nullopt;
  return std::chrono::milliseconds(clock - echo);
}

void Tcb::arm_retransmission(TimePoint now) {
  if (!rto_deadline_) rto_deadline_ = now + rto_.current();
}

// RFC 8985 §7.2: PTO = 2·SRTT, plus the peer's worst delayed ACK when one
// segment is in flight, and never after the retransmission timer. Not in
// loss recovery, and not while a probe is unanswered.
void Tcb::arm_tail_loss_probe(TimePoint now) {
  tlp_deadline_.reset();
  if (tlp_end_ || !rto_.measured() || snd_una_ == snd_nxt_ || congestion_->in_recovery() || rtx_active_ ||
      !syn_acked())
    return;
  auto pto = 2 * rto_.smoothed();
  if (snd_nxt_ - snd_una_ <= send_mss_) pto += config_.peer_delayed_ack;
  pto = std::max<std::chrono::steady_clock::duration>(pto, std::chrono::milliseconds(10));
  TimePoint at = now + pto;
  if (rto_deadline_ && *rto_deadline_ <= at) return;
  tlp_deadline_ = at;
}

std::size_t Tcb::unsent(std::size_t buffered) const {
  const std::uint32_t end = data_start() + static_cast<std::uint32_t>(buffered);
  const std::uint32_t sent_to = fin_sent_ ? fin_seq_ : snd_nxt_;
  return seq_lt(sent_to, end) ? end - sent_to : 0;
}

// Sender SWS avoidance (MUST-38) with Nagle's algorithm (SHLD-7) as the
// bracketed conditions: a full segment goes; a short one only when it is all
// there is, or at least half the largest window the peer offered, and then
// only when nothing is in flight (unless Nagle is off). Every write is
// pushed, so rule 2's PUSH always holds.
bool Tcb::sws_allows(std::size_t pending, std::uint32_t usable) const {
  const std::size_t size = std::min<std::size_t>({pending, usable, send_mss_});
  if (size >= send_mss_) return true;  // rule 1
  const bool nagle_lets = !nagle_.load(std::memory_order_relaxed) || snd_una_ == snd_nxt_;
  if (pending <= usable) return nagle_lets || fin_queued_;  // rule 2
  return nagle_lets && size >= max_snd_wnd_ / 2;            // rule 3
}

void Tcb::update_sws_override(TimePoint now) {
  bool held = false;
  if (state_ == TcpState::Established || state_ == TcpState::CloseWait || state_ == TcpState::FinWait1 ||
      state_ == TcpState::LastAck) {
    std::size_t buffered = 0;
    {
      const std::lock_guard lock(streams_->mutex);
      buffered = streams_->send.size();
    }
    const std::size_t pending = fin_sent_ ? 0 : unsent(buffered);
    const std::uint32_t edge = snd_una_ + send_window();
    const std::uint32_t usable = seq_lt(snd_nxt_, edge) ? edge - snd_nxt_ : 0;
    // Only the window holds it back (a closed one is the persist timer's).
    held = pending > usable && usable > 0 && !sws_allows(pending, usable);
  }
  if (!held) sws_override_deadline_.reset();
  else if (!sws_override_deadline_) sws_override_deadline_ = now + config_.sws_override;
}

// Whether new data (or the FIN) may go out now: the send window allows it,
// and SWS avoidance lets a segment of that size go (or its override is due).
bool Tcb::sendable(TimePoint now) const {
  if (state_ == TcpState::SynReceived || state_ == TcpState::Listen || state_ == TcpState::Closed) return false;
  if (fin_sent_) return false;
  std::size_t buffered = 0;
  {
    const std::lock_guard lock(streams_->mutex);
    buffered = streams_->send.size();
  }
  const std::size_t pending = unsent(buffered);
  if (pending == 0) return fin_queued_;
  const std::uint32_t edge = snd_una_ + send_window();
  const std::uint32_t usable = seq_lt(snd_nxt_, edge) ? edge - snd_nxt_ : 0;
  if (usable == 0) return false;
  return sws_allows(pending, usable) || (sws_override_deadline_ && now >= *sws_override_deadline_);
}

// The next data segment: a retransmission from the go-back point, or new
// data, at most one MSS, within the window; the FIN rides on the last one.
std::optional<OutSegment> Tcb::next_data_segment(TimePoint now, bool retransmission, bool hole) {
  // A retransmission skips what the peer SACKed (RFC 6675 §5: only holes).
  const std::uint32_t from = retransmission ? scoreboard_.skip(rtx_next_) : snd_nxt_;
  if (retransmission) {
    // What was skipped is done with: a go-back that reached SND.NXT ends.
    rtx_next_ = from;
    if (!seq_lt(rtx_next_, snd_nxt_)) rtx_active_ = false;
  }
  std::size_t buffered = 0;
  std::vector<std::uint8_t> payload;
  const std::uint32_t edge = snd_una_ + (hole ? snd_wnd_ : send_window());
  std::uint32_t usable = seq_lt(from, edge) ? edge - from : 0;
  // A retransmission of the first octet goes out even into a closed window:
  // it is the probe, and the window may have opened meanwhile.
  if (retransmission && from == snd_una_) usable = std::max<std::uint32_t>(usable, 1);
  {
    const std::lock_guard lock(streams_->mutex);
    buffered = streams_->send.size();
    const std::uint32_t end = data_start() + static_cast<std::uint32_t>(buffered);
    const std::uint32_t limit =
        retransmission ? scoreboard_.hole_end(from, fin_sent_ ? fin_seq_ : snd_nxt_) : end;
    const std::uint32_t available = seq_lt(from, limit) ? limit - from : 0;
    // The SACK blocks this segment will carry come out of its MSS too
    // (RFC 9293 §3.7.1: the MSS bounds data and options together).
    std::uint32_t room = send_mss_;
    if (sack_permitted_ && streams_->receive.has_holes()) {
      const std::size_t blocks = std::min<std::size_t>(streams_->receive.held_ranges().size(), ts_ok_ ? 3 : 4);
      room -= std::min<std::uint32_t>(room - 1, static_cast<std::uint32_t>(4 + 8 * blocks));
    }
    const std::uint32_t size = std::min<std::uint32_t>({available, usable, room});
    payload.resize(size);
    if (size > 0) streams_->send.copy(from - data_start(), payload);
  }
  const std::uint32_t after = from + static_cast<std::uint32_t>(payload.size());
  bool fin = false;
  if (retransmission) {
    fin = fin_sent_ && after == fin_seq_;
  } else {
    fin = fin_queued_ && !fin_sent_ && unsent(buffered) == payload.size();
  }
  if (payload.empty() && !fin) return std::nullopt;
  std::uint8_t flags = kAck;
  if (!payload.empty() && (fin || after == data_start() + buffered)) flags |= kPsh;
  if (fin) flags |= kFin;
  OutSegment out = make(flags, from, std::move(payload));
  if (sack_permitted_ && !out.payload.empty()) rack_.sent(out.seq, out.seq + static_cast<std::uint32_t>(out.payload.size()), now);
  if (retransmission) {
    if (episode_open_ && !out.payload.empty()) {
      if (episode_retransmissions_.size() < kEpisodeRetransmissionsWatched)
        episode_retransmissions_.push_back({out.seq, out.seq + static_cast<std::uint32_t>(out.payload.size())});
      else
        episode_open_ = false;  // too many to account for: no undo
    }
    rtx_next_ = out.seq + out.length();
    ++statistics_.retransmissions;
    remember_retransmission(out.seq);
    // Whichever path resent SND.UNA — fast retransmit, a timeout's go-back,
    // a probe — its loss is seen the same way (process_ack).
    if (out.seq == snd_una_) una_retransmitted_below_ = snd_nxt_;
    if (rtx_next_ == snd_nxt_ || !seq_lt(rtx_next_, snd_nxt_)) rtx_active_ = false;
  } else {
    if (fin) {
      fin_sent_ = true;
      fin_seq_ = out.seq + static_cast<std::uint32_t>(out.payload.size());
    }
    snd_nxt_ = out.seq + out.length();
    sws_override_deadline_.reset();
    if (!timing_) {
      timing_ = true;
      timed_ack_ = snd_nxt_;
      timed_at_ = now;
    }
  }
  return out;
}

void Tcb::enter(TcpState state, TimePoint now) {
  state_ = state;
  if (state == TcpState::TimeWait || state == TcpState::Closed) {
    tlp_deadline_.reset();
    rack_deadline_.reset();
    rack_timer_.reset();
    rack_.clear();
  }
  if (state == TcpState::TimeWait) {
    rto_deadline_.reset();
    persist_deadline_.reset();
    sws_override_deadline_.reset();
    fin_wait_2_deadline_.reset();
    ack_deadline_.reset();
    ack_now_ = false;
    deliver_pending_ = false;
    time_wait_deadline_ = now + 2 * config_.msl;
  } else if (state == TcpState::FinWait2) {
    fin_wait_2_deadline_ = now + config_.fin_wait_2_timeout;
  } else if (state == TcpState::Closed) {
    rto_deadline_.reset();
    persist_deadline_.reset();
    fin_wait_2_deadline_.reset();
    time_wait_deadline_.reset();
    ack_deadline_.reset();
    ack_now_ = false;
    deliver_pending_ = false;
    streams_->changed.notify_all();
  }
}

// ---- timers -----------------------------------------------------------------------------

std::optional<TimePoint> Tcb::next_timer(TimePoint now) const {
  switch (state_) {
    case TcpState::Closed:
    case TcpState::Listen: return std::nullopt;
    case TcpState::TimeWait: return time_wait_deadline_;
    default: break;
  }
  std::optional<TimePoint> earliest;
  const auto consider = [&](const std::optional<TimePoint>& at) {
    if (at && (!earliest || *at < *earliest)) earliest = at;
  };
  if ((deliver_pending_ && reader_open()) || (error_report_due_ && reader_open()) || ack_now_ || window_update_ || (rtx_active_ && !rto_deadline_) ||
      fast_retransmit_due_ || sack_hole_due_ || rack_.has_lost() || sendable(now))
    return now;
  if (rtx_active_) {
    // Go-back retransmission continues as the window allows.
    const std::uint32_t edge = snd_una_ + send_window();
    if (seq_lt(rtx_next_, edge)) return now;
  }
  consider(rto_deadline_);
  consider(tlp_deadline_);
  consider(rack_deadline_);
  consider(rack_timer_);
  consider(ack_deadline_);
  consider(persist_deadline_);
  consider(sws_override_deadline_);
  consider(fin_wait_2_deadline_);
  return earliest;
}

Reaction Tcb::on_timer(TimePoint now) {
  auto reaction = timer_reaction(now);
  update_sws_override(now);
  return reaction;
}

Reaction Tcb::timer_reaction(TimePoint now) {
  Reaction reaction;
  ++statistics_.timeouts;
  if (state_ == TcpState::TimeWait) {  // 2 MSL have passed
    enter(TcpState::Closed, now);
    return reaction;
  }
  const bool rto_due = rto_deadline_ && now >= *rto_deadline_;
  if (error_report_due_ && !rto_due && reader_open()) {
    error_report_due_ = false;
    reaction.push_back(to_reader("error_report"));
    return reaction;
  }
  if (rto_due) {
    // A timeout ends the probe's episode (RFC 8985 §7.4).
    tlp_deadline_.reset();
    rack_deadline_.reset();
    tlp_end_.reset();
    // The go-back resends what is not SACKed, marked lost or not.
    rack_.unmark_all();
    rack_timer_.reset();
  }
  if (rto_due) {
    // The scoreboard outlives the timeout: RFC 6675 §5.1 allows it where
    // reneging is detected robustly (Errata 1610), as process_ack does, and
    // under heavy loss a second timeout is common — dropping what the
    // receiver holds would resend all of it.
    sack_hole_due_ = false;
    sack_rtx_next_ = snd_una_;
    if (!stalled_since_) stalled_since_ = now;
    const std::int64_t limit = state_ == TcpState::SynReceived ? config_.syn_give_up.count()
                                                               : data_give_up_ms_.load(std::memory_order_relaxed);
    // (As milliseconds: "infinity" would overflow the clock's nanoseconds.)
    if (limit != std::numeric_limits<std::int64_t>::max() &&
        std::chrono::duration_cast<Milliseconds>(now - *stalled_since_).count() >= limit) {
      // R2: the connection is given up (MUST-20, RFC 9293 §3.8.3).
      give_up_ = true;
      reaction.push_back(to_net(rst_segment(), now));
      if (reader_open() || state_ == TcpState::SynReceived) reaction.push_back(to_reader("reset"));
      enter(TcpState::Closed, now);
      return reaction;
    }
    ++stalled_timeouts_;
    if (stalled_timeouts_ >= config_.r1_retransmissions && !error_reported_ && reader_open() &&
        error_reports_.load(std::memory_order_relaxed)) {
      // R1 (RFC 9293 §3.8.3 (e)): told after this retransmission, by the
      // timer's next turn, so that the segment goes first.
      error_reported_ = true;
      error_report_due_ = true;
      error_report_ = {stalled_timeouts_, now - *stalled_since_};
    }
    rto_.back_off();
    rto_deadline_.reset();
    ts_timeout_ = ts_clock(now);
    episode_open_ = false;  // a timeout's collapse is not undone
    eifel_.reset();
    timing_ = false;  // Karn: no sample from what is retransmitted
    if (state_ == TcpState::SynReceived) {
      ++statistics_.retransmissions;
      reaction.push_back(to_net(syn_ack_segment(), now));
      return reaction;
    }
    // RFC 5681 §3.1: after a timeout, one segment at a time again.
    congestion_->on_timeout(flight());
    fast_retransmit_due_ = false;
    rtx_next_ = snd_una_;
    rtx_active_ = seq_lt(snd_una_, snd_nxt_);
    if (auto segment = next_data_segment(now, true)) {
      reaction.push_back(to_net(std::move(*segment), now));
      return reaction;
    }
  }
  if (rack_deadline_ && now >= *rack_deadline_) {
    // RFC 8985 §6.2 (with sequence order for transmission order): data sent
    // after the segment at SND.UNA arrived, and a reordering window later
    // that segment still has not — it is lost, whatever the duplicate count.
    rack_deadline_.reset();
    if (seq_lt(snd_una_, snd_nxt_) && scoreboard_.lost(snd_una_, send_mss_) && congestion_->on_loss(flight())) {
      loss_recovery_started(now, snd_una_);
      fast_retransmit_due_ = true;  // sent below, as a fast retransmission is
      tlp_deadline_.reset();
    }
  }
  if (rack_timer_ && now >= *rack_timer_) detect_rack_losses(now);
  if (tlp_deadline_ && now >= *tlp_deadline_) {
    // The probe: the last segment sent, again (RFC 8985 §7.3; lim sends
    // no new data beyond the congestion window).
    tlp_deadline_.reset();
    const std::uint32_t end = fin_sent_ ? fin_seq_ : snd_nxt_;
    if (seq_lt(snd_una_, end) && !congestion_->in_recovery()) {
      const std::uint32_t size = std::min<std::uint32_t>(end - snd_una_, send_mss_);
      const std::uint32_t resume = rtx_next_;
      const bool going_back = rtx_active_;
      rtx_next_ = end - size;
      auto segment = next_data_segment(now, true, true);
      rtx_next_ = resume;
      rtx_active_ = going_back && seq_lt(rtx_next_, snd_nxt_);
      if (segment) {
        tlp_end_ = snd_nxt_;
        tlp_tsval_ = ts_clock(now);
        timing_ = false;  // Karn: no sample from what is retransmitted
        rto_deadline_ = now + rto_.current();
        reaction.push_back(to_net(std::move(*segment), now));
        return reaction;
      }
    }
  }
  if (state_ == TcpState::FinWait2 && fin_wait_2_deadline_ && now >= *fin_wait_2_deadline_) {
    reaction.push_back(to_net(rst_segment(), now));
    if (reader_open()) reaction.push_back(to_reader("reset"));
    enter(TcpState::Closed, now);
    return reaction;
  }
  if (deliver_pending_ && reader_open()) {
    deliver_pending_ = false;
    reaction.push_back(to_reader("data"));
    return reaction;
  }
  if (state_ == TcpState::SynReceived) {  // nothing else is due there: the SYN-ACK again
    reaction.push_back(to_net(syn_ack_segment(), now));
    return reaction;
  }
  if (fast_retransmit_due_) {
    // Fast retransmit, or NewReno's next hole: the segment at SND.UNA, once,
    // whatever the window; a go-back retransmission in progress resumes
    // where it was.
    fast_retransmit_due_ = false;
    const std::uint32_t resume = rtx_next_;
    const bool going_back = rtx_active_;
    rtx_next_ = snd_una_;
    auto segment = next_data_segment(now, true);
    if (segment && seq_lt(sack_rtx_next_, rtx_next_)) sack_rtx_next_ = rtx_next_;
    if (going_back && seq_lt(rtx_next_, resume)) rtx_next_ = resume;
    rtx_active_ = going_back && seq_lt(rtx_next_, snd_nxt_);
    timing_ = false;  // Karn: no sample from what is retransmitted
    if (!rto_deadline_) rto_deadline_ = now + rto_.current();
    find_sack_hole();
    if (segment) {
      reaction.push_back(to_net(std::move(*segment), now));
      return reaction;
    }
  }
  while (const auto lost = rack_.first_lost()) {
    // RFC 8985 §6.3: a segment RACK deems lost goes again, once, as a SACK
    // hole does. Its loss starts recovery unless this window's was already
    // paid for (RFC 6582's "recover"); either way it is resent.
    rack_.unmark(lost->first);
    if (!congestion_->in_recovery() && congestion_->on_loss(flight())) {
      loss_recovery_started(now, lost->first);
      tlp_deadline_.reset();
    }
    const std::uint32_t resume = rtx_next_;
    const bool going_back = rtx_active_;
    rtx_next_ = seq_lt(lost->first, snd_una_) ? snd_una_ : lost->first;
    auto segment = next_data_segment(now, true, true);
    rtx_next_ = resume;
    rtx_active_ = going_back && seq_lt(rtx_next_, snd_nxt_);
    timing_ = false;  // Karn: no sample from what is retransmitted
    if (!rto_deadline_) rto_deadline_ = now + rto_.current();
    if (segment) {
      reaction.push_back(to_net(std::move(*segment), now));
      return reaction;
    }
  }
  if (sack_hole_due_) {
    // The next hole the scoreboard deems lost, once; a go-back
    // retransmission in progress resumes where it was.
    sack_hole_due_ = false;
    const std::uint32_t resume = rtx_next_;
    const bool going_back = rtx_active_;
    rtx_next_ = scoreboard_.skip(seq_lt(sack_rtx_next_, snd_una_) ? snd_una_ : sack_rtx_next_);
    auto segment = next_data_segment(now, true, true);
    if (segment) sack_rtx_next_ = rtx_next_;
    rtx_next_ = resume;
    rtx_active_ = going_back && seq_lt(rtx_next_, snd_nxt_);
    timing_ = false;  // Karn: no sample from what is retransmitted
    if (!rto_deadline_) rto_deadline_ = now + rto_.current();
    find_sack_hole();
    if (segment) {
      reaction.push_back(to_net(std::move(*segment), now));
      return reaction;
    }
  }
  if (rtx_active_ && seq_lt(rtx_next_, snd_una_ + send_window())) {
    if (auto segment = next_data_segment(now, true)) {
      reaction.push_back(to_net(std::move(*segment), now));
      return reaction;
    }
  }
  if (sendable(now)) {
    if (auto segment = next_data_segment(now, false)) {
      reaction.push_back(to_net(std::move(*segment), now));
      return reaction;
    }
  }
  if (persist_deadline_ && now >= *persist_deadline_) {
    // Zero-window probe (MUST-36): one octet beyond the window. Once it is
    // out the retransmission timer repeats that octet, backing off
    // (SHLD-30), until the window opens or the peer takes it.
    persist_deadline_.reset();
    std::vector<std::uint8_t> octet(1);
    bool have = false;
    {
      const std::lock_guard lock(streams_->mutex);
      const std::size_t pending = unsent(streams_->send.size());
      if (pending > 0) {
        streams_->send.copy(snd_nxt_ - data_start(), octet);
        have = true;
      }
    }
    if (have) {
      OutSegment probe = make(kAck, snd_nxt_, std::move(octet));
      snd_nxt_ += 1;
      probing_ = true;
      reaction.push_back(to_net(std::move(probe), now));
      return reaction;
    }
  }
  // An ACK owed (delayed, immediate or a window update), or a timer that
  // found nothing else due.
  reaction.push_back(to_net(ack_segment(), now));
  return reaction;
}

// ---- user calls -----------------------------------------------------------------------------

Reaction Tcb::on_user(UserCall call, TimePoint now) {
  Reaction reaction;
  switch (call) {
    case UserCall::Data: {
      // The data is in the send buffer; the timer sends it, or probes a
      // closed window (MUST-36).
      std::size_t buffered = 0;
      {
        const std::lock_guard lock(streams_->mutex);
        buffered = streams_->send.size();
      }
      if ((state_ == TcpState::Established || state_ == TcpState::CloseWait) && snd_wnd_ == 0 &&
          snd_una_ == snd_nxt_ && unsent(buffered) > 0 && !persist_deadline_)
        persist_deadline_ = now + rto_.current();
      update_sws_override(now);
      break;
    }
    case UserCall::Close:
      switch (state_) {
        case TcpState::Listen: reaction.push_back(to_reader("reset")); enter(TcpState::Closed, now); break;
        case TcpState::SynReceived:
          // Never accepted: reset, as Linux resets what was never accepted.
          reaction.push_back(to_net(rst_segment(), now));
          reaction.push_back(to_reader("reset"));
          enter(TcpState::Closed, now);
          break;
        case TcpState::Established:
          fin_queued_ = true;
          enter(TcpState::FinWait1, now);
          break;
        case TcpState::CloseWait:
          fin_queued_ = true;
          enter(TcpState::LastAck, now);
          break;
        default: break;  // CLOSED after a reset: the call is drained
      }
      break;
    case UserCall::Abort:
      switch (state_) {
        case TcpState::Listen: reaction.push_back(to_reader("reset")); break;
        case TcpState::SynReceived:
        case TcpState::Established:
        case TcpState::FinWait1:
        case TcpState::FinWait2:
          reaction.push_back(to_net(rst_segment(), now));
          reaction.push_back(to_reader("reset"));
          break;
        case TcpState::CloseWait: reaction.push_back(to_net(rst_segment(), now)); break;
        default: break;
      }
      enter(TcpState::Closed, now);
      break;
  }
  return reaction;
}

bool Tcb::on_read() {
  if (!(state_ == TcpState::Established || state_ == TcpState::FinWait1 || state_ == TcpState::FinWait2))
    return false;
  std::size_t free = 0;
  {
    const std::lock_guard lock(streams_->mutex);
    free = streams_->receive.free();
  }
  const std::uint32_t threshold =
      std::min<std::uint32_t>(static_cast<std::uint32_t>(streams_->receive.capacity() / 2), send_mss_);
  // Against what the window field can carry: without window scaling a
  // buffer beyond 64 KiB never shows, and a read would owe an update that
  // moves nothing.
  if (offerable(free) >= std::size_t{rcv_wnd_} + threshold && !window_update_) {
    window_update_ = true;
    return true;
  }
  return false;
}

// ---- segments -------------------------------------------------------------------------------

// <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK> with our MSS, and our window shift
// when the peer offered scaling (RFC 7323 §2.2: only then).
OutSegment Tcb::syn_ack_segment() {
  OutSegment synack = make(kSyn | kAck, iss_);
  synack.window = static_cast<std::uint16_t>(std::min<std::uint32_t>(rcv_wnd_, 0xFFFF));
  synack.options.maximum_segment_size = static_cast<std::uint16_t>(config_.mtu - 40);
  if (rcv_scale_ > 0 || snd_scale_ > 0) synack.options.window_scale = rcv_scale_;
  synack.options.sack_permitted = sack_permitted_;
  return synack;
}

// <SEQ=SEG.ACK><CTL=RST>: the answer to an ACK that belongs to no
// connection we have (RFC 9293 §3.10.7.2, §3.10.7.3).
Reaction Tcb::reset_at_ack(const Segment& s) {
  OutSegment rst;
  rst.tuple = s.tuple;
  rst.seq = s.ack;
  rst.flags = kRst;
  ++statistics_.segments_out;
  return {Output{Output::To::Net, "rst", std::move(rst)}};
}

Reaction Tcb::on_syn(const Segment& s, TimePoint now) {
  tuple_ = s.tuple;
  irs_ = s.seq;
  rcv_nxt_ = s.seq + 1;
  iss_ = s.cookie_iss ? *s.cookie_iss : isn_.isn(tuple_, now);
  snd_una_ = iss_;
  snd_nxt_ = iss_ + 1;
  snd_wl1_ = s.seq;
  snd_wl2_ = s.ack;
  snd_wnd_ = s.window;  // never scaled in a SYN (RFC 7323 §2.2)
  max_snd_wnd_ = snd_wnd_;
  // MUST-14..16: the peer's MSS, or 536; never more than our MTU allows.
  send_mss_ = std::min<std::uint32_t>(s.options.maximum_segment_size.value_or(536), config_.mtu - 40);
  if (send_mss_ < 64) send_mss_ = 64;
  // RFC 7323 §3.2: a SYN with the Timestamps option is answered with one,
  // and from then on every segment carries it, so it comes out of the
  // effective send MSS (MUST-16 counts the TCP header's options).
  ts_ok_ = s.options.timestamps.has_value();
  if (ts_ok_) {
    ts_offset_ = isn_.timestamp_offset(tuple_);
    ts_first_ = ts_clock(now);
    ts_recent_ = s.options.timestamps->value;
    ts_recent_at_ = now;
    ts_recent_valid_ = true;
    send_mss_ -= kTimestampsSpace;
  }
  congestion_->start(iss_, send_mss_);
  sack_permitted_ = s.options.sack_permitted;
  if (s.options.window_scale) {
    snd_scale_ = std::min<std::uint8_t>(*s.options.window_scale, 14);
    rcv_scale_ = config_.window_scale;
  }
  rcv_wnd_ = 0;
  advertise();
  enter(TcpState::SynReceived, now);
  // The handshake is the connection's first RTT sample (RFC 6298 §2.2 may
  // take it from any segment; Linux takes this one), so that the timers of
  // the first flight — RTO and tail loss probe — are the path's, not a guess.
  // (Not for a SYN rebuilt from a cookie: its SYN-ACK went long before.)
  timing_ = !s.cookie_iss;
  timed_ack_ = iss_ + 1;
  timed_at_ = now;
  Reaction reaction;
  reaction.push_back(to_net(syn_ack_segment(), now));
  return reaction;
}

void Tcb::loss_recovery_started(TimePoint now, std::uint32_t seq) {
  ++statistics_.fast_retransmits;
  // The retransmission this episode starts with goes now, with at least
  // this TSval.
  if (ts_ok_) eifel_ = {seq, ts_clock(now)};
  episode_retransmissions_.clear();
  episode_open_ = true;
}

// RFC 2883's D-SACK (the first block below the ACK, or inside the second)
// for a retransmission of the current episode: that one was not needed.
// Once every retransmission of the episode is reported so, the original
// data all arrived — reordering, not loss — and the reduction is undone
// (RFC 3708's use of D-SACK, as Linux's undo does). Where reordering is
// longer than the reordering window, the retransmission overtakes the
// late original, so Eifel's echo cannot tell; the duplicate report can.
void Tcb::take_dsack(const Segment& s) {
  if (!episode_open_ || !sack_permitted_ || s.options.sack_blocks == 0) return;
  const auto [left, right] = s.options.sack[0];
  if (!seq_lt(left, right)) return;
  const bool dsack = seq_le(right, s.ack) || (s.options.sack_blocks > 1 && seq_le(s.options.sack[1].left, left) &&
                                               seq_le(right, s.options.sack[1].right));
  if (!dsack) return;
  const auto it = std::find_if(episode_retransmissions_.begin(), episode_retransmissions_.end(), [&](const auto& r) {
    return seq_lt(r.first, right) && seq_lt(left, r.second);
  });
  if (it == episode_retransmissions_.end()) return;
  episode_retransmissions_.erase(it);
  if (episode_retransmissions_.empty()) undo_reduction();
}

void Tcb::undo_reduction() {
  congestion_->on_spurious_loss();
  ++statistics_.spurious_recoveries;
  episode_open_ = false;
  eifel_.reset();
}

void Tcb::detect_rack_losses(TimePoint now) {
  // The reordering window: a quarter of the smoothed round trip (RFC 8985
  // §6.2's min_RTT/4, from the estimate lim keeps), at least a millisecond.
  const auto window = std::max<Clock::duration>(rto_.smoothed() / 4, std::chrono::milliseconds(1));
  rack_timer_ = rack_.detect(now, window);
  // A timeout's go-back resends what it has yet to reach anyway.
  if (rtx_active_) rack_.unmark_from(rtx_next_);
  // What the peer's SACKs or the cumulative ACK already sent for goes by
  // those paths.
  if (rack_.has_lost() && fast_retransmit_due_) {
    if (const auto lost = rack_.first_lost(); lost && lost->first == snd_una_) rack_.unmark(snd_una_);
  }
}

// RFC 6675 §5 (simplified): in recovery, the first hole above what was
// already retransmitted is due when at least DupThresh segments' worth is
// SACKed above it (IsLost).
void Tcb::find_sack_hole() {
  sack_hole_due_ = false;
  if (scoreboard_.empty() || !congestion_->in_recovery()) return;
  const std::uint32_t hole = scoreboard_.skip(seq_lt(sack_rtx_next_, snd_una_) ? snd_una_ : sack_rtx_next_);
  sack_hole_due_ = seq_lt(hole, scoreboard_.highest()) && scoreboard_.lost(hole, 3 * send_mss_);
}

// A retransmission, with SND.NXT when it went: a segment sent after it
// that arrives (is SACKed) while it does not shows it lost too (RFC 8985's
// RACK, by sequence). Bounded; what falls below SND.UNA is forgotten.
void Tcb::remember_retransmission(std::uint32_t seq) {
  std::erase_if(retransmitted_, [&](const auto& entry) { return seq_lt(entry.first, snd_una_) || entry.first == seq; });
  if (retransmitted_.size() >= kRetransmissionsWatched) retransmitted_.erase(retransmitted_.begin());
  retransmitted_.emplace_back(seq, snd_nxt_);
}

std::optional<std::uint32_t> Tcb::retransmitted_below(std::uint32_t seq) {
  std::erase_if(retransmitted_, [&](const auto& entry) { return seq_lt(entry.first, snd_una_); });
  for (const auto& [start, mark] : retransmitted_)
    if (start == seq) return mark;
  return std::nullopt;
}

Flight Tcb::flight() const {
  std::size_t buffered = 0;
  {
    const std::lock_guard lock(streams_->mutex);
    buffered = streams_->send.size();
  }
  return {snd_una_, snd_nxt_, send_mss_, !fin_sent_ && unsent(buffered) > 0};
}

void Tcb::process_ack(const Segment& s, TimePoint now) {
  // Reneging (RFC 2018 §8), detected as Linux does: an ACK that moves SND.UNA
  // into a block the receiver SACKed shows it dropped that block — a receiver
  // holding it would have acknowledged past it — so none of what it SACKed
  // can be trusted any longer.
  if (seq_lt(snd_una_, s.ack) && seq_le(s.ack, snd_nxt_) && scoreboard_.holds(s.ack)) {
    scoreboard_.clear();
    rack_.forget_sacks();
    ++statistics_.reneging;
  }
  take_dsack(s);
  const bool learnt = sack_permitted_ && scoreboard_.update(s.options, snd_una_, snd_nxt_);
  // RFC 5681 §2's duplicate ACK, judged against the window before this
  // segment updates it; with SACK, an ACK that SACKs new data counts
  // whatever its window (RFC 6675 §2's DupAck), as a receiver growing its
  // buffer changes the window in every ACK.
  const bool duplicate = s.ack == snd_una_ && snd_una_ != snd_nxt_ && snd_wnd_ > 0 && s.payload.empty() && !s.has(kSyn) &&
                         !s.has(kFin) && (learnt || (std::uint32_t{s.window} << snd_scale_) == snd_wnd_);
  if (duplicate && congestion_->on_duplicate_ack(s.ack, flight())) {
    fast_retransmit_due_ = true;
    loss_recovery_started(now, snd_una_);
  }
  if (learnt && s.ack == snd_una_ && seq_lt(snd_una_, snd_nxt_) && !congestion_->in_recovery() && !rack_deadline_ &&
      rto_.measured()) {
    // The reordering window: a quarter of the smoothed RTT (RFC 8985 §6.2's
    // min_RTT/4), at least a millisecond.
    rack_deadline_ = now + std::max<Clock::duration>(rto_.smoothed() / 4, std::chrono::milliseconds(1));
  }
  if (learnt && s.ack == snd_una_ && seq_lt(snd_una_, snd_nxt_)) {
    const Flight now_flying = flight();
    const std::uint32_t threshold = NewReno::duplicate_threshold(now_flying) * send_mss_;
    // RFC 6675 §5: the scoreboard alone can show the segment at SND.UNA lost.
    if (!congestion_->in_recovery() && scoreboard_.lost(snd_una_, threshold) && congestion_->on_loss(now_flying)) {
      fast_retransmit_due_ = true;
      loss_recovery_started(now, snd_una_);
    }
    // Its retransmission lost as well: a segment sent after it arrived
    // (RFC 8985's RACK, with the reordering window of one segment).
    if (una_retransmitted_below_ && scoreboard_.lost(*una_retransmitted_below_, send_mss_)) {
      una_retransmitted_below_.reset();
      fast_retransmit_due_ = true;
    }
  }
  if (seq_lt(snd_una_, s.ack) && seq_le(s.ack, snd_nxt_)) {
    // New data (or our SYN or FIN) acknowledged.
    snd_una_before_ = snd_una_;
    const std::uint32_t old_start = data_start();
    const bool syn_was_acked = syn_acked();
    snd_una_ = s.ack;
    if (eifel_ && seq_lt(eifel_->first, snd_una_)) {
      // RFC 3522's detection: the ACK that first covers the episode's first
      // retransmission echoes a TSval older than it, so the original got
      // there — reordering, not loss — and RFC 4015's response undoes the
      // reduction. On a link that reorders often, that is what keeps the
      // window from collapsing into timeouts.
      if (s.options.timestamps && seq_lt(s.options.timestamps->echo_reply, eifel_->second)) undo_reduction();
      eifel_.reset();
    }
    const std::uint32_t new_start = data_start();
    std::uint32_t released = new_start - old_start;
    if (!syn_was_acked && syn_acked()) released = new_start - (iss_ + 1);
    if (fin_sent_ && seq_lt(fin_seq_, s.ack)) {
      fin_acked_ = true;
      released = fin_seq_ - old_start;
    }
    {
      const std::lock_guard lock(streams_->mutex);
      streams_->send.pop(released);
    }
    streams_->changed.notify_all();
    if (const auto rtt = timestamp_rtt(s, now)) {
      // RFC 7323 §4.1: every ACK that advances SND.UNA measures, from what
      // it echoes — a retransmission too, so Karn's rule has nothing to
      // guard here — with Appendix G's gains for that many samples.
      const std::uint32_t flight_size = snd_nxt_ - snd_una_before_;
      rto_.sample(*rtt, std::max<unsigned>(1, (flight_size + 2 * send_mss_ - 1) / (2 * send_mss_)));
      timing_ = false;
      if (!min_rtt_ || *rtt < *min_rtt_) min_rtt_ = *rtt;
    } else if (timing_ && seq_le(timed_ack_, s.ack)) {
      rto_.sample(now - timed_at_);
      timing_ = false;
      if (!min_rtt_ || now - timed_at_ < *min_rtt_) min_rtt_ = now - timed_at_;
    }
    if (congestion_->on_ack(s.ack - snd_una_before_, flight())) fast_retransmit_due_ = true;
    stall_ended();
    rack_deadline_.reset();
    // SND.UNA now at a hole resent earlier: that retransmission is watched
    // as the fast retransmission of SND.UNA is (below).
    una_retransmitted_below_ = retransmitted_below(snd_una_);
    if (seq_lt(rtx_next_, snd_una_)) rtx_next_ = snd_una_;
    if (rtx_active_ && !seq_lt(rtx_next_, snd_nxt_)) rtx_active_ = false;
    rto_deadline_.reset();
    if (snd_una_ != snd_nxt_) rto_deadline_ = now + rto_.current();
    scoreboard_.acknowledged(snd_una_);
    if (tlp_end_ && seq_le(*tlp_end_, snd_una_)) {
      // The probe's flight is acknowledged: if the probe repaired a loss,
      // the congestion window pays for it (RFC 8985 §7.4.2; without
      // D-SACK lim assumes it did).
      tlp_end_.reset();
      // With timestamps the ACK tells (RFC 3522): an echo older than the
      // probe is of the original, which was not lost.
      const bool original = ts_ok_ && s.options.timestamps && seq_lt(s.options.timestamps->echo_reply, tlp_tsval_);
      if (!original) congestion_->on_repaired_loss(flight());
    }
    arm_tail_loss_probe(now);
  }
  // RACK needs SACK (RFC 8985 §4): a cumulative ACK alone cannot say which
  // of the segments above it arrived.
  if (sack_permitted_ && seq_le(s.ack, snd_nxt_)) {
    rack_.delivered(snd_una_, scoreboard_, s.options, now, min_rtt_.value_or(Clock::duration::zero()));
    detect_rack_losses(now);
  }
  if (fast_retransmit_due_) tlp_deadline_.reset();
  find_sack_hole();
  // The send window (RFC 9293 §3.10.7.4, fifth): from the newest segment.
  if (seq_le(snd_una_, s.ack) && seq_le(s.ack, snd_nxt_) &&
      (seq_lt(snd_wl1_, s.seq) || (snd_wl1_ == s.seq && seq_le(snd_wl2_, s.ack)))) {
    snd_wnd_ = std::uint32_t{s.window} << snd_scale_;
    max_snd_wnd_ = std::max(max_snd_wnd_, snd_wnd_);
    snd_wl1_ = s.seq;
    snd_wl2_ = s.ack;
  }
  // MUST-37: a peer that answers our probes with its window still shut is
  // there; R2 counts only retransmissions nobody answers.
  if (snd_wnd_ == 0 && s.ack == snd_una_ && seq_lt(snd_una_, snd_nxt_)) stall_ended();
  if (probing_ && (snd_una_ == snd_nxt_ || snd_wnd_ > 0)) {
    // The window opened with the probe's octet untaken: the peer dropped
    // it, so it is unsent again and goes with the data after it, now
    // rather than at the probe's next retransmission.
    probing_ = false;
    if (snd_una_ != snd_nxt_) {
      snd_nxt_ = snd_una_;
      rack_.truncate(snd_nxt_);
      rtx_active_ = false;
      timing_ = false;
      rto_deadline_.reset();
      stall_ended();
    }
  }
  std::size_t buffered = 0;
  {
    const std::lock_guard lock(streams_->mutex);
    buffered = streams_->send.size();
  }
  if (snd_wnd_ == 0 && unsent(buffered) > 0 && snd_una_ == snd_nxt_) {
    if (!persist_deadline_) persist_deadline_ = now + rto_.current();
  } else if (snd_wnd_ > 0) {
    persist_deadline_.reset();
  }
  update_sws_override(now);
}

void Tcb::process_text(const Segment& s, TimePoint now) {
  if (fin_received_ || s.payload.empty()) return;
  std::span<const std::uint8_t> data(s.payload);
  std::uint32_t seq = s.seq;
  if (seq_lt(seq, rcv_nxt_)) {
    const std::uint32_t skip = rcv_nxt_ - seq;
    if (skip >= data.size()) {
      ack_now_ = true;  // a duplicate: tell the peer where we are
      return;
    }
    data = data.subspan(skip);
    seq = rcv_nxt_;
  }
  const std::uint32_t room = rcv_nxt_ + rcv_wnd_ - seq;
  if (!seq_lt(seq, rcv_nxt_ + rcv_wnd_)) {
    ack_now_ = true;
    return;
  }
  if (data.size() > room) data = data.first(room);
  std::size_t added = 0;
  bool holes_before = false, holes_after = false;
  {
    const std::lock_guard lock(streams_->mutex);
    auto& receive = streams_->receive;
    holes_before = receive.has_holes();
    const std::uint64_t at = receive.next() + (seq - rcv_nxt_);
    added = receive.insert(at, data);
    holes_after = receive.has_holes();
    if (seq != rcv_nxt_ && sack_permitted_) {
      std::erase(sack_recent_, at);
      sack_recent_.push_front(at);
      if (sack_recent_.size() > 4) sack_recent_.pop_back();
    }
  }
  statistics_.bytes_in += data.size();
  if (seq != rcv_nxt_) {
    ack_now_ = true;  // out of order: an immediate duplicate ACK (RFC 5681 §4.2)
    return;
  }
  rcv_nxt_ += static_cast<std::uint32_t>(added);
  rcv_wnd_ = rcv_wnd_ > added ? rcv_wnd_ - static_cast<std::uint32_t>(added) : 0;
  // The application is woken when the reader role is told "data" (the
  // session does it after the burst of queued segments), not per segment.
  if (added > 0) deliver_pending_ = true;
  if (holes_before || holes_after) {
    ack_now_ = true;  // a hole filled or still open: no delay
  } else if (data.size() >= send_mss_ && ++full_segments_unacked_ >= 2) {
    ack_now_ = true;  // every second full-sized segment (SHLD-19)
  } else if (!ack_deadline_) {
    ack_deadline_ = now + config_.delayed_ack;  // MUST-40
  }
}

void Tcb::consume_fin() {
  fin_received_ = true;
  rcv_nxt_ += 1;
  deliver_pending_ = false;  // the fin tells the reader to look once more
  streams_->changed.notify_all();
}

void Tcb::reset_by_peer() {
  state_ = TcpState::Closed;
  streams_->changed.notify_all();
}

Reaction Tcb::on_segment(const Segment& s, TimePoint now) {
  ++statistics_.segments_in;
  Reaction reaction;
  const std::string_view label = segment_label(s.flags);
  const auto ack = [&] { reaction.push_back(to_net(ack_segment(), now)); };
  // A challenge ACK (RFC 5961 §3.2, §4), unless the budget is spent (§7).
  const auto challenge = [&] {
    if (variables().throttled) return;
    ++challenges_;
    ack();
  };
  const bool reset = label == "rst";
  const bool syn = label == "syn" || label == "syn_ack";

  if (state_ == TcpState::Listen) {
    if (reset) return reaction;
    if (label == "syn") return on_syn(s, now);
    // Anything else carries an ACK: <SEQ=SEG.ACK><CTL=RST> (RFC 9293 §3.10.7.2).
    return reset_at_ack(s);
  }
  if (state_ == TcpState::Closed) return reaction;

  // RFC 5961 §3.2: RST only at exactly RCV.NXT; in the window a challenge ACK.
  if (reset) {
    if (exact(variables(), s)) {
      const bool tell = reader_open() || state_ == TcpState::SynReceived;
      reset_by_peer();
      if (tell) reaction.push_back(to_reader("reset"));
    } else if (challenged(variables(), s)) {
      challenge();
    }
    return reaction;
  }
  if (state_ == TcpState::SynReceived) {
    if (label == "syn") {
      if (same_syn(variables(), s)) {
        take_timestamp(s, now);
        reaction.push_back(to_net(syn_ack_segment(), now));
      } else {
        challenge();
      }
      return reaction;
    }
    if (syn) {  // SYN-ACK: a challenge ACK
      challenge();
      return reaction;
    }
    if (!acceptable(s)) {
      ack();
      return reaction;
    }
    if (!acks_syn(s)) {
      return reset_at_ack(s);
    }
    enter(TcpState::Established, now);
    take_timestamp(s, now);
    process_ack(s, now);
    // Its FIN, if any, is left for the peer to send again (the spec enters
    // ESTABLISHED here whatever the segment's FIN says).
    Segment text = s;
    text.flags = static_cast<std::uint8_t>(text.flags & ~kFin);
    process_text(text, now);
    reaction.push_back(to_reader("connected"));
    return reaction;
  }
  if (syn) {  // a SYN in a synchronized state: a challenge ACK (RFC 5961 §4)
    challenge();
    return reaction;
  }
  const bool fin = label == "fin_ack";
  // Where the peer's FIN still matters, one that is not next is dropped.
  const bool fin_matters =
      state_ == TcpState::Established || state_ == TcpState::FinWait1 || state_ == TcpState::FinWait2;
  if (!valid(s) || (fin && fin_matters && !in_order(s))) {
    // Unacceptable, an ACK of something not sent, or a FIN that is not next.
    if (state_ == TcpState::TimeWait && fin) time_wait_deadline_ = now + 2 * config_.msl;  // its FIN again
    ack();
    return reaction;
  }
  take_timestamp(s, now);
  process_ack(s, now);
  switch (state_) {
    case TcpState::Established:
      process_text(s, now);
      if (fin) {
        consume_fin();
        enter(TcpState::CloseWait, now);
        reaction.push_back(to_reader("fin"));
        ack();
      }
      break;
    case TcpState::FinWait1:
    case TcpState::FinWait2: {
      const bool our_fin_acked = state_ == TcpState::FinWait2 || fin_acked_;
      process_text(s, now);
      if (fin) {
        consume_fin();
        reaction.push_back(to_reader("fin"));
        enter(our_fin_acked ? TcpState::TimeWait : TcpState::Closing, now);
        ack();
      } else if (state_ == TcpState::FinWait1 && fin_acked_) {
        enter(TcpState::FinWait2, now);
      }
      break;
    }
    case TcpState::Closing:
      if (fin_acked_) enter(TcpState::TimeWait, now);
      break;
    case TcpState::LastAck:
      if (fin_acked_) enter(TcpState::Closed, now);
      break;
    case TcpState::TimeWait: break;
    default: break;  // CLOSE-WAIT: text after the peer's FIN is ignored
  }
  return reaction;
}

}  // namespace lim::tcp::tcb

