#include "lim/pipeline/check_async.hpp"

#include <algorithm>
#include <charconv>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "lim/pipeline/check.hpp"
#include "lim/pipeline/refinement_checks.hpp"
#include "lim/properties/partial_order.hpp"
#include "lim/support/budget.hpp"

namespace lim::pipeline {
namespace {

std::optional<unsigned> parse_unsigned(std::string_view text) {
  unsigned value = 0;
  const auto* end = text.data() + text.size();
  const auto [stop, code] = std::from_chars(text.data(), end, value);
  if (text.empty() || code != std::errc() || stop != end) return std::nullopt;
  return value;
}

}  // namespace

std::optional<BoundRange> parse_bound_range(std::string_view text) {
  BoundRange range;
  const auto dots = text.find("..");
  if (dots == std::string_view::npos) {
    const auto k = parse_unsigned(text);
    if (!k) return std::nullopt;
    range = {*k, *k, false};
  } else {
    const auto from = parse_unsigned(text.substr(0, dots));
    const auto to = parse_unsigned(text.substr(dots + 2));
    if (!from || !to) return std::nullopt;
    range = {*from, *to, true};
  }
  if (range.from < 1 || range.from > range.to || range.to > kMaxBound) return std::nullopt;
  return range;
}

namespace {

// FileReport::reduction: "partial-order", "none", or why a reduction asked
// for was not applied.
std::string describe_reduction(const properties::AsyncExploreOptions& options,
                               const std::vector<properties::AsyncProperty>& asked, const automata::System& system) {
  if (!options.partial_order) return "none";
  const auto why = properties::why_not_reduced(options, asked, system);
  return why.empty() ? "partial-order" : "none: " + why;
}

// In a least-k search the bounds screened for a refutation keep every
// interleaving (violation_screen.hpp): "partial-order" only when every bound
// explored was reduced, and otherwise which were.
std::string describe_search_reduction(std::string asked, const std::vector<std::pair<unsigned, bool>>& reduced_at) {
  if (asked != "partial-order" || reduced_at.empty()) return asked;
  std::vector<unsigned> full, reduced;
  for (const auto& [k, was_reduced] : reduced_at) (was_reduced ? reduced : full).push_back(k);
  if (full.empty()) return asked;
  const auto bounds = [](const std::vector<unsigned>& ks) { return fmt::format("k={}", fmt::join(ks, ",")); };
  const std::string screened = fmt::format("{} screened for a violation, with every interleaving", bounds(full));
  if (reduced.empty()) return "none: " + screened;
  return fmt::format("partial-order: at {}; {}", bounds(reduced), screened);
}

report::FileReport asynchronous_properties(const std::string& file, const automata::System& system,
                                           const AsyncCheckOptions& options) {
  report::FileReport report;
  report.file = file;
  report.roles = system.role_count();
  report.findings = automata_findings(system);
  const auto& bounds = options.bounds;
  const bool needs_k = std::any_of(options.properties.begin(), options.properties.end(), properties::depends_on_k);
  if (!needs_k) {
    // CSA and directedness are read off the automata: nothing to explore.
    report.semantics = "asynchronous";
    report.exploration = "not needed";
    for (const auto property : options.properties)
      report.results.push_back(property == properties::AsyncProperty::Csa ? properties::check_csa(system)
                                                                          : properties::check_directedness(system));
    return report;
  }
  if (bounds.search) {
    report.semantics = fmt::format("asynchronous k={}..{}", bounds.from, bounds.to);
    auto least = properties::check_least_k(system, options.properties, bounds.from, bounds.to, options.explore);
    {
      // As check_least_k resolves them; then what each bound's exploration did.
      auto explore_options = options.explore;
      explore_options.storage = properties::storage_for(explore_options.storage, options.properties, system);
      report.reduction = describe_search_reduction(describe_reduction(explore_options, options.properties, system),
                                                   least.reduced_at);
    }
    report.results = std::move(least.results);
    report.states = least.states;
    report.transitions = least.transitions;
    report.seconds = least.seconds;
    report.exploration = least.completion == explore::Completion::Complete
                             ? fmt::format("complete up to k={}", least.last_k)
                             : fmt::format("{} at k={}", explore::to_string(least.completion), least.last_k);
    return report;
  }
  report.semantics = fmt::format("asynchronous k={}", bounds.from);
  auto explore_options = options.explore;
  explore_options.storage = properties::storage_for(explore_options.storage, options.properties, system);
  explore_options.reduce_for = properties::reduction_for(explore_options, options.properties, system);
  report.reduction = describe_reduction(explore_options, options.properties, system);
  properties::BoundedAnalysis analysis(system, bounds.from, explore_options);
  for (const auto property : options.properties) report.results.push_back(analysis.check(property));
  report.components = analysis.component_count();
  report.states = analysis.states();
  report.transitions = analysis.transitions();
  report.seconds = analysis.seconds();
  report.exploration = explore::to_string(analysis.completion());
  return report;
}

}  // namespace

report::FileReport check_asynchronous(const std::string& file, const automata::System& system,
                                      const AsyncCheckOptions& options) {
  const auto& limits = options.explore.limits;
  BudgetInForce budget({limits.timeout_seconds, limits.max_memory_bytes}, options.explore.start);
  budget->set_phase("exploring");
  auto report = asynchronous_properties(file, system, options);
  // The guard checks are about each offer, whatever the semantics: a spec
  // whose guards overlap must not pass because it was checked with --k.
  add_guard_checks(system, report);
  for (auto& finding : wildcard_findings(system)) report.findings.push_back(std::move(finding));
  report.seconds = budget->elapsed_seconds();
  return report;
}

}  // namespace lim::pipeline
