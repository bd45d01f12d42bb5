// The least-k search (REFERENCE §4, kmc's iterativeCheck): try k = from …
// to; k-MC is decided at the first k where the side conditions (basic, or
// k-OBI and k-SIBI or k-CIBI) and k-exhaustivity hold, by k-safety at that
// k. Other properties report the least k at which they hold.
#include <algorithm>

#include <fmt/format.h>

#include "lim/properties/asynchronous_properties.hpp"

namespace lim::properties {

LeastKReport check_least_k(const automata::System& system, const std::vector<AsyncProperty>& properties,
                           unsigned from, unsigned to, const AsyncExploreOptions& options) {
  LeastKReport report;
  from = std::max(from, 1U);
  to = std::max(to, from);
  std::vector<std::optional<report::PropertyResult>> decided(properties.size());
  const auto undecided = [&] {
    return std::any_of(decided.begin(), decided.end(), [](const auto& result) { return !result.has_value(); });
  };
  const std::string range = fmt::format("{}..{}", from, to);
  for (unsigned k = from; k <= to && undecided(); ++k) {
    BoundedAnalysis analysis(system, k, options);
    report.last_k = k;
    report.states = analysis.states();
    report.transitions = analysis.transitions();
    report.seconds += analysis.seconds();
    report.completion = analysis.completion();
    for (std::size_t i = 0; i < properties.size(); ++i) {
      if (decided[i]) continue;
      const auto property = properties[i];
      if (!depends_on_k(property)) {
        decided[i] = analysis.check(property);
        continue;
      }
      if (!analysis.complete()) {
        // Nothing is decided on a partial state space: a violation at this
        // k could still turn into "holds at a larger k".
        auto result = analysis.check(property);
        result.verdict = report::Verdict::Inconclusive;
        result.counterexample.reset();
        result.detail = fmt::format("the exploration at k={} stopped: {}", k, explore::to_string(analysis.completion()));
        decided[i] = std::move(result);
        continue;
      }
      if (property == AsyncProperty::KMc) {
        if (!analysis.side_conditions_hold() || !analysis.holds(AsyncProperty::KExhaustivity)) {
          if (k < to) continue;
          // "I don't know": show why the last k failed.
          auto result = analysis.holds(AsyncProperty::KExhaustivity) ? analysis.check(AsyncProperty::KObi)
                                                                     : analysis.check(AsyncProperty::KExhaustivity);
          if (result.verdict == report::Verdict::Holds) {
            result = analysis.check(AsyncProperty::KSibi);
            if (result.verdict == report::Verdict::Holds) result.counterexample.reset();
          }
          result.property = std::string(name(property));
          result.verdict = report::Verdict::Unknown;
          result.detail = fmt::format("no k in {} satisfies the side conditions and k-exhaustivity (kmc: \"I don't "
                                      "know\"); why k={} fails is shown",
                                      range, k);
          decided[i] = std::move(result);
          continue;
        }
        auto result = analysis.check(AsyncProperty::KSafety);
        result.property = std::string(name(property));
        result.detail = result.verdict == report::Verdict::Holds
                            ? fmt::format("least k = {}", k)
                            : fmt::format("k-safety fails at k={}, the first k in {} with the side conditions and "
                                          "k-exhaustivity",
                                          k, range);
        decided[i] = std::move(result);
        continue;
      }
      auto result = analysis.check(property);
      if (result.verdict == report::Verdict::Holds) {
        result.detail = fmt::format("least k = {}", k);
        decided[i] = std::move(result);
      } else if (k == to) {
        result.detail = fmt::format("violated for every k in {}; the counterexample is at k={}", range, k);
        decided[i] = std::move(result);
      }
    }
  }
  for (auto& result : decided) report.results.push_back(std::move(*result));
  return report;
}

}  // namespace lim::properties
