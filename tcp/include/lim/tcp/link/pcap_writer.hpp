#pragma once
// A capture of everything a link sent and received, in the classic pcap
// format with raw IP packets (LINKTYPE_RAW), which Wireshark and tcpdump
// read. Thread-safe; each record is flushed, so a capture survives a crash.
#include <chrono>
#include <cstdio>
#include <mutex>
#include <span>
#include <string>

namespace lim::tcp::link {

class PcapWriter {
 public:
  // Throws LinkError when the file cannot be created.
  explicit PcapWriter(const std::string& path);
  ~PcapWriter();
  PcapWriter(const PcapWriter&) = delete;
  PcapWriter& operator=(const PcapWriter&) = delete;

  void write(std::span<const std::uint8_t> packet, std::chrono::system_clock::time_point when);
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  std::FILE* file_ = nullptr;
  std::mutex mutex_;
};

}  // namespace lim::tcp::link
