#include "lim/runtime/transport/tcp/socket_address.hpp"

#include <charconv>
#include <stdexcept>

#include <fmt/format.h>

#include "socket.hpp"

namespace lim::runtime::tcp {

Address Address::parse(const std::string& text) {
  const auto colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == text.size())
    throw std::invalid_argument(fmt::format("'{}' is not host:port", text));
  Address address;
  address.host = text.substr(0, colon);
  if (address.host.size() > 2 && address.host.front() == '[' && address.host.back() == ']')
    address.host = address.host.substr(1, address.host.size() - 2);
  const auto* first = text.data() + colon + 1;
  const auto* last = text.data() + text.size();
  const auto [end, error] = std::from_chars(first, last, address.port);
  if (error != std::errc() || end != last) throw std::invalid_argument(fmt::format("'{}' has no valid port", text));
  return address;
}

std::string Address::to_string() const {
  return host.find(':') != std::string::npos ? fmt::format("[{}]:{}", host, port) : fmt::format("{}:{}", host, port);
}

Listener::Listener(Address address) : address_(std::move(address)) {
  std::uint16_t bound = 0;
  socket_ = std::make_unique<FileDescriptor>(listen_on(address_.host, address_.port, bound));
  address_.port = bound;
}

Listener::~Listener() = default;

int Listener::fd() const { return socket_->get(); }

}  // namespace lim::runtime::tcp
