// The system at one bound k: every independent component explored once, each
// property decided per component and combined.
//
// How component verdicts combine (the state space is their product, and a
// role only ever sees its own component's queues and moves):
//  * k-OBI, k-SIBI, k-CIBI, k-exhaustivity, k-safety speak about one role or
//    one channel at a time: the system satisfies them iff every component
//    does, and a component's shortest violating run is one of the system
//    (the other components stay where they start).
//  * a configuration of the product has no move iff every component's has
//    none, and is final iff every component's is: deadlock freedom fails iff
//    every component can get stuck and one of them badly; orphan messages
//    iff every component can finish and one of them with messages left.
//    With environment roles "stuck" means that no non-environment role can
//    move, there or after environment moves alone (async_deadlock_freedom.cpp);
//    environment moves of one component leave the others alone, so the
//    product is stuck iff every component is, as before.
#include <algorithm>
#include <limits>
#include <stdexcept>

#include <fmt/format.h>

#include "lim/explore/compact_explorer.hpp"
#include "lim/properties/asynchronous_properties.hpp"
#include "lim/properties/partial_order.hpp"
#include "lim/semantics/ample_sets.hpp"
#include "lim/semantics/independent_components.hpp"
#include "lim/support/budget.hpp"

namespace lim::properties {
namespace {

// Configurations a screening hunt may visit before the breadth-first
// exploration takes over (violation_screen.hpp).
constexpr std::size_t kHuntBudget = 50'000;

}  // namespace

struct BoundedAnalysis::Component {
  std::unique_ptr<semantics::AsynchronousSemantics> semantics;
  std::optional<semantics::AmpleSets> ample;     // when reduced
  explore::StateSpace space;                   // the graph store, unless
  std::optional<explore::CompactSpace> compact;  // the compact store is used
  std::optional<ReverseGraph> reverse_graph;
  std::size_t reverse_bytes = 0;  // held in the budget once built
  std::optional<ViolationScreen> screen;

  ComponentSpace view() const { return {semantics.get(), compact ? nullptr : &space, compact ? &*compact : nullptr}; }
  const ReverseGraph& reverse() {
    // Only the graph properties ask, and storage_for() gave them the graph.
    if (compact) throw std::logic_error("a graph property was asked of the compact store");
    if (!reverse_graph) {
      reverse_graph = properties::reverse(space);
      // Held as the space is, so that the exact count a memory limit is
      // checked against includes it, not only the resident memory's growth.
      if (auto* budget = current_budget()) {
        reverse_bytes = reverse_graph->memory_bytes();
        budget->hold(reverse_bytes);
        budget->check();
      }
    }
    return *reverse_graph;
  }
  std::size_t depth(StateIndex state) const { return compact ? compact->depth(state) : space.path_to(state).size(); }
  std::vector<report::TraceStep> run_to(StateIndex state) const {
    if (compact) return describe_moves(*semantics, explore::path_to(*semantics, *compact, state));
    return describe_path(*semantics, space, space.path_to(state));
  }
  std::vector<std::uint32_t> configuration(StateIndex state) const {
    return compact ? compact->configuration(state) : space.configuration(state);
  }
  std::size_t size() const { return compact ? compact->size() : space.size(); }
  std::size_t edge_count() const { return compact ? compact->edge_count() : space.edge_count(); }
  std::size_t memory_bytes() const { return compact ? compact->memory_bytes() : space.memory_bytes(); }
  double seconds() const { return compact ? compact->seconds : space.seconds; }
  explore::Completion completion() const { return compact ? compact->completion : space.completion; }
};

BoundedAnalysis::BoundedAnalysis(const automata::System& system, unsigned k, const AsyncExploreOptions& options,
                                 const Screening& screening)
    : system_(system), k_(k), cache_(all_async_properties().size()) {
  BudgetInForce budget({options.limits.timeout_seconds, options.limits.max_memory_bytes}, options.start);
  std::vector<std::vector<automata::RoleId>> groups;
  if (options.decompose) {
    groups = semantics::independent_components(system);
  } else {
    groups.emplace_back();
    for (automata::RoleId role = 0; role < system.role_count(); ++role) groups.back().push_back(role);
  }
  Refutation refuted = Refutation::None;
  const bool compact = options.storage == StateStorage::Compact && screening.watch == Refutation::None;
  if (compact) reduced_for_ = options.reduce_for;
  const auto stop_at = [&](Exhaustion spent) {
    completion_ = spent == Exhaustion::Time ? explore::Completion::TimeLimit : explore::Completion::MemoryLimit;
  };
  for (std::size_t index = 0; index < groups.size(); ++index) {
    // Many small components never reach the explorer's own checkpoints.
    if (const auto spent = budget->exhausted()) {
      stop_at(*spent);
      break;
    }
    budget->tick();
    explore::ExploreOptions explore_options;
    explore_options.limits.max_states = options.limits.max_states;
    explore_options.threads = options.threads;
    if (options.progress) {
      explore_options.progress_interval = options.progress_interval;
      explore_options.progress = [&, index](const explore::ProgressReport& report) {
        options.progress({k, index, groups.size(), report});
      };
    }
    auto component = std::make_unique<Component>();
    component->semantics = std::make_unique<semantics::AsynchronousSemantics>(system, k, groups[index]);
    if (screening.watch != Refutation::None) {
      component->screen.emplace(*component->semantics, screening.watch, screening.goals, refuted);
      bool settled = false;
      try {
        settled = component->screen->hunt(kHuntBudget);
      } catch (const BudgetExhausted& spent) {
        stop_at(spent.what_ran_out());
        break;
      }
      if (settled) {
        // Settled without a breadth-first exploration.
        refuted = refuted | component->screen->found();
        components_.push_back(std::move(component));
        completion_ = explore::Completion::Stopped;
        break;
      }
      explore_options.stop = [screen = &*component->screen](StateIndex state, std::span<const std::uint32_t> values) {
        return (*screen)(state, values);
      };
    }
    if (compact && reduced()) {
      component->ample.emplace(*component->semantics, visible_transitions(*component->semantics, reduced_for_));
      component->compact = explore::explore_compact(*component->ample, explore_options);
    } else if (compact)
      component->compact = explore::explore_compact(*component->semantics, explore_options);
    else
      component->space = explore::explore(*component->semantics, explore_options);
    if (component->screen) refuted = refuted | component->screen->found();
    const auto bytes = component->memory_bytes();
    budget->hold(bytes);
    held_bytes_ += bytes;
    seconds_ += component->seconds();
    const auto completion = component->completion();
    components_.push_back(std::move(component));
    if (completion != explore::Completion::Complete) {
      completion_ = completion;
      break;
    }
  }
}

BoundedAnalysis::~BoundedAnalysis() {
  std::size_t held = held_bytes_;
  for (const auto& component : components_) held += component->reverse_bytes;
  if (auto* budget = current_budget()) budget->release(held);
}

std::size_t BoundedAnalysis::component_count() const { return components_.size(); }

std::size_t BoundedAnalysis::states() const {
  std::size_t total = 0;
  for (const auto& component : components_) total += component->size();
  return total;
}

std::size_t BoundedAnalysis::transitions() const {
  std::size_t total = 0;
  for (const auto& component : components_) total += component->edge_count();
  return total;
}

report::PropertyResult BoundedAnalysis::check(AsyncProperty property) {
  auto& slot = cache_[static_cast<std::size_t>(property)];
  if (!slot) {
    if (auto* budget = current_budget()) budget->set_phase(std::string(name(property)));
    try {
      slot = compute(property);
    } catch (const BudgetExhausted& spent) {
      report::PropertyResult result;
      result.property = std::string(name(property));
      result.verdict = report::Verdict::Inconclusive;
      result.k = k_;
      result.detail = fmt::format("{} during the analysis at k={}", spent.what(), k_);
      slot = std::move(result);
    }
  }
  return *slot;
}

bool BoundedAnalysis::side_conditions_hold() {
  return is_basic(system_) ||
         (holds(AsyncProperty::KObi) && (holds(AsyncProperty::KSibi) || holds(AsyncProperty::KCibi)));
}

namespace {

report::PropertyResult inconclusive(AsyncProperty property, unsigned k, explore::Completion completion) {
  report::PropertyResult result;
  result.property = std::string(name(property));
  result.verdict = report::Verdict::Inconclusive;
  result.k = k;
  result.detail = fmt::format("the exploration at k={} stopped: {}", k, explore::to_string(completion));
  return result;
}

}  // namespace

report::PropertyResult BoundedAnalysis::conjunction(AsyncProperty property,
                                                    const std::function<std::optional<Violation>(Component&)>& find) {
  report::PropertyResult result;
  result.property = std::string(name(property));
  result.k = k_;
  // Only k-OBI is a property of single configurations: on a partial state
  // space its violations are real, every other verdict needs all of it.
  const bool partial_ok = property == AsyncProperty::KObi;
  if (!complete() && !partial_ok) return inconclusive(property, k_, completion_);
  Component* worst = nullptr;
  std::optional<Violation> violation;
  std::size_t depth = std::numeric_limits<std::size_t>::max();
  for (auto& component : components_) {
    auto found = find(*component);
    if (!found) continue;
    const auto found_depth = component->depth(found->at);
    if (found_depth < depth) {
      depth = found_depth;
      worst = component.get();
      violation = std::move(found);
    }
  }
  if (!violation) {
    if (!complete()) return inconclusive(property, k_, completion_);
    return result;
  }
  result.verdict = report::Verdict::Violated;
  report::Counterexample counterexample;
  const auto& semantics = *worst->semantics;
  counterexample.prefix = worst->run_to(violation->at);
  // A continuation is a run of graph edges; no compact-store property has one.
  if (!violation->continuation.empty())
    counterexample.continuation = describe_path(semantics, worst->space, violation->continuation);
  const ComponentConfiguration at{worst->semantics.get(), worst->configuration(violation->at)};
  counterexample.at = describe_configuration(system_, std::span<const ComponentConfiguration>(&at, 1));
  counterexample.explanation = std::move(violation->explanation);
  result.counterexample = std::move(counterexample);
  return result;
}

report::PropertyResult BoundedAnalysis::terminal(AsyncProperty property,
                                                 const std::function<TerminalConfigurations(Component&)>& find) {
  report::PropertyResult result;
  result.property = std::string(name(property));
  result.k = k_;
  if (!complete()) return inconclusive(property, k_, completion_);
  std::vector<TerminalConfigurations> found;
  for (auto& component : components_) {
    found.push_back(find(*component));
    if (!found.back().any) return result;  // this component never ends: neither does the product
  }
  // The bad component whose bad configuration costs least beyond its
  // shortest terminal one; the others stop at their shortest terminal one.
  std::optional<std::size_t> chosen;
  std::size_t best = std::numeric_limits<std::size_t>::max();
  for (std::size_t i = 0; i < found.size(); ++i) {
    if (!found[i].bad) continue;
    const auto extra = components_[i]->depth(*found[i].bad) - components_[i]->depth(*found[i].any);
    if (extra < best) {
      best = extra;
      chosen = i;
    }
  }
  if (!chosen) return result;
  result.verdict = report::Verdict::Violated;
  report::Counterexample counterexample;
  std::vector<ComponentConfiguration> parts;
  for (std::size_t i = 0; i < found.size(); ++i) {
    const auto& component = *components_[i];
    const StateIndex state = i == *chosen ? *found[i].bad : *found[i].any;
    auto steps = component.run_to(state);
    counterexample.prefix.insert(counterexample.prefix.end(), steps.begin(), steps.end());
    parts.push_back({component.semantics.get(), component.configuration(state)});
  }
  counterexample.at = describe_configuration(system_, parts);
  counterexample.explanation = found[*chosen].explanation;
  result.counterexample = std::move(counterexample);
  return result;
}

// After a screened exploration stopped: what the screens refuted, with the
// run to the refuting configuration; everything else is undecided.
report::PropertyResult BoundedAnalysis::screened(AsyncProperty property) {
  Refutation kind = Refutation::None;
  switch (property) {
    case AsyncProperty::KExhaustivity:
    case AsyncProperty::KMc: kind = Refutation::Exhaustivity; break;
    case AsyncProperty::KObi: kind = Refutation::OutputIndependence; break;
    case AsyncProperty::KSibi:
    case AsyncProperty::KCibi: kind = Refutation::InputRace; break;
    default: break;
  }
  for (auto& component : components_) {
    if (kind == Refutation::None || !component->screen || !component->screen->witness(kind)) continue;
    const auto& witness = *component->screen->witness(kind);
    report::PropertyResult result;
    result.property = std::string(name(property));
    result.verdict = report::Verdict::Violated;
    result.k = k_;
    if (property == AsyncProperty::KMc) result.detail = "not k-exhaustivity";
    report::Counterexample counterexample;
    if (witness.run) {
      for (const auto move : *witness.run) counterexample.prefix.push_back(describe_step(*component->semantics, move));
    } else {
      counterexample.prefix =
          describe_path(*component->semantics, component->space, component->space.path_to(witness.state));
    }
    const ComponentConfiguration at{component->semantics.get(), witness.configuration};
    counterexample.at = describe_configuration(system_, std::span<const ComponentConfiguration>(&at, 1));
    counterexample.explanation = witness.explanation;
    result.counterexample = std::move(counterexample);
    return result;
  }
  return inconclusive(property, k_, completion_);
}

report::PropertyResult BoundedAnalysis::compute(AsyncProperty property) {
  if (completion_ == explore::Completion::Stopped && depends_on_k(property)) return screened(property);
  const bool compact = std::any_of(components_.begin(), components_.end(), [](const auto& c) { return c->compact; });
  if (compact && !is_reachability_property(property, system_))
    throw std::logic_error(fmt::format("{} was asked of the compact store (see storage_for)", name(property)));
  // A reduction keeps only what its visible transitions say (partial_order.hpp).
  if (reduced() && depends_on_k(property) &&
      std::find(reduced_for_.begin(), reduced_for_.end(), property) == reduced_for_.end())
    throw std::logic_error(fmt::format("{} was asked of an exploration reduced for other properties", name(property)));
  switch (property) {
    case AsyncProperty::Csa: return check_csa(system_);
    case AsyncProperty::Directedness: return check_directedness(system_);
    case AsyncProperty::KObi:
      return conjunction(property, [](Component& c) { return find_k_obi_violation(c.view()); });
    case AsyncProperty::KSibi:
      return conjunction(property, [](Component& c) { return find_k_sibi_violation(c.view(), c.reverse()); });
    case AsyncProperty::KCibi:
      return conjunction(property, [](Component& c) { return find_k_cibi_violation(c.view()); });
    case AsyncProperty::KExhaustivity:
      return conjunction(property, [](Component& c) { return find_k_exhaustivity_violation(c.view(), c.reverse()); });
    case AsyncProperty::KSafety:
      return conjunction(property, [](Component& c) { return find_k_safety_violation(c.view(), c.reverse()); });
    case AsyncProperty::KMc: {
      // k-MC = k-exhaustive ∧ k-safe at this k.
      for (const auto part : {AsyncProperty::KExhaustivity, AsyncProperty::KSafety}) {
        auto result = check(part);
        if (result.verdict == report::Verdict::Holds) continue;
        result.property = std::string(name(property));
        result.detail = fmt::format("not {}{}", name(part), result.detail.empty() ? "" : ": " + result.detail);
        return result;
      }
      report::PropertyResult result;
      result.property = std::string(name(property));
      result.k = k_;
      return result;
    }
    case AsyncProperty::DeadlockFreedom:
      return terminal(property, [](Component& c) {
        const auto& roles = c.semantics->roles();
        const bool environment = std::any_of(roles.begin(), roles.end(), [&](automata::RoleId role) {
          return c.semantics->system().is_environment(role);
        });
        return find_stuck_configurations(c.view(), environment ? &c.reverse() : nullptr);
      });
    case AsyncProperty::OrphanMessages:
      return terminal(property, [](Component& c) { return find_final_configurations(c.view()); });
  }
  return {};
}

}  // namespace lim::properties
