#include "lim/tcp/link/memory_link.hpp"

namespace lim::tcp::link {

void MemoryLink::start(Receiver receiver) {
  const std::lock_guard lock(mutex_);
  receiver_ = std::move(receiver);
  running_ = true;
  thread_ = std::thread([this] { run(); });
}

void MemoryLink::stop() {
  {
    const std::lock_guard lock(mutex_);
    if (!running_) return;
    running_ = false;
  }
  changed_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void MemoryLink::run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    changed_.wait(lock, [&] { return !running_ || !inbound_.empty(); });
    if (!running_) return;
    Packet packet = std::move(inbound_.front());
    inbound_.pop_front();
    lock.unlock();
    receiver_(std::move(packet));
    lock.lock();
  }
}

void MemoryLink::send(Packet packet) {
  {
    const std::lock_guard lock(mutex_);
    outbound_.push_back(std::move(packet));
  }
  changed_.notify_all();
}

void MemoryLink::inject(Packet packet) {
  {
    const std::lock_guard lock(mutex_);
    inbound_.push_back(std::move(packet));
  }
  changed_.notify_all();
}

std::optional<Packet> MemoryLink::take(std::chrono::milliseconds within) {
  std::unique_lock lock(mutex_);
  if (!changed_.wait_for(lock, within, [&] { return !outbound_.empty(); })) return std::nullopt;
  Packet packet = std::move(outbound_.front());
  outbound_.pop_front();
  return packet;
}

std::size_t MemoryLink::pending() const {
  const std::lock_guard lock(mutex_);
  return outbound_.size();
}

}  // namespace lim::tcp::link
