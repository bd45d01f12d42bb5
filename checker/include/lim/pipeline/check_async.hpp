#pragma once
// The asynchronous half of `lim check` (`--k N` or `--k A..B`): the k-MC
// properties of a system under the k-bounded FIFO semantics.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lim/automata/system.hpp"
#include "lim/properties/asynchronous_properties.hpp"
#include "lim/report/verdict.hpp"

namespace lim::pipeline {

// `--k N` is one bound; `--k A..B` the least-k search over A..B.
struct BoundRange {
  unsigned from = 1;
  unsigned to = 1;
  bool search = false;
};
// "3" or "1..10"; nullopt unless 1 ≤ A ≤ B ≤ kMaxBound.
std::optional<BoundRange> parse_bound_range(std::string_view text);
inline constexpr unsigned kMaxBound = 1u << 16;

struct AsyncCheckOptions {
  std::vector<properties::AsyncProperty> properties = properties::default_async_properties();
  BoundRange bounds;
  properties::AsyncExploreOptions explore;
};

report::FileReport check_asynchronous(const std::string& file, const automata::System& system,
                                      const AsyncCheckOptions& options);

}  // namespace lim::pipeline
