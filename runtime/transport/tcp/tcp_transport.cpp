#include "tcp_transport.hpp"

#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "lim/runtime/endpoint/session_error.hpp"
#include "../fair_inbox.hpp"

namespace lim::runtime::tcp {

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

TcpTransport::TcpTransport(std::shared_ptr<const Protocol> protocol, automata::RoleId self, std::vector<Link> links,
                           const Config& config, std::shared_ptr<Clock> clock)
    : protocol_(std::move(protocol)),
      self_(self),
      k_(config.k),
      max_buffered_(config.max_buffered_messages),
      clock_(std::move(clock)),
      wake_(std::make_shared<WakeSignal>()) {
  peers_.reserve(links.size());
  for (auto& link : links) {
    Peer peer(config.max_frame_bytes);
    peer.fd = std::move(link.fd);
    peers_.push_back(std::move(peer));
  }
  wake_callback_ = std::make_shared<const WakeCallback>([wake = wake_] { wake->notify(); });
  clock_->on_time_change(wake_callback_);
  // Bytes the peer sent right behind its handshake.
  for (automata::RoleId role = 0; role < links.size(); ++role) {
    if (links[role].leftover.empty()) continue;
    peers_[role].decoder.append(links[role].leftover);
    decode(role);
  }
}

TcpTransport::~TcpTransport() {
  for (auto& peer : peers_) {
    if (!peer.fd.valid()) continue;
    // Read what is left so that closing sends FIN, not a reset that could
    // destroy the peer's unread data; then close.
    ::shutdown(peer.fd.get(), SHUT_WR);
    std::uint8_t sink[4096];
    for (int i = 0; i < 256; ++i)
      if (::recv(peer.fd.get(), sink, sizeof sink, MSG_DONTWAIT) <= 0) break;
  }
}

void TcpTransport::send(automata::RoleId to, automata::LabelId label, Payload payload) {
  auto& peer = peers_.at(to);
  if (peer.goodbye || !peer.fd.valid())
    throw TransportError(TransportFailure::PeerFinished, name_of(to),
                         fmt::format("{} completed its role and will not receive {}", name_of(to),
                                     protocol_->label_name(label)));
  out_.clear();
  append_data_frame(out_, label, payload);
  write(to, out_);
}

void TcpTransport::write(automata::RoleId to, std::span<const std::uint8_t> bytes) {
  auto& peer = peers_[to];
  while (!bytes.empty()) {
    const auto sent = ::send(peer.fd.get(), bytes.data(), bytes.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    if (sent > 0) {
      bytes = bytes.subspan(static_cast<std::size_t>(sent));
      continue;
    }
    if (sent < 0 && errno == EINTR) continue;
    if (sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      // Full socket buffer: keep reading everybody while waiting, so that a
      // peer blocked on sending to us can drain its buffer into ours.
      while (!pump(-1, to)) {
      }
      continue;
    }
    const int error = errno;
    // What the peer sent before the connection broke explains it best (an
    // Abort, or a Goodbye).
    read_from(to);
    peer.closed = true;
    if (peer.goodbye)
      throw TransportError(TransportFailure::PeerFinished, name_of(to),
                           fmt::format("{} completed its role and closed its connection", name_of(to)));
    throw TransportError(TransportFailure::ConnectionLost, name_of(to), std::strerror(error));
  }
}

std::optional<IncomingMessage> TcpTransport::receive(std::span<const automata::RoleId> from, Deadline deadline) {
  while (true) {
    if (auto message = detail::take_fairly(peers_, from, rotation_)) return message;
    if (!from.empty() && std::all_of(from.begin(), from.end(), [&](auto role) { return peers_[role].goodbye; }))
      throw TransportError(TransportFailure::PeerFinished, name_of(from.front()),
                           fmt::format("{} waits for {}, which completed its role without sending more",
                                       name_of(self_), name_of(from.front())));
    // Two roles, no deadline: the awaited connection is the only one that can
    // bring news (a message, a goodbye, a death), so a blocking recv — one
    // system call instead of poll then recv — is all the waiting needed.
    if (!deadline && from.size() == 1 && sole_connection(from.front())) {
      read_from(from.front(), true);
      continue;
    }
    int timeout_ms = -1;
    if (deadline) {
      const auto now = clock_->now();
      if (now >= *deadline) return std::nullopt;
      if (const auto left = clock_->real_time_until(*deadline))
        timeout_ms = static_cast<int>(
            std::min<long long>(std::chrono::ceil<std::chrono::milliseconds>(*left).count(), 1 << 30));
      const auto asleep = clock_->sleeping();
      pump(timeout_ms, std::nullopt);
    } else {
      pump(-1, std::nullopt);
    }
  }
}

bool TcpTransport::pump(int timeout_ms, std::optional<automata::RoleId> writable) {
  poll_set_.clear();
  poll_roles_.clear();
  for (automata::RoleId role = 0; role < peers_.size(); ++role) {
    const auto& peer = peers_[role];
    if (!peer.fd.valid() || peer.closed) continue;
    short events = peer.inbox.size() < max_buffered_ ? POLLIN : 0;
    if (writable == role) events |= POLLOUT;
    poll_set_.push_back({peer.fd.get(), events, 0});
    poll_roles_.push_back(role);
  }
  poll_set_.push_back({wake_->fd(), POLLIN, 0});
  const int ready = ::poll(poll_set_.data(), poll_set_.size(), timeout_ms);
  if (ready < 0) {
    if (errno == EINTR) return false;
    throw_errno("poll");
  }
  bool can_write = false;
  for (std::size_t i = 0; i < poll_roles_.size(); ++i) {
    const auto revents = poll_set_[i].revents;
    if (revents & (POLLIN | POLLHUP | POLLERR)) read_from(poll_roles_[i]);
    if ((revents & POLLOUT) && writable == poll_roles_[i]) can_write = true;
    // A broken connection also ends a wait to write to it.
    if ((revents & (POLLHUP | POLLERR)) && writable == poll_roles_[i]) can_write = true;
  }
  if (poll_set_.back().revents & POLLIN) wake_->drain();
  return can_write;
}

bool TcpTransport::sole_connection(automata::RoleId role) const {
  for (automata::RoleId other = 0; other < peers_.size(); ++other)
    if (other != role && peers_[other].fd.valid() && !peers_[other].closed) return false;
  return peers_[role].fd.valid() && !peers_[role].closed;
}

void TcpTransport::read_from(automata::RoleId role, bool block) {
  auto& peer = peers_[role];
  if (!peer.fd.valid() || peer.closed) return;
  while (true) {
    auto room = peer.decoder.prepare(64 * 1024);
    const auto received = ::recv(peer.fd.get(), room.data(), room.size(), block ? 0 : MSG_DONTWAIT);
    block = false;
    if (received > 0) {
      peer.decoder.commit(static_cast<std::size_t>(received));
      decode(role);
      if (static_cast<std::size_t>(received) < room.size() || peer.inbox.size() >= max_buffered_) return;
      continue;
    }
    if (received < 0 && errno == EINTR) continue;
    if (received < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
    peer.closed = true;
    const int error = received < 0 ? errno : 0;
    if (peer.goodbye) {
      if (!peer.decoder.empty())
        throw TransportError(TransportFailure::MalformedFrame, name_of(role), "the stream ended inside a frame");
      return;
    }
    if (error == 0)
      throw TransportError(TransportFailure::PeerDied, name_of(role),
                           fmt::format("{}'s connection closed before it completed its role", name_of(role)));
    throw TransportError(TransportFailure::ConnectionLost, name_of(role), std::strerror(error));
  }
}

void TcpTransport::decode(automata::RoleId role) {
  auto& peer = peers_[role];
  try {
    while (const auto frame = peer.decoder.next()) {
      switch (frame->type) {
        case FrameType::Data: {
          if (peer.goodbye) throw FrameError("a message after the sender's goodbye");
          auto data = decode_data(frame->body);
          if (data.label >= protocol_->system().labels.size())
            throw FrameError(fmt::format("label number {} is not a label of the protocol", data.label));
          peer.inbox.push_back({role, data.label, std::move(data.payload)});
          break;
        }
        case FrameType::Goodbye: peer.goodbye = true; break;
        case FrameType::Abort:
          peer.closed = true;
          throw SessionAborted(name_of(role), std::string(frame->body.begin(), frame->body.end()));
        case FrameType::Hello:
        case FrameType::Welcome: throw FrameError("a handshake frame inside the session");
      }
    }
  } catch (const FrameError& error) {
    throw TransportError(TransportFailure::MalformedFrame, name_of(role), error.what());
  }
}

void TcpTransport::finish() {
  for (automata::RoleId role = 0; role < peers_.size(); ++role) {
    auto& peer = peers_[role];
    if (!peer.fd.valid() || peer.closed) continue;
    out_.clear();
    append_frame(out_, FrameType::Goodbye, {});
    try {
      write(role, out_);
    } catch (const SessionError&) {
      // That peer is gone or going; the others still deserve the goodbye.
    }
  }
}

void TcpTransport::abort(std::string_view reason) noexcept {
  if (aborted_) return;
  aborted_ = true;
  try {
    out_.clear();
    append_frame(out_, FrameType::Abort,
                 std::span(reinterpret_cast<const std::uint8_t*>(reason.data()), reason.size()));
  } catch (...) {
    out_.clear();
  }
  for (auto& peer : peers_) {
    if (!peer.fd.valid() || peer.closed) continue;
    // One attempt, never blocking: a peer too slow to take it will see the
    // connection close instead.
    if (!out_.empty()) {
      [[maybe_unused]] const auto sent = ::send(peer.fd.get(), out_.data(), out_.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    }
    ::shutdown(peer.fd.get(), SHUT_WR);
  }
}

}  // namespace lim::runtime::tcp
