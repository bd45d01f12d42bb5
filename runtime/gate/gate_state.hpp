#pragma once
// What a gate shares with the protocols it made, so that a protocol can
// establish a further requirement (k-MC at a new k) with the gate's cache
// and limits after the gate object itself is gone.
#include <atomic>
#include <cstddef>

#include "lim/explore/explorer.hpp"
#include "lim/runtime/gate/requirement.hpp"
#include "lim/runtime/gate/verification_cache.hpp"

namespace lim::runtime {
class Protocol;
}

namespace lim::runtime::detail {

struct GateState {
  GateState(std::optional<std::filesystem::path> cache_directory, explore::Limits limits_,
            bool local_moves_over_unbounded_channels_)
      : cache(std::move(cache_directory)),
        limits(limits_),
        local_moves_over_unbounded_channels(local_moves_over_unbounded_channels_) {}
  VerificationCache cache;
  explore::Limits limits;
  bool local_moves_over_unbounded_channels;
  std::atomic<std::size_t> checks{0};       // explorations actually run
  std::atomic<std::size_t> memory_hits{0};  // verdicts found in memory
  std::atomic<std::size_t> disk_hits{0};    // verdicts found on disk
};

// Checks (or finds in the cache) that `protocol` satisfies `requirement`;
// throws VerificationFailed. Called by Protocol::require under its lock.
void establish(GateState& gate, const Protocol& protocol, const Requirement& requirement);

}  // namespace lim::runtime::detail
