#include "lim/runtime/transport/mqtt/mqtt_session.hpp"

#include <algorithm>
#include <cctype>
#include <stdexcept>

#include <fmt/format.h>

#include "mqtt_transport.hpp"

namespace lim::runtime::mqtt {
namespace {

// A topic level: no '/', '+', '#', nor anything a broker might treat specially.
bool valid_level(const std::string& text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '_' || c == '.';
  });
}

}  // namespace

std::unique_ptr<Endpoint> join(std::shared_ptr<const Protocol> protocol, std::string_view role, const Config& config) {
  if (!protocol) throw std::invalid_argument("mqtt::join needs a protocol");
  if (!valid_level(config.session))
    throw std::invalid_argument(fmt::format("mqtt::join: session name '{}' must be letters, digits, '-', '_' or '.'",
                                            config.session));
  if (!valid_level(config.topic_prefix))
    throw std::invalid_argument(fmt::format("mqtt::join: topic prefix '{}' must be letters, digits, '-', '_' or '.'",
                                            config.topic_prefix));
  if (config.k == 0 && config.channels == Channels::Unbounded)
    throw std::invalid_argument("mqtt::join: unbounded channels are verified at k ≥ 1 (k = 0 needs Channels::Bounded)");
  if (!config.secret && !config.plaintext)
    throw std::invalid_argument(
        "mqtt::join: give the session secret (Config::secret), or set Config::plaintext for a session anyone "
        "subscribed to the broker can read and forge");
  protocol->require(requirement_of(config.channels, config.k));
  const auto self = protocol->role(role);
  auto options = config.endpoint;
  if (!options.clock) options.clock = steady_clock();
  auto transport = std::make_unique<MqttTransport>(protocol, self, config, options.clock);
  transport->start(std::chrono::steady_clock::now() + config.connect_timeout);
  return std::make_unique<Endpoint>(std::move(protocol), self, std::move(transport), std::move(options));
}

}  // namespace lim::runtime::mqtt
