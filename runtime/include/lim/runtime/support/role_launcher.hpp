#pragma once
// Starts every role of a session as a process of its own, on this machine,
// the way `lim run --transport tcp|mqtt` and the Prime Video example do:
// over TCP each role that listens says where first (`listening on
// host:port`), and the roles after it are told (`--peer role=host:port`);
// over MQTT every role is told the broker (`--broker host:port`). The roles
// inherit this process's environment (where the caller puts the session's
// secret) and die with it. Their output is relayed line by line.
#include <chrono>
#include <functional>
#include <string>
#include <vector>

namespace lim::runtime::support {

struct RoleLaunch {
  std::vector<std::string> roles;  // in the spec's order: later roles connect to earlier ones
  std::string transport;           // "tcp" or "mqtt"
  std::string broker;              // MQTT: host:port
  // The command that runs one role (the launcher adds --peer or --broker).
  std::function<std::vector<std::string>(const std::string& role)> command;
  std::function<void(const std::string& line)> print;  // called from several threads
  std::chrono::seconds limit{120};                     // for the whole session
};

// Returns 0 when every role exited with 0; otherwise says which did not.
int launch_roles(const RoleLaunch& launch);

}  // namespace lim::runtime::support
