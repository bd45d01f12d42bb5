#pragma once
// A stateless responder: one long-lived session of a one-role spec that
// answers segments no connection takes, each with at most one segment,
// through the monitored endpoint like every other segment lim sends.
//   - The closed port (specs/tcp/closed.lim, RFC 9293 §3.10.7.1): a RST to
//     anything but a RST.
//   - SYN cookies (specs/tcp/syn-cookies.lim, RFC 4987 §3.6): the SYN-ACK to
//     a SYN that finds the half-open bound full.
// What to answer is `answer`'s; whether the answer may be sent, the spec's.
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "lim/runtime/endpoint/endpoint.hpp"
#include "lim/tcp/server/server_spec.hpp"
#include "lim/tcp/server/session_channels.hpp"

namespace lim::tcp::server {

class Responder {
 public:
  using Answer = std::function<std::optional<tcb::OutSegment>(const tcb::Segment&)>;
  // `inbox`: segments waiting at most; more are dropped.
  Responder(const ResponderSpec& spec, std::string name, std::size_t inbox, Answer answer, SessionChannels::Wire wire,
            std::function<void(const std::string&)> log);
  ~Responder();
  Responder(const Responder&) = delete;
  Responder& operator=(const Responder&) = delete;
  // False when the inbox is full: the segment is dropped, as a network may.
  bool deliver(tcb::Segment segment) { return channels_->deliver(std::move(segment)); }
  void stop();

 private:
  void run();
  const ResponderSpec& spec_;
  std::string name_;
  Answer answer_;
  std::function<void(const std::string&)> log_;
  std::shared_ptr<SessionChannels> channels_;
  std::unique_ptr<runtime::Endpoint> endpoint_;
  std::thread thread_;
};

}  // namespace lim::tcp::server
