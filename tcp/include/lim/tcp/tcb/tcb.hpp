#pragma once
// The transmission control block (RFC 9293 §3.3.1): the connection's
// variables, buffers, retransmission state and timers, and RFC 9293's
// processing of each event (§3.10) as a *reaction*: the segments and
// notifications the TCB wants sent.
//
// The TCB decides nothing about the protocol's control flow. The server
// system (server/server_system) runs the verified automaton of
// specs/tcp/server.lim: it picks each branch with the spec's guards on the
// variables below, then plays the TCB's reaction through the monitored
// endpoint, so any output the automaton does not offer at that point is
// refused before it reaches the wire. The TCB tracks its RFC state to know
// how to process data; the monitor checks that it agrees with the spec.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <condition_variable>
#include <deque>
#include <optional>
#include <string_view>
#include <vector>

#include "lim/tcp/tcb/acceptability.hpp"
#include "lim/tcp/tcb/buffers.hpp"
#include "lim/tcp/tcb/congestion_control.hpp"
#include "lim/tcp/tcb/isn.hpp"
#include "lim/tcp/tcb/retransmission_timeout.hpp"
#include "lim/tcp/tcb/rack.hpp"
#include "lim/tcp/tcb/sack_scoreboard.hpp"
#include "lim/tcp/tcb/sequence.hpp"
#include "lim/tcp/wire/four_tuple.hpp"
#include "lim/tcp/wire/tcp_header.hpp"

namespace lim::tcp::tcb {

using Clock = std::chrono::steady_clock;
using TimePoint = Clock::time_point;
using Milliseconds = std::chrono::milliseconds;

enum class TcpState : std::uint8_t {
  Closed,
  Listen,
  SynReceived,
  Established,
  FinWait1,
  FinWait2,
  CloseWait,
  Closing,
  LastAck,
  TimeWait,
};
// RFC 9293's spelling: "SYN-RECEIVED", "FIN-WAIT-1", …
std::string_view name(TcpState state);

struct TcbConfig {
  std::size_t send_buffer = 256 * 1024;
  std::size_t receive_buffer = 256 * 1024;
  // RFC 6298: 1 s initially (§2.1); the floor is Linux's 200 ms rather than
  // §2.4's 1 s (a SHOULD), so that loss recovery on a LAN is not glacial.
  Milliseconds initial_rto{1000};
  Milliseconds min_rto{200};
  Milliseconds max_rto{60'000};
  // R2 (MUST-20, MUST-23): at least 3 minutes for a SYN, 100 s for data
  // (SHLD-11); an application sets its own for a connection (MUST-21,
  // Tcb::set_data_give_up).
  Milliseconds syn_give_up{180'000};
  Milliseconds data_give_up{100'000};
  // R1 (SHLD-10): at this many retransmissions by timeout of the same
  // segment the application is told of the delivery problem (SHLD-9,
  // MUST-47's "excessive retransmissions"), once per stall, unless it
  // turned such reports off (SHLD-20).
  unsigned r1_retransmissions = 3;
  Milliseconds msl{120'000};  // TIME-WAIT lasts 2 MSL (MUST-13)
  Milliseconds fin_wait_2_timeout{60'000};  // an application that closed waits no longer for the peer's FIN
  Milliseconds delayed_ack{40};             // under 500 ms (MUST-40)
  // RFC 8985 §7.2's WCDelAckT: the longest a peer may delay its ACK of a
  // lone segment, which a tail loss probe after it must wait out.
  Milliseconds peer_delayed_ack{200};
  // Sender SWS avoidance's override (MUST-38, RFC 9293 §3.8.6.2.1 rule 4:
  // 0.1–1.0 s): a short segment the window holds back goes after this.
  Milliseconds sws_override{200};
  // RFC 5961 §7's ACK throttling, per connection: at most this many
  // challenge ACKs per interval (a shared counter would let an off-path
  // attacker read one connection's challenges from another's, as
  // CVE-2016-5696 did with Linux's global limit).
  unsigned challenge_ack_limit = 10;
  Milliseconds challenge_ack_interval{5000};
  bool nagle = true;                        // SHLD-7; Connection::set_no_delay turns it off (MUST-17)
  std::uint8_t window_scale = 7;            // offered when the peer offers one (RFC 7323)
  unsigned mtu = 1500;
  std::uint8_t ttl = 64;  // MUST-49: configurable; 64 as Linux's default (RFC 1700's advice)
};

// A segment that arrived, as the TCB reads it.
struct Segment {
  wire::FourTuple tuple;  // local = the segment's destination
  std::uint32_t seq = 0;
  std::uint32_t ack = 0;
  std::uint8_t flags = 0;
  std::uint16_t window = 0;
  wire::TcpOptions options;
  std::vector<std::uint8_t> payload;
  // Its IPv4 header's TTL and Diffserv codepoint: what lim sends with
  // (MUST-49, MUST-48), and what an arriving segment came with.
  std::uint8_t ttl = 64;
  std::uint8_t diffserv = 0;
  // A SYN rebuilt from the ACK that returned a SYN cookie (syn_cookies.hpp):
  // the ISS the cookie was, which the TCB takes instead of choosing one.
  std::optional<std::uint32_t> cookie_iss;
  bool has(std::uint8_t bits) const { return (flags & bits) == bits; }
  // SEG.LEN: data octets, plus one each for SYN and FIN.
  std::uint32_t length() const {
    return static_cast<std::uint32_t>(payload.size()) + (has(wire::flag::kSyn) ? 1 : 0) + (has(wire::flag::kFin) ? 1 : 0);
  }
};

// A segment the TCB wants sent.
using OutSegment = Segment;

// RFC 9293 §3.10.7.1: the RST that answers `segment` where no connection
// exists (CLOSED), or nullopt for a RST, which is never answered.
std::optional<OutSegment> reset_for(const Segment& segment);

// The spec's label for a segment's control bits, in either direction:
// "rst", "syn", "syn_ack", "fin_ack", "ack"; empty for combinations no
// state accepts (no ACK, SYN with FIN), which are dropped as RFC 9293's
// "fifth, check the ACK field" drops them.
std::string_view segment_label(std::uint8_t flags);

struct Output {
  enum class To : std::uint8_t { Net, Reader, User };
  To to = To::Net;
  // net: a segment label; reader: connected, data, fin, reset; user: tcb_created
  std::string_view label;
  OutSegment segment;      // To::Net only
};
using Reaction = std::vector<Output>;

enum class UserCall : std::uint8_t { Data, Close, Abort };

// The buffers the application and the system share, under one lock, and
// what the application needs to know of the connection's fate.
// RFC 9293 §3.9.1.8's ERROR_REPORT(connection, reason, subreason) for the
// one soft error lim's TCP sees: excessive retransmission (§3.8.3, R1).
// (It reads no ICMP, and has no urgent pointer to advance.)
struct ErrorReport {
  unsigned retransmissions = 0;   // by timeout, of the segment at SND.UNA
  Clock::duration stalled_for{};  // since its first retransmission
};

struct Streams {
  Streams(std::size_t send_capacity, std::size_t receive_capacity) : send(send_capacity), receive(receive_capacity) {}
  std::mutex mutex;
  std::condition_variable changed;  // room to write, data to read, the connection's end
  SendBuffer send;
  ReceiveBuffer receive;
  // Set by the server system as the reader role is told of them.
  bool connected = false;
  bool end_of_stream = false;  // the peer's FIN
  bool reset = false;          // reset by the peer, given up, or aborted
  bool shutting_down = false;  // the server stops: reads end, writes fail
  // Reports the application has not taken yet; beyond kErrorReportsKept the
  // oldest go (an application that never looks holds no growing memory).
  static constexpr std::size_t kErrorReportsKept = 16;
  std::deque<ErrorReport> error_reports;
  // The window last offered, and the growth worth a window update: an
  // application that frees that much after a read wakes the system.
  std::uint32_t advertised = 0;
  std::uint32_t update_threshold = 1;
};

class Tcb {
 public:
  // A TCB in LISTEN for segments to `local:port`.
  Tcb(const TcbConfig& config, const IsnGenerator& isn, std::shared_ptr<Streams> streams);

  TcpState state() const { return state_; }
  // Set once a SYN has been taken: the connection's 4-tuple.
  const wire::FourTuple& tuple() const { return tuple_; }

  // ---- the variables the spec's guards read -----------------------------------
  // The guard variables at `now`: the challenge ACK budget's interval may
  // have passed. The server reads them so before each event, and the TCB
  // processes the event by the same values.
  GuardVariables variables_at(TimePoint now);
  // When variables_at will next differ without any event: the end of a
  // throttled interval. nullopt when nothing is pending.
  std::optional<TimePoint> variables_change_at() const;
  std::uint32_t rcv_nxt() const { return rcv_nxt_; }
  std::uint32_t rcv_wnd() const { return rcv_wnd_; }
  std::uint32_t snd_una() const { return snd_una_; }
  std::uint32_t snd_nxt() const { return snd_nxt_; }
  bool fin_sent() const { return fin_sent_; }
  // When something is due (an output the reaction to on_timer will make);
  // nullopt when nothing is armed.
  std::optional<TimePoint> next_timer(TimePoint now) const;

  // ---- events ------------------------------------------------------------------
  Reaction on_segment(const Segment& segment, TimePoint now);
  // OPEN (RFC 9293 §3.10.1): the TCB exists, in LISTEN.
  Reaction on_open() const { return {Output{Output::To::User, "tcb_created", {}}}; }
  Reaction on_user(UserCall call, TimePoint now);
  Reaction on_timer(TimePoint now);
  // The application read from the receive buffer: whether the window grew
  // enough that a window update is now owed (receiver SWS avoidance, MUST-39).
  bool on_read();
  // Safe from any thread: the application's TCP_NODELAY.
  void set_nagle(bool on) { nagle_ = on; }
  // Safe from any thread: this connection's R2 for data (MUST-21); nullopt
  // is RFC 9293 §3.8.3's "infinity": retransmit until the application ends it.
  void set_data_give_up(std::optional<Milliseconds> r2);
  // Safe from any thread: the Diffserv codepoint of every segment from now
  // on (MUST-48, SHLD-21), 0–63; it goes to IP unchanged (SHLD-22).
  void set_diffserv(std::uint8_t dscp) { diffserv_ = dscp; }
  // Safe from any thread: whether R1 is reported to the application (SHLD-20).
  void set_error_reports(bool on) { error_reports_ = on; }
  // What the last "error_report" to the reader was about.
  ErrorReport error_report() const { return error_report_; }
  // <SEQ=SND.NXT><CTL=RST,ACK>: what ABORT sends, and what the server sends
  // when it must end a connection the monitor stopped.
  OutSegment reset_segment();

  // ---- the same conditions as the spec's predicates (acceptability.hpp) -------------
  GuardVariables variables() const;
  bool in_window(std::uint32_t x) const;
  bool acceptable(const Segment& segment) const;
  bool valid(const Segment& segment) const;
  bool acks_syn(const Segment& segment) const;
  bool acks_fin(const Segment& segment) const;
  bool in_order(const Segment& segment) const;

  struct Statistics {
    std::uint64_t segments_in = 0, segments_out = 0, retransmissions = 0, fast_retransmits = 0, timeouts = 0;
    std::uint64_t reneging = 0;  // SACKed data the receiver was seen to drop (process_ack)
    std::uint64_t spurious_recoveries = 0;  // reductions undone: the original arrived (RFC 3522)
    std::uint64_t bytes_in = 0, bytes_out = 0;
  };
  const Statistics& statistics() const { return statistics_; }
  std::uint32_t send_mss() const { return send_mss_; }
  std::chrono::steady_clock::duration rto() const { return rto_.current(); }
  std::chrono::steady_clock::duration srtt() const { return rto_.smoothed(); }
  // RFC 7323's Snd.TS.OK: both SYNs carried the Timestamps option.
  bool timestamps() const { return ts_ok_; }
  const CongestionControl& congestion() const { return *congestion_; }

 private:
  // LISTEN
  Reaction on_syn(const Segment& segment, TimePoint now);
  Reaction timer_reaction(TimePoint now);
  // Synchronized states, by label.
  void process_ack(const Segment& segment, TimePoint now);
  void process_text(const Segment& segment, TimePoint now);
  void consume_fin();
  void reset_by_peer();
  // Outputs.
  OutSegment make(std::uint8_t flags, std::uint32_t seq, std::vector<std::uint8_t> payload = {});
  // SEQ = SND.NXT, unless SND.NXT is past the peer's window (a zero-window
  // probe is out): then its right edge, or the peer drops the ACK unseen
  // (as Linux's tcp_acceptable_seq does).
  OutSegment ack_segment() {
    const std::uint32_t edge = snd_una_ + snd_wnd_;
    return make(wire::flag::kAck, seq_lt(edge, snd_nxt_) ? edge : snd_nxt_);
  }
  OutSegment syn_ack_segment();
  void add_sack_blocks(OutSegment& segment);
  Reaction reset_at_ack(const Segment& segment);
  OutSegment rst_segment() { return reset_segment(); }
  Output to_net(OutSegment segment, TimePoint now);
  Output to_reader(std::string_view label) const { return {Output::To::Reader, label, {}}; }
  // `hole`: a SACK hole's retransmission, which the peer's window limits
  // but not the congestion window (it replaces data the network lost).
  std::optional<OutSegment> next_data_segment(TimePoint now, bool retransmission, bool hole = false);
  void find_sack_hole();
  void enter(TcpState state, TimePoint now);
  std::uint32_t offerable(std::size_t free) const;
  void remember_retransmission(std::uint32_t seq);
  std::optional<std::uint32_t> retransmitted_below(std::uint32_t seq);
  void advertise();
  bool reader_open() const;
  std::uint32_t data_start() const { return syn_acked() ? snd_una_ : iss_ + 1; }
  // What may be in flight: the peer's window and the congestion window.
  std::uint32_t send_window() const { return std::min(snd_wnd_, congestion_->send_allowance()); }
  Flight flight() const;
  bool syn_acked() const { return seq_lt_iss(); }
  bool seq_lt_iss() const;
  std::size_t unsent(std::size_t buffered) const;
  bool sendable(TimePoint now) const;
  // RFC 9293 §3.8.6.2.1's rules 1–3 (and Nagle's bracket) for `pending`
  // unsent octets and a usable window of `usable` (> 0).
  bool sws_allows(std::size_t pending, std::uint32_t usable) const;
  // Arms or clears the SWS override timer after the window or the data changed.
  void update_sws_override(TimePoint now);
  void arm_retransmission(TimePoint now);
  // RFC 7323: our TSval at `now`; TS.Recent's update (§4.3 rule 2) from a
  // segment found acceptable; the round trip a segment's TSecr measures
  // (§4.1), when it is one we could have sent.
  std::uint32_t ts_clock(TimePoint now) const;
  void take_timestamp(const Segment& segment, TimePoint now);
  std::optional<Clock::duration> timestamp_rtt(const Segment& segment, TimePoint now) const;

  TcbConfig config_;
  const IsnGenerator& isn_;
  std::shared_ptr<Streams> streams_;
  TcpState state_ = TcpState::Listen;
  wire::FourTuple tuple_;

  // Send sequence variables (RFC 9293 §3.3.1).
  std::uint32_t iss_ = 0, snd_una_ = 0, snd_nxt_ = 0, snd_wl1_ = 0, snd_wl2_ = 0;
  std::uint32_t snd_wnd_ = 0;
  std::uint32_t max_snd_wnd_ = 0;  // Max(SND.WND): the sender's estimate of the peer's buffer (MUST-38)
  std::uint8_t snd_scale_ = 0;  // the peer's window shift
  std::uint32_t send_mss_ = 536;  // MUST-15 until the peer says otherwise
  // Congestion control (RFC 5681, RFC 6582), and a retransmission of the
  // segment at SND.UNA it asked for (fast retransmit, a partial ACK).
  std::unique_ptr<CongestionControl> congestion_ = std::make_unique<NewReno>();
  bool fast_retransmit_due_ = false;
  // SND.NXT when the segment at SND.UNA was last retransmitted: once the
  // peer SACKs DupThresh segments sent after that, the retransmission was
  // lost too, and goes again without waiting for the timer.
  std::optional<std::uint32_t> una_retransmitted_below_;
  // Retransmitted segments still outstanding: their first octet, and SND.NXT
  // when they went (remember_retransmission).
  static constexpr std::size_t kRetransmissionsWatched = 128;
  std::vector<std::pair<std::uint32_t, std::uint32_t>> retransmitted_;
  std::uint32_t snd_una_before_ = 0;
  bool fin_queued_ = false, fin_sent_ = false, fin_acked_ = false;
  std::uint32_t fin_seq_ = 0;
  // Receive sequence variables.
  std::uint32_t irs_ = 0, rcv_nxt_ = 0, rcv_wnd_ = 0;
  std::uint8_t rcv_scale_ = 0;  // our shift, when both sides scale
  // SACK (RFC 2018): the peer offered it, so our ACKs report the held
  // out-of-order data; the stream offsets of the latest segments held, the
  // most recent first, order the blocks.
  bool sack_permitted_ = false;
  std::deque<std::uint64_t> sack_recent_;
  // As a sender: what the peer's SACK blocks say it holds, and the loss
  // recovery they drive (RFC 6675): the next hole to retransmit is at or
  // after `sack_rtx_next_`, and one is due when the scoreboard deems it lost.
  SackScoreboard scoreboard_;
  std::uint32_t sack_rtx_next_ = 0;
  bool sack_hole_due_ = false;
  bool fin_received_ = false;
  // Timestamps (RFC 7323): negotiated (Snd.TS.OK); our clock's offset and
  // its first TSval on this connection (an echo below it was never sent);
  // TS.Recent, when it was last set, whether PAWS judges by it (as of the
  // last variables_at); Last.ACK.sent.
  bool ts_ok_ = false;
  std::uint32_t ts_offset_ = 0, ts_first_ = 0;
  std::optional<std::uint32_t> ts_timeout_;  // our clock at the last retransmission timeout
  std::uint32_t ts_recent_ = 0;
  TimePoint ts_recent_at_{};
  bool ts_recent_valid_ = false;
  std::uint32_t last_ack_sent_ = 0;

  // Retransmission (RFC 6298), Karn's algorithm.
  RetransmissionTimeout rto_;
  std::optional<TimePoint> rto_deadline_;
  // Tail loss probe (RFC 8985 §7): when nothing has come back for about
  // two round trips, the last segment goes again, so that a lost tail is
  // reported by SACK and repaired by fast recovery instead of a timeout.
  std::optional<TimePoint> tlp_deadline_;
  // RFC 8985's reordering window, by sequence: data SACKed above SND.UNA
  // makes the segment at SND.UNA lost once this passes without it.
  std::optional<TimePoint> rack_deadline_;
  // RACK by time (rack.hpp), its reordering timer, and the smallest round
  // trip seen (RFC 8985's min_RTT: what tells an original's ACK from its
  // retransmission's).
  Rack rack_;
  std::optional<TimePoint> rack_timer_;
  std::optional<Clock::duration> min_rtt_;
  void detect_rack_losses(TimePoint now);
  // Loss recovery began (the congestion window was reduced) with the
  // retransmission of the segment at `seq`; with timestamps, that segment
  // and the TSval its retransmission has at least, for RFC 3522's Eifel
  // detection; the probe's TSval likewise.
  void loss_recovery_started(TimePoint now, std::uint32_t seq);
  std::optional<std::pair<std::uint32_t, std::uint32_t>> eifel_;
  std::uint32_t tlp_tsval_ = 0;
  // The loss recovery episode's retransmissions not yet reported duplicate
  // (take_dsack); bounded, beyond which the episode is not undone.
  void take_dsack(const Segment& segment);
  // The episode's reduction was for no loss: undone, and the episode closed.
  void undo_reduction();
  static constexpr std::size_t kEpisodeRetransmissionsWatched = 256;
  std::vector<std::pair<std::uint32_t, std::uint32_t>> episode_retransmissions_;
  bool episode_open_ = false;
  std::optional<std::uint32_t> tlp_end_;  // SND.NXT when the probe went: one per flight
  void arm_tail_loss_probe(TimePoint now);
  std::optional<TimePoint> stalled_since_;  // first retransmission without progress since
  unsigned stalled_timeouts_ = 0;           // timeouts since then: R1 counts these
  bool error_report_due_ = false;
  bool error_reported_ = false;             // once per stall
  ErrorReport error_report_;
  // The peer acknowledged something (or answered a probe): no stall.
  void stall_ended();
  std::uint32_t rtx_next_ = 0;             // go-back point: retransmit from here up to SND.NXT
  bool rtx_active_ = false;
  bool timing_ = false;
  std::uint32_t timed_ack_ = 0;
  TimePoint timed_at_{};
  // Acknowledgements and deliveries owed.
  bool ack_now_ = false;
  std::optional<TimePoint> ack_deadline_;
  unsigned full_segments_unacked_ = 0;
  bool deliver_pending_ = false;
  bool window_update_ = false;
  // Zero-window probing (MUST-36), TIME-WAIT and FIN-WAIT-2.
  std::optional<TimePoint> persist_deadline_;
  bool probing_ = false;  // the octet at SND.UNA went out as a zero-window probe
  std::optional<TimePoint> sws_override_deadline_;
  std::optional<TimePoint> time_wait_deadline_;
  // Challenge ACKs sent in the interval that began at `challenge_interval_start_`.
  unsigned challenges_ = 0;
  TimePoint challenge_interval_start_{};
  std::optional<TimePoint> fin_wait_2_deadline_;
  bool give_up_ = false;
  std::uint16_t ip_identification_ = 0;
  std::atomic<bool> nagle_;
  std::atomic<std::int64_t> data_give_up_ms_;  // R2 for data, set_data_give_up's
  std::atomic<bool> error_reports_{true};
  std::atomic<std::uint8_t> diffserv_{0};

  Statistics statistics_;
};

}  // namespace lim::tcp::tcb
