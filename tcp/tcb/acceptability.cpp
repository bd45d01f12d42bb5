#include "lim/tcp/tcb/acceptability.hpp"

#include "lim/tcp/tcb/sequence.hpp"
#include "lim/tcp/tcb/tcb.hpp"

namespace lim::tcp::tcb {

bool in_window(const GuardVariables& v, std::uint32_t x) {
  return seq_le(v.rcv_nxt, x) && seq_lt(x, v.rcv_nxt + v.rcv_wnd);
}

bool paws_rejects(const GuardVariables& v, const Segment& s) {
  return v.ts_recent_valid && s.options.timestamps && seq_lt(s.options.timestamps->value, v.ts_recent);
}

bool acceptable(const GuardVariables& v, const Segment& s) {
  if (paws_rejects(v, s)) return false;
  const std::uint32_t length = s.length();
  if (length == 0) return v.rcv_wnd == 0 ? s.seq == v.rcv_nxt : in_window(v, s.seq);
  return v.rcv_wnd > 0 && (in_window(v, s.seq) || in_window(v, s.seq + length - 1));
}

bool valid(const GuardVariables& v, const Segment& s) {
  return acceptable(v, s) && seq_le(s.ack, v.snd_nxt) && seq_le(v.snd_una - v.max_snd_wnd, s.ack);
}

bool acks_syn(const GuardVariables& v, const Segment& s) { return seq_lt(v.snd_una, s.ack) && seq_le(s.ack, v.snd_nxt); }

bool acks_fin(const GuardVariables& v, const Segment& s) { return v.fin_sent && s.ack == v.snd_nxt; }

bool in_order(const GuardVariables& v, const Segment& s) {
  return seq_le(s.seq, v.rcv_nxt) && in_window(v, s.seq + s.length() - 1);
}

bool exact(const GuardVariables& v, const Segment& s) { return s.seq == v.rcv_nxt; }
bool challenged(const GuardVariables& v, const Segment& s) { return s.seq != v.rcv_nxt && in_window(v, s.seq); }
bool blind(const GuardVariables& v, const Segment& s) { return s.seq != v.rcv_nxt && !in_window(v, s.seq); }
bool same_syn(const GuardVariables& v, const Segment& s) { return s.seq + 1 == v.rcv_nxt; }

}  // namespace lim::tcp::tcb
