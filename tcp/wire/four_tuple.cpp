#include "lim/tcp/wire/four_tuple.hpp"

#include <fmt/format.h>

namespace lim::tcp::wire {

std::string FourTuple::to_string() const {
  return fmt::format("{}:{} → {}:{}", remote.to_string(), remote_port, local.to_string(), local_port);
}

std::size_t FourTupleHash::operator()(const FourTuple& tuple) const {
  std::uint64_t hash = 0xcbf29ce484222325ull;  // FNV-1a
  const auto mix = [&](std::uint8_t byte) {
    hash ^= byte;
    hash *= 0x100000001b3ull;
  };
  for (std::size_t i = 0; i < tuple.local.size(); ++i) mix(tuple.local.bytes[i]);
  for (std::size_t i = 0; i < tuple.remote.size(); ++i) mix(tuple.remote.bytes[i]);
  for (const auto port : {tuple.local_port, tuple.remote_port}) {
    mix(static_cast<std::uint8_t>(port >> 8));
    mix(static_cast<std::uint8_t>(port));
  }
  return static_cast<std::size_t>(hash);
}

}  // namespace lim::tcp::wire
