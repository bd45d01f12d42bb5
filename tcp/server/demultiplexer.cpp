#include "lim/tcp/server/demultiplexer.hpp"

#include "lim/tcp/server/session.hpp"

namespace lim::tcp::server {

void Demultiplexer::count_malformed(wire::WireError) {
  const std::lock_guard lock(mutex_);
  ++counters_.malformed;
}

void Demultiplexer::route(tcb::Segment segment, const std::function<void(tcb::Segment)>& closed) {
  std::shared_ptr<Session> target;
  {
    const std::lock_guard lock(mutex_);
    ++counters_.segments;
    if (const auto found = connections_.find(segment.tuple); found != connections_.end()) {
      target = found->second.lock();
    }
    if (!target) {
      const auto port = ports_.find(segment.tuple.local_port);
      if (port == ports_.end()) {
        ++counters_.to_closed;
      } else if (tcb::segment_label(segment.flags) == "syn") {
        if (connections_.size() >= limits_.connections || half_open_ >= limits_.half_open) {
          ++counters_.dropped_syns;  // a full SYN queue drops the SYN
          return;
        }
        // The LISTEN session takes this connection; a new one listens.
        target = port->second.listening;
        target->bind(segment.tuple);
        connections_[segment.tuple] = target;
        ++half_open_;
        port->second.listening = port->second.next();
      } else {
        target = port->second.listening;
      }
    }
  }
  if (!target) {
    closed(std::move(segment));
    return;
  }
  if (!target->deliver(std::move(segment))) {
    const std::lock_guard lock(mutex_);
    ++counters_.inbox_full;
  }
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

void Demultiplexer::established() {
  const std::lock_guard lock(mutex_);
  if (half_open_ > 0) --half_open_;
}

void Demultiplexer::release(const wire::FourTuple& tuple, bool was_half_open) {
  const std::lock_guard lock(mutex_);
  connections_.erase(tuple);
  if (was_half_open && half_open_ > 0) --half_open_;
}

Demultiplexer::Counters Demultiplexer::counters() const {
  const std::lock_guard lock(mutex_);
  return counters_;
}

std::size_t Demultiplexer::connections() const {
  const std::lock_guard lock(mutex_);
  return connections_.size();
}

}  // namespace lim::tcp::server
