#include "lim/tcp/server/apps.hpp"

#include <algorithm>
#include <array>
#include <string>
#include <vector>

namespace lim::tcp::server {

std::optional<App> parse_app(std::string_view name) {
  if (name == "echo") return App::Echo;
  if (name == "discard") return App::Discard;
  if (name == "reverse") return App::Reverse;
  return std::nullopt;
}

std::string_view name(App app) {
  switch (app) {
    case App::Echo: return "echo";
    case App::Discard: return "discard";
    case App::Reverse: return "reverse";
  }
  return "?";
}

void serve(App app, Connection& connection) {
  std::array<std::uint8_t, 16384> buffer{};
  std::vector<std::uint8_t> line;
  for (;;) {
    const std::size_t count = connection.read(buffer);
    if (count == 0) break;
    const std::span<const std::uint8_t> data(buffer.data(), count);
    switch (app) {
      case App::Echo: connection.write(data); break;
      case App::Discard: break;
      case App::Reverse:
        for (const std::uint8_t byte : data) {
          if (byte != '\n') {
            line.push_back(byte);
            continue;
          }
          if (line.empty() || (line.size() == 1 && line[0] == '\r')) {
            connection.close();  // the dissertation's way to ask the server to close
            return;
          }
          const bool carriage = line.back() == '\r';
          if (carriage) line.pop_back();
          std::reverse(line.begin(), line.end());
          if (carriage) line.push_back('\r');
          line.push_back('\n');
          connection.write(line);
          line.clear();
        }
        break;
    }
  }
  if (app == App::Reverse && !line.empty()) {
    std::reverse(line.begin(), line.end());
    connection.write(line);
  }
  connection.close();
}

}  // namespace lim::tcp::server
