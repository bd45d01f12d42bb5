#pragma once
// POSIX socket plumbing for the TCP transport: an owning file descriptor and
// the few calls the transport makes, with errors turned into exceptions.
#include <chrono>
#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include <sys/socket.h>

namespace lim::runtime::tcp {

class FileDescriptor {
 public:
  FileDescriptor() = default;
  explicit FileDescriptor(int fd) : fd_(fd) {}
  FileDescriptor(FileDescriptor&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  FileDescriptor& operator=(FileDescriptor&& other) noexcept;
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  ~FileDescriptor() { reset(); }
  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  int release() noexcept { return std::exchange(fd_, -1); }
  void reset() noexcept;

 private:
  int fd_ = -1;
};

using RealDeadline = std::chrono::steady_clock::time_point;

// std::system_error for errno, with what was being done.
[[noreturn]] void throw_errno(const std::string& what);

void set_nonblocking(int fd);
void set_blocking(int fd);
void set_nodelay(int fd);
// Milliseconds for poll(2) until `deadline` (at least 0).
int poll_timeout(RealDeadline deadline);

// One address a host name resolves to.
struct ResolvedAddress {
  ::sockaddr_storage storage{};
  ::socklen_t length = 0;
  int family = 0;
};
std::vector<ResolvedAddress> resolve_addresses(const std::string& host, std::uint16_t port);
// A non-blocking socket whose connect(2) to `address` is under way (or done,
// or failed: see SO_ERROR once it is writable).
FileDescriptor start_connect(const ResolvedAddress& address);

// A listening socket on host:port (port 0: a free port).
FileDescriptor listen_on(const std::string& host, std::uint16_t port, std::uint16_t& bound_port);
// Connects, retrying while nobody listens yet, until `deadline`; returns an
// invalid descriptor when the deadline passes.
FileDescriptor connect_to(const std::string& host, std::uint16_t port, RealDeadline deadline);

}  // namespace lim::runtime::tcp
