#pragma once
// A fresh directory under the system's temp directory, removed with
// everything in it when it goes: a broker's configuration, a test's cache.
#include <filesystem>
#include <string_view>

namespace lim::runtime::support {

class TemporaryDirectory {
 public:
  // Named `<prefix>-<pid>-<counter>`, so that neither two processes nor two
  // directories of one process meet.
  explicit TemporaryDirectory(std::string_view prefix = "lim");
  ~TemporaryDirectory();
  TemporaryDirectory(const TemporaryDirectory&) = delete;
  TemporaryDirectory& operator=(const TemporaryDirectory&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace lim::runtime::support
