#include "lim/runtime/support/role_launcher.hpp"

#include <map>
#include <thread>

#include "lim/runtime/support/child_process.hpp"

namespace lim::runtime::support {

int launch_roles(const RoleLaunch& launch) {
  const auto deadline = std::chrono::steady_clock::now() + launch.limit;
  const std::string listening_prefix = "listening on ";
  std::vector<ChildProcess> children;
  children.reserve(launch.roles.size());
  std::vector<std::pair<std::string, std::string>> listening;  // role, host:port
  for (std::size_t i = 0; i < launch.roles.size(); ++i) {
    const auto& role = launch.roles[i];
    auto command = launch.command(role);
    if (launch.transport == "tcp") {
      for (const auto& [peer, address] : listening) command.insert(command.end(), {"--peer", peer + "=" + address});
    } else {
      command.insert(command.end(), {"--broker", launch.broker});
    }
    children.emplace_back(command);
    if (launch.transport == "tcp" && i + 1 < launch.roles.size()) {
      const auto line = children.back().read_line(deadline);
      if (!line || !line->starts_with(listening_prefix)) {
        launch.print("launcher: " + role + " did not say where it listens" + (line ? ": " + *line : ""));
        return 1;
      }
      listening.emplace_back(role, line->substr(listening_prefix.size()));
      launch.print("launcher: " + role + " (pid " + std::to_string(children.back().pid()) + ") listens on " +
                   listening.back().second);
    } else {
      launch.print("launcher: started " + role + " (pid " + std::to_string(children.back().pid()) + ")");
    }
  }
  std::vector<std::thread> relays;
  for (auto& child : children)
    relays.emplace_back([&child, &launch, deadline] {
      while (const auto line = child.read_line(deadline)) launch.print(*line);
    });
  int status = 0;
  for (std::size_t i = 0; i < children.size(); ++i) {
    const auto code = children[i].wait(deadline);
    if (!code) {
      launch.print("launcher: " + launch.roles[i] + " did not finish in time");
      for (auto& child : children) child.kill();
      status = 1;
    } else if (*code != 0) {
      launch.print("launcher: " + launch.roles[i] + " exited with " + std::to_string(*code));
      status = 1;
    }
  }
  for (auto& relay : relays) relay.join();
  return status;
}

}  // namespace lim::runtime::support
