#pragma once
// SYN cookies (RFC 4987 §3.6): once the half-open bound is full, a SYN is
// answered without keeping anything. The SYN-ACK's ISS encodes what the
// connection will need — the peer's MSS, from a table of four — and a coarse
// clock, under a keyed hash of the 4-tuple and the peer's ISN:
//
//   ISS = tick mod 8 (3 bits) | MSS index (2 bits) | MAC (27 bits)
//
// An ACK whose SEG.ACK - 1 is such a cookie proves that its sender saw the
// SYN-ACK at its address; the connection is rebuilt from it: the SYN the TCB
// would have had (IRS = SEG.SEQ - 1, the MSS) and the ISS it would have
// chosen. A cookie is good in the tick (64 s) it was made and the next, as
// Linux's are for about two minutes.
//
// What a cookie cannot carry, the cookie's SYN-ACK does not offer: window
// scaling, SACK-permitted and timestamps (RFC 4987 §3.6 names the cost); a
// connection made from a cookie goes without them. A SYN whose MSS is below
// the table's least (536) cannot be honoured and gets no cookie.
#include <array>
#include <chrono>
#include <cstdint>
#include <optional>

#include "lim/tcp/tcb/keyed_hash.hpp"
#include "lim/tcp/tcb/tcb.hpp"

namespace lim::tcp::tcb {

class SynCookies {
 public:
  // Linux's table for IPv4: the MSSs most paths have.
  static constexpr std::array<std::uint16_t, 4> kMss{536, 1300, 1440, 1460};
  static constexpr std::chrono::seconds kTick{64};

  SynCookies() = default;  // draws its own secret
  explicit SynCookies(const std::array<std::uint8_t, 32>& secret) : keyed_(secret) {}

  // Whether a SYN offering `peer_mss` (536 when absent) can have a cookie:
  // not below the table's least.
  static bool can_carry(std::optional<std::uint16_t> peer_mss) { return peer_mss.value_or(536) >= kMss.front(); }
  // The cookie for a SYN from `tuple` with ISN `peer_isn` and MSS
  // `peer_mss`; nullopt when it cannot carry the MSS.
  std::optional<std::uint32_t> make(const wire::FourTuple& tuple, std::uint32_t peer_isn,
                                    std::optional<std::uint16_t> peer_mss, TimePoint now) const;
  // The MSS the cookie carries, when it is one made for `tuple` and
  // `peer_isn` less than two ticks ago; nullopt for anything else.
  std::optional<std::uint16_t> check(const wire::FourTuple& tuple, std::uint32_t peer_isn, std::uint32_t cookie,
                                     TimePoint now) const;

  // The stateless answer to `syn`: <SEQ=cookie><ACK=SEG.SEQ+1><CTL=SYN,ACK>
  // with our MSS and the window a TCB made by `config` opens with; nullopt
  // when the SYN gets no cookie.
  std::optional<OutSegment> syn_ack(const Segment& syn, const TcbConfig& config, TimePoint now) const;
  // The SYN the ACK `ack` completes, rebuilt: IRS = SEG.SEQ - 1, the MSS
  // from the cookie and `cookie_iss` = SEG.ACK - 1; nullopt when SEG.ACK - 1
  // is no good cookie (or the ACK has SYN or RST).
  std::optional<Segment> rebuild_syn(const Segment& ack, TimePoint now) const;

 private:
  std::uint32_t mac(const wire::FourTuple& tuple, std::uint32_t peer_isn, std::uint64_t tick, unsigned mss_index) const;
  static std::uint64_t tick_of(TimePoint now);
  KeyedHash keyed_;
};

}  // namespace lim::tcp::tcb
