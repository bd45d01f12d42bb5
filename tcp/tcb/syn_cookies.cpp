#include "lim/tcp/tcb/syn_cookies.hpp"

#include <algorithm>

namespace lim::tcp::tcb {
namespace {

constexpr unsigned kMacBits = 27;
constexpr std::uint32_t kMacMask = (std::uint32_t{1} << kMacBits) - 1;

// The window a TCB made by `config` opens a connection without window
// scaling with: the cookie's SYN-ACK offers no more.
std::uint16_t initial_window(const TcbConfig& config) {
  return static_cast<std::uint16_t>(std::min<std::size_t>(config.receive_buffer, 0xFFFF));
}

}  // namespace

std::uint64_t SynCookies::tick_of(TimePoint now) {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count() /
                                    kTick.count());
}

std::uint32_t SynCookies::mac(const wire::FourTuple& tuple, std::uint32_t peer_isn, std::uint64_t tick,
                              unsigned mss_index) const {
  // 'C' keeps the input apart from the ISN's and the timestamp offset's.
  std::array<std::uint8_t, 14> more{'C'};
  for (int i = 0; i < 4; ++i) more[1 + i] = static_cast<std::uint8_t>(peer_isn >> (24 - 8 * i));
  for (int i = 0; i < 8; ++i) more[5 + i] = static_cast<std::uint8_t>(tick >> (56 - 8 * i));
  more[13] = static_cast<std::uint8_t>(mss_index);
  return keyed_(tuple, more) & kMacMask;
}

std::optional<std::uint32_t> SynCookies::make(const wire::FourTuple& tuple, std::uint32_t peer_isn,
                                              std::optional<std::uint16_t> peer_mss, TimePoint now) const {
  if (!can_carry(peer_mss)) return std::nullopt;
  const std::uint16_t mss = peer_mss.value_or(536);  // MUST-15's default
  unsigned index = kMss.size() - 1;
  while (kMss[index] > mss) --index;  // the largest the peer can take (MUST-14)
  const auto tick = tick_of(now);
  return static_cast<std::uint32_t>(tick % 8) << 29 | index << kMacBits | mac(tuple, peer_isn, tick, index);
}

std::optional<std::uint16_t> SynCookies::check(const wire::FourTuple& tuple, std::uint32_t peer_isn,
                                               std::uint32_t cookie, TimePoint now) const {
  const auto tick = tick_of(now);
  const unsigned index = (cookie >> kMacBits) & 3;
  for (const std::uint64_t age : {0, 1}) {
    if (tick < age) break;
    const auto made = tick - age;
    if ((cookie >> 29) == made % 8 && (cookie & kMacMask) == mac(tuple, peer_isn, made, index)) return kMss[index];
  }
  return std::nullopt;
}

std::optional<OutSegment> SynCookies::syn_ack(const Segment& syn, const TcbConfig& config, TimePoint now) const {
  const auto cookie = make(syn.tuple, syn.seq, syn.options.maximum_segment_size, now);
  if (!cookie) return std::nullopt;
  OutSegment out;
  out.tuple = syn.tuple;
  out.seq = *cookie;
  out.ack = syn.seq + 1;
  out.flags = wire::flag::kSyn | wire::flag::kAck;
  out.window = initial_window(config);
  out.options.maximum_segment_size = static_cast<std::uint16_t>(config.mtu - 40);
  out.ttl = config.ttl;
  return out;
}

std::optional<Segment> SynCookies::rebuild_syn(const Segment& ack, TimePoint now) const {
  if (!ack.has(wire::flag::kAck) || (ack.flags & (wire::flag::kSyn | wire::flag::kRst)) != 0) return std::nullopt;
  const auto mss = check(ack.tuple, ack.seq - 1, ack.ack - 1, now);
  if (!mss) return std::nullopt;
  Segment syn;
  syn.tuple = ack.tuple;
  syn.seq = ack.seq - 1;
  syn.flags = wire::flag::kSyn;
  syn.window = ack.window;  // unscaled: the cookie offered no scaling
  syn.options.maximum_segment_size = *mss;
  syn.ttl = ack.ttl;
  syn.diffserv = ack.diffserv;
  syn.cookie_iss = ack.ack - 1;
  return syn;
}

}  // namespace lim::tcp::tcb
