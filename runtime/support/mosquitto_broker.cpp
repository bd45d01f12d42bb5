#include "lim/runtime/support/mosquitto_broker.hpp"

#include <netinet/in.h>
#include <pwd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>

namespace lim::runtime::support {
namespace {

using namespace std::chrono_literals;

// 127.0.0.1 only: neither the broker nor its clients ever face a network.
sockaddr_in loopback(int port) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  return address;
}

// A port for a broker, outside the kernel's ephemeral range: no bind(0) (a
// tcp::Listener, another test's socket) and no outgoing connection ever gets
// one, so between this choice and mosquitto's bind only another broker that
// drew the same number could take it — and start() notices that. A port in
// the ephemeral range, free a moment ago, can be anybody's by the time the
// broker binds it, and a broker that then connects to somebody else's
// listener talks to the wrong server.
int candidate_port() {
  int low = 32768, high = 60999;
  std::ifstream("/proc/sys/net/ipv4/ip_local_port_range") >> low >> high;
  thread_local std::mt19937 random(std::random_device{}() ^ static_cast<unsigned>(::getpid()));
  if (low > 11024) return std::uniform_int_distribution<int>(10000, low - 1)(random);
  return std::uniform_int_distribution<int>(std::min(high + 1, 65000), 65535)(random);
}

// Whether nobody holds `port` on loopback (not even a connection's end).
bool port_is_free(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  const auto address = loopback(port);
  const bool free = ::bind(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0;
  ::close(fd);
  return free;
}

// Whether process `pid` itself listens on 127.0.0.1:`port`: the listening
// socket's inode (/proc/net/tcp, state 0A) is one of the process's open
// files. A connection that succeeds proves only that somebody listens there.
bool listens_on(pid_t pid, int port) {
  std::ifstream table("/proc/net/tcp");
  std::string line;
  std::getline(table, line);  // the header
  const auto local = fmt::format("0100007F:{:04X}", port);
  std::vector<std::string> sockets;
  while (std::getline(table, line)) {
    std::istringstream fields(line);
    std::string slot, local_address, remote_address, state, queues, timer, retransmits, uid, timeout, inode;
    fields >> slot >> local_address >> remote_address >> state >> queues >> timer >> retransmits >> uid >> timeout >>
        inode;
    if (local_address == local && state == "0A") sockets.push_back("socket:[" + inode + "]");
  }
  if (sockets.empty()) return false;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(fmt::format("/proc/{}/fd", pid), error)) {
    std::error_code unreadable;
    const auto target = std::filesystem::read_symlink(entry.path(), unreadable).string();
    if (std::find(sockets.begin(), sockets.end(), target) != sockets.end()) return true;
  }
  return false;
}

std::string find_program(std::initializer_list<const char*> candidates, const char* name) {
  for (const char* candidate : candidates)
    if (::access(candidate, X_OK) == 0) return candidate;
  throw std::runtime_error(std::string(name) + " is not installed (tools/install-dependencies.sh installs it)");
}

// The user mosquitto runs as: this process's own. Started as root, it would
// otherwise switch to user mosquitto, and a process that changes credentials
// loses its parent-death signal — it would outlive a killed parent.
std::string own_user() {
  if (const passwd* entry = ::getpwuid(::geteuid())) return entry->pw_name;
  return "root";
}

}  // namespace

MosquittoBroker::MosquittoBroker(BrokerOptions options) : options_(std::move(options)) {
  const auto config = directory_.path() / "mosquitto.conf";
  const auto passwords = directory_.path() / "passwords";
  if (options_.login) {
    ChildProcess tool({find_program({"/usr/bin/mosquitto_passwd", "/usr/local/bin/mosquitto_passwd"}, "mosquitto_passwd"),
                       "-c", "-b", passwords.string(), options_.login->first, options_.login->second},
                      ChildProcess::Output::Discard);
    if (tool.wait(std::chrono::steady_clock::now() + 20s) != 0)
      throw std::runtime_error("mosquitto_passwd could not write the password file");
  }
  std::string last_error = "no free port";
  for (int attempt = 0; attempt < 20; ++attempt) {
    port_ = candidate_port();
    if (!port_is_free(port_)) continue;
    std::ofstream out(config);
    out << "listener " << port_ << " 127.0.0.1\n"
        << "user " << own_user() << "\n"
        << "log_dest none\n";
    if (options_.login) out << "allow_anonymous false\npassword_file " << passwords.string() << "\n";
    else out << "allow_anonymous true\n";
    if (options_.tls)
      out << "certfile " << options_.tls->first << "\nkeyfile " << options_.tls->second << "\ntls_version tlsv1.3\n";
    if (options_.persistence)
      out << "persistence true\npersistence_location " << directory_.path().string() << "/\n";
    else out << "persistence false\n";
    if (!options_.default_settings) out << "set_tcp_nodelay true\n";
    out.close();
    try {
      start();
      return;
    } catch (const std::runtime_error& error) {
      // The port was taken meanwhile: try another.
      last_error = error.what();
    }
  }
  throw std::runtime_error("mosquitto would not start on a free loopback port: " + last_error);
}

void MosquittoBroker::start() {
  const auto binary =
      find_program({"/usr/sbin/mosquitto", "/usr/local/sbin/mosquitto", "/usr/bin/mosquitto"}, "mosquitto");
  const auto config = directory_.path() / "mosquitto.conf";
  process_.emplace(std::vector<std::string>{binary, "-c", config.string()}, ChildProcess::Output::Discard);
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  while (std::chrono::steady_clock::now() < deadline) {
    // Its own listener, not another broker's that took the port.
    if (listens_on(process_->pid(), port_)) return;
    if (const auto status = process_->wait(std::chrono::steady_clock::now())) {
      process_.reset();
      throw std::runtime_error(fmt::format("mosquitto exited with status {} (port {} taken?)", *status, port_));
    }
    std::this_thread::sleep_for(10ms);
  }
  process_.reset();
  throw std::runtime_error(fmt::format("mosquitto did not listen on port {} within 20 s", port_));
}

MosquittoBroker::~MosquittoBroker() {
  if (!process_) return;
  process_->kill(SIGTERM);
  (void)process_->wait(std::chrono::steady_clock::now() + 10s);  // if not, ~ChildProcess sends SIGKILL
}

void MosquittoBroker::kill() { process_.reset(); }  // ~ChildProcess: SIGKILL, then reaped

void MosquittoBroker::restart() {
  if (process_) {
    process_->kill(SIGTERM);
    (void)process_->wait(std::chrono::steady_clock::now() + 10s);
    process_.reset();
  }
  // The port is free again once the old broker is gone, and outside the
  // ephemeral range nobody else takes it.
  std::string last_error;
  for (int attempt = 0; attempt < 100; ++attempt) {
    try {
      start();
      return;
    } catch (const std::runtime_error& error) {
      last_error = error.what();
      std::this_thread::sleep_for(50ms);
    }
  }
  throw std::runtime_error("mosquitto did not start again: " + last_error);
}

}  // namespace lim::runtime::support
