// tcp/tcb without a network: the TCB's RFC 9293 conditions agree with the
// spec's guards (through lim's own guard evaluator, on every guarded offer
// of specs/tcp/server.lim and random values around the edges of the
// sequence space); reassembly; RFC 6298's RTO; RFC 6528's ISNs; the seeded
// impairment stage.
#include <functional>
#include <map>
#include <random>
#include <set>
#include <string>

#include <gtest/gtest.h>

#include "lim/pipeline/check.hpp"
#include "lim/refine/branch_selection.hpp"
#include "lim/refine/refinements.hpp"
#include "lim/tcp/link/impairment.hpp"
#include "lim/tcp/server/segment_codec.hpp"
#include "lim/tcp/tcb/acceptability.hpp"
#include "lim/tcp/tcb/buffers.hpp"
#include "lim/tcp/tcb/isn.hpp"
#include "lim/tcp/tcb/retransmission_timeout.hpp"
#include "lim/tcp/tcb/sequence.hpp"
#include "lim/tcp/tcb/tcb.hpp"
#include "test_support.hpp"

namespace lim::tcp::tcb {
namespace {

using Condition = std::function<bool(const GuardVariables&, const Segment&)>;

// Each guard of the spec, as the TCB computes it.
const std::map<std::string, Condition>& conditions() {
  static const std::map<std::string, Condition> table = {
      {"valid(s)", valid},
      {"!valid(s)", [](const auto& v, const auto& s) { return !valid(v, s); }},
      {"valid(s) && !in_order(s)", [](const auto& v, const auto& s) { return valid(v, s) && !in_order(v, s); }},
      {"valid(s) && in_order(s)", [](const auto& v, const auto& s) { return valid(v, s) && in_order(v, s); }},
      {"valid(s) && acks_fin(s)", [](const auto& v, const auto& s) { return valid(v, s) && acks_fin(v, s); }},
      {"valid(s) && !acks_fin(s)", [](const auto& v, const auto& s) { return valid(v, s) && !acks_fin(v, s); }},
      {"valid(s) && in_order(s) && acks_fin(s)",
       [](const auto& v, const auto& s) { return valid(v, s) && in_order(v, s) && acks_fin(v, s); }},
      {"valid(s) && in_order(s) && !acks_fin(s)",
       [](const auto& v, const auto& s) { return valid(v, s) && in_order(v, s) && !acks_fin(v, s); }},
      {"acceptable(s) && acks_syn(s)", [](const auto& v, const auto& s) { return acceptable(v, s) && acks_syn(v, s); }},
      {"acceptable(s) && !acks_syn(s)",
       [](const auto& v, const auto& s) { return acceptable(v, s) && !acks_syn(v, s); }},
      {"!acceptable(s)", [](const auto& v, const auto& s) { return !acceptable(v, s); }},
      {"exact(s)", exact},
      {"challenged(s) && !throttled", [](const auto& v, const auto& s) { return challenged(v, s) && !v.throttled; }},
      {"challenged(s) && throttled", [](const auto& v, const auto& s) { return challenged(v, s) && v.throttled; }},
      {"!throttled", [](const auto& v, const auto&) { return !v.throttled; }},
      {"throttled", [](const auto& v, const auto&) { return v.throttled; }},
      {"blind(s)", blind},
      {"same_syn(s)", same_syn},
      {"!same_syn(s) && !throttled", [](const auto& v, const auto& s) { return !same_syn(v, s) && !v.throttled; }},
      {"!same_syn(s) && throttled", [](const auto& v, const auto& s) { return !same_syn(v, s) && v.throttled; }},
  };
  return table;
}

std::uint32_t near(std::mt19937& random, std::uint32_t base) {
  switch (random() % 5) {
    case 0: return base;
    case 1: return base + (random() % 8) - 4;
    case 2: return base + (random() % 70000) - 35000;
    case 3: return base + 0x80000000u + (random() % 4) - 2;  // the far side of the sequence circle
    default: return static_cast<std::uint32_t>(random());
  }
}

// Lim's guard evaluator picks a branch of the spec for each random segment
// and state; the TCB's conditions must hold for exactly that branch. This is
// what makes "the automaton chose by the spec, the TCB processed by the RFC"
// one decision.
TEST(TcpTcb, TheTcbsConditionsAgreeWithTheSpecsGuardsThroughTheGuardEvaluator) {
  auto spec = pipeline::load_spec_file((lim::testing::source_dir() / "specs/tcp/server.lim").string());
  ASSERT_TRUE(spec.ok());
  const auto& system = *spec.system;
  automata::RoleId role = 0, net = 0;
  for (automata::RoleId r = 0; r < system.role_count(); ++r) {
    if (system.role_names[r] == "system") role = r;
    if (system.role_names[r] == "net") net = r;
  }
  const auto& refinements = *system.refinements;
  const auto& machine = system.machines[role];
  std::mt19937 random(9293);
  std::set<std::string> guards_seen;
  std::size_t trials = 0;
  std::size_t paws_decided = 0;  // trials where PAWS alone made a segment unacceptable
  for (automata::StateId state = 0; state < machine.state_count(); ++state) {
    std::map<automata::LabelId, std::vector<std::uint32_t>> branches;  // guarded receives from net, per label
    for (std::uint32_t i = 0; i < machine.outgoing(state).size(); ++i) {
      const auto& transition = machine.outgoing(state)[i];
      if (transition.action.direction == automata::Direction::Receive && transition.action.peer == net &&
          transition.action.guard != automata::kNoGuard)
        branches[transition.action.label].push_back(machine.first_outgoing_index(state) + i);
    }
    for (const auto& [label, transitions] : branches) {
      const std::string name = system.labels.name(label);
      for (int round = 0; round < 400; ++round, ++trials) {
        GuardVariables v;
        v.rcv_nxt = static_cast<std::uint32_t>(random());
        const std::uint32_t windows[] = {0, 1, 2, 1460, 65535, 262144, 0x7FFFFFFF};
        v.rcv_wnd = windows[random() % 7];
        v.snd_nxt = static_cast<std::uint32_t>(random());
        v.snd_una = v.snd_nxt - random() % 3000;
        v.fin_sent = random() % 2 == 0;
        v.throttled = random() % 2 == 0;
        v.max_snd_wnd = windows[random() % 7];
        v.ts_recent = static_cast<std::uint32_t>(random());
        v.ts_recent_valid = random() % 2 == 0;
        Segment s;
        // PAWS: a TSval around TS.Recent, or no option at all.
        if (random() % 3 != 0) s.options.timestamps = wire::Timestamps{near(random, v.ts_recent), 0};
        s.seq = near(random, v.rcv_nxt);
        s.ack = near(random, v.snd_nxt);
        s.window = static_cast<std::uint16_t>(random());
        s.flags = name == "ack"       ? wire::flag::kAck
                  : name == "fin_ack" ? wire::flag::kAck | wire::flag::kFin
                  : name == "syn"     ? wire::flag::kSyn
                  : name == "syn_ack" ? wire::flag::kSyn | wire::flag::kAck
                                      : wire::flag::kRst;
        s.payload.resize(random() % 4 == 0 ? 0 : random() % 1600);
        // The guard evaluator's view: the segment record and the variables.
        std::string error;
        const auto payload = refine::payload_values(
            refinements, refinements.shape_of(system.sorts.display(machine.transitions()[transitions[0]].action.payload)),
            server::segment_record(s), error);
        ASSERT_TRUE(payload) << error;
        const auto values = refine::state_values(
            refinements, role,
            {{"rcv_nxt", v.rcv_nxt}, {"rcv_wnd", v.rcv_wnd}, {"snd_una", v.snd_una}, {"snd_nxt", v.snd_nxt},
             {"max_snd_wnd", v.max_snd_wnd}, {"fin_sent", v.fin_sent}, {"throttled", v.throttled},
             {"ts_recent", v.ts_recent}, {"ts_recent_valid", v.ts_recent_valid}, {"timer", 0}},
            error);
        ASSERT_TRUE(values) << error;
        const auto chosen = refine::select_branch(system, role, state, net, label, *payload, *values);
        ASSERT_TRUE(chosen) << "no branch for " << name << " in " << machine.graph[state].name;
        GuardVariables without_paws = v;
        without_paws.ts_recent_valid = false;
        if (paws_rejects(v, s) && acceptable(without_paws, s)) ++paws_decided;
        for (const auto transition : transitions) {
          const auto& text = refinements.guards.at(machine.transitions()[transition].action.guard).text;
          const auto condition = conditions().find(text);
          ASSERT_NE(condition, conditions().end()) << "a guard the TCB does not compute: " << text;
          guards_seen.insert(text);
          EXPECT_EQ(condition->second(v, s), transition == *chosen)
              << name << " in " << machine.graph[state].name << ": guard " << text << ", seq " << s.seq << " len "
              << s.length() << " ack " << s.ack << ", rcv_nxt " << v.rcv_nxt << " rcv_wnd " << v.rcv_wnd << " snd_una "
              << v.snd_una << " snd_nxt " << v.snd_nxt << " fin_sent " << v.fin_sent << " tsval "
              << (s.options.timestamps ? s.options.timestamps->value : 0) << " ts_recent " << v.ts_recent
              << " ts_recent_valid " << v.ts_recent_valid;
        }
      }
    }
  }
  EXPECT_GT(trials, 10000u);
  EXPECT_GT(paws_decided, 100u);
  EXPECT_EQ(guards_seen.size(), conditions().size());  // every guard of the spec was exercised
}

TEST(TcpTcb, SHLD31_OutOfOrderSegmentsAreHeldTrimmedAndDeliveredInOrder) {
  ReceiveBuffer buffer(1000);
  const auto bytes = [](std::uint8_t from, std::size_t count) {
    std::vector<std::uint8_t> data(count);
    for (std::size_t i = 0; i < count; ++i) data[i] = static_cast<std::uint8_t>(from + i);
    return data;
  };
  EXPECT_EQ(buffer.insert(10, bytes(10, 10)), 0u);  // [10, 20): a hole before it
  EXPECT_EQ(buffer.insert(30, bytes(30, 5)), 0u);   // [30, 35): another hole
  EXPECT_EQ(buffer.insert(15, bytes(15, 10)), 0u);  // overlaps [10, 20): only [20, 25) is new
  EXPECT_EQ(buffer.held_segments(), 3u);
  EXPECT_EQ(buffer.held_bytes(), 20u);
  EXPECT_EQ(buffer.insert(0, bytes(0, 12)), 25u);  // fills the first hole: [0, 25) in order
  EXPECT_EQ(buffer.next(), 25u);
  EXPECT_EQ(buffer.insert(20, bytes(20, 10)), 10u);  // a duplicate start, new [25, 30); then [30, 35) joins
  EXPECT_EQ(buffer.next(), 35u);
  EXPECT_FALSE(buffer.has_holes());
  std::vector<std::uint8_t> out(100);
  ASSERT_EQ(buffer.read(out), 35u);
  for (std::uint8_t i = 0; i < 35; ++i) EXPECT_EQ(out[i], i);
  EXPECT_EQ(buffer.insert(0, bytes(0, 35)), 0u);  // entirely old
}

TEST(TcpTcb, ReassemblyOfRandomPiecesGivesTheStreamBack) {
  std::mt19937 random(5);
  for (int round = 0; round < 50; ++round) {
    std::vector<std::uint8_t> stream(5000);
    for (auto& byte : stream) byte = static_cast<std::uint8_t>(random());
    ReceiveBuffer buffer(stream.size());
    std::vector<std::uint8_t> got;
    while (got.size() < stream.size()) {
      const std::size_t from = buffer.next() + random() % 600;
      const std::size_t length = 1 + random() % 400;
      if (from >= stream.size()) continue;
      buffer.insert(from, std::span(stream).subspan(from, std::min(length, stream.size() - from)));
      std::vector<std::uint8_t> chunk(buffer.readable());
      buffer.read(chunk);
      got.insert(got.end(), chunk.begin(), chunk.end());
      if (random() % 7 == 0) buffer.insert(buffer.next() > 10 ? buffer.next() - 10 : 0,  // a duplicate
                                           std::span(stream).subspan(buffer.next() > 10 ? buffer.next() - 10 : 0, 10));
    }
    EXPECT_EQ(got, stream);
  }
}

TEST(TcpTcb, MUST19_RetransmissionTimeoutFollowsRfc6298) {
  using namespace std::chrono;
  RetransmissionTimeout rto(1000ms, 200ms, 60s);
  EXPECT_EQ(rto.current(), 1000ms);  // (2.1) before any sample
  rto.sample(100ms);                 // (2.2) SRTT = R, RTTVAR = R/2, RTO = SRTT + 4·RTTVAR
  EXPECT_EQ(rto.current(), 300ms);
  rto.sample(100ms);  // RTTVAR = 3/4·50 + 1/4·0 = 37.5, SRTT = 100
  EXPECT_EQ(duration_cast<microseconds>(rto.current()), 250ms);
  rto.back_off();  // (5.5)
  EXPECT_EQ(duration_cast<microseconds>(rto.current()), 500ms);
  RetransmissionTimeout floor(1000ms, 200ms, 60s);
  floor.sample(1ms);
  EXPECT_EQ(floor.current(), 200ms);  // the floor
  for (int i = 0; i < 20; ++i) floor.back_off();
  EXPECT_EQ(floor.current(), 60s);  // the ceiling
}

// RFC 7323 Appendix G: with a sample from every ACK, n of them per round
// trip, each moves SRTT and RTTVAR by 1/n of what one sample per round trip
// would.
TEST(TcpTcb, RFC7323_AppendixG_SamplesFromEveryAckHaveTheirGainsDividedByTheirNumber) {
  using namespace std::chrono;
  RetransmissionTimeout rto(1000ms, 10ms, 60s);
  rto.sample(100ms);           // SRTT 100, RTTVAR 50
  rto.sample(180ms, 5);        // α' = 1/40, β' = 1/20
  EXPECT_EQ(rto.smoothed(), 102ms);                 // 100 + 80/40
  EXPECT_EQ(rto.current(), 102ms + 4 * 51500us);    // RTTVAR = 50 + (80 − 50)/20
  RetransmissionTimeout one(1000ms, 10ms, 60s);
  one.sample(100ms);
  one.sample(180ms, 1);  // RFC 6298's gains: SRTT = 7/8·100 + 1/8·180
  EXPECT_EQ(one.smoothed(), 110ms);
}

// RFC 7323 §7.1: each 4-tuple's timestamp clock has its own keyed offset,
// unrelated to its ISN's.
TEST(TcpTcb, RFC7323_TimestampOffsetsAreKeyedByTheFourTuple) {
  const IsnGenerator isn;
  const wire::FourTuple a{wire::IpAddress::v4(1), 7, wire::IpAddress::v4(2), 40000};
  auto b = a;
  b.remote_port = 40001;
  EXPECT_EQ(isn.timestamp_offset(a), isn.timestamp_offset(a));
  EXPECT_NE(isn.timestamp_offset(a), isn.timestamp_offset(b));
  EXPECT_NE(isn.timestamp_offset(a), isn.isn(a, std::chrono::steady_clock::time_point{}));
  EXPECT_NE(isn.timestamp_offset(a), IsnGenerator().timestamp_offset(a));
}

TEST(TcpTcb, SHLD1_IsnsAreKeyedByTheFourTupleAndDrivenByA4MicrosecondClock) {
  const IsnGenerator isn;
  const wire::FourTuple a{wire::IpAddress::v4(1), 7, wire::IpAddress::v4(2), 40000};
  auto b = a;
  b.remote_port = 40001;
  const auto t = std::chrono::steady_clock::now();
  EXPECT_NE(isn.isn(a, t), isn.isn(b, t));
  // MUST-8: the clock part advances by 1 every 4 µs.
  EXPECT_EQ(isn.isn(a, t + std::chrono::microseconds(400)) - isn.isn(a, t), 100u);
  // A different secret gives unrelated ISNs (MUST-9: not computable from outside).
  const IsnGenerator other;
  EXPECT_NE(isn.isn(a, t), other.isn(a, t));
}

TEST(TcpTcb, SequenceComparisonsWrapAround) {
  EXPECT_TRUE(seq_lt(0xFFFFFFF0u, 0x10u));
  EXPECT_FALSE(seq_lt(0x10u, 0xFFFFFFF0u));
  EXPECT_TRUE(seq_le(5, 5));
  EXPECT_TRUE(seq_gt(1, 0xFFFFFFFFu));
}

TEST(TcpTcb, TheImpairmentIsSeededAndDoesWhatItSays) {
  const auto parsed = link::parse_impairment("loss=0.2,dup=0.1,reorder=0.2,delay=3ms,seed=42");
  ASSERT_TRUE(parsed.config) << parsed.error;
  const auto run = [&] {
    link::Impairment impairment(*parsed.config, 1);
    std::vector<link::Impairment::Scheduled> out;
    const auto now = link::Impairment::Clock::now();
    for (int i = 0; i < 10000; ++i) impairment.submit(link::Packet{static_cast<std::uint8_t>(i)}, now, out);
    return std::pair(impairment.counters(), out.size());
  };
  const auto [counters, sent] = run();
  const auto [again, sent_again] = run();
  EXPECT_EQ(counters.dropped, again.dropped);  // the same seed, the same faults
  EXPECT_EQ(sent, sent_again);
  EXPECT_NEAR(static_cast<double>(counters.dropped) / 10000, 0.2, 0.02);
  EXPECT_NEAR(static_cast<double>(counters.duplicated) / counters.passed, 0.1, 0.02);
  EXPECT_NEAR(static_cast<double>(counters.reordered) / counters.passed, 0.2, 0.02);
  EXPECT_EQ(sent, counters.passed + counters.duplicated);
  for (const char* bad : {"loss=2", "loss", "dup=-1", "jitter=1", "delay=forever", "seed=x", "direction=up"})
    EXPECT_FALSE(link::parse_impairment(bad).config) << bad;
}

}  // namespace
}  // namespace lim::tcp::tcb
