#include "lim/tcp/server/closed_port.hpp"

#include <fmt/format.h>

#include "lim/runtime/endpoint/session_error.hpp"
#include "lim/tcp/server/segment_codec.hpp"

namespace lim::tcp::server {

ClosedPort::ClosedPort(const ClosedPortSpec& spec, SessionChannels::Wire wire,
                       std::function<void(const std::string&)> log)
    : spec_(spec), log_(std::move(log)) {
  channels_ = std::make_shared<SessionChannels>(spec_.protocol, spec_.net, 256, runtime::steady_clock(), std::move(wire));
  endpoint_ = std::make_unique<runtime::Endpoint>(spec_.protocol, spec_.closed, channels_->transport(spec_.closed));
  thread_ = std::thread([this] { run(); });
}

ClosedPort::~ClosedPort() { stop(); }

void ClosedPort::stop() {
  if (!thread_.joinable()) return;
  channels_->abort(spec_.closed, "the server stopped");
  thread_.join();
}

void ClosedPort::run() {
  try {
    for (;;) {
      endpoint_->receive("net");
      if (auto reset = tcb::reset_for(channels_->current())) {
        auto record = segment_record(*reset);
        const auto label = tcb::segment_label(reset->flags);
        channels_->stage(std::move(*reset));
        endpoint_->send("net", label, std::move(record));
      }
    }
  } catch (const runtime::SessionAborted&) {
    // stopped
  } catch (const std::exception& error) {
    log_(fmt::format("closed-port responder stopped: {}", error.what()));
  }
}

}  // namespace lim::tcp::server
