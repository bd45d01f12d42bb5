#pragma once
// A mosquitto broker for a demo: Debian's daemon on 127.0.0.1, on a free port.
#include <filesystem>
#include <memory>

namespace lim::examples {

class ChildProcess;

class MosquittoProcess {
 public:
  MosquittoProcess();  // throws std::runtime_error when mosquitto is missing or will not start
  ~MosquittoProcess();
  MosquittoProcess(const MosquittoProcess&) = delete;
  MosquittoProcess& operator=(const MosquittoProcess&) = delete;
  int port() const { return port_; }

 private:
  std::filesystem::path directory_;
  int port_ = 0;
  std::unique_ptr<ChildProcess> process_;
};

}  // namespace lim::examples
