#include "mosquitto_process.hpp"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <stdexcept>
#include <string>
#include <thread>

#include "child_process.hpp"

namespace lim::examples {
namespace {

int free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  socklen_t length = sizeof address;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  ::close(fd);
  return ntohs(address.sin_port);
}

bool listening(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
  ::close(fd);
  return ok;
}

std::string mosquitto_binary() {
  for (const char* candidate : {"/usr/sbin/mosquitto", "/usr/local/sbin/mosquitto", "/usr/bin/mosquitto"})
    if (::access(candidate, X_OK) == 0) return candidate;
  throw std::runtime_error("mosquitto is not installed (tools/install-dependencies.sh installs it)");
}

}  // namespace

MosquittoProcess::MosquittoProcess()
    : directory_(std::filesystem::temp_directory_path() / ("lim-mosquitto-" + std::to_string(::getpid()))) {
  const auto binary = mosquitto_binary();
  std::filesystem::create_directories(directory_);
  for (int attempt = 0; attempt < 5; ++attempt) {
    port_ = free_port();
    const auto config = directory_ / "mosquitto.conf";
    std::ofstream(config) << "listener " << port_ << " 127.0.0.1\nallow_anonymous true\npersistence false\n"
                          << "log_dest none\nset_tcp_nodelay true\n";
    process_ = std::make_unique<ChildProcess>(std::vector<std::string>{binary, "-c", config.string()});
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (std::chrono::steady_clock::now() < deadline) {
      if (listening(port_)) return;
      if (process_->wait(std::chrono::steady_clock::now())) break;  // the port was taken: try another
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    process_.reset();
  }
  throw std::runtime_error("mosquitto would not start on a free loopback port");
}

MosquittoProcess::~MosquittoProcess() {
  process_.reset();
  std::error_code ignored;
  std::filesystem::remove_all(directory_, ignored);
}

}  // namespace lim::examples
