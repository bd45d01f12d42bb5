#include "lim/runtime/support/mosquitto_broker.hpp"

#include <netinet/in.h>
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

std::string mosquitto_binary() {
  for (const char* candidate : {"/usr/sbin/mosquitto", "/usr/local/sbin/mosquitto", "/usr/bin/mosquitto"})
    if (::access(candidate, X_OK) == 0) return candidate;
  throw std::runtime_error("mosquitto is not installed (tools/install-dependencies.sh installs it)");
}

}  // namespace

MosquittoBroker::MosquittoBroker() {
  const auto binary = mosquitto_binary();
  const auto config = directory_.path() / "mosquitto.conf";
  for (int attempt = 0; attempt < 5; ++attempt) {
    port_ = free_loopback_port();
    std::ofstream(config) << "listener " << port_ << " 127.0.0.1\n"
                          << "allow_anonymous true\npersistence false\nlog_dest none\n"
                          << "set_tcp_nodelay true\n";
    process_.emplace(std::vector<std::string>{binary, "-c", config.string()}, ChildProcess::Output::Discard);
    const auto deadline = std::chrono::steady_clock::now() + 20s;
    while (std::chrono::steady_clock::now() < deadline) {
      if (accepts_connections(port_)) return;
      if (process_->wait(std::chrono::steady_clock::now())) break;  // it exited: the port was taken, try another
      std::this_thread::sleep_for(10ms);
    }
    process_.reset();
  }
  throw std::runtime_error("mosquitto would not start on a free loopback port");
}

MosquittoBroker::~MosquittoBroker() {
  if (!process_) return;
  process_->kill(SIGTERM);
  (void)process_->wait(std::chrono::steady_clock::now() + 10s);  // if not, ~ChildProcess sends SIGKILL
}

void MosquittoBroker::kill() { process_.reset(); }  // ~ChildProcess: SIGKILL, then reaped

}  // namespace lim::runtime::support
