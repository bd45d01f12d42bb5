// The synchronous properties of a system from its independent components;
// synchronous_analysis.hpp says why each combination is exact.
#include "lim/properties/synchronous_analysis.hpp"

#include <fmt/format.h>

#include <limits>
#include <stdexcept>

#include "lim/explore/compact_explorer.hpp"
#include "lim/properties/graph_analysis.hpp"
#include "lim/properties/stuck_configuration.hpp"
#include "lim/properties/synchronous_trace.hpp"
#include "lim/semantics/independent_components.hpp"
#include "lim/support/budget.hpp"

namespace lim::properties {

// One component's exploration, in the graph store or the compact one: the
// two give the same indices in the same order, and the same shortest runs.
struct SynchronousAnalysis::Component {
  std::unique_ptr<SynchronousSemantics> semantics;
  explore::StateSpace space;                  // the graph store
  std::optional<explore::CompactSpace> compact;  // or this, without edges
  std::optional<std::optional<CycleWitness>> cycle;  // computed on first use

  std::size_t size() const { return compact ? compact->size() : space.size(); }
  std::size_t edge_count() const { return compact ? compact->edge_count() : space.edge_count(); }
  std::size_t memory_bytes() const { return compact ? compact->memory_bytes() : space.memory_bytes(); }
  double seconds() const { return compact ? compact->seconds : space.seconds; }
  explore::Completion completion() const { return compact ? compact->completion : space.completion; }
  std::size_t depth(explore::StateIndex state) const {
    return compact ? compact->depth(state) : space.path_to(state).size();
  }
  std::vector<std::uint32_t> configuration(explore::StateIndex state) const {
    return compact ? compact->configuration(state) : space.configuration(state);
  }
  std::vector<report::TraceStep> steps_to(explore::StateIndex state) const {
    if (compact) return describe_moves(*semantics, explore::path_to(*semantics, *compact, state));
    return describe_path(*semantics, space, space.path_to(state));
  }
  StuckConfigurations stuck() const {
    return compact ? find_stuck_configurations(*semantics, *compact) : find_stuck_configurations(*semantics, space);
  }
  const std::optional<CycleWitness>& first_cycle() {
    if (!cycle) cycle = properties::first_cycle(space);
    return *cycle;
  }
};

namespace {

report::PropertyResult inconclusive(SyncProperty property, std::string detail) {
  report::PropertyResult result;
  result.property = std::string(name(property));
  result.verdict = report::Verdict::Inconclusive;
  result.detail = std::move(detail);
  return result;
}

}  // namespace

SynchronousAnalysis::SynchronousAnalysis(const automata::System& system, const SyncExploreOptions& options)
    : system_(system), compact_(options.storage == StateStorage::Compact) {
  BudgetInForce budget({options.limits.timeout_seconds, options.limits.max_memory_bytes});
  std::vector<std::vector<automata::RoleId>> groups;
  if (options.decompose) {
    groups = semantics::independent_components(system);
  } else {
    groups.emplace_back();
    for (automata::RoleId role = 0; role < system.role_count(); ++role) groups.back().push_back(role);
  }
  component_total_ = groups.size();
  for (std::size_t index = 0; index < groups.size(); ++index) {
    // Many small components never reach the explorer's own checkpoints.
    if (const auto spent = budget->exhausted()) {
      completion_ = *spent == Exhaustion::Time ? explore::Completion::TimeLimit : explore::Completion::MemoryLimit;
      break;
    }
    budget->tick();
    explore::ExploreOptions explore_options;
    explore_options.limits.max_states = options.limits.max_states;
    explore_options.threads = options.threads;
    if (options.progress) {
      explore_options.progress_interval = options.progress_interval;
      explore_options.progress = [&, index](const explore::ProgressReport& report) {
        options.progress({index, groups.size(), report});
      };
    }
    auto component = std::make_unique<Component>();
    component->semantics = std::make_unique<SynchronousSemantics>(system, groups[index]);
    if (compact_)
      component->compact = explore::explore_compact(*component->semantics, explore_options);
    else
      component->space = explore::explore(*component->semantics, explore_options);
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

SynchronousAnalysis::~SynchronousAnalysis() {
  if (auto* budget = current_budget()) budget->release(held_bytes_);
}

std::size_t SynchronousAnalysis::states() const {
  std::size_t total = 0;
  for (const auto& component : components_) total += component->size();
  return total;
}

std::size_t SynchronousAnalysis::transitions() const {
  std::size_t total = 0;
  for (const auto& component : components_) total += component->edge_count();
  return total;
}

report::PropertyResult SynchronousAnalysis::check(SyncProperty property) {
  if (auto* budget = current_budget()) budget->set_phase(std::string(name(property)));
  try {
    return compute(property);
  } catch (const BudgetExhausted& spent) {
    return inconclusive(property, fmt::format("{} during the analysis", spent.what()));
  }
}

std::vector<EnvironmentGap> SynchronousAnalysis::environment_gaps() {
  std::vector<EnvironmentGap> gaps;
  try {
    for (const auto& component : components_) {
      auto found = component->compact ? properties::environment_gaps(*component->semantics, *component->compact)
                                      : properties::environment_gaps(*component->semantics, component->space);
      gaps.insert(gaps.end(), std::make_move_iterator(found.begin()), std::make_move_iterator(found.end()));
    }
  } catch (const BudgetExhausted&) {
    // Notes only: what was found so far is still true.
  }
  return gaps;
}

report::PropertyResult SynchronousAnalysis::compute(SyncProperty property) {
  if (compact_ && !is_reachability_property(property))
    throw std::logic_error(fmt::format("{} was asked of the compact store (see storage_for)", name(property)));
  switch (property) {
    case SyncProperty::Safety:
    case SyncProperty::Liveness:
    case SyncProperty::LivenessPlus: return per_component(property);
    case SyncProperty::DeadlockFreedom:
    case SyncProperty::NeverTermination: return stuck(property);
    case SyncProperty::Termination: return termination();
    case SyncProperty::LivenessPlusPlus: return liveness_plus_plus();
  }
  return {};
}

// The property of each component alone, the shortest violation kept. A
// violation found on a partial exploration is real; a verdict "holds" needs
// every component explored.
report::PropertyResult SynchronousAnalysis::per_component(SyncProperty property) {
  std::optional<report::PropertyResult> shortest;
  for (const auto& component : components_) {
    auto result = component->compact ? check_safety(*component->semantics, *component->compact)
                                     : properties::check(property, *component->semantics, component->space);
    if (result.verdict == report::Verdict::Violated) {
      if (!shortest || shortest->verdict != report::Verdict::Violated ||
          result.counterexample->prefix.size() < shortest->counterexample->prefix.size())
        shortest = std::move(result);
    } else if (result.verdict != report::Verdict::Holds && !shortest) {
      shortest = std::move(result);  // inconclusive, unless a violation turns up
    }
  }
  if (shortest && shortest->verdict == report::Verdict::Violated) return std::move(*shortest);
  if (!complete())
    return inconclusive(property, fmt::format("no violation among the {} configurations explored before the {}",
                                              states(), explore::to_string(completion_)));
  if (shortest) return std::move(*shortest);
  report::PropertyResult holds;
  holds.property = std::string(name(property));
  return holds;
}

// Deadlock freedom and never-termination: the product is stuck where every
// component is.
report::PropertyResult SynchronousAnalysis::stuck(SyncProperty property) {
  const bool deadlock = property == SyncProperty::DeadlockFreedom;
  if (!complete())
    return inconclusive(property, fmt::format("no violation among the {} configurations explored before the {}",
                                              states(), explore::to_string(completion_)));
  std::vector<StuckConfigurations> found;
  for (const auto& component : components_) {
    found.push_back(component->stuck());
    if (!found.back().any) {  // this component never stops: neither does the product
      report::PropertyResult holds;
      holds.property = std::string(name(property));
      return holds;
    }
  }
  // Deadlock: the bad component whose bad configuration costs least beyond
  // its first stuck one; the others stop at their first stuck one.
  std::optional<std::size_t> chosen;
  if (deadlock) {
    std::size_t best = std::numeric_limits<std::size_t>::max();
    for (std::size_t i = 0; i < found.size(); ++i) {
      if (!found[i].bad) continue;
      const auto extra = components_[i]->depth(*found[i].bad) - components_[i]->depth(*found[i].any);
      if (extra < best) {
        best = extra;
        chosen = i;
      }
    }
    if (!chosen) {
      report::PropertyResult holds;
      holds.property = std::string(name(property));
      return holds;
    }
  }
  report::Counterexample counterexample;
  std::vector<SyncComponentConfiguration> parts;
  std::string waiting;
  for (std::size_t i = 0; i < found.size(); ++i) {
    const auto& component = *components_[i];
    const auto state = chosen && i == *chosen ? *found[i].bad : *found[i].any;
    auto steps = component.steps_to(state);
    counterexample.prefix.insert(counterexample.prefix.end(), steps.begin(), steps.end());
    parts.push_back({component.semantics.get(), component.configuration(state)});
    const auto pending = pending_roles(*component.semantics, parts.back().values);
    if (!pending.empty()) waiting += (waiting.empty() ? "" : "; ") + pending;
    const auto stuck_roles = waiting_roles(*component.semantics, parts.back().values);
    if (counterexample.role.empty() && !stuck_roles.empty()) counterexample.role = system_.role_names[stuck_roles.front()];
  }
  counterexample.at = describe_configuration(system_, parts);
  counterexample.explanation = deadlock          ? "deadlock: no interaction is possible, but " + waiting
                               : waiting.empty() ? "the context terminates: every role has reached end"
                                                 : "no interaction is possible: " + waiting;
  report::PropertyResult result;
  result.property = std::string(name(property));
  result.verdict = report::Verdict::Violated;
  result.counterexample = std::move(counterexample);
  return result;
}

report::PropertyResult SynchronousAnalysis::termination() {
  auto result = stuck(SyncProperty::DeadlockFreedom);
  result.property = std::string(name(SyncProperty::Termination));
  if (result.verdict != report::Verdict::Holds) return result;
  Component* worst = nullptr;
  std::size_t depth = std::numeric_limits<std::size_t>::max();
  for (auto& component : components_) {
    const auto& cycle = component->first_cycle();
    if (cycle && component->depth(cycle->state) < depth) {
      depth = component->depth(cycle->state);
      worst = component.get();
    }
  }
  if (worst == nullptr) return result;
  const auto& cycle = *worst->first_cycle();
  result.verdict = report::Verdict::Violated;
  result.counterexample = counterexample_at(*worst->semantics, worst->space, cycle.state,
                                            "the roles can interact forever: the cycle repeats without end");
  result.counterexample->cycle = describe_path(*worst->semantics, worst->space, cycle.cycle);
  return result;
}

report::PropertyResult SynchronousAnalysis::liveness_plus_plus() {
  auto result = per_component(SyncProperty::LivenessPlusPlus);
  if (result.verdict == report::Verdict::Inconclusive || components_.size() < 2) return result;
  // The cross-component violation: a component that can run forever (the
  // one with the shallowest cycle, so the run below is short), and another
  // with an obligation no step fulfils at once.
  Component* forever = nullptr;
  Component* runner_up = nullptr;  // when the shallowest is the waiting one
  for (auto& component : components_) {
    const auto& cycle = component->first_cycle();
    if (!cycle) continue;
    if (!forever || component->depth(cycle->state) < forever->depth(forever->first_cycle()->state)) {
      runner_up = forever;
      forever = component.get();
    } else if (!runner_up || component->depth(cycle->state) < runner_up->depth(runner_up->first_cycle()->state)) {
      runner_up = component.get();
    }
  }
  if (forever == nullptr) return result;
  std::optional<report::Counterexample> shortest;
  if (result.verdict == report::Verdict::Violated) shortest = std::move(result.counterexample);
  for (auto& component : components_) {
    Component* other = component.get() == forever ? runner_up : forever;
    if (other == nullptr) continue;
    const auto pending = first_obligation_not_enabled(*component->semantics, component->space);
    if (!pending) continue;
    const auto prefix_length = component->depth(pending->state);
    if (shortest && shortest->prefix.size() <= prefix_length) continue;
    auto counterexample = counterexample_at(
        *component->semantics, component->space, pending->state,
        pending->description + ", but some run never performs that interaction (as in the run below): the roles "
                               "of an independent part of the system can interact forever without it");
    counterexample.role = system_.role_names[pending->owner];
    const auto& cycle = *other->first_cycle();
    counterexample.continuation =
        describe_path(*other->semantics, other->space, other->space.path_to(cycle.state));
    counterexample.cycle = describe_path(*other->semantics, other->space, cycle.cycle);
    shortest = std::move(counterexample);
  }
  if (!shortest) return result;
  result.verdict = report::Verdict::Violated;
  result.detail.clear();
  result.counterexample = std::move(shortest);
  return result;
}

}  // namespace lim::properties
