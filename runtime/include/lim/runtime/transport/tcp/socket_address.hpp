#pragma once
// Where a TCP endpoint listens, and the listening socket itself.
#include <cstdint>
#include <memory>
#include <string>

namespace lim::runtime::tcp {

struct Address {
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;
  // "host:port"; throws std::invalid_argument for anything else.
  static Address parse(const std::string& text);
  std::string to_string() const;
};

class FileDescriptor;

// Binds and listens at once, so that the port is known (port 0: a free one)
// before any peer is told where to connect.
class Listener {
 public:
  explicit Listener(Address address = {});
  ~Listener();
  Listener(const Listener&) = delete;
  Listener& operator=(const Listener&) = delete;
  const Address& address() const { return address_; }  // with the bound port
  std::uint16_t port() const { return address_.port; }
  int fd() const;

 private:
  Address address_;
  std::unique_ptr<FileDescriptor> socket_;
};

}  // namespace lim::runtime::tcp
