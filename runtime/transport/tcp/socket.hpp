#pragma once
// POSIX socket plumbing for the TCP transport: an owning file descriptor and
// the few calls the transport makes, with errors turned into exceptions.
#include <chrono>
#include <cstdint>
#include <span>
#include <string>
#include <utility>

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

// A listening socket on host:port (port 0: a free port).
FileDescriptor listen_on(const std::string& host, std::uint16_t port, std::uint16_t& bound_port);
// Connects, retrying while nobody listens yet, until `deadline`; returns an
// invalid descriptor when the deadline passes.
FileDescriptor connect_to(const std::string& host, std::uint16_t port, RealDeadline deadline);

// Blocking-style I/O on a non-blocking socket, bounded by a real deadline
// (the handshake): false when the deadline passed or the peer closed.
bool write_all(int fd, std::span<const std::uint8_t> bytes, RealDeadline deadline);
// Reads what is there into `into` after waiting for readability: the number
// of bytes read, 0 at end of stream, -1 when the deadline passed.
long read_some(int fd, std::span<std::uint8_t> into, RealDeadline deadline);

}  // namespace lim::runtime::tcp
