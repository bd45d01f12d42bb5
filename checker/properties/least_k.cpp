// The least-k search (REFERENCE §4, kmc's iterativeCheck): try k = from …
// to; k-MC is decided at the first k where the side conditions (basic, or
// k-OBI and k-SIBI or k-CIBI) and k-exhaustivity hold, by k-safety at that
// k. Other properties report the least k at which they hold.
//
// At a k that cannot be the answer, all the search needs is one refuting
// configuration per property; when every property still open has such a
// refutation (violation_screen.hpp), the exploration of that k is screened
// and ends at the first configuration that settles them all.
#include <algorithm>

#include <fmt/format.h>

#include "lim/properties/asynchronous_properties.hpp"
#include "lim/properties/partial_order.hpp"
#include "lim/support/budget.hpp"

namespace lim::properties {
namespace {

// The refutations that settle "P fails at this k", if any.
std::optional<Refutation> refuters(AsyncProperty property, bool basic) {
  switch (property) {
    case AsyncProperty::KMc:
      return basic ? Refutation::Exhaustivity
                   : Refutation::Exhaustivity | Refutation::OutputIndependence | Refutation::InputRace;
    case AsyncProperty::KExhaustivity: return Refutation::Exhaustivity;
    case AsyncProperty::KObi: return Refutation::OutputIndependence;
    case AsyncProperty::KSibi:
    case AsyncProperty::KCibi: return Refutation::InputRace;
    default: return std::nullopt;
  }
}

}  // namespace

LeastKReport check_least_k(const automata::System& system, const std::vector<AsyncProperty>& properties,
                           unsigned from, unsigned to, const AsyncExploreOptions& options) {
  // One budget for every k.
  BudgetInForce budget({options.limits.timeout_seconds, options.limits.max_memory_bytes}, options.start);
  LeastKReport report;
  from = std::max(from, 1U);
  to = std::max(to, from);
  std::vector<std::optional<report::PropertyResult>> decided(properties.size());
  for (std::size_t i = 0; i < properties.size(); ++i) {
    if (properties[i] == AsyncProperty::Csa) decided[i] = check_csa(system);
    if (properties[i] == AsyncProperty::Directedness) decided[i] = check_directedness(system);
  }
  const auto undecided = [&] {
    return std::any_of(decided.begin(), decided.end(), [](const auto& result) { return !result.has_value(); });
  };
  auto explore_options = options;
  explore_options.storage = storage_for(options.storage, properties, system);
  explore_options.reduce_for = reduction_for(explore_options, properties, system);
  const bool basic = is_basic(system);
  const std::string range = fmt::format("{}..{}", from, to);
  for (unsigned k = from; k <= to && undecided(); ++k) {
    // Screen when every open property can be refuted by one configuration;
    // at the last k only for k-mc, whose "unknown" needs no shortest run.
    Screening screening;
    bool screenable = true;
    for (std::size_t i = 0; i < properties.size() && screenable; ++i) {
      if (decided[i]) continue;
      const auto refuting = refuters(properties[i], basic);
      screenable = refuting && (k < to || properties[i] == AsyncProperty::KMc);
      if (!screenable) break;
      screening.watch = screening.watch | *refuting;
      screening.goals.push_back(*refuting);
    }
    if (!screenable) screening = {};

    BoundedAnalysis analysis(system, k, explore_options, screening);
    report.last_k = k;
    report.reduced_at.emplace_back(k, analysis.reduced());
    report.states = analysis.states();
    report.transitions = analysis.transitions();
    report.seconds += analysis.seconds();
    report.completion = analysis.completion();
    const bool refuted_all = analysis.completion() == explore::Completion::Stopped;
    for (std::size_t i = 0; i < properties.size(); ++i) {
      if (decided[i]) continue;
      const auto property = properties[i];
      if (!analysis.complete() && !refuted_all) {
        // Nothing is decided on a partial state space: a violation at this
        // k could still turn into "holds at a larger k".
        auto result = analysis.check(property);
        result.verdict = report::Verdict::Inconclusive;
        result.counterexample.reset();
        result.detail =
            fmt::format("the exploration at k={} stopped: {}", k, explore::to_string(analysis.completion()));
        decided[i] = std::move(result);
        continue;
      }
      if (property == AsyncProperty::KMc) {
        if (refuted_all || !analysis.side_conditions_hold() || !analysis.holds(AsyncProperty::KExhaustivity)) {
          if (k < to) continue;
          // "I don't know": show why the last k failed.
          auto result = analysis.check(AsyncProperty::KExhaustivity);
          for (const auto side : {AsyncProperty::KObi, AsyncProperty::KSibi})
            if (result.verdict != report::Verdict::Violated && !basic) result = analysis.check(side);
          if (result.verdict != report::Verdict::Violated) result.counterexample.reset();
          result.property = std::string(name(property));
          result.verdict = report::Verdict::Unknown;
          result.detail = fmt::format("no k in {} satisfies the side conditions and k-exhaustivity (kmc: \"I don't "
                                      "know\"){}",
                                      range, result.counterexample ? fmt::format("; why k={} fails:", k) : "");
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
      if (refuted_all) continue;  // screening only runs below `to` for other properties
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
