#pragma once
// Which session a segment belongs to (the dissertation's channel filtering,
// §3.2.1, by 4-tuple): a connection's own session; else, for a listening
// port, the session waiting in LISTEN there (a SYN binds it to its 4-tuple
// and a fresh LISTEN session takes its place); else the closed-port session.
// Bounds on connections and half-open connections are enforced here: a SYN
// beyond them is dropped, as a full SYN queue drops it, so a flood cannot
// exhaust memory.
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
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
  };

  explicit Demultiplexer(DemultiplexerLimits limits) : limits_(limits) {}

  // Routes one parsed segment; `closed` takes segments nobody else wants.
  void route(tcb::Segment segment, const std::function<void(tcb::Segment)>& closed);
  void count_malformed(wire::WireError error);

  void add_port(std::uint16_t port, Port listener);
  // The listener's current LISTEN session, removed from the table.
  std::shared_ptr<Session> remove_port(std::uint16_t port);
  // A session's connection is established (no longer half-open) or over.
  void established();
  void release(const wire::FourTuple& tuple, bool was_half_open);

  Counters counters() const;
  std::size_t connections() const;

 private:
  DemultiplexerLimits limits_;
  mutable std::mutex mutex_;
  std::unordered_map<wire::FourTuple, std::weak_ptr<Session>, wire::FourTupleHash> connections_;
  std::map<std::uint16_t, Port> ports_;
  std::size_t half_open_ = 0;
  Counters counters_;
};

}  // namespace lim::tcp::server
