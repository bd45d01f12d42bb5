#pragma once
// The closed-port responder: one long-lived session of specs/tcp/closed.lim
// for every segment no connection or listener takes (RFC 9293 §3.10.7.1).
// Its one role answers a RST to anything but a RST, through the monitored
// endpoint like every other segment lim sends.
#include <functional>
#include <memory>
#include <thread>

#include "lim/runtime/endpoint/endpoint.hpp"
#include "lim/tcp/server/server_spec.hpp"
#include "lim/tcp/server/session_channels.hpp"

namespace lim::tcp::server {

class ClosedPort {
 public:
  ClosedPort(const ClosedPortSpec& spec, SessionChannels::Wire wire, std::function<void(const std::string&)> log);
  ~ClosedPort();
  ClosedPort(const ClosedPort&) = delete;
  ClosedPort& operator=(const ClosedPort&) = delete;
  void deliver(tcb::Segment segment) { channels_->deliver(std::move(segment)); }
  void stop();

 private:
  void run();
  const ClosedPortSpec& spec_;
  std::function<void(const std::string&)> log_;
  std::shared_ptr<SessionChannels> channels_;
  std::unique_ptr<runtime::Endpoint> endpoint_;
  std::thread thread_;
};

}  // namespace lim::tcp::server
