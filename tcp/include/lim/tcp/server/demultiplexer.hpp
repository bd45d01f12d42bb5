#pragma once
// Which session a segment belongs to (the dissertation's channel filtering,
// §3.2.1, by 4-tuple): a connection's own session; else, for a listening
// port, the session waiting in LISTEN there (a SYN binds it to its 4-tuple
// and a fresh LISTEN session takes its place); else the closed-port session.
// Bounds on connections and half-open connections are enforced here, so a
// flood cannot exhaust memory. A SYN beyond the connection bound is dropped.
// One that finds the half-open bound full is answered with a SYN cookie
// (RFC 4987 §3.6, as Linux does by default): the SYN-ACK goes out through
// the SYN cookies' responder and nothing is kept; the ACK that returns the
// cookie makes the connection, from a LISTEN session given the SYN rebuilt
// from the cookie. A flood of spoofed SYNs then holds the half-open bound's
// worth and no more, and a client's handshake completes however long its
// ACK took to arrive (within the cookie's life).
//
// With cookies turned off, such a SYN evicts the oldest half-open
// connection instead (RFC 4987 §3.4's "drop oldest"): its session is
// aborted, which in SYN-RECEIVED sends a RST, and the new SYN takes the
// slot; a client whose ACK comes back within the time the flood takes to
// send `half_open` SYNs completes its handshake — the ACK takes the
// connection out of the evictable ones as it is routed.
#include <cstdint>
#include <functional>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <unordered_map>

#include "lim/tcp/tcb/syn_cookies.hpp"
#include "lim/tcp/tcb/tcb.hpp"
#include "lim/tcp/wire/four_tuple.hpp"
#include "lim/tcp/wire/wire_error.hpp"

namespace lim::tcp::server {

class Session;

struct DemultiplexerLimits {
  std::size_t connections = 1024;  // 4-tuples bound at once
  std::size_t half_open = 256;     // of which in SYN-RECEIVED
  bool syn_cookies = true;         // beyond `half_open`: cookies, or else evict the oldest
};

class Demultiplexer {
 public:
  struct Port {
    std::shared_ptr<Session> listening;                  // the session in LISTEN
    std::function<std::shared_ptr<Session>()> next;      // makes its successor
  };
  struct Counters {
    std::uint64_t segments = 0, malformed = 0, not_for_us = 0, to_closed = 0, dropped_syns = 0, inbox_full = 0;
    std::uint64_t evicted = 0;  // half-open connections aborted to make room for a newer SYN
    std::uint64_t cookies_sent = 0;      // SYNs answered with a cookie
    std::uint64_t cookies_accepted = 0;  // ACKs that returned one: connections made from it
  };

  explicit Demultiplexer(DemultiplexerLimits limits) : limits_(limits) {}

  // Where the segments no connection takes go: `closed`, to the closed
  // port's responder; `cookie`, a SYN to answer with a cookie.
  struct Responders {
    std::function<void(tcb::Segment)> closed;
    std::function<void(tcb::Segment)> cookie;
  };
  // Routes one parsed segment that arrived at `now`.
  void route(tcb::Segment segment, tcb::TimePoint now, const Responders& responders);
  // The cookies' keys: the responder answers with them.
  const tcb::SynCookies& cookies() const { return cookies_; }
  void count_malformed(wire::WireError error);

  void add_port(std::uint16_t port, Port listener);
  // The listener's current LISTEN session, removed from the table.
  std::shared_ptr<Session> remove_port(std::uint16_t port);
  // lim answered the SYN on `tuple` with ISS `iss`; an ACK of it (SEG.ACK =
  // ISS + 1) ends the connection's exposure to eviction as it arrives, not
  // when its session, maybe slowed behind a flood, gets round to it.
  // True when this SYN-ACK is the one a cookie already was: the session of
  // a connection made from a cookie plays its handshake again, and the
  // SYN-ACK it sends is not sent twice.
  bool syn_ack_sent(const wire::FourTuple& tuple, std::uint32_t iss);
  // A session's connection is established (no longer half-open) or over.
  void established(const wire::FourTuple& tuple);
  void release(const wire::FourTuple& tuple);

  Counters counters() const;
  std::size_t connections() const;
  std::size_t half_open() const;

 private:
  struct Entry {
    std::weak_ptr<Session> session;
    // In `half_open_` (SYN-RECEIVED, not evicted), and where.
    bool half_open = false;
    std::list<wire::FourTuple>::iterator age;
    // ISS + 1 once the SYN-ACK went: only its true ACK protects the entry
    // (an off-path attacker cannot guess it, RFC 6528), not any ACK.
    std::optional<std::uint32_t> handshake_ack;
    // Made from a cookie whose SYN-ACK its session has not yet played.
    std::optional<std::uint32_t> cookie_iss;
  };
  void forget_half_open(Entry& entry);

  DemultiplexerLimits limits_;
  mutable std::mutex mutex_;
  // An evicted connection keeps its entry until its session releases it, so
  // that what its 4-tuple still sends reaches the session that is ending,
  // and the connection bound counts it.
  std::unordered_map<wire::FourTuple, Entry, wire::FourTupleHash> connections_;
  std::map<std::uint16_t, Port> ports_;
  std::list<wire::FourTuple> half_open_;  // oldest first
  Counters counters_;
  tcb::SynCookies cookies_;
  // When the last cookie went: only then is an ACK to a listener checked
  // for one (everything else is answered by a RST, as without cookies).
  std::optional<tcb::TimePoint> last_cookie_;
};

}  // namespace lim::tcp::server
