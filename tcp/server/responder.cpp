#include "lim/tcp/server/responder.hpp"

#include <fmt/format.h>

#include "lim/runtime/endpoint/session_error.hpp"
#include "lim/tcp/server/segment_codec.hpp"

namespace lim::tcp::server {

Responder::Responder(const ResponderSpec& spec, std::string name, std::size_t inbox, Answer answer,
                     SessionChannels::Wire wire, std::function<void(const std::string&)> log)
    : spec_(spec), name_(std::move(name)), answer_(std::move(answer)), log_(std::move(log)) {
  channels_ =
      std::make_shared<SessionChannels>(spec_.protocol, spec_.net, inbox, runtime::steady_clock(), std::move(wire));
  endpoint_ = std::make_unique<runtime::Endpoint>(spec_.protocol, spec_.role, channels_->transport(spec_.role));
  thread_ = std::thread([this] { run(); });
}

Responder::~Responder() { stop(); }

void Responder::stop() {
  if (!thread_.joinable()) return;
  channels_->abort(spec_.role, "the server stopped");
  thread_.join();
}

void Responder::run() {
  try {
    for (;;) {
      endpoint_->receive("net");
      if (auto reply = answer_(channels_->current())) {
        auto record = segment_record(*reply);
        const auto label = tcb::segment_label(reply->flags);
        channels_->stage(std::move(*reply));
        endpoint_->send("net", label, std::move(record));
      }
    }
  } catch (const runtime::SessionAborted&) {
    // stopped
  } catch (const std::exception& error) {
    log_(fmt::format("{} stopped: {}", name_, error.what()));
  }
}

}  // namespace lim::tcp::server
