#pragma once
// RFC 9293's tests on an arriving segment, as specs/tcp/server.lim's
// predicates write them, over the variables the spec's guards read. The TCB
// processes a segment by these; the automaton picks its branch by the
// spec's guards on the same variables; tests/tcp_tcb_test.cpp checks, on
// random values through lim's guard evaluator, that the two agree.
#include <cstdint>

namespace lim::tcp::tcb {

struct Segment;

// RFC 9293 §3.3.1's variables, as the spec's `state system { … }` has them.
struct GuardVariables {
  std::uint32_t rcv_nxt = 0;
  std::uint32_t rcv_wnd = 0;
  std::uint32_t snd_una = 0;
  std::uint32_t snd_nxt = 0;
  std::uint32_t max_snd_wnd = 0;  // RFC 5961 §5.2's MAX.SND.WND
  bool fin_sent = false;
  // The connection's challenge ACKs are used up for now (RFC 5961 §7).
  bool throttled = false;
  // RFC 7323's TS.Recent, and whether PAWS judges by it: timestamps were
  // negotiated and TS.Recent is less than 24 days old (§5.5).
  std::uint32_t ts_recent = 0;
  bool ts_recent_valid = false;
};

// RCV.NXT =< x < RCV.NXT + RCV.WND (mod 2^32).
bool in_window(const GuardVariables& v, std::uint32_t x);
// RFC 7323 §5.3 R1: the segment's TSval is older than TS.Recent (never
// for a segment without the option).
bool paws_rejects(const GuardVariables& v, const Segment& s);
// §3.10.7.4's four cases, for a segment PAWS does not reject.
bool acceptable(const GuardVariables& v, const Segment& s);
// Acceptable, not acknowledging anything not yet sent, nor anything older
// than SND.UNA - MAX.SND.WND (RFC 5961 §5.2).
bool valid(const GuardVariables& v, const Segment& s);
// SND.UNA < SEG.ACK =< SND.NXT.
bool acks_syn(const GuardVariables& v, const Segment& s);
// Our FIN is out and everything is acknowledged.
bool acks_fin(const GuardVariables& v, const Segment& s);
// Nothing missing before the segment, and its last octet in the window.
bool in_order(const GuardVariables& v, const Segment& s);
// RFC 5961 §3.2's three cases of a RST: exactly at RCV.NXT (it resets),
// elsewhere in the window (a challenge ACK), outside it (dropped).
bool exact(const GuardVariables& v, const Segment& s);
bool challenged(const GuardVariables& v, const Segment& s);
bool blind(const GuardVariables& v, const Segment& s);
// A SYN again: the one the connection started with (IRS = RCV.NXT - 1).
bool same_syn(const GuardVariables& v, const Segment& s);

}  // namespace lim::tcp::tcb
