#include "lim/runtime/support/temporary_directory.hpp"

#include <unistd.h>

#include <atomic>
#include <string>
#include <system_error>

namespace lim::runtime::support {

TemporaryDirectory::TemporaryDirectory(std::string_view prefix) {
  static std::atomic<int> counter{0};
  path_ = std::filesystem::temp_directory_path() /
          (std::string(prefix) + "-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
  std::filesystem::create_directories(path_);
}

TemporaryDirectory::~TemporaryDirectory() {
  std::error_code ignored;  // a destructor must not throw; a leftover directory is harmless
  std::filesystem::remove_all(path_, ignored);
}

}  // namespace lim::runtime::support
