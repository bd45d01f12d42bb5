#include "lim/tcp/tcb/keyed_hash.hpp"

#include <openssl/sha.h>
#include <sys/random.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

namespace lim::tcp::tcb {

KeyedHash::KeyedHash() {
  std::size_t filled = 0;
  while (filled < secret_.size()) {
    const auto n = ::getrandom(secret_.data() + filled, secret_.size() - filled, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw std::runtime_error(std::string("getrandom failed: ") + std::strerror(errno));
    }
    filled += static_cast<std::size_t>(n);
  }
}

std::uint32_t KeyedHash::operator()(const wire::FourTuple& tuple, std::span<const std::uint8_t> more) const {
  std::vector<std::uint8_t> input(secret_.begin(), secret_.end());
  input.insert(input.end(), tuple.local.bytes.begin(), tuple.local.bytes.begin() + static_cast<long>(tuple.local.size()));
  input.insert(input.end(), tuple.remote.bytes.begin(), tuple.remote.bytes.begin() + static_cast<long>(tuple.remote.size()));
  for (const auto port : {tuple.local_port, tuple.remote_port}) {
    input.push_back(static_cast<std::uint8_t>(port >> 8));
    input.push_back(static_cast<std::uint8_t>(port));
  }
  input.insert(input.end(), more.begin(), more.end());
  std::uint8_t digest[SHA256_DIGEST_LENGTH];
  SHA256(input.data(), input.size(), digest);
  return std::uint32_t{digest[0]} << 24 | std::uint32_t{digest[1]} << 16 | std::uint32_t{digest[2]} << 8 | digest[3];
}

}  // namespace lim::tcp::tcb
