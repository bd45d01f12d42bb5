#include "lim/tcp/link/tun_link.hpp"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

namespace lim::tcp::link {

TunLink::TunLink(const TunLinkOptions& options)
    : device_(TunDevice::open(options.device, options.kernel_address, options.prefix, options.offload)),
      tap_(options.tap),
      impaired_in_(options.impairment.any() && options.impairment.inbound),
      impaired_out_(options.impairment.any() && options.impairment.outbound),
      inbound_(options.impairment, 1),
      outbound_(options.impairment, 2) {
  if (options.pcap_path) pcap_ = std::make_unique<PcapWriter>(*options.pcap_path);
  wake_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (wake_fd_ < 0) throw LinkError(fmt::format("cannot make an eventfd: {}", std::strerror(errno)));
}

TunLink::~TunLink() {
  stop();
  if (wake_fd_ >= 0) ::close(wake_fd_);
}

void TunLink::start(Receiver receiver) {
  receiver_ = std::move(receiver);
  running_ = true;
  thread_ = std::thread([this] { run(); });
}

void TunLink::stop() {
  if (!running_.exchange(false)) return;
  wake();
  if (thread_.joinable()) thread_.join();
}

void TunLink::wake() {
  const std::uint64_t one = 1;
  [[maybe_unused]] const auto written = ::write(wake_fd_, &one, sizeof one);
}

TunLink::Counters TunLink::counters() const {
  const std::lock_guard lock(mutex_);
  Counters counters = counters_;
  counters.inbound = inbound_.counters();
  counters.outbound = outbound_.counters();
  return counters;
}

void TunLink::write_out(const Packet& packet) {
  const bool ok = device_.write(packet);
  {
    const std::lock_guard lock(mutex_);
    ++(ok ? counters_.sent : counters_.send_failures);
  }
  if (ok && pcap_) pcap_->write(packet, std::chrono::system_clock::now());
}

// A tap's verdict applied: false when the packet is dropped; a delay puts it
// on the schedule.
bool TunLink::tapped(Packet& packet, bool outbound) {
  if (!tap_) return true;
  const TapVerdict verdict = tap_(packet, outbound);
  if (verdict.action == TapVerdict::Action::Pass) return true;
  if (verdict.action == TapVerdict::Action::Delay) {
    {
      const std::lock_guard lock(mutex_);
      schedule_.push({Impairment::Clock::now() + verdict.delay, order_++, outbound, std::move(packet)});
    }
    wake();
  }
  return false;
}

void TunLink::send(Packet packet) {
  if (!tapped(packet, true)) return;
  if (!impaired_out_) {
    write_out(packet);
    return;
  }
  std::vector<Impairment::Scheduled> out;
  {
    const std::lock_guard lock(mutex_);
    outbound_.submit(std::move(packet), Impairment::Clock::now(), out);
    for (auto& scheduled : out) schedule_.push({scheduled.release, order_++, true, std::move(scheduled.packet)});
  }
  wake();
}

void TunLink::run() {
  std::vector<std::uint8_t> buffer(65536);
  std::vector<Impairment::Scheduled> impaired;
  while (running_) {
    int timeout = -1;
    {
      const std::lock_guard lock(mutex_);
      if (!schedule_.empty()) {
        const auto wait = schedule_.top().release - Impairment::Clock::now();
        timeout = static_cast<int>(std::max<long long>(
            0, std::chrono::duration_cast<std::chrono::milliseconds>(wait).count() + 1));
      }
    }
    pollfd fds[2] = {{device_.fd(), POLLIN, 0}, {wake_fd_, POLLIN, 0}};
    const int ready = ::poll(fds, 2, timeout);
    if (ready < 0 && errno != EINTR) break;
    if (fds[1].revents & POLLIN) {
      std::uint64_t count = 0;
      [[maybe_unused]] const auto read = ::read(wake_fd_, &count, sizeof count);
    }
    if (fds[0].revents & POLLIN) {
      // Drain what the kernel has queued, up to a bound, so that releases
      // and sends are not starved by a flood.
      for (int i = 0; i < 256; ++i) {
        const auto n = device_.read(buffer);
        if (!n) break;
        Packet packet(buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(*n));
        if (pcap_) pcap_->write(packet, std::chrono::system_clock::now());
        {
          const std::lock_guard lock(mutex_);
          ++counters_.received;
        }
        if (!tapped(packet, false)) continue;
        if (!impaired_in_) {
          receiver_(std::move(packet));
          continue;
        }
        impaired.clear();
        const std::lock_guard lock(mutex_);
        inbound_.submit(std::move(packet), Impairment::Clock::now(), impaired);
        for (auto& scheduled : impaired) schedule_.push({scheduled.release, order_++, false, std::move(scheduled.packet)});
      }
    }
    // Everything due, in release order.
    for (;;) {
      Pending due;
      {
        const std::lock_guard lock(mutex_);
        if (schedule_.empty() || schedule_.top().release > Impairment::Clock::now()) break;
        due = std::move(const_cast<Pending&>(schedule_.top()));
        schedule_.pop();
      }
      if (due.outbound) {
        write_out(due.packet);
      } else {
        receiver_(std::move(due.packet));
      }
    }
  }
}

}  // namespace lim::tcp::link
