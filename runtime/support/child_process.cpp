#include "lim/runtime/support/child_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <thread>
#include <utility>

namespace lim::runtime::support {
namespace {

// The pipe is close-on-exec, so that a program started later does not hold
// an end of an earlier child's pipe open (its reader would never see the end
// of output).
pid_t fork_with_pipe(int (&fds)[2]) {
  if (::pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
  const pid_t pid = ::fork();
  if (pid < 0) {
    ::close(fds[0]);
    ::close(fds[1]);
    throw std::runtime_error("fork failed");
  }
  return pid;
}

// In a child: never outlive the parent. The signal comes when the parent
// dies — unless it died already, between fork and prctl. (The kernel
// forgets it when a program changes credentials: MosquittoBroker keeps
// mosquitto from switching users for that reason.)
void die_with(pid_t parent) {
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (::getppid() != parent) std::_Exit(127);
}

}  // namespace

ChildProcess::ChildProcess(const std::vector<std::string>& arguments, Output output) {
  if (arguments.empty()) throw std::invalid_argument("ChildProcess: no program to run");
  // Prepared before fork: the child may only make async-signal-safe calls
  // until exec, and another thread may hold the allocator's lock.
  std::vector<char*> argv;
  for (const auto& argument : arguments) argv.push_back(const_cast<char*>(argument.c_str()));
  argv.push_back(nullptr);
  int fds[2];
  const pid_t parent = ::getpid();
  pid_ = fork_with_pipe(fds);
  if (pid_ == 0) {
    die_with(parent);
    if (output == Output::Discard) {
      const int null = ::open("/dev/null", O_WRONLY);
      ::dup2(null, STDOUT_FILENO);
      ::dup2(null, STDERR_FILENO);
    } else {
      ::dup2(fds[1], STDOUT_FILENO);
    }
    ::execv(argv[0], argv.data());
    std::_Exit(127);
  }
  ::close(fds[1]);
  read_fd_ = fds[0];
}

ChildProcess::ChildProcess(const std::function<int(ChildProcess&)>& body) {
  int fds[2];
  const pid_t parent = ::getpid();
  pid_ = fork_with_pipe(fds);
  if (pid_ == 0) {
    die_with(parent);
    ::close(fds[0]);
    write_fd_ = fds[1];
    int code = 98;
    try {
      code = body(*this);
    } catch (...) {
    }
    std::_Exit(code);  // neither atexit handlers nor the parent's objects run twice
  }
  ::close(fds[1]);
  read_fd_ = fds[0];
}

ChildProcess::ChildProcess(ChildProcess&& other) noexcept
    : pid_(std::exchange(other.pid_, -1)),
      read_fd_(std::exchange(other.read_fd_, -1)),
      write_fd_(std::exchange(other.write_fd_, -1)),
      buffer_(std::move(other.buffer_)),
      exit_code_(other.exit_code_) {}

ChildProcess::~ChildProcess() {
  if (pid_ > 0 && !exit_code_) {
    kill();
    (void)wait(std::chrono::steady_clock::now() + std::chrono::seconds(10));
  }
  if (read_fd_ >= 0) ::close(read_fd_);
  if (write_fd_ >= 0) ::close(write_fd_);
}

std::optional<std::string> ChildProcess::read_line(Deadline deadline) {
  while (true) {
    if (const auto newline = buffer_.find('\n'); newline != std::string::npos) {
      auto line = buffer_.substr(0, newline);
      buffer_.erase(0, newline + 1);
      return line;
    }
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return std::nullopt;
    pollfd waiting{read_fd_, POLLIN, 0};
    if (::poll(&waiting, 1, static_cast<int>(left.count())) <= 0) continue;
    char chunk[512];
    const auto got = ::read(read_fd_, chunk, sizeof chunk);
    if (got <= 0) {
      if (buffer_.empty()) return std::nullopt;
      return std::exchange(buffer_, {});
    }
    buffer_.append(chunk, static_cast<std::size_t>(got));
  }
}

// A line of its own, so that the parent reads signals with read_line.
void ChildProcess::signal_parent() {
  const char newline = '\n';
  [[maybe_unused]] const auto written = ::write(write_fd_, &newline, 1);
}

bool ChildProcess::await_signal(Deadline deadline) { return read_line(deadline).has_value(); }

std::optional<int> ChildProcess::wait(Deadline deadline) {
  while (!exit_code_) {
    int status = 0;
    const pid_t done = ::waitpid(pid_, &status, WNOHANG);
    if (done == pid_) {
      exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      break;
    }
    if (done < 0) {  // not ours to wait for (any more): waiting longer would not change that
      exit_code_ = -1;
      break;
    }
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return exit_code_;
}

void ChildProcess::kill(int signal) {
  if (pid_ > 0 && !exit_code_) ::kill(pid_, signal);
}

std::string own_executable() { return std::filesystem::read_symlink("/proc/self/exe").string(); }

}  // namespace lim::runtime::support
