#pragma once
// Congestion control (RFC 5681) behind an interface of its own, so that the
// TCB's loss detection stays one piece of code whatever algorithm sizes the
// congestion window. NewReno (RFC 6582) is the one lim ships.
#include <cstdint>
#include <memory>
#include <optional>
#include <utility>

namespace lim::tcp::tcb {

// What the TCB tells the algorithm, in sequence numbers of the send space.
struct Flight {
  std::uint32_t snd_una = 0;  // after the ACK was processed
  std::uint32_t snd_nxt = 0;
  std::uint32_t mss = 536;
  // Whether unsent data could go if the window let it: RFC 5827's early
  // retransmit lowers DupThresh only when it cannot.
  bool more_to_send = false;
  std::uint32_t in_flight() const { return snd_nxt - snd_una; }
};

class CongestionControl {
 public:
  virtual ~CongestionControl() = default;
  // The connection is synchronized: the initial window (RFC 5681 §3.1).
  virtual void start(std::uint32_t iss, std::uint32_t mss) = 0;
  // An ACK that acknowledged `acked` new octets; true when the segment at
  // SND.UNA must be retransmitted at once (RFC 6582's partial ACK).
  virtual bool on_ack(std::uint32_t acked, const Flight& flight) = 0;
  // A duplicate ACK (RFC 5681 §2's definition, checked by the TCB); true
  // when the segment at SND.UNA must be retransmitted at once (fast
  // retransmit, RFC 5681 §3.2).
  virtual bool on_duplicate_ack(std::uint32_t ack, const Flight& flight) = 0;
  // The SACK scoreboard deems the segment at SND.UNA lost (RFC 6675 §5's
  // IsLost) before DupThresh duplicates arrived: loss recovery starts as
  // on the threshold's duplicate; true when it did.
  virtual bool on_loss(const Flight& flight) = 0;
  // A loss repaired by a tail loss probe (RFC 8985 §7.4.2): the same
  // response as a fast recovery that has already ended.
  virtual void on_repaired_loss(const Flight& flight) = 0;
  // The retransmission timer expired (RFC 5681 §3.1, equation 4).
  virtual void on_timeout(const Flight& flight) = 0;
  // The last reduction for a loss (fast recovery or a repaired probe) was
  // for none: the original arrived (RFC 4015's response).
  virtual void on_spurious_loss() = 0;
  virtual std::uint32_t cwnd() const = 0;
  // What the sender may have in flight: the congestion window, plus what
  // RFC 3042's limited transmit adds for the first duplicates.
  virtual std::uint32_t send_allowance() const { return cwnd(); }
  virtual std::uint32_t ssthresh() const = 0;
  virtual bool in_recovery() const = 0;
};

// RFC 5681 slow start and congestion avoidance, fast retransmit and fast
// recovery with RFC 6582's NewReno modification (partial ACKs retransmit the
// next hole; one recovery per window of data).
class NewReno final : public CongestionControl {
 public:
  void start(std::uint32_t iss, std::uint32_t mss) override;
  bool on_ack(std::uint32_t acked, const Flight& flight) override;
  bool on_duplicate_ack(std::uint32_t ack, const Flight& flight) override;
  bool on_loss(const Flight& flight) override;
  void on_repaired_loss(const Flight& flight) override;
  void on_timeout(const Flight& flight) override;
  void on_spurious_loss() override;
  std::uint32_t cwnd() const override { return cwnd_; }
  std::uint32_t send_allowance() const override;
  std::uint32_t ssthresh() const override { return ssthresh_; }
  bool in_recovery() const override { return in_recovery_; }

  // RFC 5681 §3.2's DupThresh.
  static constexpr unsigned kDuplicateThreshold = 3;
  // DupThresh for `flight`: RFC 5827's early retransmit lowers it to one
  // less than the segments outstanding when fewer than four are and no new
  // data can go, so that a small flight recovers without a timeout.
  static unsigned duplicate_threshold(const Flight& flight);

 private:
  void enter_recovery(const Flight& flight);

  std::uint32_t cwnd_ = 4 * 536;
  std::uint32_t ssthresh_ = 0xFFFFFFFFu;
  unsigned duplicates_ = 0;
  std::uint32_t mss_ = 536;
  bool in_recovery_ = false;
  std::uint32_t recover_ = 0;  // RFC 6582's "recover", as SND.NXT when recovery began (one past it)
  std::uint32_t bytes_acked_ = 0;  // congestion avoidance's byte counting (RFC 3465)
  // The window and threshold before the last reduction for a loss, which
  // on_spurious_loss restores.
  std::optional<std::pair<std::uint32_t, std::uint32_t>> before_reduction_;
};

}  // namespace lim::tcp::tcb
