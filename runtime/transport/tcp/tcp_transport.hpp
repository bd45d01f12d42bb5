#pragma once
// The TCP transport of one endpoint, after the handshake: a connection per
// peer, all of them served by the thread that drives the endpoint. Waiting
// for one peer polls every connection, so a death anywhere in the session
// reaches every endpoint that is waiting; writes that would block keep
// reading, so two endpoints sending to each other never deadlock on full
// socket buffers.
#include <poll.h>

#include <deque>
#include <memory>
#include <vector>

#include "lim/runtime/gate/protocol.hpp"
#include "lim/runtime/transport/tcp/frame.hpp"
#include "lim/runtime/transport/tcp/tcp_session.hpp"
#include "lim/runtime/transport/transport.hpp"
#include "socket.hpp"



namespace lim::runtime::tcp {

// A connection that passed the handshake, with whatever the peer sent after it.
struct Link {
  FileDescriptor fd;
  std::vector<std::uint8_t> leftover;
};

// An eventfd that the clock's wake callback signals, so that a ManualClock
// advance interrupts poll(2).
class WakeSignal {
 public:
  WakeSignal();
  int fd() const { return fd_.get(); }
  void notify() noexcept;
  void drain() noexcept;

 private:
  FileDescriptor fd_;
};

class TcpTransport final : public Transport {
 public:
  TcpTransport(std::shared_ptr<const Protocol> protocol, automata::RoleId self, std::vector<Link> links,
               const Config& config, std::shared_ptr<Clock> clock);
  ~TcpTransport() override;

  std::string_view name() const override { return "tcp"; }
  Requirement requirement() const override { return {k_, true}; }
  void send(automata::RoleId to, automata::LabelId label, Payload payload) override;
  std::optional<IncomingMessage> receive(std::span<const automata::RoleId> from, Deadline deadline) override;
  void finish() override;
  void abort(std::string_view reason) noexcept override;

 private:
  struct Peer {
    explicit Peer(std::size_t max_frame_bytes) : decoder(max_frame_bytes) {}
    FileDescriptor fd;
    FrameDecoder decoder;
    std::deque<IncomingMessage> inbox;
    bool goodbye = false;  // it completed its role
    bool closed = false;   // its stream ended
  };

  const std::string& name_of(automata::RoleId role) const { return protocol_->role_name(role); }
  void write(automata::RoleId to, std::span<const std::uint8_t> bytes);
  // Waits up to `timeout_ms` (-1: no limit) for input on any connection, or
  // for `writable` to take more bytes; reads and decodes whatever arrived.
  // Returns whether `writable` can be written.
  bool pump(int timeout_ms, std::optional<automata::RoleId> writable);
  // Reads what `peer` sent (waiting for it first when `block`) and decodes it.
  void read_from(automata::RoleId peer, bool block = false);
  bool sole_connection(automata::RoleId peer) const;
  void decode(automata::RoleId peer);

  std::shared_ptr<const Protocol> protocol_;
  automata::RoleId self_;
  unsigned k_;
  std::size_t max_buffered_;
  std::shared_ptr<Clock> clock_;
  std::vector<Peer> peers_;  // index = role; no connection for self
  std::shared_ptr<WakeSignal> wake_;
  std::shared_ptr<const WakeCallback> wake_callback_;
  std::vector<std::uint8_t> out_;
  std::vector<::pollfd> poll_set_;
  std::vector<automata::RoleId> poll_roles_;
  std::size_t rotation_ = 0;
  bool aborted_ = false;
};

}  // namespace lim::runtime::tcp
