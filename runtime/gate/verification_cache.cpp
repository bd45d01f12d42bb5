#include "lim/runtime/gate/verification_cache.hpp"

#include <unistd.h>

#include <atomic>
#include <fstream>

#include <fmt/format.h>

#include "lim/runtime/gate/content_hash.hpp"

namespace lim::runtime {
namespace {

constexpr std::string_view kEntryHeader = "lim verdict cache entry v1";

}  // namespace

VerificationCache::VerificationCache(std::optional<std::filesystem::path> directory)
    : directory_(std::move(directory)) {}

std::string VerificationCache::key(std::string_view content_hash, std::string_view format, std::string_view checked) {
  return sha256_hex(fmt::format("{}\n{}\n{}\n{}\n{}", kEntryHeader, LIM_VERSION, format, checked, content_hash));
}

VerificationCache::Hit VerificationCache::lookup(const std::string& key) {
  {
    const std::lock_guard lock(mutex_);
    if (memory_.contains(key)) return Hit::Memory;
  }
  if (!directory_) return Hit::None;
  std::ifstream in(*directory_ / key);
  std::string header;
  if (!in || !std::getline(in, header) || header != kEntryHeader) return Hit::None;
  const std::lock_guard lock(mutex_);
  memory_.insert(key);
  return Hit::Disk;
}

void VerificationCache::record(const std::string& key, std::string_view description) {
  {
    const std::lock_guard lock(mutex_);
    memory_.insert(key);
  }
  if (!directory_) return;
  std::error_code error;
  std::filesystem::create_directories(*directory_, error);
  if (error) return;
  const auto target = *directory_ / key;
  static std::atomic<unsigned> sequence{0};
  const auto temporary = *directory_ / fmt::format(".{}.{}.{}.tmp", key, ::getpid(), sequence++);
  {
    std::ofstream out(temporary, std::ios::trunc);
    out << kEntryHeader << "\n" << description << "\n";
    if (!out.flush()) {
      std::filesystem::remove(temporary, error);
      return;
    }
  }
  std::filesystem::rename(temporary, target, error);
  if (error) std::filesystem::remove(temporary, error);
}

}  // namespace lim::runtime
