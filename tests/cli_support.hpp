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

// Every machine-readable document a test makes lim print is kept, so that
// the test `validate_outputs` (tests/CMakeLists.txt), which runs after all
// others, checks each against its schema: docs/lim-check.schema.json for
// JSON, SARIF 2.1.0's, and the shape of JUnit XML.
inline void keep_document(const std::string& arguments, const std::string& out) {
  std::string extension;
  if (arguments.find("--format json") != std::string::npos) extension = ".json";
  else if (arguments.find("--format sarif") != std::string::npos) extension = ".sarif";
  else if (arguments.find("--format junit") != std::string::npos) extension = ".junit.xml";
  if (extension.empty() || out.empty()) return;
  static int kept = 0;
  const auto* test = ::testing::UnitTest::GetInstance()->current_test_info();
  std::string name = test ? std::string(test->test_suite_name()) + "." + test->name() : "unknown";
  for (auto& c : name)
    if (c == '/') c = '_';
  std::filesystem::create_directories(LIM_OUTPUT_COPIES_DIR);
  std::ofstream(std::filesystem::path(LIM_OUTPUT_COPIES_DIR) /
                    (name + "-" + std::to_string(::getpid()) + "-" + std::to_string(kept++) + extension),
                std::ios::binary)
      << out;
}

// `arguments` is appended to the lim binary's path as is (shell syntax);
// standard input is `input` (empty: /dev/null).
inline CommandResult run_lim(const std::string& arguments, const std::string& input = "") {
  static int counter = 0;
  const auto directory = std::filesystem::temp_directory_path();
  const auto stem = "lim-cli-" + std::to_string(::getpid()) + "-" + std::to_string(counter++);
  const auto out_path = directory / (stem + ".out");
  const auto err_path = directory / (stem + ".err");
  const auto in_path = directory / (stem + ".in");
  if (!input.empty()) std::ofstream(in_path, std::ios::binary) << input;
  const std::string command = std::string("cd '") + LIM_SOURCE_DIR + "' && '" + LIM_BINARY + "' " + arguments +
                              " >'" + out_path.string() + "' 2>'" + err_path.string() + "' <" +
                              (input.empty() ? std::string("/dev/null") : "'" + in_path.string() + "'");
  const int status = std::system(command.c_str());
  CommandResult result;
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  result.out = read_file(out_path);
  result.err = read_file(err_path);
  std::filesystem::remove(out_path);
  std::filesystem::remove(err_path);
  std::filesystem::remove(in_path);
  keep_document(arguments, result.out);
  return result;
}

// Writes `text` to a fresh file in the temp directory and returns its path.
inline std::string temp_spec(const std::string& name, const std::string& text) {
  const auto path = std::filesystem::temp_directory_path() / ("lim-" + std::to_string(::getpid()) + "-" + name);
  std::ofstream(path, std::ios::binary) << text;
  return path.string();
}

}  // namespace lim::testing
