#pragma once
// A broker for the examples, the benchmark and the MQTT tests: Debian's
// mosquitto daemon, listening on 127.0.0.1 only, on a port that was free.
#include <optional>

#include "lim/runtime/support/child_process.hpp"
#include "lim/runtime/support/temporary_directory.hpp"

namespace lim::runtime::support {

class MosquittoBroker {
 public:
  // Throws std::runtime_error when mosquitto is missing or will not start.
  MosquittoBroker();
  ~MosquittoBroker();  // stops it as an operator would, SIGTERM first
  MosquittoBroker(const MosquittoBroker&) = delete;
  MosquittoBroker& operator=(const MosquittoBroker&) = delete;

  int port() const { return port_; }
  // Kills the broker at once, the way a crash does, for a test of a broker
  // going away under its clients.
  void kill();

 private:
  TemporaryDirectory directory_{"lim-mosquitto"};
  int port_ = 0;
  std::optional<ChildProcess> process_;
};

}  // namespace lim::runtime::support
