#include "lim/runtime/support/mosquitto_broker.hpp"

#include <netinet/in.h>
#include <pwd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
#include <fstream>
#include <stdexcept>
#include <string>
#include <thread>

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

// A port nobody listened on a moment ago. The broker binds it next; should
// someone take it meanwhile, the broker exits and is started again elsewhere.
int free_loopback_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  auto address = loopback(0);
  ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  socklen_t length = sizeof address;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  ::close(fd);
  return ntohs(address.sin_port);
}

bool accepts_connections(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  const auto address = loopback(port);
  const bool ok = ::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0;
  ::close(fd);
  return ok;
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
  for (int attempt = 0; attempt < 5; ++attempt) {
    port_ = free_loopback_port();
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
    } catch (const std::runtime_error&) {
      // The port was taken meanwhile: try another.
    }
  }
  throw std::runtime_error("mosquitto would not start on a free loopback port");
}

void MosquittoBroker::start() {
  const auto binary =
      find_program({"/usr/sbin/mosquitto", "/usr/local/sbin/mosquitto", "/usr/bin/mosquitto"}, "mosquitto");
  const auto config = directory_.path() / "mosquitto.conf";
  process_.emplace(std::vector<std::string>{binary, "-c", config.string()}, ChildProcess::Output::Discard);
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  while (std::chrono::steady_clock::now() < deadline) {
    if (accepts_connections(port_)) return;
    if (process_->wait(std::chrono::steady_clock::now())) break;  // it exited
    std::this_thread::sleep_for(10ms);
  }
  process_.reset();
  throw std::runtime_error("mosquitto did not start");
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
  // The port is free again once the old broker is gone; nobody else wants it.
  for (int attempt = 0; attempt < 100; ++attempt) {
    try {
      start();
      return;
    } catch (const std::runtime_error&) {
      std::this_thread::sleep_for(50ms);
    }
  }
  throw std::runtime_error("mosquitto did not start again");
}

}  // namespace lim::runtime::support
