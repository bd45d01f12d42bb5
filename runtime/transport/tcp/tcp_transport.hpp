#pragma once
// The TCP transport of one endpoint, after the handshake: a connection per
// peer (plain or TLS), all of them served by the thread that drives the
// endpoint. Waiting for one peer polls every connection, so a death anywhere
// in the session reaches every endpoint that is waiting; writes that would
// block keep reading, so two endpoints sending to each other never deadlock
// on full socket buffers. Each channel is flow-controlled by credits
// (flow_control.hpp); a keepalive thread pings every peer this endpoint has
// not written to for a while — also while the program computes outside the
// transport — and every wait checks that each peer still gives signs of life.
#include <poll.h>

#include <atomic>
#include <chrono>
#include <deque>
#include <memory>
#include <mutex>
#include <vector>

#include "../flow_control.hpp"
#include "../ticker.hpp"
#include "lim/runtime/gate/protocol.hpp"
#include "lim/runtime/transport/tcp/connection.hpp"
#include "lim/runtime/transport/tcp/frame.hpp"
#include "lim/runtime/transport/tcp/tcp_session.hpp"
#include "lim/runtime/transport/transport.hpp"
#include "socket.hpp"

namespace lim::runtime::tcp {

// A connection that passed the handshake, with whatever the peer sent after
// it and what the peer's handshake said about its receive window and
// keepalive.
struct Link {
  std::unique_ptr<Connection> connection;
  std::vector<std::uint8_t> leftover;
  detail::Window window;                    // what this endpoint may have in flight to the peer
  std::chrono::milliseconds keepalive{0};  // how soon the peer wants a sign of life (0: never)
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

// The window a receiver grants each peer under `config`.
detail::Window receive_window(const Config& config);

class TcpTransport final : public Transport {
 public:
  TcpTransport(std::shared_ptr<const Protocol> protocol, automata::RoleId self, std::vector<Link> links,
               const Config& config, std::shared_ptr<Clock> clock);
  ~TcpTransport() override;

  std::string_view name() const override { return "tcp"; }
  Requirement requirement() const override { return requirement_of(channels_, k_); }
  void send(automata::RoleId to, automata::LabelId label, Payload payload) override;
  std::optional<IncomingMessage> receive(std::span<const automata::RoleId> from, Deadline deadline) override;
  void finish() override;
  void abort(std::string_view reason) noexcept override;
  void report_failure(const TransportError& failure) noexcept override;

 private:
  using RealTime = std::chrono::steady_clock::time_point;

  struct Peer {
    explicit Peer(std::size_t max_frame_bytes) : decoder(max_frame_bytes) {}
    // Shared with the keepalive thread, under `mutex`: the connection's TLS
    // state and the bytes not yet written.
    std::mutex mutex;
    std::unique_ptr<Connection> connection;
    std::vector<std::uint8_t> out;
    std::size_t out_begin = 0;
    bool broken = false;  // a write failed; the reader reports why
    std::atomic<std::int64_t> last_sent{0};  // steady-clock ticks of the last write
    std::chrono::milliseconds ping_interval{0};
    // The endpoint's thread only.
    FrameDecoder decoder;
    std::deque<IncomingMessage> inbox;
    detail::SendCredit send_credit;
    detail::ReceiveCredit receive_credit;
    RealTime last_heard;
    bool wants_write = false;  // TLS must write before it can read on
    bool goodbye = false;      // it completed its role
    bool closed = false;       // its stream ended
    bool live() const { return connection && !closed; }
  };

  const std::string& name_of(automata::RoleId role) const { return protocol_->role_name(role); }
  // Queues a frame and writes it, waiting (and reading) while the socket is full.
  void write_frame(automata::RoleId to, std::span<const std::uint8_t> frame);
  // Writes what `peer.out` holds without blocking; false when it failed.
  static bool flush_locked(Peer& peer);
  // Waits up to `timeout_ms` (-1: no limit) for input on any connection, or
  // for a pending write to drain; reads and decodes whatever arrived.
  void pump(int timeout_ms);
  // Reads what `role` sent and decodes it; `waiting`: plaintext, wait in
  // recv(2) itself (the sole connection that can bring news).
  void read_from(automata::RoleId role, bool waiting = false);
  void decode(automata::RoleId role);
  [[noreturn]] void connection_ended(automata::RoleId role, const Io& io);
  bool sole_connection(automata::RoleId peer) const;
  // Waits until `done()`, reading everybody meanwhile (a send waiting for
  // credit, or for a rendezvous to be taken).
  template <class Done>
  void wait_for(Done&& done);
  // Credits not yet reported: sent before this endpoint waits, so that no
  // peer waits for a credit held back here.
  void report_credits();
  void send_credit(automata::RoleId to);
  static void append_credit_frame(std::vector<std::uint8_t>& out, Peer& peer);
  // PeerUnresponsive for a peer silent for longer than the keepalive time.
  void check_alive();
  int keepalive_poll_ms() const;
  void ping_idle_peers() noexcept;
  void send_last_words(const std::vector<std::uint8_t>& frame) noexcept;

  std::shared_ptr<const Protocol> protocol_;
  automata::RoleId self_;
  unsigned k_;
  Channels channels_;
  std::chrono::milliseconds keepalive_;
  std::shared_ptr<Clock> clock_;
  std::vector<std::unique_ptr<Peer>> peers_;  // index = role; no connection for self
  // expected_[from][label]: whether some state of this role receives label
  // from that peer. A message on a channel the role never uses is returned
  // at once, so that the endpoint reports it as the peer's violation.
  std::vector<std::vector<bool>> expected_;
  std::deque<IncomingMessage> stray_;
  std::shared_ptr<WakeSignal> wake_;
  std::shared_ptr<const WakeCallback> wake_callback_;
  std::vector<std::uint8_t> frame_;
  std::vector<::pollfd> poll_set_;
  std::vector<automata::RoleId> poll_roles_;
  std::size_t rotation_ = 0;
  bool aborted_ = false;
  std::unique_ptr<detail::Ticker> pinger_;  // last: stopped first
};

}  // namespace lim::runtime::tcp
