#pragma once
// The synchronous check of a whole system: every independent component
// (independent_components.hpp) explored once, each of mpstk's properties
// decided per component and combined — exactly, as if the product were
// explored, which turns n independent pairs of m configurations into n
// explorations of m instead of one of m^n.
//
// The product's steps are those of one component at a time, its
// configurations all combinations of the components' reachable ones:
//  * safety, liveness and liveness+ speak about one pair of roles, or one
//    obligation, at a time: the system has them iff every component does,
//    and a component's shortest counterexample is one of the system (the
//    other components stay where they start). For liveness+ this holds
//    because another component's moves leave the obligation's component
//    where it is, so they neither help nor hinder (the attractor of the
//    product is the component's attractor times everything).
//  * a configuration of the product has no step iff no component's has:
//    deadlock freedom fails iff every component can get stuck and one of
//    them with a role short of `end`; never-termination iff every component
//    can get stuck.
//  * termination: deadlock free, and no component has a reachable cycle
//    (a product run is infinite iff one component moves infinitely often).
//  * liveness++ asks that every run, however unfair, fulfils each pending
//    obligation: it fails iff a component fails it alone, or some
//    component can run forever while another has an obligation pending
//    that no step of its configuration fulfils at once — the product run
//    that lets only the first component move never fulfils it.
#include <memory>
#include <optional>
#include <vector>

#include "lim/explore/explorer.hpp"
#include "lim/properties/environment_gaps.hpp"
#include "lim/properties/synchronous_properties.hpp"

namespace lim::properties {

struct SyncComponentProgress {
  std::size_t component = 0;  // 0-based
  std::size_t components = 1;
  explore::ProgressReport exploration;
};

struct SyncExploreOptions {
  // max_states bounds each exploration; time and memory are the check's
  // budget (support/budget.hpp), made from these limits unless one is in
  // force already.
  explore::Limits limits;
  std::function<void(const SyncComponentProgress&)> progress;
  double progress_interval = 1.0;
  // Explore independent components separately (exact, see above). Off: one
  // product state space.
  bool decompose = true;
  // Compact: no edges are stored (state_storage.hpp), and only the
  // reachability properties can be checked (storage_for() resolves a
  // request against the properties to be asked). Automatic and Graph: the
  // graph.
  StateStorage storage = StateStorage::Automatic;  // Threads of a compact exploration (explore::ExploreOptions::threads):
  // 2 pipelines it on two cores once it is large, with the same results.
  unsigned threads = 1;
};

class SynchronousAnalysis {
 public:
  SynchronousAnalysis(const automata::System& system, const SyncExploreOptions& options);
  ~SynchronousAnalysis();
  SynchronousAnalysis(const SynchronousAnalysis&) = delete;
  SynchronousAnalysis& operator=(const SynchronousAnalysis&) = delete;

  // Complete unless a resource limit stopped some exploration.
  explore::Completion completion() const { return completion_; }
  bool complete() const { return completion_ == explore::Completion::Complete; }
  std::size_t component_count() const { return component_total_; }
  std::size_t states() const;  // summed over components
  std::size_t transitions() const;
  double seconds() const { return seconds_; }
  bool compact() const { return compact_; }

  // Holds, Violated with a shortest counterexample, or Inconclusive when an
  // exploration is incomplete or the budget ran out during the analysis.
  report::PropertyResult check(SyncProperty property);
  // What environments send that their partners do not handle, per role state.
  std::vector<EnvironmentGap> environment_gaps();

 private:
  struct Component;
  report::PropertyResult compute(SyncProperty property);
  report::PropertyResult per_component(SyncProperty property);
  report::PropertyResult stuck(SyncProperty property);
  report::PropertyResult termination();
  report::PropertyResult liveness_plus_plus();

  const automata::System& system_;
  bool compact_ = false;
  std::vector<std::unique_ptr<Component>> components_;
  std::size_t component_total_ = 0;
  explore::Completion completion_ = explore::Completion::Complete;
  double seconds_ = 0;
  std::size_t held_bytes_ = 0;
};

}  // namespace lim::properties
