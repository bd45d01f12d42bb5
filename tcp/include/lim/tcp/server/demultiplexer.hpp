#pragma once
// Which session a segment belongs to (the dissertation's channel filtering,
// §3.2.1, by 4-tuple): a connection's own session; else, for a listening
// port, the session waiting in LISTEN there (a SYN binds it to its 4-tuple
// and a fresh LISTEN session takes its place); else the closed-port session.
// Bounds on connections and half-open connections are enforced here, so a
// flood cannot exhaust memory. A SYN beyond the connection bound is dropped;
// one that finds the half-open bound full evicts the oldest half-open
// connection (RFC 4987 §3.4's "drop oldest"): its session is aborted, which
// in SYN-RECEIVED sends a RST, and the new SYN takes the slot. A flood of
// spoofed SYNs then only ever holds the newest of them, and a legitimate
// client whose ACK comes back within the time the flood takes to send
// `half_open` SYNs completes its handshake: the ACK takes the connection
// out of the evictable ones as it is routed.
#include <cstdint>
#include <functional>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <unordered_map>

#include "lim/tcp/tcb/tcb.hpp"
#include "lim/tcp/wire/four_tuple.hpp"
#include "lim/tcp/wire/wire_error.hpp"

namespace lim::tcp::server {

class Session;

struct DemultiplexerLimits {
  std::size_t connections = 1024;  // 4-tuples bound at once
  std::size_t half_open = 256;     // of which in SYN-RECEIVED
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
  };

  explicit Demultiplexer(DemultiplexerLimits limits) : limits_(limits) {}

  // Routes one parsed segment; `closed` takes segments nobody else wants.
  void route(tcb::Segment segment, const std::function<void(tcb::Segment)>& closed);
  void count_malformed(wire::WireError error);

  void add_port(std::uint16_t port, Port listener);
  // The listener's current LISTEN session, removed from the table.
  std::shared_ptr<Session> remove_port(std::uint16_t port);
  // lim answered the SYN on `tuple`; an ACK of it (SEG.ACK = ISS + 1) ends
  // the connection's exposure to eviction as it arrives, not when its
  // session, maybe slowed behind a flood, gets round to it.
  void syn_ack_sent(const wire::FourTuple& tuple, std::uint32_t acknowledges);
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
};

}  // namespace lim::tcp::server
