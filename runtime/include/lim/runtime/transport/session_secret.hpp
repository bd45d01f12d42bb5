#pragma once
// The secret the participants of one session share: TCP's TLS pre-shared
// key and MQTT's end-to-end message keys are derived from it. It is made
// fresh for every run of a protocol (generate), handed to every role out of
// band — a file only its owner can read, or the LIM_SESSION_SECRET
// environment variable of a child process, never a command line, which
// every local user can read — and never sent over the network.
#include <array>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace lim::runtime {

class SessionSecret {
 public:
  using Key = std::array<std::uint8_t, 32>;

  // 32 bytes from the operating system's random generator.
  static SessionSecret generate();
  // 64 hexadecimal digits; throws std::invalid_argument otherwise.
  static SessionSecret from_hex(std::string_view hex);
  // The hex digits in `path` (surrounding white space ignored). Throws
  // std::invalid_argument when the file cannot be read, holds no secret, or
  // can be read by users other than its owner (as ssh refuses such keys).
  static SessionSecret read_file(const std::filesystem::path& path);
  // The secret in an environment variable, if it is set.
  static std::optional<SessionSecret> from_environment(const char* variable = "LIM_SESSION_SECRET");

  std::string hex() const;
  // A key for one purpose (HKDF-SHA-256 with `purpose` as salt and
  // `context` as info): one secret, independent keys for every use.
  Key derive(std::string_view purpose, std::string_view context) const;

  friend bool operator==(const SessionSecret&, const SessionSecret&) = default;

 private:
  Key bytes_{};
};

}  // namespace lim::runtime
