#pragma once
// Runs the real `lim` executable and captures what it prints.
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "test_support.hpp"

namespace lim::testing {

struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// `arguments` is appended to the lim binary's path as is (shell syntax).
inline CommandResult run_lim(const std::string& arguments) {
  static int counter = 0;
  const auto directory = std::filesystem::temp_directory_path();
  const auto stem = "lim-cli-" + std::to_string(::getpid()) + "-" + std::to_string(counter++);
  const auto out_path = directory / (stem + ".out");
  const auto err_path = directory / (stem + ".err");
  const std::string command = std::string("cd '") + LIM_SOURCE_DIR + "' && '" + LIM_BINARY + "' " + arguments +
                              " >'" + out_path.string() + "' 2>'" + err_path.string() + "' </dev/null";
  const int status = std::system(command.c_str());
  CommandResult result;
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  result.out = read_file(out_path);
  result.err = read_file(err_path);
  std::filesystem::remove(out_path);
  std::filesystem::remove(err_path);
  return result;
}

// Writes `text` to a fresh file in the temp directory and returns its path.
inline std::string temp_spec(const std::string& name, const std::string& text) {
  const auto path = std::filesystem::temp_directory_path() / ("lim-" + std::to_string(::getpid()) + "-" + name);
  std::ofstream(path, std::ios::binary) << text;
  return path.string();
}

}  // namespace lim::testing
