#include "lim/tcp/link/tun_device.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "lim/tcp/link/link.hpp"
#include "lim/tcp/wire/checksum.hpp"

namespace lim::tcp::link {
namespace {

std::string reason() { return std::strerror(errno); }

// struct virtio_net_hdr of <linux/virtio_net.h> (which does not compile as
// C++): what precedes every packet on a device with IFF_VNET_HDR, in the
// host's byte order.
struct VirtioNetHeader {
  std::uint8_t flags;
  std::uint8_t gso_type;
  std::uint16_t hdr_len;
  std::uint16_t gso_size;
  std::uint16_t csum_start;
  std::uint16_t csum_offset;
};
static_assert(sizeof(VirtioNetHeader) == 10);
constexpr std::uint8_t kNeedsChecksum = 1;  // VIRTIO_NET_HDR_F_NEEDS_CSUM

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

TunDevice TunDevice::open(const std::string& name, std::optional<wire::IpAddress> kernel_address, unsigned prefix,
                          bool offload) {
  if (name.empty() || name.size() >= IFNAMSIZ)
    throw LinkError(fmt::format("'{}' is not a network interface name (1 to {} characters)", name, IFNAMSIZ - 1));
  const bool existed = interface_exists(name);
  const int fd = ::open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) throw LinkError(fmt::format("cannot open /dev/net/tun for {}: {}", name, reason()));
  unsigned features = 0;
  const bool virtio_header = offload && ::ioctl(fd, TUNGETFEATURES, &features) == 0 && (features & IFF_VNET_HDR) != 0;
  ifreq request{};
  request.ifr_flags = static_cast<short>(IFF_TUN | IFF_NO_PI | (virtio_header ? IFF_VNET_HDR : 0));
  std::strncpy(request.ifr_name, name.c_str(), IFNAMSIZ - 1);
  if (::ioctl(fd, TUNSETIFF, &request) != 0) {
    const std::string why = reason();
    ::close(fd);
    throw LinkError(fmt::format("cannot attach to TUN device {}: {}{}", name, why,
                                existed ? " (is it a TUN device, and free?)" : ""));
  }
  TunDevice device(fd, request.ifr_name, 1500, !existed);
  if (virtio_header) {
    int size = sizeof(VirtioNetHeader);  // the default; said anyway, so that the size read and written is ours
    ::ioctl(fd, TUNSETVNETHDRSZ, &size);
    device.virtio_header_ = true;
    // Checksums and TSO from the kernel to lim; lim sends MTU-sized
    // segments with their checksums, as without offloads.
    device.offloaded_ = device.virtio_header_ && ::ioctl(fd, TUNSETOFFLOAD, TUN_F_CSUM | TUN_F_TSO4) == 0;
  }
  if (device.created_) {
    if (kernel_address) configure(device.name_, *kernel_address, prefix);
    bring_up(device.name_);
  }
  device.mtu_ = read_mtu(device.name_);
  return device;
}

TunDevice::TunDevice(TunDevice&& other) noexcept
    : fd_(other.fd_),
      name_(std::move(other.name_)),
      mtu_(other.mtu_),
      created_(other.created_),
      virtio_header_(other.virtio_header_),
      offloaded_(other.offloaded_) {
  other.fd_ = -1;
}

TunDevice::~TunDevice() {
  if (fd_ >= 0) ::close(fd_);
}

std::optional<std::size_t> TunDevice::read(std::span<std::uint8_t> buffer) {
  for (;;) {
    if (!virtio_header_) {
      const ssize_t n = ::read(fd_, buffer.data(), buffer.size());
      if (n >= 0) return static_cast<std::size_t>(n);
    } else {
      VirtioNetHeader header{};
      iovec parts[2] = {{&header, sizeof header}, {buffer.data(), buffer.size()}};
      const ssize_t n = ::readv(fd_, parts, 2);
      if (n >= static_cast<ssize_t>(sizeof header)) {
        const std::size_t size = static_cast<std::size_t>(n) - sizeof header;
        // The kernel left the transport checksum to us (CHECKSUM_PARTIAL):
        // the field holds the pseudo-header's sum; the sum from csum_start
        // to the end, complemented, completes it.
        if ((header.flags & kNeedsChecksum) != 0) {
          const std::size_t start = header.csum_start, field = start + header.csum_offset;
          if (start < size && field + 2 <= size) {
            wire::Checksum sum;
            sum.add(buffer.subspan(start, size - start));
            const std::uint16_t value = sum.finish();
            buffer[field] = static_cast<std::uint8_t>(value >> 8);
            buffer[field + 1] = static_cast<std::uint8_t>(value);
          }
        }
        return size;
      }
      if (n >= 0) continue;  // shorter than its header: not a packet
    }
    if (errno == EINTR) continue;
    return std::nullopt;  // EAGAIN, or the device went away
  }
}

bool TunDevice::write(std::span<const std::uint8_t> packet) {
  // No offload asked of the kernel: flags 0, GSO_NONE.
  static const VirtioNetHeader kPlain{};
  for (;;) {
    iovec parts[2] = {{const_cast<VirtioNetHeader*>(&kPlain), sizeof kPlain},
                      {const_cast<std::uint8_t*>(packet.data()), packet.size()}};
    const ssize_t n = virtio_header_ ? ::writev(fd_, parts, 2) : ::write(fd_, packet.data(), packet.size());
    const std::size_t expected = packet.size() + (virtio_header_ ? sizeof kPlain : 0);
    if (n >= 0) return static_cast<std::size_t>(n) == expected;
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
