#pragma once
// Positive verdicts, by content hash, so that loading an already verified
// spec costs a parse instead of a state-space exploration. Only "holds" is
// recorded: a failing spec is checked again, which also reproduces its
// counterexample for the error message.
//
// A key covers everything the verdict depends on: the spec's text, the
// format it was read as, what was checked, and the lim version (a new
// checker may decide differently). In memory the cache lives as long as its
// gate; with a directory it also survives the process, one small file per
// verdict, written atomically (temporary file + rename) so that concurrent
// processes never read half an entry.
#include <filesystem>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>

namespace lim::runtime {

class VerificationCache {
 public:
  enum class Hit { None, Memory, Disk };

  explicit VerificationCache(std::optional<std::filesystem::path> directory = std::nullopt);
  Hit lookup(const std::string& key);
  // Disk errors are ignored: the cache only ever saves time.
  void record(const std::string& key, std::string_view description);
  const std::optional<std::filesystem::path>& directory() const { return directory_; }

  static std::string key(std::string_view content_hash, std::string_view format, std::string_view checked);

 private:
  std::optional<std::filesystem::path> directory_;
  std::mutex mutex_;
  std::set<std::string> memory_;
};

}  // namespace lim::runtime
