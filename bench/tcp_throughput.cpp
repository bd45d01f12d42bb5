// How fast lim's TCP server is against the Linux kernel's, on comparable
// paths (issue 9 §3). The same Linux client, in the same process, talks to
//   lim      lim's TcpServer behind a TUN device (what `lim tcp serve` runs);
//   relay    a Linux server in a second namespace, the two joined through two
//            TUN devices and a user-space relay thread per direction: the
//            same per-packet crossing into user space and back that lim pays;
//   relay+o  the same relay with the TUN offloads the kernel offers
//            (IFF_VNET_HDR, TUNSETOFFLOAD: checksum and TSO, so that the
//            relay moves 64 KiB super-packets);
//   veth     a Linux server behind a veth pair, for reference.
// For each it prints bulk throughput (the client sends --bytes to a discard
// server), the CPU the server side spent per GiB (the whole process's CPU
// less the client thread's: lim's threads, or the Linux server's thread and
// the relay's), echo round trips per second (1 byte, one connection),
// connections per second (open, half-close, wait for the server's FIN, one
// at a time) and memory per idle connection (--idle connections open).
//
// Run as root (it makes network namespaces and TUN devices):
//   build/bench/tcp_throughput                   # 1 GiB bulk, everything
//   build/bench/tcp_throughput --bytes 64M --paths lim,relay
// The namespaces are anonymous (unshare, held by file descriptors) and every
// device lives inside one, so all of it vanishes when the program exits, how
// ever it exits. Addresses are in 198.18.0.0/15; nothing leaves the machine.
#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sched.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <fstream>
#include <functional>
#include <iostream>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "lim/runtime/gate/verification_gate.hpp"
#include "lim/tcp/link/tun_link.hpp"
#include "lim/tcp/server/apps.hpp"
#include "lim/tcp/server/tcp_server.hpp"

namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
namespace tcp = lim::tcp;

[[noreturn]] void fail(const std::string& what) { throw std::runtime_error(what + ": " + std::strerror(errno)); }

double seconds_of(const timeval& t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6; }
double cpu_of(const rusage& usage) { return seconds_of(usage.ru_utime) + seconds_of(usage.ru_stime); }
double process_cpu() {
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  return cpu_of(usage);
}
double thread_cpu() {
  rusage usage{};
  ::getrusage(RUSAGE_THREAD, &usage);
  return cpu_of(usage);
}

// /proc/self/status's VmRSS, in bytes.
std::size_t resident_bytes() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::stoull(line.substr(6)) * 1024;
  return 0;
}
// What the kernel's slab caches of sockets hold (/proc/slabinfo), in bytes:
// a TCP socket is a tcp_sock, a socket inode, a file and a dentry.
std::size_t socket_slab_bytes() {
  std::ifstream slabinfo("/proc/slabinfo");
  std::string line;
  std::size_t total = 0;
  while (std::getline(slabinfo, line)) {
    std::istringstream fields(line);
    std::string name;
    std::size_t active = 0, all = 0, size = 0;
    fields >> name >> active >> all >> size;
    if (name == "TCP" || name == "sock_inode_cache" || name == "filp" || name == "dentry") total += active * size;
  }
  return total;
}

std::string human(double bytes) {
  if (bytes >= 1024 * 1024) return fmt::format("{:.1f} MiB", bytes / (1024 * 1024));
  if (bytes >= 1024) return fmt::format("{:.1f} KiB", bytes / 1024);
  return fmt::format("{:.0f} B", bytes);
}

// ---- namespaces ------------------------------------------------------------------------

// An anonymous network namespace, alive while this holds it (and while
// anything in it — a thread, a socket, a device's file — does).
class Namespace {
 public:
  Namespace() {
    const int original = ::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
    if (original < 0) fail("cannot open this thread's network namespace");
    if (::unshare(CLONE_NEWNET) != 0) {
      ::close(original);
      fail("cannot make a network namespace (run as root)");
    }
    fd_ = ::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
    ::setns(original, CLONE_NEWNET);
    ::close(original);
    if (fd_ < 0) fail("cannot hold the new network namespace");
    run("ip link set lo up");
  }
  ~Namespace() {
    if (fd_ >= 0) ::close(fd_);
  }
  Namespace(const Namespace&) = delete;
  Namespace& operator=(const Namespace&) = delete;
  int fd() const { return fd_; }
  // A path another process can open to name this namespace (`ip link set … netns PATH`).
  std::string path() const { return fmt::format("/proc/{}/fd/{}", ::getpid(), fd_); }
  // A shell command run inside: the child inherits the calling thread's namespace.
  void run(const std::string& command) const;

 private:
  int fd_ = -1;
};

// The calling thread inside `ns` until the end of the scope.
class Inside {
 public:
  explicit Inside(const Namespace& ns) : original_(::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC)) {
    if (original_ < 0 || ::setns(ns.fd(), CLONE_NEWNET) != 0) fail("cannot enter a network namespace");
  }
  ~Inside() {
    ::setns(original_, CLONE_NEWNET);
    ::close(original_);
  }
  Inside(const Inside&) = delete;
  Inside& operator=(const Inside&) = delete;

 private:
  int original_;
};

void Namespace::run(const std::string& command) const {
  Inside inside(*this);
  if (std::system((command + " >/dev/null 2>&1").c_str()) != 0) throw std::runtime_error("failed: " + command);
}

// ---- the Linux client ------------------------------------------------------------------

sockaddr_in address_of(const std::string& ip, std::uint16_t port) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  ::inet_pton(AF_INET, ip.c_str(), &address.sin_addr);
  return address;
}

int connect_to(const std::string& ip, std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) fail("socket");
  timeval timeout{10, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  const auto address = address_of(ip, port);
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
    const int error = errno;
    ::close(fd);
    errno = error;
    fail(fmt::format("connect to {}:{}", ip, port));
  }
  return fd;
}

// Reads until the peer's FIN.
void drain(int fd) {
  char buffer[4096];
  for (;;) {
    const auto n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n == 0) return;
    if (n < 0) fail("waiting for the server's FIN");
  }
}

// Runs `work` on a thread inside `ns`; returns the thread's CPU seconds.
double client_in(const Namespace& ns, const std::function<void()>& work) {
  double cpu = 0;
  std::exception_ptr error;
  std::thread thread([&] {
    try {
      if (::setns(ns.fd(), CLONE_NEWNET) != 0) fail("cannot enter the client's namespace");
      const double start = thread_cpu();
      work();
      cpu = thread_cpu() - start;
    } catch (...) {
      error = std::current_exception();
    }
  });
  thread.join();
  if (error) std::rethrow_exception(error);
  return cpu;
}

struct Figures {
  std::string path;
  double gbits = 0, cpu_per_gib = 0, client_cpu_per_gib = 0, round_trips = 0, connections = 0;
  double idle_bytes = 0;
  std::string idle_what;
};

struct Sizes {
  std::uint64_t bytes = 1ull << 30;
  unsigned round_trips = 20000;
  unsigned connections = 2000;
  unsigned idle = 1000;
  unsigned repeat = 3;
};

void bulk_once(Figures& figures, const Namespace& ns, const std::string& ip, std::uint64_t bytes);

// Bulk transfers; the figures of the fastest of `repeat` are kept (the
// machine may be shared: the fastest run is the one least disturbed).
void bulk(Figures& figures, const Namespace& ns, const std::string& ip, std::uint64_t bytes, unsigned repeat) {
  for (unsigned i = 0; i < std::max(repeat, 1u); ++i) {
    Figures run;
    bulk_once(run, ns, ip, bytes);
    if (run.gbits > figures.gbits) {
      figures.gbits = run.gbits;
      figures.cpu_per_gib = run.cpu_per_gib;
      figures.client_cpu_per_gib = run.client_cpu_per_gib;
    }
  }
}

void bulk_once(Figures& figures, const Namespace& ns, const std::string& ip, std::uint64_t bytes) {
  const auto start = Clock::now();
  const double cpu_start = process_cpu();
  const double client = client_in(ns, [&] {
    const int fd = connect_to(ip, 9);
    std::vector<char> chunk(256 * 1024, 'x');
    std::uint64_t left = bytes;
    while (left > 0) {
      const auto n = ::send(fd, chunk.data(), std::min<std::uint64_t>(left, chunk.size()), MSG_NOSIGNAL);
      if (n <= 0) fail("bulk send");
      left -= static_cast<std::uint64_t>(n);
    }
    ::shutdown(fd, SHUT_WR);
    drain(fd);  // the discard server's FIN: it has read everything
    ::close(fd);
  });
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  const double server = process_cpu() - cpu_start - client;
  const double gib = static_cast<double>(bytes) / (1ull << 30);
  figures.gbits = static_cast<double>(bytes) * 8 / elapsed / 1e9;
  figures.cpu_per_gib = server / gib;
  figures.client_cpu_per_gib = client / gib;
}

void echo(Figures& figures, const Namespace& ns, const std::string& ip, unsigned count) {
  double elapsed = 0;
  client_in(ns, [&] {
    const int fd = connect_to(ip, 7);
    const int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    const auto start = Clock::now();
    char byte = 'x';
    for (unsigned i = 0; i < count; ++i) {
      if (::send(fd, &byte, 1, MSG_NOSIGNAL) != 1) fail("echo send");
      if (::recv(fd, &byte, 1, 0) != 1) fail("echo receive");
    }
    elapsed = std::chrono::duration<double>(Clock::now() - start).count();
    ::shutdown(fd, SHUT_WR);
    drain(fd);
    ::close(fd);
  });
  figures.round_trips = count / elapsed;
}

void connections(Figures& figures, const Namespace& ns, const std::string& ip, unsigned count) {
  double elapsed = 0;
  client_in(ns, [&] {
    const auto start = Clock::now();
    for (unsigned i = 0; i < count; ++i) {
      const int fd = connect_to(ip, 7);
      ::shutdown(fd, SHUT_WR);
      drain(fd);
      ::close(fd);
    }
    elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  });
  figures.connections = count / elapsed;
}

// Opens `count` connections to the echo port and holds them until
// `settled` says the server has them all, then reads what memory grew by:
// the process's resident set (lim's sessions, or the Linux server's
// threads) and the kernel's socket caches (half of it the server's: both
// ends of each connection are sockets of the same kernel).
void idle(Figures& figures, const Namespace& ns, const std::string& ip, unsigned count,
          const std::function<bool()>& settled, bool kernel) {
  std::vector<int> fds;
  const double rss_before = static_cast<double>(resident_bytes());
  const double slab_before = static_cast<double>(socket_slab_bytes());
  client_in(ns, [&] {
    for (unsigned i = 0; i < count; ++i) fds.push_back(connect_to(ip, 7));
  });
  const auto deadline = Clock::now() + 30s;
  while (!settled() && Clock::now() < deadline) std::this_thread::sleep_for(10ms);
  std::this_thread::sleep_for(200ms);
  const double rss = (static_cast<double>(resident_bytes()) - rss_before) / count;
  const double slab = (static_cast<double>(socket_slab_bytes()) - slab_before) / (2.0 * count);
  figures.idle_bytes = rss + (kernel ? slab : 0);
  figures.idle_what = kernel ? fmt::format("{} kernel + {} threads", human(slab), human(rss)) : "resident";
  client_in(ns, [&] {
    for (const int fd : fds) ::shutdown(fd, SHUT_WR);
    for (const int fd : fds) {
      drain(fd);
      ::close(fd);
    }
  });
}

// ---- lim --------------------------------------------------------------------------------

Figures run_lim(const Sizes& sizes, bool offload) {
  Figures figures{offload ? "lim, TUN, offloads" : "lim, TUN", 0, 0, 0, 0, 0, 0, ""};
  Namespace ns;
  std::unique_ptr<tcp::server::TcpServer> server;
  std::mutex mutex;
  std::list<std::thread> workers;
  std::atomic<unsigned> live{0};
  std::vector<std::shared_ptr<tcp::server::Listener>> listeners;
  std::vector<std::thread> acceptors;
  {
    Inside inside(ns);  // the device is made in the namespace; lim's threads are born there
    tcp::link::TunLinkOptions link;
    link.device = "limbench0";
    link.kernel_address = tcp::wire::IpAddress::v4(0xC6120001);  // 198.18.0.1
    link.prefix = 24;
    link.offload = offload;
    tcp::server::TcpServerOptions options;
    options.address = tcp::wire::IpAddress::v4(0xC6120002);  // 198.18.0.2
    options.limits.connections = sizes.idle + 64;
    options.limits.half_open = sizes.idle + 64;
    options.tcb.msl = 100ms;  // lim is never the active closer here, but keep TIME-WAIT short regardless
    server = std::make_unique<tcp::server::TcpServer>(
        tcp::server::load_server_spec(lim::runtime::default_gate(), "specs/tcp/server.lim",
                                      tcp::server::builtin_server_spec()),
        tcp::server::load_stateless_specs(lim::runtime::default_gate()),
        std::make_unique<tcp::link::TunLink>(link), options);
    for (const auto& [port, app] : {std::pair{std::uint16_t{9}, tcp::server::App::Discard},
                                   std::pair{std::uint16_t{7}, tcp::server::App::Echo}}) {
      auto listener = server->listen(port);
      listeners.push_back(listener);
      acceptors.emplace_back([&, listener, app] {
        while (auto connection = listener->accept()) {
          std::shared_ptr<tcp::server::Connection> shared(std::move(connection));
          const std::lock_guard lock(mutex);
          ++live;
          workers.emplace_back([&, shared, app] {
            try {
              tcp::server::serve(app, *shared);  // what `lim tcp serve --app …` runs
            } catch (const tcp::server::ConnectionError&) {
            }
            --live;
          });
        }
      });
    }
  }
  const auto stop = [&] {
    if (!server) return;
    server->shutdown(2000ms);
    for (auto& acceptor : acceptors) acceptor.join();
    for (auto& worker : workers) worker.join();
    server.reset();
  };
  try {
    const std::string ip = "198.18.0.2";
    const auto& tun = dynamic_cast<const tcp::link::TunLink&>(server->link());
    const auto before = tun.counters();
    bulk(figures, ns, ip, sizes.bytes, sizes.repeat);
    const auto after = tun.counters();
    std::cerr << fmt::format("lim, bulk: {} packets in, {} out{}\n", after.received - before.received,
                             after.sent - before.sent, tun.device().offloaded() ? " (offloads on)" : "");
    echo(figures, ns, ip, sizes.round_trips);
    connections(figures, ns, ip, sizes.connections);
    idle(
        figures, ns, ip, sizes.idle, [&] { return live.load() >= sizes.idle; }, false);
  } catch (...) {
    stop();
    throw;
  }
  stop();
  return figures;
}

// ---- Linux servers -----------------------------------------------------------------------

// A discard server (port 9) and an echo server (port 7) on Linux sockets in
// `ns`, a thread per connection, as lim's apps are run.
class LinuxServers {
 public:
  LinuxServers(const Namespace& ns, const std::string& ip) {
    Inside inside(ns);
    for (const std::uint16_t port : {std::uint16_t{9}, std::uint16_t{7}}) {
      const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
      const int one = 1;
      ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
      const auto address = address_of(ip, port);
      if (fd < 0 || ::bind(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0 ||
          ::listen(fd, 4096) != 0)
        fail(fmt::format("cannot listen on {}:{}", ip, port));
      listening_.push_back(fd);
      acceptors_.emplace_back([this, fd, port] {
        for (;;) {
          const int connection = ::accept4(fd, nullptr, nullptr, SOCK_CLOEXEC);
          if (connection < 0) {
            if (errno == EINTR || errno == ECONNABORTED) continue;
            return;  // shut down
          }
          const std::lock_guard lock(mutex_);
          ++live_;
          open_.insert(connection);
          workers_.emplace_back([this, connection, port] {
            serve(connection, port == 7);
            {
              const std::lock_guard lock(mutex_);
              open_.erase(connection);
            }
            ::close(connection);
            --live_;
          });
        }
      });
    }
  }
  ~LinuxServers() {
    for (const int fd : listening_) ::shutdown(fd, SHUT_RDWR);
    for (auto& acceptor : acceptors_) acceptor.join();
    {
      // After an error, clients may still hold connections open: end them.
      const std::lock_guard lock(mutex_);
      for (const int fd : open_) ::shutdown(fd, SHUT_RDWR);
    }
    for (auto& worker : workers_) worker.join();
    for (const int fd : listening_) ::close(fd);
  }
  unsigned live() const { return live_.load(); }

 private:
  static void serve(int fd, bool echo) {
    std::vector<char> buffer(echo ? 16384 : 256 * 1024);
    for (;;) {
      const auto n = ::recv(fd, buffer.data(), buffer.size(), 0);
      if (n <= 0) break;
      if (!echo) continue;
      for (ssize_t done = 0; done < n;) {
        const auto m = ::send(fd, buffer.data() + done, static_cast<std::size_t>(n - done), MSG_NOSIGNAL);
        if (m <= 0) break;
        done += m;
      }
    }
  }

  std::vector<int> listening_;
  std::vector<std::thread> acceptors_;
  std::mutex mutex_;
  std::list<std::thread> workers_;
  std::set<int> open_;
  std::atomic<unsigned> live_{0};
};

void linux_figures(Figures& figures, const Namespace& client, const std::string& ip, const Sizes& sizes,
                   const LinuxServers& servers) {
  bulk(figures, client, ip, sizes.bytes, sizes.repeat);
  echo(figures, client, ip, sizes.round_trips);
  connections(figures, client, ip, sizes.connections);
  idle(
      figures, client, ip, sizes.idle, [&] { return servers.live() >= sizes.idle; }, true);
}

// A TUN device in the calling thread's namespace, blocking reads off.
int open_tun(const std::string& name, bool offload) {
  const int fd = ::open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) fail("cannot open /dev/net/tun");
  ifreq request{};
  request.ifr_flags = static_cast<short>(IFF_TUN | IFF_NO_PI | (offload ? IFF_VNET_HDR : 0));
  std::strncpy(request.ifr_name, name.c_str(), IFNAMSIZ - 1);
  if (::ioctl(fd, TUNSETIFF, &request) != 0) fail("cannot make TUN device " + name);
  if (offload && ::ioctl(fd, TUNSETOFFLOAD, TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6) != 0)
    fail("TUNSETOFFLOAD on " + name);
  return fd;
}

// Moves packets from one TUN device to the other, one thread per direction:
// what Linux pays per packet when its TCP runs through user space as lim's does.
class Relay {
 public:
  Relay(int a, int b) : a_(a), b_(b), stop_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {
    if (stop_ < 0) fail("eventfd");
    threads_.emplace_back([this] { pump(a_, b_); });
    threads_.emplace_back([this] { pump(b_, a_); });
  }
  ~Relay() {
    const std::uint64_t one = 1;
    [[maybe_unused]] const auto written = ::write(stop_, &one, sizeof one);
    for (auto& thread : threads_) thread.join();
    ::close(stop_);
    ::close(a_);
    ::close(b_);
  }

 private:
  void pump(int from, int to) {
    std::vector<std::uint8_t> buffer(65536 + 64);
    for (;;) {
      pollfd fds[2] = {{from, POLLIN, 0}, {stop_, POLLIN, 0}};
      if (::poll(fds, 2, -1) < 0 && errno != EINTR) return;
      if (fds[1].revents) return;
      for (;;) {
        const auto n = ::read(from, buffer.data(), buffer.size());
        if (n <= 0) break;
        [[maybe_unused]] const auto written = ::write(to, buffer.data(), static_cast<std::size_t>(n));
      }
    }
  }
  int a_, b_, stop_;
  std::vector<std::thread> threads_;
};

Figures run_relay(const Sizes& sizes, bool offload) {
  Figures figures{offload ? "Linux, TUN relay, offloads" : "Linux, TUN relay", 0, 0, 0, 0, 0, 0, ""};
  Namespace client, server;
  int a = -1, b = -1;
  {
    Inside inside(client);
    a = open_tun("relay0", offload);
  }
  {
    Inside inside(server);
    b = open_tun("relay1", offload);
  }
  client.run("ip addr add 198.18.1.1/16 dev relay0 && ip link set relay0 up");
  server.run("ip addr add 198.18.2.1/16 dev relay1 && ip link set relay1 up");
  Relay relay(a, b);
  LinuxServers servers(server, "198.18.2.1");
  linux_figures(figures, client, "198.18.2.1", sizes, servers);
  return figures;
}

Figures run_veth(const Sizes& sizes) {
  Figures figures{"Linux, veth", 0, 0, 0, 0, 0, 0, ""};
  Namespace client, server;
  client.run("ip link add veth0 type veth peer name veth1 && ip link set veth1 netns " + server.path() +
             " && ip addr add 198.18.3.1/24 dev veth0 && ip link set veth0 up");
  server.run("ip addr add 198.18.3.2/24 dev veth1 && ip link set veth1 up");
  LinuxServers servers(server, "198.18.3.2");
  linux_figures(figures, client, "198.18.3.2", sizes, servers);
  return figures;
}

std::uint64_t parse_size(const std::string& text) {
  std::size_t used = 0;
  const double number = std::stod(text, &used);
  const std::string unit = text.substr(used);
  double scale = 1;
  if (unit == "K" || unit == "k" || unit == "KiB") scale = 1024;
  else if (unit == "M" || unit == "MiB") scale = 1024.0 * 1024;
  else if (unit == "G" || unit == "GiB") scale = 1024.0 * 1024 * 1024;
  else if (!unit.empty()) throw std::invalid_argument("--bytes: a size such as 64M or 1G is expected");
  return static_cast<std::uint64_t>(number * scale);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"lim's TCP server against Linux's, through TUN devices and a veth pair (run as root)"};
  std::string bytes = "1G";
  std::string paths = "lim,lim-offload,relay,relay-offload,veth";
  Sizes sizes;
  app.add_option("--bytes", bytes, "bulk transfer size (e.g. 64M, 1G)")->capture_default_str();
  app.add_option("--round-trips", sizes.round_trips, "echo round trips")->capture_default_str();
  app.add_option("--connections", sizes.connections, "connections opened and closed, one at a time")
      ->capture_default_str();
  app.add_option("--idle", sizes.idle, "idle connections held open for the memory figure")->capture_default_str();
  app.add_option("--repeat", sizes.repeat, "bulk transfers per path, the fastest kept")->capture_default_str();
  app.add_option("--paths", paths, "which of lim, lim-offload, relay, relay-offload, veth")->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  try {
    sizes.bytes = parse_size(bytes);
  } catch (const std::exception& error) {
    std::cerr << error.what() << '\n';
    return 2;
  }
  // Every connection holds a thread or two, and each of the client's sockets a descriptor.
  rlimit files{};
  ::getrlimit(RLIMIT_NOFILE, &files);
  files.rlim_cur = files.rlim_max;
  ::setrlimit(RLIMIT_NOFILE, &files);

  std::vector<Figures> results;
  try {
    std::stringstream list(paths);
    std::string path;
    while (std::getline(list, path, ',')) {
      std::cerr << "running " << path << " …" << std::endl;
      if (path == "lim") results.push_back(run_lim(sizes, false));
      else if (path == "lim-offload") results.push_back(run_lim(sizes, true));
      else if (path == "relay") results.push_back(run_relay(sizes, false));
      else if (path == "relay-offload") results.push_back(run_relay(sizes, true));
      else if (path == "veth") results.push_back(run_veth(sizes));
      else throw std::invalid_argument("--paths: unknown path " + path);
    }
  } catch (const std::exception& error) {
    std::cerr << "tcp_throughput: " << error.what() << '\n';
    return 1;
  }
  const std::time_t now = std::time(nullptr);
  char date[32];
  std::strftime(date, sizeof date, "%Y-%m-%d %H:%M UTC", std::gmtime(&now));
  fmt::print("{}, {} cores: bulk {} (fastest of {}), {} echo round trips, {} connections, {} idle\n\n", date,
             std::thread::hardware_concurrency(), human(static_cast<double>(sizes.bytes)), sizes.repeat,
             sizes.round_trips, sizes.connections, sizes.idle);
  fmt::print("| path | Gbit/s | server CPU s/GiB | client CPU s/GiB | echo RT/s | conn/s | memory per idle conn |\n");
  fmt::print("|---|---:|---:|---:|---:|---:|---:|\n");
  for (const auto& f : results)
    fmt::print("| {} | {:.2f} | {:.2f} | {:.2f} | {:.0f} | {:.0f} | {} ({}) |\n", f.path, f.gbits, f.cpu_per_gib,
               f.client_cpu_per_gib, f.round_trips, f.connections, human(f.idle_bytes), f.idle_what);
  const Figures* lim_figures = nullptr;
  const Figures* relay = nullptr;
  for (const auto& f : results) {
    if (f.path == "lim, TUN") lim_figures = &f;
    if (f.path == "Linux, TUN relay") relay = &f;
  }
  if (lim_figures && relay && relay->gbits > 0)
    fmt::print("\nlim's bulk throughput is {:.0f}% of the TUN relay's.\n", 100 * lim_figures->gbits / relay->gbits);
  return 0;
}
