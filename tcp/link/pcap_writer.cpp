#include "lim/tcp/link/pcap_writer.hpp"

#include <cerrno>
#include <cstdint>
#include <cstring>

#include <fmt/format.h>

#include "lim/tcp/link/link.hpp"

namespace lim::tcp::link {
namespace {

constexpr std::uint32_t kMagic = 0xA1B2C3D4;  // microsecond timestamps, host byte order
constexpr std::uint32_t kSnapLength = 65535;
constexpr std::uint32_t kLinkTypeRaw = 101;   // raw IPv4 or IPv6

void put32(std::FILE* file, std::uint32_t value) { std::fwrite(&value, sizeof value, 1, file); }
void put16(std::FILE* file, std::uint16_t value) { std::fwrite(&value, sizeof value, 1, file); }

}  // namespace

PcapWriter::PcapWriter(const std::string& path) : path_(path), file_(std::fopen(path.c_str(), "wb")) {
  if (file_ == nullptr) throw LinkError(fmt::format("cannot create the capture {}: {}", path, std::strerror(errno)));
  put32(file_, kMagic);
  put16(file_, 2);
  put16(file_, 4);
  put32(file_, 0);  // GMT offset
  put32(file_, 0);  // timestamp accuracy
  put32(file_, kSnapLength);
  put32(file_, kLinkTypeRaw);
  std::fflush(file_);
}

PcapWriter::~PcapWriter() {
  if (file_ != nullptr) std::fclose(file_);
}

void PcapWriter::write(std::span<const std::uint8_t> packet, std::chrono::system_clock::time_point when) {
  const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(when.time_since_epoch()).count();
  const auto length = static_cast<std::uint32_t>(std::min<std::size_t>(packet.size(), kSnapLength));
  const std::lock_guard lock(mutex_);
  put32(file_, static_cast<std::uint32_t>(micros / 1'000'000));
  put32(file_, static_cast<std::uint32_t>(micros % 1'000'000));
  put32(file_, length);
  put32(file_, static_cast<std::uint32_t>(packet.size()));
  std::fwrite(packet.data(), 1, length, file_);
  std::fflush(file_);
}

}  // namespace lim::tcp::link
