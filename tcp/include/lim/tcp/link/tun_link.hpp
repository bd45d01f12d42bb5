#pragma once
// The TUN device as a Link: one thread reads packets as the kernel routes
// them, passes them through the inbound impairment, and hands them to the
// receiver; sent packets pass the outbound impairment on their way to the
// device. A pcap capture, when asked for, records what crossed the device.
#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <queue>
#include <string>
#include <thread>
#include <vector>

#include "lim/tcp/link/impairment.hpp"
#include "lim/tcp/link/link.hpp"
#include "lim/tcp/link/pcap_writer.hpp"
#include "lim/tcp/link/tun_device.hpp"

namespace lim::tcp::link {

// What a tap decides for one packet crossing the link (tests: pinpoint
// faults, such as dropping exactly the ACK of our SYN-ACK).
struct TapVerdict {
  enum class Action : std::uint8_t { Pass, Drop, Delay } action = Action::Pass;
  std::chrono::milliseconds delay{0};
};
// Sees every packet before the impairment stage: `outbound` for what lim sends.
using Tap = std::function<TapVerdict(const Packet& packet, bool outbound)>;

struct TunLinkOptions {
  std::string device = "tun0";
  Tap tap;
  std::optional<wire::IpAddress> kernel_address;  // given to a device this process creates
  unsigned prefix = 24;
  std::optional<std::string> pcap_path;
  ImpairmentConfig impairment;
  // Ask the kernel for TUN offloads (TunDevice::open): TCP segments of up to
  // 64 KiB from the kernel, one packet each.
  bool offload = false;
};

class TunLink final : public Link {
 public:
  explicit TunLink(const TunLinkOptions& options);  // throws LinkError
  ~TunLink() override;

  void start(Receiver receiver) override;
  void stop() override;
  void send(Packet packet) override;
  unsigned mtu() const override { return device_.mtu(); }
  const TunDevice& device() const { return device_; }
  struct Counters {
    Impairment::Counters inbound, outbound;
    std::uint64_t received = 0, sent = 0, send_failures = 0;
  };
  Counters counters() const;

 private:
  struct Pending {
    Impairment::Clock::time_point release;
    std::uint64_t order;
    bool outbound;
    Packet packet;
    bool operator>(const Pending& other) const {
      return release != other.release ? release > other.release : order > other.order;
    }
  };
  void run();
  bool tapped(Packet& packet, bool outbound);
  void write_out(const Packet& packet);
  void wake();

  TunDevice device_;
  Tap tap_;
  std::unique_ptr<PcapWriter> pcap_;
  bool impaired_in_, impaired_out_;
  Impairment inbound_, outbound_;
  mutable std::mutex mutex_;  // the schedule, the impairments and the counters
  std::priority_queue<Pending, std::vector<Pending>, std::greater<>> schedule_;
  std::uint64_t order_ = 0;
  Counters counters_;
  Receiver receiver_;
  int wake_fd_ = -1;
  std::atomic<bool> running_{false};
  std::thread thread_;
};

}  // namespace lim::tcp::link
