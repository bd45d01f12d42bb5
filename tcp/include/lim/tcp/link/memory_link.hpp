#pragma once
// A link in memory, for tests that talk to the server without a kernel:
// the test injects the packets a peer would send and takes the ones the
// server sent, waiting for them with a deadline.
#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>

#include "lim/tcp/link/link.hpp"

namespace lim::tcp::link {

class MemoryLink final : public Link {
 public:
  explicit MemoryLink(unsigned mtu = 1500) : mtu_(mtu) {}
  ~MemoryLink() override { stop(); }

  void start(Receiver receiver) override;
  void stop() override;
  void send(Packet packet) override;
  unsigned mtu() const override { return mtu_; }

  // Delivers `packet` to the server as if it had arrived (on the link's thread).
  void inject(Packet packet);
  // The next packet the server sent, or nullopt when none comes in time.
  std::optional<Packet> take(std::chrono::milliseconds within = std::chrono::milliseconds(2000));
  // Packets sent and not yet taken.
  std::size_t pending() const;

 private:
  void run();

  unsigned mtu_;
  Receiver receiver_;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<Packet> inbound_, outbound_;
  bool running_ = false;
  std::thread thread_;
};

}  // namespace lim::tcp::link
