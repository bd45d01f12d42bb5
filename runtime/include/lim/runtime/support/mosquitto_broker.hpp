#pragma once
// A broker for the examples, the benchmark and the MQTT tests: Debian's
// mosquitto daemon, listening on 127.0.0.1 only, on a port that was free.
// Options make it the broker a deployment would have: clients must log in,
// TLS only, sessions that survive a restart.
#include <optional>
#include <string>

#include "lim/runtime/support/child_process.hpp"
#include "lim/runtime/support/temporary_directory.hpp"

namespace lim::runtime::support {

struct BrokerOptions {
  // mosquitto's own defaults for queues and in-flight limits, except the
  // listener (and anonymous access unless a login is required): what a
  // broker nobody tuned does. Otherwise Nagle's delay is also switched off
  // (set_tcp_nodelay), for latency figures.
  bool default_settings = false;
  // Clients log in with this user name and password; nobody else connects.
  std::optional<std::pair<std::string, std::string>> login;
  // Clients connect over TLS only, to a broker with this certificate and key.
  std::optional<std::pair<std::string, std::string>> tls;  // certificate, private key (PEM files)
  // Sessions and their queued messages are kept across a restart.
  bool persistence = false;
};

class MosquittoBroker {
 public:
  // Throws std::runtime_error when mosquitto is missing or will not start.
  explicit MosquittoBroker(BrokerOptions options = {});
  ~MosquittoBroker();  // stops it as an operator would, SIGTERM first
  MosquittoBroker(const MosquittoBroker&) = delete;
  MosquittoBroker& operator=(const MosquittoBroker&) = delete;

  int port() const { return port_; }
  pid_t pid() const { return process_ ? process_->pid() : -1; }
  // Kills the broker at once, the way a crash does, for a test of a broker
  // going away under its clients.
  void kill();
  // Stops it as an operator would (SIGTERM: a persistent broker saves its
  // sessions) and starts it again on the same port.
  void restart();

 private:
  void start();

  BrokerOptions options_;
  TemporaryDirectory directory_{"lim-mosquitto"};
  int port_ = 0;
  std::optional<ChildProcess> process_;
};

}  // namespace lim::runtime::support
