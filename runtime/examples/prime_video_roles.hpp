#pragma once
// The three roles of the Amazon Prime Video protocol (specs/amazon-prime-video.lim),
// written against the monitored endpoint API: the same code runs over TCP
// and over MQTT.
#include <functional>
#include <string>
#include <vector>

#include "lim/runtime/endpoint/endpoint.hpp"

namespace lim::examples {

using Say = std::function<void(const std::string&)>;

// Identifies itself, then watches `titles` one by one and closes.
void client(runtime::Endpoint& endpoint, std::int64_t id, const std::vector<std::string>& titles, const Say& say);
// Accepts even ids; relays each request to the server and its video back.
void authenticator(runtime::Endpoint& endpoint, const Say& say);
// Streams whatever it is asked for until it is told to close.
void server(runtime::Endpoint& endpoint, const Say& say);

}  // namespace lim::examples
