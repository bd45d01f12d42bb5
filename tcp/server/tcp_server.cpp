#include "lim/tcp/server/tcp_server.hpp"

#include <stdexcept>
#include <thread>

#include <fmt/format.h>

#include "lim/tcp/server/segment_codec.hpp"

namespace lim::tcp::server {

Connection::~Connection() {
  try {
    session_->close();
  } catch (...) {
    // The session is over already.
  }
}

std::unique_ptr<Connection> Listener::accept(std::optional<std::chrono::milliseconds> within) {
  std::unique_lock lock(mutex_);
  const auto ready = [&] { return closed_ || !queue_.empty(); };
  if (within) {
    if (!ready_.wait_for(lock, *within, ready)) return nullptr;
  } else {
    ready_.wait(lock, ready);
  }
  if (queue_.empty()) return nullptr;
  auto session = std::move(queue_.front());
  queue_.pop_front();
  return std::make_unique<Connection>(std::move(session));
}

bool Listener::push(std::shared_ptr<Session> session) {
  {
    const std::lock_guard lock(mutex_);
    if (closed_) return false;
    queue_.push_back(std::move(session));
  }
  ready_.notify_all();
  return true;
}

void Listener::close() {
  std::deque<std::shared_ptr<Session>> unaccepted;
  {
    const std::lock_guard lock(mutex_);
    closed_ = true;
    unaccepted.swap(queue_);
  }
  ready_.notify_all();
  for (const auto& session : unaccepted) session->close();  // established but never accepted
}

TcpServer::TcpServer(ServerSpec spec, StatelessSpecs stateless, std::unique_ptr<link::Link> link,
                     TcpServerOptions options)
    : spec_(std::move(spec)),
      stateless_(std::move(stateless)),
      options_(std::move(options)),
      demultiplexer_(options_.limits),
      link_(std::move(link)) {
  options_.tcb.mtu = link_->mtu();
  if (!options_.clock) options_.clock = runtime::steady_clock();
  const auto wire = [this](const tcb::OutSegment& segment) { transmit(segment); };
  const auto log = [this](const std::string& line) { this->log(line); };
  closed_ = std::make_unique<Responder>(
      stateless_.closed, "closed-port responder", 256, [](const tcb::Segment& segment) { return tcb::reset_for(segment); },
      wire, log);
  // The flood's SYNs wait here, not in a session each: a full inbox drops
  // them as a congested network would, and the client's SYN is sent again.
  cookies_ = std::make_unique<Responder>(
      stateless_.syn_cookies, "SYN cookie responder", 1024,
      [this](const tcb::Segment& syn) { return demultiplexer_.cookies().syn_ack(syn, options_.tcb, options_.clock->now()); },
      wire, log);
  link_->start([this](link::Packet packet) { receive(std::move(packet)); });
}

TcpServer::~TcpServer() { shutdown(std::chrono::milliseconds(0)); }

void TcpServer::log(const std::string& line) {
  if (!options_.log) return;
  const std::lock_guard lock(log_mutex_);
  options_.log(line);
}

void TcpServer::transmit(const tcb::OutSegment& segment) {
  if (segment.has(wire::flag::kSyn | wire::flag::kAck) && demultiplexer_.syn_ack_sent(segment.tuple, segment.seq))
    return;  // the cookie was this SYN-ACK
  link_->send(to_packet(segment, ip_identification_.fetch_add(1, std::memory_order_relaxed)));
}

void TcpServer::receive(link::Packet packet) {
  auto segment = parse_packet(packet);
  if (!segment) {
    demultiplexer_.count_malformed(segment.error());
    return;
  }
  if (segment->tuple.local != options_.address) return;  // not for lim's address
  if (tcb::segment_label(segment->flags).empty()) return;  // no ACK, or SYN with FIN: dropped (§3.10.7.4)
  demultiplexer_.route(*segment, options_.clock->now(),
                       {[this](tcb::Segment orphan) { closed_->deliver(std::move(orphan)); },
                        [this](tcb::Segment syn) { cookies_->deliver(std::move(syn)); }});
}

std::shared_ptr<Session> TcpServer::spawn() {
  SessionOptions options{options_.tcb, options_.inbox, options_.clock, options_.tamper};
  auto session = Session::start(spec_, *this, std::move(options));
  const std::lock_guard lock(mutex_);
  reap();
  sessions_.push_back(session);
  return session;
}

void TcpServer::reap() {
  std::erase_if(sessions_, [](const std::shared_ptr<Session>& session) {
    if (!session->finished() || !session->user_done() || session.use_count() > 1) return false;
    session->join();
    return true;
  });
}

std::shared_ptr<Listener> TcpServer::listen(std::uint16_t port) {
  auto listener = std::make_shared<Listener>(port);
  {
    const std::lock_guard lock(mutex_);
    if (stopped_) throw std::invalid_argument("the server has been shut down");
    if (!listeners_.emplace(port, listener).second)
      throw std::invalid_argument(fmt::format("port {} is already listening", port));
  }
  demultiplexer_.add_port(port, {spawn(), [this] { return spawn(); }});
  log(fmt::format("listening on {}:{}", options_.address.to_string(), port));
  return listener;
}

void TcpServer::stop_listening(std::uint16_t port) {
  std::shared_ptr<Listener> listener;
  {
    const std::lock_guard lock(mutex_);
    const auto found = listeners_.find(port);
    if (found == listeners_.end()) return;
    listener = found->second;
    listeners_.erase(found);
  }
  if (auto listening = demultiplexer_.remove_port(port)) listening->close();
  listener->close();
}

void TcpServer::connected(const std::shared_ptr<Session>& session) {
  demultiplexer_.established(session->tuple());
  std::shared_ptr<Listener> listener;
  {
    const std::lock_guard lock(mutex_);
    const auto found = listeners_.find(session->tuple().local_port);
    if (found != listeners_.end()) listener = found->second;
  }
  // Nobody will accept it if the listener went away meanwhile.
  if (!listener || !listener->push(session)) session->close();
}

void TcpServer::released(const wire::FourTuple& tuple) { demultiplexer_.release(tuple); }

void TcpServer::shutdown(std::chrono::milliseconds grace) {
  std::vector<std::uint16_t> ports;
  {
    const std::lock_guard lock(mutex_);
    if (stopped_) return;
    stopped_ = true;
    for (const auto& [port, listener] : listeners_) ports.push_back(port);
  }
  for (const auto port : ports) stop_listening(port);
  std::vector<std::shared_ptr<Session>> sessions;
  {
    const std::lock_guard lock(mutex_);
    sessions = sessions_;
  }
  for (const auto& session : sessions) session->shut_down();
  const auto deadline = std::chrono::steady_clock::now() + grace;
  for (;;) {
    bool all = true;
    for (const auto& session : sessions) {
      // An application that saw the end of its stream closes; one that
      // did not is closed here, gracefully, once it stopped using it.
      if (!session->finished()) all = false;
    }
    if (all || std::chrono::steady_clock::now() >= deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  for (const auto& session : sessions)
    if (!session->finished()) session->kill("the server stopped");
  for (const auto& session : sessions) session->join();
  link_->stop();
  closed_->stop();
  cookies_->stop();
  const std::lock_guard lock(mutex_);
  sessions_.clear();
}

}  // namespace lim::tcp::server
