#pragma once
// Real processes for the runtime's tests: a forked child running a role (so
// that it can die like a real peer), and a mosquitto broker on a free
// loopback port. Everything started here is killed and reaped by the
// destructors, also when a test fails half-way.
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>

#include "runtime_test_support.hpp"

namespace lim::testing {

// Waits for `pid` up to `limit`; its exit code (128 + signal when killed),
// or nullopt when it is still running.
inline std::optional<int> wait_for_exit(pid_t pid, std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (true) {
    int status = 0;
    const pid_t done = ::waitpid(pid, &status, WNOHANG);
    if (done == pid) return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    if (done < 0) return -1;
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

// A forked copy of the test process running `body`, whose result is the
// child's exit code. Fork only while the test has no other threads. The
// child can tell the parent it reached a point (`signal_parent`).
class ChildProcess {
 public:
  explicit ChildProcess(const std::function<int(ChildProcess&)>& body) {
    int fds[2];
    if (::pipe(fds) != 0) throw std::runtime_error("pipe");
    pid_ = ::fork();
    if (pid_ < 0) throw std::runtime_error("fork");
    if (pid_ == 0) {
      ::close(fds[0]);
      write_fd_ = fds[1];
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);  // never outlive the test
      int code = 99;
      try {
        code = body(*this);
      } catch (...) {
        code = 98;
      }
      std::_Exit(code);  // no atexit handlers of the test runner
    }
    ::close(fds[1]);
    read_fd_ = fds[0];
  }
  ~ChildProcess() {
    if (pid_ > 0 && !exit_code_) {
      ::kill(pid_, SIGKILL);
      (void)wait_for_exit(pid_, std::chrono::milliseconds(10'000));
    }
    if (read_fd_ >= 0) ::close(read_fd_);
  }
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  // In the child.
  void signal_parent() {
    const char byte = 1;
    [[maybe_unused]] const auto written = ::write(write_fd_, &byte, 1);
  }
  // In the parent: whether the child signalled within `limit`.
  bool await_signal(std::chrono::milliseconds limit = std::chrono::milliseconds(60'000)) {
    pollfd waiting{read_fd_, POLLIN, 0};
    if (::poll(&waiting, 1, static_cast<int>(limit.count())) != 1) return false;
    char byte = 0;
    return ::read(read_fd_, &byte, 1) == 1;
  }
  void kill(int signal = SIGKILL) { ::kill(pid_, signal); }
  std::optional<int> wait(std::chrono::milliseconds limit = std::chrono::milliseconds(60'000)) {
    if (!exit_code_) exit_code_ = wait_for_exit(pid_, limit);
    return exit_code_;
  }
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
  int read_fd_ = -1;
  int write_fd_ = -1;
  std::optional<int> exit_code_;
};

// A port nobody listened on a moment ago (the broker binds it next; a
// collision makes it exit, and the broker is started again elsewhere).
inline int free_loopback_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  socklen_t length = sizeof address;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  ::close(fd);
  return ntohs(address.sin_port);
}

inline bool accepts_connections(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
  ::close(fd);
  return ok;
}

inline std::string mosquitto_binary() {
  for (const char* candidate : {"/usr/sbin/mosquitto", "/usr/local/sbin/mosquitto", "/usr/bin/mosquitto"})
    if (::access(candidate, X_OK) == 0) return candidate;
  return {};
}

// Debian's mosquitto, listening on 127.0.0.1 only, on a free port.
class MosquittoBroker {
 public:
  MosquittoBroker() {
    const auto binary = mosquitto_binary();
    if (binary.empty()) throw std::runtime_error("mosquitto is not installed (tools/install-dependencies.sh)");
    for (int attempt = 0; attempt < 5; ++attempt) {
      port_ = free_loopback_port();
      const auto config = directory_.path() / "mosquitto.conf";
      std::ofstream(config) << "listener " << port_ << " 127.0.0.1\n"
                            << "allow_anonymous true\npersistence false\nlog_dest none\n"
                            << "set_tcp_nodelay true\n";
      pid_ = ::fork();
      if (pid_ == 0) {
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        const int null = ::open("/dev/null", O_RDWR);
        ::dup2(null, STDOUT_FILENO);
        ::dup2(null, STDERR_FILENO);
        ::execl(binary.c_str(), binary.c_str(), "-c", config.c_str(), static_cast<char*>(nullptr));
        std::_Exit(127);
      }
      const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
      while (std::chrono::steady_clock::now() < deadline) {
        if (accepts_connections(port_)) return;
        if (wait_for_exit(pid_, std::chrono::milliseconds(0))) break;  // exited: port taken, try another
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
      }
      stop();
    }
    throw std::runtime_error("could not start mosquitto on a free loopback port");
  }
  ~MosquittoBroker() { stop(); }
  MosquittoBroker(const MosquittoBroker&) = delete;
  MosquittoBroker& operator=(const MosquittoBroker&) = delete;

  int port() const { return port_; }
  // Kills the broker at once, the way a crash does.
  void kill() {
    if (pid_ > 0) ::kill(pid_, SIGKILL);
    stop();
  }

 private:
  void stop() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);
    if (!wait_for_exit(pid_, std::chrono::milliseconds(10'000))) {
      ::kill(pid_, SIGKILL);
      (void)wait_for_exit(pid_, std::chrono::milliseconds(10'000));
    }
    pid_ = -1;
  }

  TemporaryDirectory directory_;
  int port_ = 0;
  pid_t pid_ = -1;
};

}  // namespace lim::testing
