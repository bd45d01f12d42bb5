#pragma once
// A child process for the examples' launcher, the benchmark's broker and the
// tests: a role in a process of its own can die the way a real peer does.
// Whatever is started here is killed and reaped by the destructor, also when
// a test fails half-way or a launcher throws.
#include <sys/types.h>

#include <chrono>
#include <csignal>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace lim::runtime::support {

class ChildProcess {
 public:
  using Deadline = std::chrono::steady_clock::time_point;

  // Where a program's standard output goes: a pipe, for `read_line`, or
  // nowhere together with its standard error (a broker that should stay quiet).
  enum class Output { Pipe, Discard };

  // Runs `arguments` (arguments[0] is the program's path). The child is
  // killed when the thread that started it ends (the kernel's parent-death
  // signal follows the thread, not the process): start it on a thread that
  // lives as long as it should.
  explicit ChildProcess(const std::vector<std::string>& arguments, Output output = Output::Pipe);
  // A forked copy of this process running `body`, whose result is the exit
  // code (98 when it throws). Fork only while no other thread runs: the copy
  // has this thread alone, and a lock another thread held stays locked.
  explicit ChildProcess(const std::function<int(ChildProcess&)>& body);
  ~ChildProcess();
  ChildProcess(ChildProcess&& other) noexcept;
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  ChildProcess& operator=(ChildProcess&&) = delete;

  // The next line of output, or nullopt at end of output or at the deadline.
  std::optional<std::string> read_line(Deadline deadline);
  // In a forked child: tells the parent it got this far.
  void signal_parent();
  // In the parent: whether the forked child signalled before the deadline
  // (false as soon as it is gone without doing so).
  bool await_signal(Deadline deadline);
  // Its exit code (128 + signal when killed), waiting up to the deadline;
  // nullopt while it still runs.
  std::optional<int> wait(Deadline deadline);
  // Does nothing once it has been reaped: its pid may belong to another process by then.
  void kill(int signal = SIGKILL);
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
  int read_fd_ = -1;
  int write_fd_ = -1;  // in a forked child only
  std::string buffer_;
  std::optional<int> exit_code_;
};

// The path of the running executable, to start copies of it.
std::string own_executable();

}  // namespace lim::runtime::support
