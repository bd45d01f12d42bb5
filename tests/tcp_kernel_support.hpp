#pragma once
// Test support for lim's TCP server against the real Linux TCP stack: each
// test moves its thread into a network namespace of its own (unshare), where
// the server creates a TUN device with the kernel's address 198.18.0.1/24
// and takes 198.18.0.2 behind it; the test talks to it with ordinary Linux
// sockets and sees every packet on the link through a tap, which can also
// drop or delay exactly the packet a test is about. Leaving restores the
// thread's namespace; the device and the namespace vanish with their last
// user. Where namespaces or TUN devices are not available the tests skip,
// saying which.
#include <arpa/inet.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <functional>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "lim/runtime/gate/verification_gate.hpp"
#include "lim/tcp/link/tun_device.hpp"
#include "lim/tcp/link/impairment.hpp"
#include "lim/tcp/link/tun_link.hpp"
#include "lim/tcp/server/segment_codec.hpp"
#include "lim/tcp/server/tcp_server.hpp"
#include "lim/tcp/wire/ipv4.hpp"
#include "lim/tcp/wire/tcp_header.hpp"

namespace lim::tcp::testing {

// Seeded bytes that compress to nothing: payloads whose every octet counts.
inline std::string pseudo_random(std::size_t count, unsigned seed) {
  std::mt19937 random(seed);
  std::string bytes(count, '\0');
  for (auto& byte : bytes) byte = static_cast<char>(random());
  return bytes;
}


using namespace std::chrono_literals;

inline const wire::IpAddress kKernel = wire::IpAddress::v4(0xC6120001);  // 198.18.0.1
inline const wire::IpAddress kLim = wire::IpAddress::v4(0xC6120002);     // 198.18.0.2

// Why these tests cannot run here, or nullopt.
inline std::optional<std::string> kernel_tests_unavailable() {
  if (auto tun = link::tun_unavailable()) return tun;
  return std::nullopt;
}

// The calling thread in a fresh network namespace, with loopback up.
class NetworkNamespace {
 public:
  NetworkNamespace() {
    original_ = ::open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
    if (original_ < 0 || ::unshare(CLONE_NEWNET) != 0) {
      error_ = std::string("cannot make a network namespace: ") + std::strerror(errno);
      return;
    }
    const int control = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    ifreq request{};
    std::strncpy(request.ifr_name, "lo", IFNAMSIZ - 1);
    if (control >= 0 && ::ioctl(control, SIOCGIFFLAGS, &request) == 0) {
      request.ifr_flags = static_cast<short>(request.ifr_flags | IFF_UP);
      ::ioctl(control, SIOCSIFFLAGS, &request);
    }
    if (control >= 0) ::close(control);
    entered_ = true;
  }
  ~NetworkNamespace() {
    if (entered_) ::setns(original_, CLONE_NEWNET);
    if (original_ >= 0) ::close(original_);
  }
  NetworkNamespace(const NetworkNamespace&) = delete;
  NetworkNamespace& operator=(const NetworkNamespace&) = delete;
  const std::optional<std::string>& error() const { return error_; }

 private:
  int original_ = -1;
  bool entered_ = false;
  std::optional<std::string> error_;
};

// A packet seen on the link, parsed.
struct Seen {
  bool outbound = false;  // sent by lim
  tcb::Segment segment;
  std::chrono::steady_clock::time_point at = std::chrono::steady_clock::now();
  bool has(std::uint8_t bits) const { return segment.has(bits); }
};

// Short timers, so that retransmissions and TIME-WAIT take a blink.
inline tcb::TcbConfig fast_timers() {
  tcb::TcbConfig config;
  config.initial_rto = std::chrono::milliseconds(300);
  config.msl = std::chrono::milliseconds(100);
  return config;
}

struct KernelServerOptions {
  std::uint16_t port = 7;
  tcb::TcbConfig tcb = fast_timers();
  std::function<void(tcb::Reaction&)> tamper;
  link::ImpairmentConfig impairment;
  std::optional<std::string> pcap;
  bool offload = false;  // TUN offloads (TunLinkOptions::offload)
};

// The server in the namespace, with an application run on each connection.
class KernelServer {
 public:
  using App = std::function<void(server::Connection&)>;
  // A filter on packets crossing the link: the first `count` packets it
  // matches get `verdict`.
  struct Rule {
    std::function<bool(const Seen&)> matches;
    link::TapVerdict verdict;
    int count = 1;
  };

  using Options = KernelServerOptions;

  explicit KernelServer(App app, Options settings = Options()) {
    static const runtime::VerificationGate gate;
    auto spec = server::load_server_spec(gate, "specs/tcp/server.lim", server::builtin_server_spec());
    auto closed = server::load_stateless_specs(gate);
    link::TunLinkOptions options;
    options.device = "limtun0";
    options.kernel_address = kKernel;
    options.prefix = 24;
    options.impairment = settings.impairment;
    options.pcap_path = settings.pcap;
    options.offload = settings.offload;
    options.tap = [this](const link::Packet& packet, bool outbound) { return tap(packet, outbound); };
    server::TcpServerOptions server_options;
    server_options.address = kLim;
    server_options.tcb = settings.tcb;
    server_options.tamper = std::move(settings.tamper);
    const std::uint16_t port = settings.port;
    server_options.log = [this](const std::string& line) {
      const std::lock_guard lock(mutex_);
      log_.push_back(line);
    };
    server_ = std::make_unique<server::TcpServer>(std::move(spec), std::move(closed),
                                                  std::make_unique<link::TunLink>(options), server_options);
    listener_ = server_->listen(port);
    acceptor_ = std::thread([this, app = std::move(app)] {
      while (auto connection = listener_->accept()) {
        std::shared_ptr<server::Connection> shared(std::move(connection));
        const std::lock_guard lock(mutex_);
        ++accepted_;
        workers_.emplace_back([this, shared, app] {
          try {
            app(*shared);
          } catch (const server::ConnectionError& error) {
            const std::lock_guard lock(mutex_);
            app_errors_.push_back(error.what());
          }
        });
      }
    });
  }
  ~KernelServer() { stop(); }

  static tcb::TcbConfig fast() { return fast_timers(); }

  void stop() {
    if (!server_) return;
    server_->shutdown(2000ms);
    acceptor_.join();
    for (auto& worker : workers_) worker.join();
    server_.reset();
  }

  void add_rule(Rule rule) {
    const std::lock_guard lock(mutex_);
    rules_.push_back(std::move(rule));
  }
  std::vector<Seen> seen() const {
    const std::lock_guard lock(mutex_);
    return seen_;
  }
  std::vector<std::string> log() const {
    const std::lock_guard lock(mutex_);
    return log_;
  }
  std::vector<std::string> app_errors() const {
    const std::lock_guard lock(mutex_);
    return app_errors_;
  }
  int accepted() const {
    const std::lock_guard lock(mutex_);
    return accepted_;
  }
  // Waits until `predicate` holds for the log, up to `within`.
  bool wait_for_log(const std::string& needle, std::chrono::milliseconds within = 5000ms) const {
    const auto deadline = std::chrono::steady_clock::now() + within;
    while (std::chrono::steady_clock::now() < deadline) {
      for (const auto& line : log())
        if (line.find(needle) != std::string::npos) return true;
      std::this_thread::sleep_for(5ms);
    }
    return false;
  }
  std::size_t count(bool outbound, std::uint8_t flags) const {
    std::size_t n = 0;
    for (const auto& packet : seen())
      if (packet.outbound == outbound && packet.has(flags)) ++n;
    return n;
  }
  // RSTs from one side (lim's when `from_lim`) but those sent once its side
  // of the connection had ended: the other's FIN taken and its own FIN
  // acknowledged, so that its TCB is gone (LAST-ACK, RFC 9293 §3.10.7.4). A
  // segment that comes later — a duplicate ACK answering a tail loss probe
  // that repeated a FIN, or a copy the link duplicated or delayed — meets no
  // connection and is answered with a RST as §3.10.7.1 requires: no fault.
  std::size_t resets_while_open(bool from_lim) const {
    const auto port_of = [](const Seen& packet) {
      return packet.outbound ? packet.segment.tuple.local_port : packet.segment.tuple.remote_port;
    };
    std::map<std::uint16_t, std::uint32_t> fin_end;  // port → SEQ past this side's FIN
    std::set<std::uint16_t> their_fin, ended;
    std::size_t resets = 0;
    for (const auto& packet : seen()) {
      const auto& segment = packet.segment;
      const auto port = port_of(packet);
      if (packet.outbound == from_lim) {
        if (segment.has(wire::flag::kFin)) fin_end[port] = segment.seq + static_cast<std::uint32_t>(segment.length());
        if (segment.has(wire::flag::kRst) && !ended.contains(port)) ++resets;
      } else {
        if (segment.has(wire::flag::kFin)) their_fin.insert(port);
        const auto fin = fin_end.find(port);
        if (their_fin.contains(port) && segment.has(wire::flag::kAck) && fin != fin_end.end() &&
            segment.ack == fin->second)
          ended.insert(port);
      }
    }
    return resets;
  }
  std::size_t resets_from_lim_while_open() const { return resets_while_open(true); }
  server::TcpServer& server() { return *server_; }
  // Whether the kernel took the TUN offloads asked for.
  bool offloaded() const { return dynamic_cast<const link::TunLink&>(server_->link()).device().offloaded(); }

 private:
  link::TapVerdict tap(const link::Packet& packet, bool outbound) {
    const auto parsed = server::parse_packet(packet);
    if (!parsed) return {};
    Seen seen{outbound, *parsed};
    const std::lock_guard lock(mutex_);
    seen_.push_back(seen);
    for (auto& rule : rules_) {
      if (rule.count > 0 && rule.matches(seen)) {
        --rule.count;
        return rule.verdict;
      }
    }
    return {};
  }

  mutable std::mutex mutex_;
  std::vector<Seen> seen_;
  std::vector<Rule> rules_;
  std::vector<std::string> log_;
  std::vector<std::string> app_errors_;
  int accepted_ = 0;
  std::unique_ptr<server::TcpServer> server_;
  std::shared_ptr<server::Listener> listener_;
  std::thread acceptor_;
  std::list<std::thread> workers_;
};

// ---- the Linux side ------------------------------------------------------------------

class Socket {
 public:
  Socket() : fd_(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) {}
  ~Socket() {
    if (fd_ >= 0) ::close(fd_);
  }
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;
  int fd() const { return fd_; }

  // 0 or the errno of the failed connect.
  int connect(std::uint16_t port, std::chrono::milliseconds within = 5000ms) {
    timeval timeout{static_cast<time_t>(within.count() / 1000), static_cast<suseconds_t>(within.count() % 1000 * 1000)};
    ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(kLim.v4_host_order());
    return ::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 ? 0 : errno;
  }
  bool send_all(std::string_view data) {
    while (!data.empty()) {
      const auto n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      data.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
  }
  // Everything until the end of the stream (or an error, or the timeout).
  std::string receive_all(int* error = nullptr) {
    std::string all;
    char buffer[65536];
    for (;;) {
      const auto n = ::recv(fd_, buffer, sizeof buffer, 0);
      if (n > 0) {
        all.append(buffer, static_cast<std::size_t>(n));
        continue;
      }
      if (error) *error = n == 0 ? 0 : errno;
      return all;
    }
  }
  std::string receive_exactly(std::size_t count) {
    std::string all;
    char buffer[65536];
    while (all.size() < count) {
      const auto n = ::recv(fd_, buffer, std::min(sizeof buffer, count - all.size()), 0);
      if (n <= 0) break;
      all.append(buffer, static_cast<std::size_t>(n));
    }
    return all;
  }
  void shutdown_write() { ::shutdown(fd_, SHUT_WR); }
  // close() that resets (SO_LINGER 0).
  void reset() {
    linger option{1, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_LINGER, &option, sizeof option);
    ::close(fd_);
    fd_ = -1;
  }
  void close() {
    ::close(fd_);
    fd_ = -1;
  }
  // The kernel's TCP state of the socket (TCP_ESTABLISHED, TCP_CLOSE_WAIT, …).
  int state() const {
    tcp_info info{};
    socklen_t size = sizeof info;
    if (::getsockopt(fd_, IPPROTO_TCP, TCP_INFO, &info, &size) != 0) return -1;
    return info.tcpi_state;
  }
  std::uint16_t local_port() const {
    sockaddr_in address{};
    socklen_t size = sizeof address;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &size);
    return ntohs(address.sin_port);
  }

 private:
  int fd_;
};

// Waits for the socket to reach `state` (TCP_INFO), up to `within`.
inline bool wait_state(const Socket& socket, int state, std::chrono::milliseconds within = 5000ms) {
  const auto deadline = std::chrono::steady_clock::now() + within;
  while (std::chrono::steady_clock::now() < deadline) {
    if (socket.state() == state) return true;
    std::this_thread::sleep_for(2ms);
  }
  return socket.state() == state;
}

// Sends a crafted IPv4 packet into the namespace's routing, towards lim.
inline bool inject(const tcb::OutSegment& segment) {
  const int fd = ::socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_RAW);
  if (fd < 0) return false;
  const auto packet = server::to_packet(segment, 1);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_addr.s_addr = htonl(segment.tuple.remote.v4_host_order());
  const bool ok = ::sendto(fd, packet.data(), packet.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof to) ==
                  static_cast<ssize_t>(packet.size());
  ::close(fd);
  return ok;
}

// A segment from the kernel's side (198.18.0.1:port) to lim (198.18.0.2:to).
inline tcb::OutSegment crafted(std::uint16_t from_port, std::uint16_t to_port, std::uint32_t seq, std::uint32_t ack,
                               std::uint8_t flags) {
  tcb::OutSegment segment;
  // As sent by the kernel's side: local = 198.18.0.1, remote = lim.
  segment.tuple = {kKernel, from_port, kLim, to_port};
  segment.seq = seq;
  segment.ack = ack;
  segment.flags = flags;
  segment.window = 65535;
  return segment;
}

}  // namespace lim::tcp::testing
