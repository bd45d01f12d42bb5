#pragma once
// The server's link layer: whole IP packets in and out. The TUN device is
// the real one; tests without a kernel use an in-memory link. Either way the
// receiver is called on the link's own thread, one packet at a time.
#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

namespace lim::tcp::link {

using Packet = std::vector<std::uint8_t>;

// Opening or using a link failed; what() says why, with the system's errno text.
class LinkError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Link {
 public:
  using Receiver = std::function<void(Packet)>;
  virtual ~Link() = default;
  // Starts delivering received packets to `receiver`.
  virtual void start(Receiver receiver) = 0;
  // Stops delivering; after it returns the receiver is not called again.
  virtual void stop() = 0;
  // Sends one packet; callable from any thread. Never blocks for long: a
  // link that cannot take a packet drops it, as a network may.
  virtual void send(Packet packet) = 0;
  virtual unsigned mtu() const = 0;
};

}  // namespace lim::tcp::link
