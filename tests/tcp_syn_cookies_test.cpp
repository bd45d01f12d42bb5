// SYN cookies (RFC 4987 §3.6) by themselves: what a cookie carries, that
// nothing but the SYN it was made for and its own lifetime makes it good,
// and the segments they make: the stateless SYN-ACK and the SYN rebuilt
// from the ACK that returns it.
#include <array>
#include <chrono>
#include <cstdint>
#include <optional>

#include <gtest/gtest.h>

#include "lim/tcp/tcb/syn_cookies.hpp"

namespace lim::tcp::tcb {
namespace {

using namespace std::chrono_literals;
using wire::flag::kAck;
using wire::flag::kRst;
using wire::flag::kSyn;

const wire::FourTuple kTuple{wire::IpAddress::v4(0xC6120002), 7, wire::IpAddress::v4(0xC6120001), 40000};
const TimePoint kNow = TimePoint{} + 1000h;

std::array<std::uint8_t, 32> secret(std::uint8_t seed) {
  std::array<std::uint8_t, 32> bytes{};
  for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<std::uint8_t>(seed + 17 * i);
  return bytes;
}

// MUST-14/15: the peer's MSS comes back as the largest of the table it can
// take, 536 when it sent none; one below 536 gets no cookie.
TEST(TcpSynCookies, MUST14_TheCookieCarriesTheLargestTabledMssThePeerTakes) {
  const SynCookies cookies(secret(1));
  const std::pair<std::optional<std::uint16_t>, std::uint16_t> cases[] = {
      {1460, 1460}, {9000, 1460}, {1459, 1440}, {1440, 1440}, {1400, 1300}, {1300, 1300}, {1299, 536}, {536, 536},
      {std::nullopt, 536}};
  for (const auto& [offered, carried] : cases) {
    const auto cookie = cookies.make(kTuple, 1000, offered, kNow);
    ASSERT_TRUE(cookie) << offered.value_or(0);
    EXPECT_EQ(cookies.check(kTuple, 1000, *cookie, kNow), std::optional<std::uint16_t>(carried))
        << offered.value_or(0);
  }
  EXPECT_FALSE(cookies.make(kTuple, 1000, 535, kNow));
  EXPECT_FALSE(cookies.make(kTuple, 1000, 64, kNow));
  EXPECT_TRUE(SynCookies::can_carry(std::nullopt));
  EXPECT_TRUE(SynCookies::can_carry(536));
  EXPECT_FALSE(SynCookies::can_carry(535));
}

// A cookie is good only for its 4-tuple, its peer's ISN and under its
// secret; any one of its 32 bits changed makes it no cookie.
TEST(TcpSynCookies, RFC4987_OnlyTheSynItWasMadeForReturnsIt) {
  const SynCookies cookies(secret(1));
  const auto cookie = *cookies.make(kTuple, 1000, 1460, kNow);
  ASSERT_TRUE(cookies.check(kTuple, 1000, cookie, kNow));
  EXPECT_FALSE(cookies.check(kTuple, 1001, cookie, kNow));
  auto other_port = kTuple;
  other_port.remote_port = 40001;
  EXPECT_FALSE(cookies.check(other_port, 1000, cookie, kNow));
  auto other_host = kTuple;
  other_host.remote = wire::IpAddress::v4(0xC6120003);
  EXPECT_FALSE(cookies.check(other_host, 1000, cookie, kNow));
  EXPECT_FALSE(SynCookies(secret(2)).check(kTuple, 1000, cookie, kNow)) << "another secret";
  for (int bit = 0; bit < 32; ++bit)
    EXPECT_FALSE(cookies.check(kTuple, 1000, cookie ^ (std::uint32_t{1} << bit), kNow)) << "bit " << bit;
  // Two generators draw different secrets from the kernel.
  EXPECT_NE(SynCookies().make(kTuple, 1000, 1460, kNow), SynCookies().make(kTuple, 1000, 1460, kNow));
}

// A cookie is good in the 64-second tick it was made in and the next, and
// not after: one captured cannot be replayed for long.
TEST(TcpSynCookies, RFC4987_ACookieIsGoodForOneTickMoreAndNoLonger) {
  const SynCookies cookies(secret(3));
  const auto start = TimePoint{} + 64s * 100000;  // the start of a tick
  const auto cookie = *cookies.make(kTuple, 77, 1460, start);
  EXPECT_TRUE(cookies.check(kTuple, 77, cookie, start + 63s));
  EXPECT_TRUE(cookies.check(kTuple, 77, cookie, start + 64s));
  EXPECT_TRUE(cookies.check(kTuple, 77, cookie, start + 127s));
  EXPECT_FALSE(cookies.check(kTuple, 77, cookie, start + 128s));
  EXPECT_FALSE(cookies.check(kTuple, 77, cookie, start + 64s * 8)) << "the tick's three bits wrapped";
  EXPECT_FALSE(cookies.check(kTuple, 77, cookie, start - 1s)) << "made in the future";
  // Within a tick the same SYN gets the same cookie: a retransmitted SYN's
  // SYN-ACK is the same as the first.
  EXPECT_EQ(cookies.make(kTuple, 77, 1460, start + 1s), cookies.make(kTuple, 77, 1460, start + 60s));
}

// The stateless SYN-ACK: <SEQ=cookie><ACK=SEG.SEQ+1><CTL=SYN,ACK>, our MSS,
// an unscaled window, and nothing a cookie cannot carry.
TEST(TcpSynCookies, RFC4987_TheSynAckOffersOnlyWhatTheCookieCarries) {
  const SynCookies cookies(secret(4));
  TcbConfig config;
  config.mtu = 1400;
  config.ttl = 33;
  Segment syn;
  syn.tuple = kTuple;
  syn.seq = 0xFFFFFFFF;
  syn.flags = kSyn;
  syn.options.maximum_segment_size = 1460;
  syn.options.window_scale = 7;
  syn.options.sack_permitted = true;
  syn.options.timestamps = wire::Timestamps{5, 0};
  const auto synack = cookies.syn_ack(syn, config, kNow);
  ASSERT_TRUE(synack);
  EXPECT_EQ(synack->flags, kSyn | kAck);
  EXPECT_EQ(synack->ack, 0u);  // SEG.SEQ + 1, modulo 2^32
  EXPECT_EQ(cookies.check(kTuple, syn.seq, synack->seq, kNow), std::optional<std::uint16_t>(1460));
  EXPECT_EQ(synack->options.maximum_segment_size, std::optional<std::uint16_t>(1360));
  EXPECT_FALSE(synack->options.window_scale);
  EXPECT_FALSE(synack->options.sack_permitted);
  EXPECT_FALSE(synack->options.timestamps);
  EXPECT_EQ(synack->window, 0xFFFF);  // the 256 KiB buffer, unscaled
  EXPECT_EQ(synack->ttl, 33);
  config.receive_buffer = 4000;
  EXPECT_EQ(cookies.syn_ack(syn, config, kNow)->window, 4000);
  syn.options.maximum_segment_size = 500;
  EXPECT_FALSE(cookies.syn_ack(syn, config, kNow));
}

// The ACK that returns the cookie gives back the SYN: IRS = SEG.SEQ - 1,
// the MSS, and the cookie as the ISS. Anything else gives nothing.
TEST(TcpSynCookies, RFC4987_TheAckThatReturnsTheCookieRebuildsTheSyn) {
  const SynCookies cookies(secret(5));
  const auto cookie = *cookies.make(kTuple, 4000, 1300, kNow);
  Segment ack;
  ack.tuple = kTuple;
  ack.seq = 4001;
  ack.ack = cookie + 1;
  ack.flags = kAck;
  ack.window = 29200;
  ack.ttl = 61;
  const auto syn = cookies.rebuild_syn(ack, kNow + 30s);
  ASSERT_TRUE(syn);
  EXPECT_EQ(syn->flags, kSyn);
  EXPECT_EQ(syn->seq, 4000u);
  EXPECT_EQ(syn->cookie_iss, std::optional<std::uint32_t>(cookie));
  EXPECT_EQ(syn->options.maximum_segment_size, std::optional<std::uint16_t>(1300));
  EXPECT_FALSE(syn->options.window_scale);
  EXPECT_EQ(syn->window, 29200);
  EXPECT_EQ(syn->ttl, 61);
  auto with = [&](auto change) {
    auto changed = ack;
    change(changed);
    return cookies.rebuild_syn(changed, kNow);
  };
  EXPECT_FALSE(with([](Segment& s) { s.flags = kAck | kRst; }));
  EXPECT_FALSE(with([](Segment& s) { s.flags = kAck | kSyn; }));
  EXPECT_FALSE(with([](Segment& s) { s.flags = 0; }));
  EXPECT_FALSE(with([](Segment& s) { s.seq += 1; })) << "data after the first segment: not the ISN the cookie has";
  EXPECT_FALSE(with([](Segment& s) { s.ack += 1; }));
  EXPECT_FALSE(cookies.rebuild_syn(ack, kNow + 200s));
}

}  // namespace
}  // namespace lim::tcp::tcb
