#pragma once
// The examples' launcher runs each role as a process of its own: this is
// one such child, with its standard output readable line by line.
#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace lim::examples {

class ChildProcess {
 public:
  // Runs `arguments` (arguments[0] is the program) with stdout on a pipe.
  explicit ChildProcess(const std::vector<std::string>& arguments);
  ~ChildProcess();  // kills the child if it still runs
  ChildProcess(ChildProcess&& other) noexcept;
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  ChildProcess& operator=(ChildProcess&&) = delete;

  // The next line of output, or nullopt at end of output or at the deadline.
  std::optional<std::string> read_line(std::chrono::steady_clock::time_point deadline);
  // Its exit code (128 + signal), waiting up to the deadline; nullopt if still running.
  std::optional<int> wait(std::chrono::steady_clock::time_point deadline);
  void kill();
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
  int output_ = -1;
  std::string buffer_;
  std::optional<int> exit_code_;
};

// The path of the running executable, to start copies of it.
std::string own_executable();

}  // namespace lim::examples
