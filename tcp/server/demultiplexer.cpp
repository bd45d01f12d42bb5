#include "lim/tcp/server/demultiplexer.hpp"

#include "lim/tcp/server/session.hpp"

namespace lim::tcp::server {

void Demultiplexer::count_malformed(wire::WireError) {
  const std::lock_guard lock(mutex_);
  ++counters_.malformed;
}

void Demultiplexer::route(tcb::Segment segment, tcb::TimePoint now, const Responders& responders) {
  std::shared_ptr<Session> target, evicted;
  std::optional<tcb::Segment> rebuilt;  // the SYN of a connection made from a cookie
  bool to_cookies = false;
  {
    const std::lock_guard lock(mutex_);
    ++counters_.segments;
    if (const auto found = connections_.find(segment.tuple); found != connections_.end()) {
      target = found->second.session.lock();
      if (!target) {  // its session is gone without releasing it: the entry is stale
        forget_half_open(found->second);
        connections_.erase(found);
      } else if (found->second.half_open && found->second.handshake_ack && segment.ack == *found->second.handshake_ack &&
                 tcb::segment_label(segment.flags) != "syn" && (segment.flags & wire::flag::kRst) == 0) {
        forget_half_open(found->second);
      }
    }
    if (!target) {
      const auto port = ports_.find(segment.tuple.local_port);
      const auto label = tcb::segment_label(segment.flags);
      if (port == ports_.end()) {
        ++counters_.to_closed;
      } else if (label == "syn") {
        if (connections_.size() >= limits_.connections || limits_.half_open == 0) {
          ++counters_.dropped_syns;  // a full SYN queue drops the SYN
          return;
        }
        if (half_open_.size() >= limits_.half_open && limits_.syn_cookies) {
          // (The responder computes the cookie: not here, under the lock.)
          if (!tcb::SynCookies::can_carry(segment.options.maximum_segment_size)) {
            ++counters_.dropped_syns;  // an MSS no cookie can carry
            return;
          }
          ++counters_.cookies_sent;
          last_cookie_ = now;
          to_cookies = true;
        } else {
          if (half_open_.size() >= limits_.half_open) {
            auto& oldest = connections_.at(half_open_.front());
            evicted = oldest.session.lock();
            forget_half_open(oldest);
            ++counters_.evicted;
          }
          // The LISTEN session takes this connection; a new one listens.
          target = port->second.listening;
          target->bind(segment.tuple);
          half_open_.push_back(segment.tuple);
          connections_[segment.tuple] = Entry{target, true, std::prev(half_open_.end()), std::nullopt, std::nullopt};
          port->second.listening = port->second.next();
        }
      } else if (last_cookie_ && now - *last_cookie_ < 2 * tcb::SynCookies::kTick &&
                 (rebuilt = cookies_.rebuild_syn(segment, now))) {
        if (connections_.size() >= limits_.connections) {
          ++counters_.dropped_syns;  // the peer sends it again, or its data, and may find room then
          return;
        }
        ++counters_.cookies_accepted;
        target = port->second.listening;
        target->bind(segment.tuple);
        connections_[segment.tuple] = Entry{target, false, {}, std::nullopt, rebuilt->cookie_iss};
        port->second.listening = port->second.next();
      } else {
        target = port->second.listening;
      }
    }
  }
  // Outside the lock: the evicted session's abort is a call of its user role.
  if (evicted) evicted->evict();
  if (to_cookies) {
    responders.cookie(std::move(segment));
    return;
  }
  if (!target) {
    responders.closed(std::move(segment));
    return;
  }
  // A fresh session's inbox has room for both.
  if (rebuilt) target->deliver(std::move(*rebuilt));
  if (!target->deliver(std::move(segment))) {
    const std::lock_guard lock(mutex_);
    ++counters_.inbox_full;
  }
}

void Demultiplexer::forget_half_open(Entry& entry) {
  if (!entry.half_open) return;
  half_open_.erase(entry.age);
  entry.half_open = false;
}

void Demultiplexer::add_port(std::uint16_t port, Port listener) {
  const std::lock_guard lock(mutex_);
  ports_[port] = std::move(listener);
}

std::shared_ptr<Session> Demultiplexer::remove_port(std::uint16_t port) {
  const std::lock_guard lock(mutex_);
  const auto found = ports_.find(port);
  if (found == ports_.end()) return nullptr;
  auto session = std::move(found->second.listening);
  ports_.erase(found);
  return session;
}

bool Demultiplexer::syn_ack_sent(const wire::FourTuple& tuple, std::uint32_t iss) {
  const std::lock_guard lock(mutex_);
  const auto found = connections_.find(tuple);
  if (found == connections_.end()) return false;
  auto& entry = found->second;
  if (entry.cookie_iss && *entry.cookie_iss == iss) {
    entry.cookie_iss.reset();  // a retransmission of it, later, goes out
    return true;
  }
  if (entry.half_open) entry.handshake_ack = iss + 1;
  return false;
}

void Demultiplexer::established(const wire::FourTuple& tuple) {
  const std::lock_guard lock(mutex_);
  if (const auto found = connections_.find(tuple); found != connections_.end()) forget_half_open(found->second);
}

void Demultiplexer::release(const wire::FourTuple& tuple) {
  const std::lock_guard lock(mutex_);
  const auto found = connections_.find(tuple);
  if (found == connections_.end()) return;
  forget_half_open(found->second);
  connections_.erase(found);
}

Demultiplexer::Counters Demultiplexer::counters() const {
  const std::lock_guard lock(mutex_);
  return counters_;
}

std::size_t Demultiplexer::connections() const {
  const std::lock_guard lock(mutex_);
  return connections_.size();
}

std::size_t Demultiplexer::half_open() const {
  const std::lock_guard lock(mutex_);
  return half_open_.size();
}

}  // namespace lim::tcp::server
