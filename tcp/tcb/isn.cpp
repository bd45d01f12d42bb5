#include "lim/tcp/tcb/isn.hpp"

#include <openssl/sha.h>
#include <sys/random.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <vector>

namespace lim::tcp::tcb {

IsnGenerator::IsnGenerator() {
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

std::uint32_t IsnGenerator::keyed(const wire::FourTuple& tuple, std::optional<std::uint8_t> domain) const {
  std::vector<std::uint8_t> input(secret_.begin(), secret_.end());
  input.insert(input.end(), tuple.local.bytes.begin(), tuple.local.bytes.begin() + static_cast<long>(tuple.local.size()));
  input.insert(input.end(), tuple.remote.bytes.begin(), tuple.remote.bytes.begin() + static_cast<long>(tuple.remote.size()));
  for (const auto port : {tuple.local_port, tuple.remote_port}) {
    input.push_back(static_cast<std::uint8_t>(port >> 8));
    input.push_back(static_cast<std::uint8_t>(port));
  }
  if (domain) input.push_back(*domain);
  std::uint8_t digest[SHA256_DIGEST_LENGTH];
  SHA256(input.data(), input.size(), digest);
  return std::uint32_t{digest[0]} << 24 | std::uint32_t{digest[1]} << 16 | std::uint32_t{digest[2]} << 8 | digest[3];
}

std::uint32_t IsnGenerator::isn(const wire::FourTuple& tuple, std::chrono::steady_clock::time_point now) const {
  const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(now.time_since_epoch()).count();
  return keyed(tuple, std::nullopt) + static_cast<std::uint32_t>(micros / 4);
}

// One byte more than the ISN's input: a hash unrelated to the ISN's.
std::uint32_t IsnGenerator::timestamp_offset(const wire::FourTuple& tuple) const { return keyed(tuple, 'T'); }

}  // namespace lim::tcp::tcb
