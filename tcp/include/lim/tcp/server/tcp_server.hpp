#pragma once
// lim's user-space TCP server: a small socket-like API over sessions of the
// verified server system (session.hpp), reached through a link (a TUN
// device, or memory in tests).
//
//   TcpServer server(spec, closed, std::make_unique<link::TunLink>(…), options);
//   auto listener = server.listen(7);
//   while (auto connection = listener->accept()) { … connection->read(…) … }
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "lim/tcp/link/link.hpp"
#include "lim/tcp/server/responder.hpp"
#include "lim/tcp/server/demultiplexer.hpp"
#include "lim/tcp/server/server_spec.hpp"
#include "lim/tcp/server/session.hpp"

namespace lim::tcp::server {

// One established connection, as accept() hands it out. Reads and writes are
// byte streams; close() sends our FIN after what was written (reads go on
// until the peer's); abort() resets. Destroying it closes it.
class Connection {
 public:
  explicit Connection(std::shared_ptr<Session> session) : session_(std::move(session)) {}
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Up to buffer.size() bytes, blocking until there are some; 0 at the end
  // of the stream. Throws ConnectionError when the connection was reset.
  std::size_t read(std::span<std::uint8_t> buffer) { return session_->read(buffer); }
  // All of `data`, blocking while the send buffer is full.
  void write(std::span<const std::uint8_t> data) { session_->write(data); }
  void write(std::string_view text) {
    write(std::span(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()));
  }
  void close() { session_->close(); }
  void abort() { session_->abort(); }
  // Nagle's algorithm off (MUST-17).
  void set_no_delay(bool on) { session_->set_no_delay(on); }
  // The Diffserv codepoint (RFC 2474's DSCP, 0–63) of every segment this
  // connection sends from now on (MUST-48), at any time (SHLD-21); it goes
  // to IP as it is (SHLD-22). Throws std::invalid_argument above 63.
  void set_diffserv(std::uint8_t dscp) { session_->set_diffserv(dscp); }
  // R2 for this connection (MUST-21): how long data may go unacknowledged,
  // through retransmissions, before the connection is reset; nullopt for
  // "infinity" (the application decides when to give up). The server's
  // default is TcbConfig::data_give_up.
  void set_retransmission_limit(std::optional<std::chrono::milliseconds> r2) {
    session_->set_retransmission_limit(r2);
  }
  // RFC 9293 §3.9.1.8's ERROR_REPORT, polled: the oldest soft error not yet
  // taken (R1 reached: TcbConfig::r1_retransmissions retransmissions of the
  // same segment, SHLD-9), or nullopt. set_error_reports(false) stops them (SHLD-20).
  std::optional<tcb::ErrorReport> take_error_report() { return session_->take_error_report(); }
  void set_error_reports(bool on) { session_->set_error_reports(on); }
  const wire::FourTuple& tuple() const { return session_->tuple(); }
  tcb::TcpState state() const { return session_->state(); }

 private:
  std::shared_ptr<Session> session_;
};

class Listener {
 public:
  explicit Listener(std::uint16_t port) : port_(port) {}
  // The next established connection; nullptr once the listener is closed
  // (or, with a deadline, when none came in time).
  std::unique_ptr<Connection> accept(std::optional<std::chrono::milliseconds> within = std::nullopt);
  std::uint16_t port() const { return port_; }

 private:
  friend class TcpServer;
  // False when the listener is closed: the caller closes the session.
  bool push(std::shared_ptr<Session> session);
  void close();

  std::uint16_t port_;
  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<std::shared_ptr<Session>> queue_;
  bool closed_ = false;
};

struct TcpServerOptions {
  wire::IpAddress address = wire::IpAddress::v4(0xC6120002);  // 198.18.0.2: lim's own address
  tcb::TcbConfig tcb;
  std::size_t inbox = 512;
  DemultiplexerLimits limits;
  std::function<void(const std::string&)> log;  // one line per connection event
  std::shared_ptr<runtime::Clock> clock;
  std::function<void(tcb::Reaction&)> tamper;   // tests: a deliberately wrong TCB
};

class TcpServer final : public SessionHost {
 public:
  TcpServer(ServerSpec spec, StatelessSpecs stateless, std::unique_ptr<link::Link> link, TcpServerOptions options);
  ~TcpServer() override;
  TcpServer(const TcpServer&) = delete;
  TcpServer& operator=(const TcpServer&) = delete;

  // Starts listening on `port` (PASSIVE OPEN). Throws std::invalid_argument
  // when the port is taken.
  std::shared_ptr<Listener> listen(std::uint16_t port);
  void stop_listening(std::uint16_t port);
  // Stops: listeners close, connections see the end of their streams and are
  // closed gracefully; what has not ended after `grace` is reset.
  void shutdown(std::chrono::milliseconds grace = std::chrono::milliseconds(5000));
  std::size_t connections() const { return demultiplexer_.connections(); }
  std::size_t half_open() const { return demultiplexer_.half_open(); }
  Demultiplexer::Counters counters() const { return demultiplexer_.counters(); }
  const link::Link& link() const { return *link_; }

  // SessionHost
  void log(const std::string& line) override;
  void transmit(const tcb::OutSegment& segment) override;
  const tcb::IsnGenerator& isn() const override { return isn_; }
  void connected(const std::shared_ptr<Session>& session) override;
  void released(const wire::FourTuple& tuple) override;

 private:
  void receive(link::Packet packet);
  std::shared_ptr<Session> spawn();
  void reap();

  ServerSpec spec_;
  StatelessSpecs stateless_;
  TcpServerOptions options_;
  tcb::IsnGenerator isn_;
  Demultiplexer demultiplexer_;
  std::unique_ptr<link::Link> link_;
  std::unique_ptr<Responder> closed_, cookies_;
  std::mutex mutex_;  // listeners and sessions
  std::map<std::uint16_t, std::shared_ptr<Listener>> listeners_;
  std::vector<std::shared_ptr<Session>> sessions_;
  std::atomic<std::uint16_t> ip_identification_{0};
  std::mutex log_mutex_;
  bool stopped_ = false;
};

}  // namespace lim::tcp::server
