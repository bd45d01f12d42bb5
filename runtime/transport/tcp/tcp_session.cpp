#include "lim/runtime/transport/tcp/tcp_session.hpp"

#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <list>
#include <set>
#include <stdexcept>

#include <fmt/format.h>

#include "lim/runtime/transport/tcp/connection.hpp"
#include "lim/runtime/transport/tcp/socket_address.hpp"
#include "socket.hpp"
#include "tcp_transport.hpp"

namespace lim::runtime::tcp {
namespace {

using RealClock = std::chrono::steady_clock;
constexpr int kWireVersion = 2;

std::string channels_text(Channels channels, unsigned k) {
  return fmt::format("{} at k={}", channels == Channels::Bounded ? "bounded" : "unbounded", k);
}

// Every handshake of one join, run side by side in one poll loop: the
// connections this role opens to the roles declared before it, and those it
// accepts from the roles declared after it. Each has a deadline of its own;
// an accepted connection that fails to authenticate, stays idle or says
// something wrong is dropped, and the session goes on assembling.
class Assembly {
 public:
  Assembly(const Protocol& protocol, automata::RoleId self, const Config& config)
      : protocol_(protocol),
        self_(self),
        config_(config),
        tls_(TlsContext::make(config.security, config.session)),
        window_(receive_window(config)),
        deadline_(RealClock::now() + config.connect_timeout),
        links_(protocol.role_count()) {
    for (automata::RoleId peer = 0; peer < self; ++peer) {
      const auto address = config.peers.find(name(peer));
      if (address == config.peers.end())
        throw std::invalid_argument(fmt::format(
            "tcp::join: {} connects to {} (declared before it in {}), so Config::peers needs \"{}\"", name(self),
            name(peer), protocol.spec_path(), name(peer)));
      auto& attempt = attempts_.emplace_back();
      attempt.outgoing = true;
      attempt.role = peer;
      attempt.address = address->second;
      attempt.candidates = resolve_addresses(address->second.host, address->second.port);
      missing_.insert(peer);
    }
    for (automata::RoleId peer = self + 1; peer < protocol.role_count(); ++peer) missing_.insert(peer);
    if (self + 1u < protocol.role_count() && !config.listener)
      throw std::invalid_argument(fmt::format(
          "tcp::join: roles declared after {} connect to it, so Config::listener must be set", name(self)));
  }

  std::vector<Link> run() {
    for (auto& attempt : attempts_) start_connecting(attempt);
    while (!missing_.empty()) {
      const auto now = RealClock::now();
      if (now >= deadline_) throw timeout();
      std::vector<pollfd> polled;
      std::vector<Attempt*> owners;
      auto wake = deadline_;
      const bool accepting = std::any_of(missing_.begin(), missing_.end(), [&](auto role) { return role > self_; });
      if (accepting) {
        polled.push_back({config_.listener->fd(), POLLIN, 0});
        owners.push_back(nullptr);
      }
      for (auto& attempt : attempts_) {
        if (attempt.waiting_to_retry) {
          wake = std::min(wake, attempt.retry_at);
          continue;
        }
        wake = std::min(wake, attempt.deadline);
        polled.push_back({attempt.fd(), attempt.events(), 0});
        owners.push_back(&attempt);
      }
      const int ready = ::poll(polled.data(), polled.size(), poll_timeout(wake));
      if (ready < 0 && errno != EINTR) throw_errno("poll");
      for (std::size_t i = 0; i < polled.size(); ++i) {
        if (polled[i].revents == 0) continue;
        if (!owners[i]) accept_waiting();
        else step(*owners[i]);
      }
      expire();
      attempts_.remove_if([](const Attempt& attempt) { return attempt.finished; });
    }
    return std::move(links_);
  }

 private:
  struct Attempt {
    bool outgoing = false;
    automata::RoleId role = 0;  // outgoing: the peer; incoming: known after its Hello
    Address address;            // outgoing
    std::vector<ResolvedAddress> candidates;
    std::size_t candidate = 0;
    FileDescriptor socket;  // outgoing, while the TCP connection is being made
    std::unique_ptr<Connection> connection;
    enum class Stage { Connecting, Tls, Hello, Welcome } stage = Stage::Connecting;
    std::vector<std::uint8_t> out;  // the Hello or Welcome still to write
    FrameDecoder decoder{1 << 16};
    IoStatus want = IoStatus::WantRead;
    RealClock::time_point deadline;
    bool waiting_to_retry = false;
    RealClock::time_point retry_at;
    bool finished = false;
    bool welcomed = false;  // incoming: Welcome sent, the link is made once it is written

    int fd() const { return connection ? connection->fd() : socket.get(); }
    short events() const {
      if (stage == Stage::Connecting) return POLLOUT;
      if (!out.empty()) return POLLOUT;
      return want == IoStatus::WantWrite ? POLLOUT : POLLIN;
    }
  };

  const std::string& name(automata::RoleId role) const { return protocol_.role_name(role); }

  TransportError timeout() const {
    std::string missing;
    for (const auto role : missing_) missing += (missing.empty() ? "" : ", ") + name(role);
    const bool connecting = std::any_of(missing_.begin(), missing_.end(), [&](auto role) { return role < self_; });
    auto detail = fmt::format("{} did not connect within {} ms", missing, config_.connect_timeout.count());
    if (connecting) detail = fmt::format("{}: no handshake with {} within {} ms", name(self_), missing,
                                         config_.connect_timeout.count());
    if (!refusals_.empty()) detail += fmt::format(" (refused meanwhile: {})", fmt::join(refusals_, "; "));
    if (dropped_ > 0) detail += fmt::format(" ({} connection(s) dropped: no valid handshake)", dropped_);
    return TransportError(TransportFailure::ConnectTimeout, name(*missing_.begin()), detail);
  }

  // ---- outgoing ----------------------------------------------------------------------------

  void start_connecting(Attempt& attempt) {
    attempt.waiting_to_retry = false;
    attempt.stage = Attempt::Stage::Connecting;
    attempt.connection.reset();
    attempt.out.clear();
    attempt.decoder = FrameDecoder(1 << 16);
    attempt.deadline = std::min(deadline_, RealClock::now() + config_.handshake_timeout);
    while (attempt.candidate < attempt.candidates.size()) {
      attempt.socket = start_connect(attempt.candidates[attempt.candidate]);
      if (attempt.socket.valid()) return;
      ++attempt.candidate;
    }
    retry_later(attempt);
  }

  // Nobody listens yet (the peer process may still be starting), or the
  // handshake took too long: try again shortly, until the session's deadline.
  void retry_later(Attempt& attempt) {
    attempt.socket.reset();
    attempt.connection.reset();
    attempt.candidate = 0;
    attempt.waiting_to_retry = true;
    attempt.retry_at = RealClock::now() + std::chrono::milliseconds(20);
  }

  nlohmann::json hello(automata::RoleId peer) const {
    return {{"lim", kWireVersion},
            {"session", config_.session},
            {"fingerprint", protocol_.fingerprint()},
            {"from", name(self_)},
            {"to", name(peer)},
            {"channels", config_.channels == Channels::Bounded ? "bounded" : "unbounded"},
            {"k", config_.k},
            {"window", {window_.messages, window_.bytes}},
            {"keepalive", config_.keepalive.count()}};
  }

  void step_outgoing(Attempt& attempt) {
    using Stage = Attempt::Stage;
    if (attempt.stage == Stage::Connecting) {
      int error = 0;
      socklen_t length = sizeof error;
      ::getsockopt(attempt.socket.get(), SOL_SOCKET, SO_ERROR, &error, &length);
      if (error != 0) {
        ++attempt.candidate;
        if (attempt.candidate < attempt.candidates.size()) start_connecting(attempt);
        else retry_later(attempt);
        return;
      }
      attempt.connection = std::make_unique<Connection>(attempt.socket.release(), tls_, true, name(attempt.role));
      attempt.stage = Stage::Tls;
    }
    if (attempt.stage == Stage::Tls) {
      const auto io = attempt.connection->handshake();
      if (io.status == IoStatus::WantRead || io.status == IoStatus::WantWrite) {
        attempt.want = io.status;
        return;
      }
      if (io.status != IoStatus::Ok)
        throw TransportError(TransportFailure::HandshakeFailed, name(attempt.role),
                             fmt::format("the TLS handshake with {} at {} failed ({}): does it hold this "
                                         "session's credentials (the same secret and session name, or a "
                                         "certificate of the same CA for role {})?",
                                         name(attempt.role), attempt.address.to_string(), io.error,
                                         name(attempt.role)));
      append_json_frame(attempt.out, FrameType::Hello, hello(attempt.role));
      attempt.stage = Stage::Hello;
    }
    if (attempt.stage == Stage::Hello) {
      if (!write_out(attempt)) return;
      attempt.stage = Stage::Welcome;
    }
    const auto frame = read_frame(attempt);
    if (!frame) return;
    const auto& [type, body] = *frame;
    if (type != FrameType::Welcome || !body.is_object() || !body.contains("ok"))
      throw TransportError(TransportFailure::MalformedFrame, name(attempt.role), "the answer to Hello is not a Welcome");
    if (body.at("ok") != true) {
      const auto error = body.find("error");
      throw TransportError(TransportFailure::HandshakeFailed, name(attempt.role),
                           error != body.end() && error->is_string() ? error->get<std::string>()
                                                                     : "refused without a reason");
    }
    establish(attempt, body);
  }

  // ---- incoming ----------------------------------------------------------------------------

  void accept_waiting() {
    while (true) {
      FileDescriptor fd(::accept4(config_.listener->fd(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC));
      if (!fd.valid()) return;
      set_nodelay(fd.get());  // before the handshake's small frames
      auto& attempt = attempts_.emplace_back();
      attempt.connection = std::make_unique<Connection>(fd.release(), tls_, false);
      attempt.stage = Attempt::Stage::Tls;
      attempt.deadline = RealClock::now() + config_.handshake_timeout;
      step(attempt);
    }
  }

  // Why a Hello is refused, or empty when it is fine. The reasons name
  // nothing of this endpoint's spec: an unauthenticated stranger learns no
  // more than that it was refused.
  std::string check_hello(const nlohmann::json& hello, automata::RoleId& from) const {
    if (!hello.is_object() || hello.value("lim", 0) != kWireVersion) return "not a lim handshake of this version";
    if (hello.value("session", std::string()) != config_.session)
      return fmt::format("the connector is in session '{}', not this endpoint's", hello.value("session", std::string()));
    if (hello.value("fingerprint", std::string()) != protocol_.fingerprint())
      return "the connector runs other automata";
    if (hello.value("to", std::string()) != name(self_))
      return fmt::format("the connector wants role {}, this is {}", hello.value("to", std::string()), name(self_));
    const auto role = protocol_.find_role(hello.value("from", std::string()));
    if (!role || *role <= self_) return fmt::format("{} must not connect to {}", hello.value("from", std::string()), name(self_));
    if (!missing_.contains(*role)) return fmt::format("{} is connected already", name(*role));
    try {
      (void)window_from(hello);
    } catch (const TransportError&) {
      return "not a lim handshake of this version";
    }
    const bool bounded = hello.value("channels", std::string()) == "bounded";
    if (bounded != (config_.channels == Channels::Bounded) || hello.value("k", 0u) != config_.k)
      return fmt::format("the connector's channels are {}, this endpoint's {}",
                         channels_text(bounded ? Channels::Bounded : Channels::Unbounded, hello.value("k", 0u)),
                         channels_text(config_.channels, config_.k));
    from = *role;
    return {};
  }

  void step_incoming(Attempt& attempt) {
    using Stage = Attempt::Stage;
    if (attempt.stage == Stage::Tls) {
      const auto io = attempt.connection->handshake();
      if (io.status == IoStatus::WantRead || io.status == IoStatus::WantWrite) {
        attempt.want = io.status;
        return;
      }
      if (io.status != IoStatus::Ok) return drop(attempt);  // no credentials: it learns nothing
      attempt.stage = Stage::Hello;
    }
    if (attempt.welcomed) {
      if (!write_out(attempt)) return;
      links_[attempt.role].connection = std::move(attempt.connection);
      links_[attempt.role].leftover = pending_bytes(attempt);
      missing_.erase(attempt.role);
      attempt.finished = true;
      return;
    }
    std::optional<std::pair<FrameType, nlohmann::json>> frame;
    try {
      frame = read_frame(attempt);
    } catch (const TransportError&) {
      return drop(attempt);  // not lim speaking
    }
    if (!frame) return;
    if (frame->first != FrameType::Hello) return drop(attempt);
    automata::RoleId from = 0;
    std::string refusal;
    try {
      refusal = check_hello(frame->second, from);
    } catch (const nlohmann::json::exception&) {
      refusal = "not a lim handshake of this version";  // a field of the wrong type
    }
    // A certificate of the session's CA that names another role: an impostor,
    // dropped like a stranger; the real holder of the role may still come.
    bool impostor = false;
    if (refusal.empty() && !attempt.connection->peer_certificate_names(name(from))) {
      refusal = fmt::format("the connector's certificate does not name role {}", name(from));
      impostor = true;
    }
    if (!refusal.empty()) {
      std::vector<std::uint8_t> answer;
      append_json_frame(answer, FrameType::Welcome, {{"lim", kWireVersion}, {"ok", false}, {"error", refusal}});
      (void)attempt.connection->write_all(answer, std::min(deadline_, RealClock::now() + std::chrono::milliseconds(200)));
      const auto& hello = frame->second;
      const auto connector = hello.is_object() ? hello.find("from") : hello.end();
      const auto who = connector != hello.end() && connector->is_string() ? connector->get<std::string>() : "";
      if (tls_ && !impostor)
        // It proved it holds the session's credentials: a participant of this
        // session that cannot take part in it. The session cannot assemble.
        throw TransportError(TransportFailure::HandshakeFailed, who, refusal);
      // Anybody may connect to a plaintext listener: refusing is all it gets.
      refusals_.push_back(fmt::format("{}{}", who.empty() ? "" : who + ": ", refusal));
      return drop(attempt);
    }
    attempt.role = from;
    links_[from].window = window_from(frame->second);
    links_[from].keepalive = std::chrono::milliseconds(frame->second.value("keepalive", std::int64_t{0}));
    append_json_frame(attempt.out, FrameType::Welcome,
                      {{"lim", kWireVersion},
                       {"ok", true},
                       {"window", {window_.messages, window_.bytes}},
                       {"keepalive", config_.keepalive.count()}});
    attempt.welcomed = true;
    step_incoming(attempt);
  }

  // ---- both --------------------------------------------------------------------------------

  static detail::Window window_from(const nlohmann::json& message) {
    const auto window = message.find("window");
    if (window == message.end() || !window->is_array() || window->size() != 2 || !(*window)[0].is_number_unsigned() ||
        !(*window)[1].is_number_unsigned())
      throw TransportError(TransportFailure::MalformedFrame, "", "a handshake without a receive window");
    return {(*window)[0].get<std::uint64_t>(), (*window)[1].get<std::uint64_t>()};
  }

  void establish(Attempt& attempt, const nlohmann::json& welcome) {
    auto& link = links_[attempt.role];
    link.window = window_from(welcome);
    link.keepalive = std::chrono::milliseconds(welcome.value("keepalive", std::int64_t{0}));
    link.connection = std::move(attempt.connection);
    // Bytes the peer sent right behind its Welcome belong to the session.
    link.leftover = pending_bytes(attempt);
    missing_.erase(attempt.role);
    attempt.finished = true;
  }

  static std::vector<std::uint8_t> pending_bytes(const Attempt& attempt) {
    const auto pending = attempt.decoder.pending();
    return {pending.begin(), pending.end()};
  }

  // Writes what is left of attempt.out; true once it all went.
  bool write_out(Attempt& attempt) {
    while (!attempt.out.empty()) {
      const auto io = attempt.connection->write(attempt.out);
      if (io.status == IoStatus::Ok) {
        attempt.out.erase(attempt.out.begin(), attempt.out.begin() + static_cast<std::ptrdiff_t>(io.bytes));
      } else if (io.status == IoStatus::WantRead || io.status == IoStatus::WantWrite) {
        attempt.want = io.status;
        return false;
      } else {
        fail(attempt, io);
        return false;
      }
    }
    attempt.want = IoStatus::WantRead;
    return true;
  }

  // The next handshake frame, or nullopt while more bytes are needed.
  std::optional<std::pair<FrameType, nlohmann::json>> read_frame(Attempt& attempt) {
    while (true) {
      try {
        if (auto frame = attempt.decoder.next()) return std::pair{frame->type, decode_json(frame->body)};
      } catch (const FrameError& error) {
        throw TransportError(TransportFailure::MalformedFrame, attempt.outgoing ? name(attempt.role) : "", error.what());
      }
      auto room = attempt.decoder.prepare(4096);
      const auto io = attempt.connection->read(room);
      if (io.status == IoStatus::Ok) {
        attempt.decoder.commit(io.bytes);
        continue;
      }
      if (io.status == IoStatus::WantRead || io.status == IoStatus::WantWrite) {
        attempt.want = io.status;
        return std::nullopt;
      }
      fail(attempt, io);
      return std::nullopt;
    }
  }

  void fail(Attempt& attempt, const Io& io) {
    if (!attempt.outgoing) return drop(attempt);
    throw TransportError(TransportFailure::HandshakeFailed, name(attempt.role),
                         fmt::format("{} closed the connection during the handshake{}", attempt.address.to_string(),
                                     io.error.empty() ? "" : " (" + io.error + ")"));
  }

  void drop(Attempt& attempt) {
    ++dropped_;
    attempt.finished = true;
  }

  void step(Attempt& attempt) {
    if (attempt.finished || attempt.waiting_to_retry) return;
    if (attempt.outgoing) step_outgoing(attempt);
    else step_incoming(attempt);
  }

  void expire() {
    const auto now = RealClock::now();
    for (auto& attempt : attempts_) {
      if (attempt.finished) continue;
      if (attempt.waiting_to_retry) {
        if (now >= attempt.retry_at) {
          start_connecting(attempt);
          if (attempt.socket.valid()) step(attempt);
        }
        continue;
      }
      if (now < attempt.deadline) continue;
      if (attempt.outgoing) retry_later(attempt);  // the peer may not be accepting yet
      else drop(attempt);                          // idle: make room for the real peer
    }
  }

  const Protocol& protocol_;
  automata::RoleId self_;
  const Config& config_;
  std::shared_ptr<TlsContext> tls_;
  detail::Window window_;  // what this endpoint grants each peer
  RealClock::time_point deadline_;
  std::vector<Link> links_;
  std::set<automata::RoleId> missing_;
  std::list<Attempt> attempts_;
  std::vector<std::string> refusals_;
  std::size_t dropped_ = 0;
};

}  // namespace

std::unique_ptr<Endpoint> join(std::shared_ptr<const Protocol> protocol, std::string_view role, const Config& config) {
  if (!protocol) throw std::invalid_argument("tcp::join needs a protocol");
  if (config.k == 0 && config.channels == Channels::Unbounded)
    throw std::invalid_argument("tcp::join: unbounded channels are verified at k ≥ 1 (k = 0 needs Channels::Bounded)");
  protocol->require(requirement_of(config.channels, config.k));
  const auto self = protocol->role(role);
  auto links = Assembly(*protocol, self, config).run();
  for (const auto& link : links) {
    if (!link.connection) continue;
    set_nodelay(link.connection->fd());
    // Plaintext sockets block: the transport says MSG_DONTWAIT wherever it
    // must not wait, and may then wait in recv itself. TLS ones never block.
    if (!link.connection->secure()) set_blocking(link.connection->fd());
  }
  auto options = config.endpoint;
  if (!options.clock) options.clock = steady_clock();
  auto transport = std::make_unique<TcpTransport>(protocol, self, std::move(links), config, options.clock);
  return std::make_unique<Endpoint>(std::move(protocol), self, std::move(transport), std::move(options));
}

}  // namespace lim::runtime::tcp
