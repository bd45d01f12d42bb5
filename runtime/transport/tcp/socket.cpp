#include "socket.hpp"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <system_error>
#include <thread>

#include <fmt/format.h>

namespace lim::runtime::tcp {
namespace {

struct AddressInfoDeleter {
  void operator()(addrinfo* info) const { freeaddrinfo(info); }
};

std::unique_ptr<addrinfo, AddressInfoDeleter> resolve(const std::string& host, std::uint16_t port, bool passive) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = passive ? AI_PASSIVE : 0;
  addrinfo* found = nullptr;
  const auto service = std::to_string(port);
  if (const int status = getaddrinfo(host.c_str(), service.c_str(), &hints, &found); status != 0)
    throw std::runtime_error(fmt::format("cannot resolve {}:{}: {}", host, port, gai_strerror(status)));
  return std::unique_ptr<addrinfo, AddressInfoDeleter>(found);
}

}  // namespace

FileDescriptor& FileDescriptor::operator=(FileDescriptor&& other) noexcept {
  if (this != &other) {
    reset();
    fd_ = std::exchange(other.fd_, -1);
  }
  return *this;
}

void FileDescriptor::reset() noexcept {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

void throw_errno(const std::string& what) { throw std::system_error(errno, std::generic_category(), what); }

void set_nonblocking(int fd) {
  const int flags = ::fcntl(fd, F_GETFL, 0);
  if (flags < 0 || ::fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0) throw_errno("fcntl(O_NONBLOCK)");
}

void set_blocking(int fd) {
  const int flags = ::fcntl(fd, F_GETFL, 0);
  if (flags < 0 || ::fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) < 0) throw_errno("fcntl(~O_NONBLOCK)");
}

void set_nodelay(int fd) {
  // Small frames go out at once: a session's messages are latency-bound.
  const int one = 1;
  if (::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) < 0) throw_errno("setsockopt(TCP_NODELAY)");
}

int poll_timeout(RealDeadline deadline) {
  const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
  return left.count() <= 0 ? 0 : static_cast<int>(std::min<long long>(left.count(), 1 << 30));
}

std::vector<ResolvedAddress> resolve_addresses(const std::string& host, std::uint16_t port) {
  const auto info = resolve(host, port, false);
  std::vector<ResolvedAddress> addresses;
  for (const addrinfo* candidate = info.get(); candidate; candidate = candidate->ai_next) {
    ResolvedAddress address;
    std::memcpy(&address.storage, candidate->ai_addr, candidate->ai_addrlen);
    address.length = candidate->ai_addrlen;
    address.family = candidate->ai_family;
    addresses.push_back(address);
  }
  return addresses;
}

FileDescriptor start_connect(const ResolvedAddress& address) {
  FileDescriptor fd(::socket(address.family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!fd.valid()) throw_errno("socket");
  set_nodelay(fd.get());  // before the handshake's small frames
  if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&address.storage), address.length) < 0 &&
      errno != EINPROGRESS)
    return {};
  return fd;
}

FileDescriptor listen_on(const std::string& host, std::uint16_t port, std::uint16_t& bound_port) {
  const auto info = resolve(host, port, true);
  FileDescriptor fd(::socket(info->ai_family, info->ai_socktype | SOCK_CLOEXEC, info->ai_protocol));
  if (!fd.valid()) throw_errno("socket");
  const int one = 1;
  ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (::bind(fd.get(), info->ai_addr, info->ai_addrlen) < 0) throw_errno(fmt::format("bind {}:{}", host, port));
  if (::listen(fd.get(), 64) < 0) throw_errno("listen");
  sockaddr_storage address{};
  socklen_t length = sizeof address;
  if (::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&address), &length) < 0) throw_errno("getsockname");
  bound_port = address.ss_family == AF_INET6 ? ntohs(reinterpret_cast<sockaddr_in6*>(&address)->sin6_port)
                                             : ntohs(reinterpret_cast<sockaddr_in*>(&address)->sin_port);
  set_nonblocking(fd.get());
  return fd;
}

FileDescriptor connect_to(const std::string& host, std::uint16_t port, RealDeadline deadline) {
  const auto info = resolve(host, port, false);
  while (true) {
    for (const addrinfo* candidate = info.get(); candidate; candidate = candidate->ai_next) {
      FileDescriptor fd(::socket(candidate->ai_family, candidate->ai_socktype | SOCK_CLOEXEC, candidate->ai_protocol));
      if (!fd.valid()) throw_errno("socket");
      set_nonblocking(fd.get());
      int status = ::connect(fd.get(), candidate->ai_addr, candidate->ai_addrlen);
      if (status < 0 && errno == EINPROGRESS) {
        pollfd waiting{fd.get(), POLLOUT, 0};
        if (::poll(&waiting, 1, poll_timeout(deadline)) == 1) {
          int error = 0;
          socklen_t length = sizeof error;
          ::getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &error, &length);
          status = error == 0 ? 0 : -1;
        }
      }
      if (status == 0) return fd;
    }
    // Nobody listens yet: the peer process may still be starting.
    if (std::chrono::steady_clock::now() >= deadline) return {};
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

}  // namespace lim::runtime::tcp
