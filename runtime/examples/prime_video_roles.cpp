#include "prime_video_roles.hpp"

namespace lim::examples {

void client(runtime::Endpoint& endpoint, std::int64_t id, const std::vector<std::string>& titles, const Say& say) {
  endpoint.send("authenticator", "id", id);
  if (endpoint.offer().is("rejected")) {
    say("rejected");
    return;
  }
  int watched = 0;
  for (const auto& title : titles) {
    endpoint.select("authenticator", "request", title);
    const auto video = endpoint.receive("authenticator").payload;
    say("watching " + video.at("title").get<std::string>() + " (" + std::to_string(video.at("minutes").get<int>()) +
        " min)");
    ++watched;
  }
  endpoint.select("authenticator", "close");
  say("watched " + std::to_string(watched) + " videos");
}

void authenticator(runtime::Endpoint& endpoint, const Say& say) {
  const auto id = endpoint.receive("client").payload.get<std::int64_t>();
  if (id % 2 != 0) {
    say("rejecting client " + std::to_string(id));
    endpoint.select("client", "rejected");
    endpoint.select("server", "close");
    return;
  }
  say("accepting client " + std::to_string(id));
  endpoint.select("client", "accepted");
  while (true) {
    const auto request = endpoint.offer();
    if (request.is("close")) break;
    endpoint.select("server", "request", request.payload);
    endpoint.send("client", "video", endpoint.receive("server").payload);
  }
  endpoint.select("server", "close");
  say("session closed");
}

void server(runtime::Endpoint& endpoint, const Say& say) {
  int streamed = 0;
  while (true) {
    const auto request = endpoint.offer();
    if (request.is("close")) break;
    const auto title = request.payload.get<std::string>();
    endpoint.send("authenticator", "video",
                  {{"title", title}, {"minutes", 80 + static_cast<int>(title.size())}, {"codec", "av1"}});
    ++streamed;
  }
  say("streamed " + std::to_string(streamed) + " videos");
}

}  // namespace lim::examples
