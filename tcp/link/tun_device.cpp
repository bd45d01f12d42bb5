#include "lim/tcp/link/tun_device.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "lim/tcp/link/link.hpp"

namespace lim::tcp::link {
namespace {

std::string reason() { return std::strerror(errno); }

// An AF_INET datagram socket: the handle interface ioctls need.
class ControlSocket {
 public:
  ControlSocket() : fd_(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) {}
  ~ControlSocket() {
    if (fd_ >= 0) ::close(fd_);
  }
  int fd() const { return fd_; }

 private:
  int fd_;
};

void configure(const std::string& name, const wire::IpAddress& address, unsigned prefix) {
  ControlSocket control;
  if (control.fd() < 0) throw LinkError(fmt::format("cannot configure {}: {}", name, reason()));
  ifreq request{};
  std::strncpy(request.ifr_name, name.c_str(), IFNAMSIZ - 1);
  auto* in = reinterpret_cast<sockaddr_in*>(&request.ifr_addr);
  in->sin_family = AF_INET;
  in->sin_addr.s_addr = htonl(address.v4_host_order());
  if (::ioctl(control.fd(), SIOCSIFADDR, &request) != 0)
    throw LinkError(fmt::format("cannot give {} the address {}: {}", name, address.to_string(), reason()));
  in->sin_addr.s_addr = htonl(prefix == 0 ? 0 : ~std::uint32_t{0} << (32 - prefix));
  if (::ioctl(control.fd(), SIOCSIFNETMASK, &request) != 0)
    throw LinkError(fmt::format("cannot set the netmask of {}: {}", name, reason()));
}

void bring_up(const std::string& name) {
  ControlSocket control;
  ifreq request{};
  std::strncpy(request.ifr_name, name.c_str(), IFNAMSIZ - 1);
  if (control.fd() < 0 || ::ioctl(control.fd(), SIOCGIFFLAGS, &request) != 0)
    throw LinkError(fmt::format("cannot read the flags of {}: {}", name, reason()));
  request.ifr_flags = static_cast<short>(request.ifr_flags | IFF_UP | IFF_RUNNING);
  if (::ioctl(control.fd(), SIOCSIFFLAGS, &request) != 0)
    throw LinkError(fmt::format("cannot bring {} up: {}", name, reason()));
}

unsigned read_mtu(const std::string& name) {
  ControlSocket control;
  ifreq request{};
  std::strncpy(request.ifr_name, name.c_str(), IFNAMSIZ - 1);
  if (control.fd() < 0 || ::ioctl(control.fd(), SIOCGIFMTU, &request) != 0) return 1500;
  return request.ifr_mtu > 0 ? static_cast<unsigned>(request.ifr_mtu) : 1500;
}

bool interface_exists(const std::string& name) { return if_nametoindex(name.c_str()) != 0; }

}  // namespace

TunDevice TunDevice::open(const std::string& name, std::optional<wire::IpAddress> kernel_address, unsigned prefix) {
  if (name.empty() || name.size() >= IFNAMSIZ)
    throw LinkError(fmt::format("'{}' is not a network interface name (1 to {} characters)", name, IFNAMSIZ - 1));
  const bool existed = interface_exists(name);
  const int fd = ::open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) throw LinkError(fmt::format("cannot open /dev/net/tun for {}: {}", name, reason()));
  ifreq request{};
  request.ifr_flags = IFF_TUN | IFF_NO_PI;
  std::strncpy(request.ifr_name, name.c_str(), IFNAMSIZ - 1);
  if (::ioctl(fd, TUNSETIFF, &request) != 0) {
    const std::string why = reason();
    ::close(fd);
    throw LinkError(fmt::format("cannot attach to TUN device {}: {}{}", name, why,
                                existed ? " (is it a TUN device, and free?)" : ""));
  }
  TunDevice device(fd, request.ifr_name, 1500, !existed);
  if (device.created_) {
    if (kernel_address) configure(device.name_, *kernel_address, prefix);
    bring_up(device.name_);
  }
  device.mtu_ = read_mtu(device.name_);
  return device;
}

TunDevice::TunDevice(TunDevice&& other) noexcept
    : fd_(other.fd_), name_(std::move(other.name_)), mtu_(other.mtu_), created_(other.created_) {
  other.fd_ = -1;
}

TunDevice::~TunDevice() {
  if (fd_ >= 0) ::close(fd_);
}

std::optional<std::size_t> TunDevice::read(std::span<std::uint8_t> buffer) {
  for (;;) {
    const ssize_t n = ::read(fd_, buffer.data(), buffer.size());
    if (n >= 0) return static_cast<std::size_t>(n);
    if (errno == EINTR) continue;
    return std::nullopt;  // EAGAIN, or the device went away
  }
}

bool TunDevice::write(std::span<const std::uint8_t> packet) {
  for (;;) {
    const ssize_t n = ::write(fd_, packet.data(), packet.size());
    if (n >= 0) return static_cast<std::size_t>(n) == packet.size();
    if (errno == EINTR) continue;
    return false;  // EAGAIN (queue full) or EIO: the packet is lost, as on a wire
  }
}

std::optional<std::string> tun_unavailable() {
  if (::access("/dev/net/tun", F_OK) != 0) return std::string("/dev/net/tun does not exist on this machine");
  const int fd = ::open("/dev/net/tun", O_RDWR | O_CLOEXEC);
  if (fd < 0) return fmt::format("/dev/net/tun cannot be opened: {}", reason());
  ::close(fd);
  return std::nullopt;
}

}  // namespace lim::tcp::link
