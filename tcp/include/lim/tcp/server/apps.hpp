#pragma once
// The user role's programs that `lim tcp serve --app` runs on each
// connection, written against the public Connection API as any program
// would be.
#include <optional>
#include <string_view>

#include "lim/tcp/server/tcp_server.hpp"

namespace lim::tcp::server {

enum class App {
  Echo,     // RFC 862: everything back
  Discard,  // RFC 863: everything read, nothing sent
  Reverse,  // the dissertation's server (§4): each line reversed; an empty line closes
};

std::optional<App> parse_app(std::string_view name);
std::string_view name(App app);
// Serves one connection until the peer is done (or the server stops), then
// closes it. Throws ConnectionError when the connection is reset.
void serve(App app, Connection& connection);

}  // namespace lim::tcp::server
