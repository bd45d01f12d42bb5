#pragma once
// A Linux TUN device (IFF_TUN | IFF_NO_PI): the kernel routes IP packets for
// lim's address to it, and lim reads and writes them as whole packets.
#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "lim/tcp/wire/ip_address.hpp"

namespace lim::tcp::link {

class TunDevice {
 public:
  // Attaches to the TUN device `name` (as `ip tuntap add dev NAME mode tun`
  // leaves it) or creates it; non-blocking. A device this process created is
  // brought up, and gets `kernel_address/prefix` when given. Throws
  // LinkError naming the device and the system's reason.
  //
  // With `offload`, and where the kernel offers them, packets carry a virtio
  // header (IFF_VNET_HDR) and the kernel may hand over TCP segments larger
  // than the MTU, with their checksum left for the receiver (TUNSETOFFLOAD:
  // checksum and TSO): one read instead of one per MTU-sized packet. read()
  // completes such checksums, so that what it returns is an ordinary IPv4
  // packet, only longer; write() sends ordinary packets.
  static TunDevice open(const std::string& name, std::optional<wire::IpAddress> kernel_address = std::nullopt,
                        unsigned prefix = 24, bool offload = false);
  TunDevice(TunDevice&& other) noexcept;
  TunDevice& operator=(TunDevice&&) = delete;
  TunDevice(const TunDevice&) = delete;
  ~TunDevice();

  int fd() const { return fd_; }
  const std::string& name() const { return name_; }
  unsigned mtu() const { return mtu_; }
  bool created() const { return created_; }
  // Whether the kernel took the offloads `open` asked for.
  bool offloaded() const { return offloaded_; }
  // One packet, or nullopt when none is waiting.
  std::optional<std::size_t> read(std::span<std::uint8_t> buffer);
  // Whether the kernel took the packet.
  bool write(std::span<const std::uint8_t> packet);

 private:
  TunDevice(int fd, std::string name, unsigned mtu, bool created) : fd_(fd), name_(std::move(name)), mtu_(mtu), created_(created) {}
  int fd_ = -1;
  std::string name_;
  unsigned mtu_ = 1500;
  bool created_ = false;
  bool virtio_header_ = false;  // IFF_VNET_HDR: every packet is preceded by a struct virtio_net_hdr
  bool offloaded_ = false;
};

// Why TUN devices cannot be used here ("/dev/net/tun is missing", "not
// permitted: needs CAP_NET_ADMIN"), or nullopt when they can.
std::optional<std::string> tun_unavailable();

}  // namespace lim::tcp::link
