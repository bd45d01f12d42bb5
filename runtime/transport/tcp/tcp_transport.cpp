#include "tcp_transport.hpp"

#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <limits>

#include <fmt/format.h>

#include "../fair_inbox.hpp"
#include "lim/runtime/endpoint/session_error.hpp"

namespace lim::runtime::tcp {
namespace {

using RealClock = std::chrono::steady_clock;

std::int64_t ticks(RealClock::time_point time) { return time.time_since_epoch().count(); }

// Length, type and the count taken.
constexpr std::size_t kCreditFrameBytes = 4 + 1 + 8;

void put_u64(std::vector<std::uint8_t>& out, std::uint64_t value) {
  for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<std::uint8_t>(value >> shift));
}

std::uint64_t get_u64(std::span<const std::uint8_t> bytes) {
  std::uint64_t value = 0;
  for (const auto byte : bytes) value = (value << 8) | byte;
  return value;
}

std::span<const std::uint8_t> text_bytes(std::string_view text) {
  return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

}  // namespace

WakeSignal::WakeSignal() : fd_(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {
  if (!fd_.valid()) throw_errno("eventfd");
}

void WakeSignal::notify() noexcept {
  const std::uint64_t one = 1;
  [[maybe_unused]] const auto written = ::write(fd_.get(), &one, sizeof one);
}

void WakeSignal::drain() noexcept {
  std::uint64_t count = 0;
  [[maybe_unused]] const auto read = ::read(fd_.get(), &count, sizeof count);
}

detail::Window receive_window(const Config& config) {
  if (config.channels == Channels::Bounded)
    // Exactly k messages, whatever their size: a byte limit would make a
    // channel hold fewer than k, which the k-bounded semantics never does.
    return {config.k, std::numeric_limits<std::uint64_t>::max()};
  return {std::max<std::uint64_t>(config.max_buffered_messages, config.k), config.max_buffered_bytes};
}

TcpTransport::TcpTransport(std::shared_ptr<const Protocol> protocol, automata::RoleId self, std::vector<Link> links,
                           const Config& config, std::shared_ptr<Clock> clock)
    : protocol_(std::move(protocol)),
      self_(self),
      k_(config.k),
      channels_(config.channels),
      keepalive_(config.keepalive),
      clock_(std::move(clock)),
      wake_(std::make_shared<WakeSignal>()) {
  const auto now = RealClock::now();
  const auto window = receive_window(config);
  const bool eager = config.channels == Channels::Bounded;
  for (auto& link : links) {
    auto peer = std::make_unique<Peer>(config.max_frame_bytes);
    peer->connection = std::move(link.connection);
    peer->send_credit.set_window(link.window);
    peer->receive_credit.set_window(window, eager);
    peer->last_heard = now;
    peer->last_sent = ticks(now);
    // Five chances within the peer's keepalive time.
    peer->ping_interval = link.keepalive / 5;
    peers_.push_back(std::move(peer));
  }
  const auto& system = protocol_->system();
  expected_.assign(protocol_->role_count(), std::vector<bool>(system.labels.size(), false));
  for (const auto& transition : system.machines[self_].transitions())
    if (transition.action.direction == automata::Direction::Receive)
      expected_[transition.action.peer][transition.action.label] = true;
  wake_callback_ = std::make_shared<const WakeCallback>([wake = wake_] { wake->notify(); });
  clock_->on_time_change(wake_callback_);
  // Bytes the peer sent right behind its handshake.
  for (automata::RoleId role = 0; role < links.size(); ++role) {
    if (links[role].leftover.empty()) continue;
    peers_[role]->decoder.append(links[role].leftover);
    decode(role);
  }
  std::chrono::milliseconds tick{0};
  for (const auto& peer : peers_)
    if (peer->connection && peer->ping_interval.count() > 0)
      tick = tick.count() == 0 ? peer->ping_interval : std::min(tick, peer->ping_interval);
  if (tick.count() > 0)
    pinger_ = std::make_unique<detail::Ticker>(std::max(tick, std::chrono::milliseconds(10)),
                                               [this] { ping_idle_peers(); });
}

TcpTransport::~TcpTransport() {
  pinger_.reset();
  for (auto& peer : peers_) {
    if (!peer->connection || peer->closed) continue;
    const std::lock_guard lock(peer->mutex);
    (void)flush_locked(*peer);  // the goodbye or abort, if still queued
    // Read what is left so that closing sends FIN, not a reset that could
    // destroy the peer's unread data; then close.
    peer->connection->close_write();
    std::uint8_t sink[4096];
    for (int i = 0; i < 256; ++i)
      if (peer->connection->read(sink).status != IoStatus::Ok) break;
  }
}

// ---- writing ------------------------------------------------------------------------------

bool TcpTransport::flush_locked(Peer& peer) {
  while (peer.out_begin < peer.out.size() && !peer.broken) {
    const auto io = peer.connection->write(std::span(peer.out).subspan(peer.out_begin));
    if (io.status == IoStatus::Ok) {
      peer.out_begin += io.bytes;
      peer.last_sent = ticks(RealClock::now());
    } else if (io.status == IoStatus::WantWrite || io.status == IoStatus::WantRead) {
      return true;
    } else {
      peer.broken = true;
    }
  }
  if (peer.out_begin == peer.out.size()) {
    peer.out.clear();
    peer.out_begin = 0;
  }
  return !peer.broken;
}

void TcpTransport::write_frame(automata::RoleId to, std::span<const std::uint8_t> frame) {
  auto& peer = *peers_[to];
  const auto pending = [&] {
    const std::lock_guard lock(peer.mutex);
    if (!frame.empty()) {
      peer.out.insert(peer.out.end(), frame.begin(), frame.end());
      frame = {};
    }
    return flush_locked(peer) && peer.out_begin < peer.out.size();
  };
  while (pending()) pump(keepalive_poll_ms()), check_alive();
  if (!peer.broken) return;
  // What the peer sent before the connection broke explains it best (an
  // Abort, a Goodbye, or its end).
  read_from(to);
  if (peer.goodbye)
    throw TransportError(TransportFailure::PeerFinished, name_of(to),
                         fmt::format("{} completed its role and closed its connection", name_of(to)));
  throw TransportError(TransportFailure::PeerDied, name_of(to),
                       fmt::format("{}'s connection broke before it completed its role", name_of(to)));
}

void TcpTransport::send(automata::RoleId to, automata::LabelId label, Payload payload) {
  auto& peer = *peers_.at(to);
  if (peer.goodbye || !peer.connection)
    throw TransportError(TransportFailure::PeerFinished, name_of(to),
                         fmt::format("{} completed its role and will not receive {}", name_of(to),
                                     protocol_->label_name(label)));
  frame_.clear();
  append_data_frame(frame_, label, payload);
  const auto bytes = frame_.size() - 4;  // the body, as the receiver counts it
  if (!peer.send_credit.may_send(bytes)) {
    report_credits();
    wait_for([&] { return peer.send_credit.may_send(bytes) || peer.goodbye; });
    if (peer.goodbye)
      throw TransportError(TransportFailure::PeerFinished, name_of(to),
                           fmt::format("{} completed its role and will not receive {}", name_of(to),
                                       protocol_->label_name(label)));
    frame_.clear();
    append_data_frame(frame_, label, payload);
  }
  peer.send_credit.sent(bytes);
  if (peer.receive_credit.unreported()) {
    // The credit `to` is owed goes in the same write (one TLS record): a
    // role that answers before it waits then sends no credit of its own.
    std::vector<std::uint8_t> both;
    both.reserve(kCreditFrameBytes + frame_.size());
    append_credit_frame(both, peer);
    both.insert(both.end(), frame_.begin(), frame_.end());
    frame_.swap(both);
  }
  write_frame(to, frame_);
  if (peer.send_credit.rendezvous()) {
    // The send completes when the receiver takes the message.
    report_credits();
    wait_for([&] { return peer.send_credit.all_taken() || peer.goodbye; });
  }
}

template <class Done>
void TcpTransport::wait_for(Done&& done) {
  while (!done()) {
    pump(keepalive_poll_ms());
    check_alive();
  }
}

void TcpTransport::send_credit(automata::RoleId to) {
  auto& peer = *peers_[to];
  if (!peer.live() || peer.goodbye) {
    (void)peer.receive_credit.report();
    return;
  }
  std::vector<std::uint8_t> frame;
  append_credit_frame(frame, peer);
  write_frame(to, frame);
}

void TcpTransport::append_credit_frame(std::vector<std::uint8_t>& out, Peer& peer) {
  std::vector<std::uint8_t> body;
  put_u64(body, peer.receive_credit.report());
  append_frame(out, FrameType::Credit, body);
}

void TcpTransport::report_credits() {
  for (automata::RoleId role = 0; role < peers_.size(); ++role)
    if (peers_[role]->connection && peers_[role]->receive_credit.unreported()) send_credit(role);
}

// ---- reading ------------------------------------------------------------------------------

std::optional<IncomingMessage> TcpTransport::receive(std::span<const automata::RoleId> from, Deadline deadline) {
  while (true) {
    if (!stray_.empty()) {
      auto message = std::move(stray_.front());
      stray_.pop_front();
      return message;
    }
    if (auto message = detail::take_fairly(from, rotation_, [&](automata::RoleId role) -> auto& {
          return peers_[role]->inbox;
        })) {
      if (peers_[message->from]->receive_credit.taken(message->bytes)) send_credit(message->from);
      return message;
    }
    if (!from.empty() && std::all_of(from.begin(), from.end(), [&](auto role) { return peers_[role]->goodbye; }))
      throw TransportError(TransportFailure::PeerFinished, name_of(from.front()),
                           fmt::format("{} waits for {}, which completed its role without sending more",
                                       name_of(self_), name_of(from.front())));
    report_credits();
    // Two roles, no deadline: the awaited connection is the only one that
    // can bring news (a message, a goodbye, a death), so waiting on it alone
    // is all the waiting needed — in plaintext a recv that waits itself, one
    // system call instead of poll then recv.
    if (!deadline && from.size() == 1 && sole_connection(from.front()) && !peers_[from.front()]->wants_write) {
      read_from(from.front(), true);
      check_alive();
      continue;
    }
    int timeout_ms = keepalive_poll_ms();
    if (deadline) {
      const auto now = clock_->now();
      if (now >= *deadline) return std::nullopt;
      if (const auto left = clock_->real_time_until(*deadline)) {
        const auto left_ms = static_cast<int>(
            std::min<long long>(std::chrono::ceil<std::chrono::milliseconds>(*left).count(), 1 << 30));
        timeout_ms = timeout_ms < 0 ? left_ms : std::min(timeout_ms, left_ms);
      }
      const auto asleep = clock_->sleeping();
      pump(timeout_ms);
    } else {
      pump(timeout_ms);
    }
    check_alive();
  }
}

int TcpTransport::keepalive_poll_ms() const {
  if (keepalive_.count() <= 0) return -1;
  return static_cast<int>(std::max<long long>(1, keepalive_.count() / 4));
}

void TcpTransport::pump(int timeout_ms) {
  poll_set_.clear();
  poll_roles_.clear();
  for (automata::RoleId role = 0; role < peers_.size(); ++role) {
    auto& peer = *peers_[role];
    if (!peer.live()) continue;
    short events = POLLIN;
    {
      const std::lock_guard lock(peer.mutex);
      if (peer.out_begin < peer.out.size() || peer.wants_write) events |= POLLOUT;
    }
    poll_set_.push_back({peer.connection->fd(), events, 0});
    poll_roles_.push_back(role);
  }
  poll_set_.push_back({wake_->fd(), POLLIN, 0});
  const int ready = ::poll(poll_set_.data(), poll_set_.size(), timeout_ms);
  if (ready < 0) {
    if (errno == EINTR) return;
    throw_errno("poll");
  }
  for (std::size_t i = 0; i < poll_roles_.size(); ++i) {
    const auto revents = poll_set_[i].revents;
    auto& peer = *peers_[poll_roles_[i]];
    if (revents & POLLOUT) {
      peer.wants_write = false;
      const std::lock_guard lock(peer.mutex);
      (void)flush_locked(peer);
    }
    if (revents & (POLLIN | POLLHUP | POLLERR | POLLOUT)) read_from(poll_roles_[i]);
  }
  if (poll_set_.back().revents & POLLIN) wake_->drain();
}

bool TcpTransport::sole_connection(automata::RoleId role) const {
  for (automata::RoleId other = 0; other < peers_.size(); ++other)
    if (other != role && peers_[other]->live()) return false;
  return peers_[role]->live();
}

void TcpTransport::read_from(automata::RoleId role, bool waiting) {
  auto& peer = *peers_[role];
  if (!peer.live()) return;
  // TLS state is shared with the keepalive thread's pings; a plaintext
  // socket is not, and its reads need no lock (nor may they hold one while
  // waiting in recv).
  std::unique_lock lock(peer.mutex, std::defer_lock);
  if (peer.connection->secure()) {
    // Wait outside the lock, which the pinger needs meanwhile.
    if (waiting && !peer.connection->wait_readable(std::chrono::milliseconds(keepalive_poll_ms()))) return;
    waiting = false;
    lock.lock();
  }
  while (true) {
    auto room = peer.decoder.prepare(64 * 1024);
    const auto io = waiting ? peer.connection->read_waiting(room, std::chrono::milliseconds(std::max(0, keepalive_poll_ms())))
                            : peer.connection->read(room);
    waiting = false;
    if (io.status == IoStatus::Ok) {
      peer.last_heard = RealClock::now();
      peer.decoder.commit(io.bytes);
      decode(role);
      // Drained: plaintext when recv did not fill the room; TLS when OpenSSL
      // holds nothing more (poll sees the rest in the socket).
      if (peer.connection->secure() ? !peer.connection->holds_unread() : io.bytes < room.size()) return;
      continue;
    }
    if (io.status == IoStatus::WantRead) return;
    if (io.status == IoStatus::WantWrite) {
      peer.wants_write = true;
      return;
    }
    if (lock.owns_lock()) lock.unlock();
    if (peer.goodbye && peer.decoder.empty()) {
      peer.closed = true;  // it completed its role: nothing more was due from it
      return;
    }
    connection_ended(role, io);
  }
}

void TcpTransport::connection_ended(automata::RoleId role, const Io& io) {
  auto& peer = *peers_[role];
  peer.closed = true;
  if (peer.goodbye)
    throw TransportError(TransportFailure::MalformedFrame, name_of(role), "the stream ended inside a frame");
  switch (io.status) {
    case IoStatus::Closed:
      throw TransportError(TransportFailure::PeerDied, name_of(role),
                           fmt::format("{}'s connection closed before it completed its role", name_of(role)));
    case IoStatus::Reset:
      // A process that dies with unread data resets its connections: the same
      // death as a close, and reported as the same kind.
      throw TransportError(TransportFailure::PeerDied, name_of(role),
                           fmt::format("{}'s connection was reset before it completed its role", name_of(role)));
    default: throw TransportError(TransportFailure::ConnectionLost, name_of(role), io.error);
  }
}

void TcpTransport::decode(automata::RoleId role) {
  auto& peer = *peers_[role];
  try {
    while (const auto frame = peer.decoder.next()) {
      switch (frame->type) {
        case FrameType::Data: {
          if (peer.goodbye) throw FrameError("a message after the sender's goodbye");
          auto data = decode_data(frame->body);
          if (data.label >= protocol_->system().labels.size())
            throw FrameError(fmt::format("label number {} is not a label of the protocol", data.label));
          const auto bytes = frame->body.size();
          if (!peer.receive_credit.arrived(bytes))
            throw TransportError(
                TransportFailure::Overflow, name_of(role),
                fmt::format("{} sent more than {}'s receive window allows ({} messages, {} bytes not yet taken)",
                            name_of(role), name_of(self_), peer.receive_credit.window().messages,
                            peer.receive_credit.window().bytes));
          IncomingMessage message{role, data.label, std::move(data.payload), bytes};
          (expected_[role][data.label] ? peer.inbox : stray_).push_back(std::move(message));
          break;
        }
        case FrameType::Credit:
          if (frame->body.size() != 8) throw FrameError("a credit frame is 8 bytes");
          if (!peer.send_credit.credit(get_u64(frame->body)))
            throw FrameError("a credit for messages that were never sent");
          break;
        case FrameType::Ping: break;
        case FrameType::Goodbye: peer.goodbye = true; break;
        case FrameType::Abort:
          peer.closed = true;
          throw SessionAborted(name_of(role), std::string(frame->body.begin(), frame->body.end()));
        case FrameType::Failed: {
          peer.closed = true;
          const auto report = decode_json(frame->body);
          const auto failure = report.is_object() ? transport_failure_named(report.value("failure", std::string()))
                                                  : std::nullopt;
          const auto detail = report.is_object() ? report.value("detail", std::string()) : std::string();
          if (!failure) throw SessionAborted(name_of(role), detail);
          throw TransportError(*failure, report.value("peer", std::string()),
                               fmt::format("{} (reported by {})", detail, name_of(role)));
        }
        case FrameType::Hello:
        case FrameType::Welcome: throw FrameError("a handshake frame inside the session");
      }
    }
  } catch (const FrameError& error) {
    throw TransportError(TransportFailure::MalformedFrame, name_of(role), error.what());
  }
}

// ---- liveness -----------------------------------------------------------------------------

void TcpTransport::check_alive() {
  if (keepalive_.count() <= 0) return;
  const auto now = RealClock::now();
  for (automata::RoleId role = 0; role < peers_.size(); ++role) {
    const auto& peer = *peers_[role];
    // A peer that completed its role owes no sign of life.
    if (!peer.live() || peer.goodbye || now - peer.last_heard <= keepalive_) continue;
    throw TransportError(
        TransportFailure::PeerUnresponsive, name_of(role),
        fmt::format("no sign of life from {} for {} ms (stopped, partitioned or overloaded)", name_of(role),
                    std::chrono::duration_cast<std::chrono::milliseconds>(now - peer.last_heard).count()));
  }
}

void TcpTransport::ping_idle_peers() noexcept {
  const auto now = RealClock::now();
  for (auto& peer : peers_) {
    if (!peer->connection || peer->ping_interval.count() <= 0) continue;
    const std::unique_lock lock(peer->mutex, std::try_to_lock);
    if (!lock.owns_lock() || peer->broken) continue;  // the endpoint is writing to it right now
    try {
      if (peer->out_begin == peer->out.size() &&
          now - RealClock::time_point(RealClock::duration(peer->last_sent.load())) >= peer->ping_interval)
        append_frame(peer->out, FrameType::Ping, {});
      (void)flush_locked(*peer);
    } catch (...) {
      // Out of memory for a 5-byte frame: the peer will notice our silence.
    }
  }
}

// ---- ending -------------------------------------------------------------------------------

void TcpTransport::finish() {
  std::vector<std::uint8_t> goodbye;
  append_frame(goodbye, FrameType::Goodbye, {});
  for (automata::RoleId role = 0; role < peers_.size(); ++role) {
    if (!peers_[role]->live()) continue;
    try {
      write_frame(role, goodbye);
    } catch (const SessionError&) {
      // That peer is gone or going; the others still deserve the goodbye.
    }
  }
}

void TcpTransport::send_last_words(const std::vector<std::uint8_t>& frame) noexcept {
  if (aborted_) return;
  aborted_ = true;
  for (auto& peer : peers_) {
    if (!peer->live()) continue;
    const std::lock_guard lock(peer->mutex);
    // One attempt, never blocking: a peer too slow to take it will see the
    // connection close instead.
    try {
      peer->out.insert(peer->out.end(), frame.begin(), frame.end());
    } catch (...) {
    }
    (void)flush_locked(*peer);
    peer->connection->close_write();
  }
}

void TcpTransport::abort(std::string_view reason) noexcept {
  std::vector<std::uint8_t> frame;
  try {
    append_frame(frame, FrameType::Abort, text_bytes(reason));
  } catch (...) {
    frame.clear();
  }
  send_last_words(frame);
}

void TcpTransport::report_failure(const TransportError& failure) noexcept {
  std::vector<std::uint8_t> frame;
  try {
    // The detail without the "kind (peer): " prefix the receiver adds again.
    std::string detail = failure.what();
    const auto prefix = failure.peer().empty() ? fmt::format("{}: ", to_string(failure.failure()))
                                               : fmt::format("{} ({}): ", to_string(failure.failure()), failure.peer());
    if (detail.starts_with(prefix)) detail.erase(0, prefix.size());
    append_json_frame(frame, FrameType::Failed,
                      {{"failure", to_string(failure.failure())}, {"peer", failure.peer()}, {"detail", detail}});
  } catch (...) {
    frame.clear();
  }
  send_last_words(frame);
}

}  // namespace lim::runtime::tcp
