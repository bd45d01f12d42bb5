#include "lim/runtime/transport/tcp/tcp_session.hpp"

#include <poll.h>
#include <sys/socket.h>

#include <set>
#include <stdexcept>

#include <fmt/format.h>

#include "lim/runtime/transport/tcp/socket_address.hpp"
#include "socket.hpp"
#include "tcp_transport.hpp"

namespace lim::runtime::tcp {
namespace {

constexpr int kWireVersion = 1;

struct Handshake {
  const Protocol& protocol;
  automata::RoleId self;
  const Config& config;
  RealDeadline deadline;

  const std::string& name(automata::RoleId role) const { return protocol.role_name(role); }

  // Reads one frame of a handshake; nullopt when the peer closed first.
  std::optional<std::pair<FrameType, nlohmann::json>> read_frame(int fd, FrameDecoder& decoder,
                                                                   const std::string& peer) const {
    while (true) {
      if (auto frame = decoder.next()) return std::pair{frame->type, decode_json(frame->body)};
      auto room = decoder.prepare(4096);
      const auto received = read_some(fd, room, deadline);
      if (received < 0)
        throw TransportError(TransportFailure::ConnectTimeout, peer,
                             fmt::format("no handshake within {} ms", config.connect_timeout.count()));
      if (received == 0) return std::nullopt;
      decoder.commit(static_cast<std::size_t>(received));
    }
  }

  void send_json(int fd, FrameType type, const nlohmann::json& body, const std::string& peer) const {
    std::vector<std::uint8_t> bytes;
    append_json_frame(bytes, type, body);
    if (!write_all(fd, bytes, deadline))
      throw TransportError(TransportFailure::ConnectionLost, peer, "the connection broke during the handshake");
  }

  Link connect(automata::RoleId peer) const {
    const auto address = config.peers.find(name(peer));
    if (address == config.peers.end())
      throw std::invalid_argument(fmt::format(
          "tcp::join: {} connects to {} (declared before it in {}), so Config::peers needs \"{}\"", name(self),
          name(peer), protocol.spec_path(), name(peer)));
    auto fd = connect_to(address->second.host, address->second.port, deadline);
    if (!fd.valid())
      throw TransportError(TransportFailure::ConnectTimeout, name(peer),
                           fmt::format("nobody accepted at {} within {} ms", address->second.to_string(),
                                       config.connect_timeout.count()));
    send_json(fd.get(), FrameType::Hello,
              {{"lim", kWireVersion},
               {"session", config.session},
               {"fingerprint", protocol.fingerprint()},
               {"from", name(self)},
               {"to", name(peer)}},
              name(peer));
    FrameDecoder decoder(config.max_frame_bytes);
    std::optional<std::pair<FrameType, nlohmann::json>> answer;
    try {
      answer = read_frame(fd.get(), decoder, name(peer));
    } catch (const FrameError& error) {
      throw TransportError(TransportFailure::MalformedFrame, name(peer), error.what());
    }
    if (!answer)
      throw TransportError(TransportFailure::HandshakeFailed, name(peer),
                           fmt::format("{} closed the connection during the handshake", address->second.to_string()));
    const auto& [type, body] = *answer;
    if (type != FrameType::Welcome || !body.is_object() || !body.contains("ok"))
      throw TransportError(TransportFailure::MalformedFrame, name(peer), "the answer to Hello is not a Welcome");
    if (body.at("ok") != true) {
      const auto error = body.find("error");
      throw TransportError(TransportFailure::HandshakeFailed, name(peer),
                           error != body.end() && error->is_string() ? error->get<std::string>()
                                                                     : "refused without a reason");
    }
    // Bytes the peer sent right behind its Welcome belong to the session.
    const auto pending = decoder.pending();
    return Link{std::move(fd), std::vector<std::uint8_t>(pending.begin(), pending.end())};
  }

  // Why a Hello is refused, or empty when it is fine.
  std::string check_hello(const nlohmann::json& hello, const std::set<automata::RoleId>& waiting,
                          automata::RoleId& from) const {
    if (!hello.is_object() || hello.value("lim", 0) != kWireVersion) return "not a lim handshake of this version";
    const auto session = hello.value("session", std::string());
    if (session != config.session)
      return fmt::format("the connector is in session '{}', this endpoint in '{}'", session, config.session);
    if (hello.value("fingerprint", std::string()) != protocol.fingerprint())
      return fmt::format("the connector runs other automata than {}'s (fingerprint {} ≠ {})", protocol.spec_path(),
                         hello.value("fingerprint", std::string()), protocol.fingerprint());
    if (hello.value("to", std::string()) != name(self))
      return fmt::format("the connector wants role {}, this is {}", hello.value("to", std::string()), name(self));
    const auto role = protocol.find_role(hello.value("from", std::string()));
    if (!role || *role <= self) return fmt::format("{} must not connect to {}", hello.value("from", std::string()), name(self));
    if (!waiting.contains(*role)) return fmt::format("{} is connected already", name(*role));
    from = *role;
    return {};
  }

  void accept_all(std::vector<Link>& links) const {
    if (!config.listener)
      throw std::invalid_argument(fmt::format("tcp::join: roles declared after {} connect to it, so Config::listener "
                                              "must be set",
                                              name(self)));
    std::set<automata::RoleId> waiting;
    for (automata::RoleId role = self + 1; role < protocol.role_count(); ++role) waiting.insert(role);
    while (!waiting.empty()) {
      pollfd listening{config.listener->fd(), POLLIN, 0};
      if (::poll(&listening, 1, poll_timeout(deadline)) <= 0 && std::chrono::steady_clock::now() >= deadline) {
        std::string missing;
        for (const auto role : waiting) missing += (missing.empty() ? "" : ", ") + name(role);
        throw TransportError(TransportFailure::ConnectTimeout, name(*waiting.begin()),
                             fmt::format("{} did not connect within {} ms", missing, config.connect_timeout.count()));
      }
      FileDescriptor fd(::accept4(config.listener->fd(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC));
      if (!fd.valid()) continue;
      FrameDecoder decoder(config.max_frame_bytes);
      std::optional<std::pair<FrameType, nlohmann::json>> hello;
      try {
        hello = read_frame(fd.get(), decoder, "");
      } catch (const FrameError&) {
        continue;  // not lim speaking: ignore the connection
      }
      if (!hello || hello->first != FrameType::Hello) continue;
      automata::RoleId from = 0;
      std::string refusal;
      try {
        refusal = check_hello(hello->second, waiting, from);
      } catch (const nlohmann::json::exception&) {
        refusal = "not a lim handshake of this version";  // a field of the wrong type
      }
      if (!refusal.empty()) {
        try {
          send_json(fd.get(), FrameType::Welcome, {{"lim", kWireVersion}, {"ok", false}, {"error", refusal}}, "");
        } catch (const TransportError&) {
        }
        const auto connector = hello->second.is_object() ? hello->second.find("from") : hello->second.end();
        throw TransportError(TransportFailure::HandshakeFailed,
                             connector != hello->second.end() && connector->is_string() ? connector->get<std::string>()
                                                                                         : std::string(),
                             refusal);
      }
      send_json(fd.get(), FrameType::Welcome, {{"lim", kWireVersion}, {"ok", true}}, name(from));
      links[from] = Link{std::move(fd), {}};
      waiting.erase(from);
    }
  }
};

}  // namespace

std::unique_ptr<Endpoint> join(std::shared_ptr<const Protocol> protocol, std::string_view role, const Config& config) {
  if (!protocol) throw std::invalid_argument("tcp::join needs a protocol");
  if (config.k == 0) throw std::invalid_argument("tcp::join: TCP channels are queues; k must be at least 1");
  protocol->require({config.k, true});
  const auto self = protocol->role(role);
  const Handshake handshake{*protocol, self, config, std::chrono::steady_clock::now() + config.connect_timeout};
  std::vector<Link> links(protocol->role_count());
  for (automata::RoleId peer = 0; peer < self; ++peer) links[peer] = handshake.connect(peer);
  if (self + 1u < protocol->role_count()) handshake.accept_all(links);
  // Blocking sockets: the transport says MSG_DONTWAIT wherever it must not
  // wait, and may then wait in recv itself when nothing else needs watching.
  for (const auto& link : links)
    if (link.fd.valid()) {
      set_nodelay(link.fd.get());
      set_blocking(link.fd.get());
    }
  auto options = config.endpoint;
  if (!options.clock) options.clock = steady_clock();
  auto transport = std::make_unique<TcpTransport>(protocol, self, std::move(links), config, options.clock);
  return std::make_unique<Endpoint>(std::move(protocol), self, std::move(transport), std::move(options));
}

}  // namespace lim::runtime::tcp
