#pragma once
// The seven properties of mpstk (REFERENCE §2) over the synchronous state
// space. Each returns a verdict and, when violated, a shortest counterexample
// (a lasso for properties about infinite runs).
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lim/explore/compact_space.hpp"
#include "lim/explore/state_space.hpp"
#include "lim/properties/state_storage.hpp"
#include "lim/report/verdict.hpp"
#include "lim/semantics/synchronous.hpp"

namespace lim::properties {

enum class SyncProperty {
  Safety,
  DeadlockFreedom,
  Termination,
  NeverTermination,
  Liveness,
  LivenessPlus,
  LivenessPlusPlus,
};

const std::vector<SyncProperty>& all_sync_properties();
std::string_view name(SyncProperty property);  // mpstk spelling
std::optional<SyncProperty> parse_sync_property(std::string_view name);

using semantics::SynchronousSemantics;

// Whether the property is decided by which configurations are reachable and
// whether each has a step, with no look at the edges: safety, deadlock
// freedom and never-termination. The others look for cycles and fixpoints.
bool is_reachability_property(SyncProperty property);
// The store an exploration for these properties uses: Graph or Compact.
StateStorage storage_for(StateStorage requested, const std::vector<SyncProperty>& properties);

report::PropertyResult check_safety(const SynchronousSemantics& semantics, const explore::StateSpace& space);
report::PropertyResult check_safety(const SynchronousSemantics& semantics, const explore::CompactSpace& space);
report::PropertyResult check_deadlock_freedom(const SynchronousSemantics& semantics,
                                              const explore::StateSpace& space);
report::PropertyResult check_termination(const SynchronousSemantics& semantics, const explore::StateSpace& space);
report::PropertyResult check_never_termination(const SynchronousSemantics& semantics,
                                               const explore::StateSpace& space);
// Liveness, liveness+ and liveness++ differ only in the fixpoint that must
// contain every state with a pending action.
report::PropertyResult check_liveness(const SynchronousSemantics& semantics, const explore::StateSpace& space,
                                      SyncProperty variant);

// The BFS-first explored configuration where an obligation of liveness is
// pending that no step from there fulfils, with the obligation in words.
// With an independent component that can run forever, that alone violates
// liveness++ of the whole system (synchronous_analysis.hpp).
struct PendingObligation {
  explore::StateIndex state = 0;
  std::string description;  // "alice waits for a message from bob"
  automata::RoleId owner = 0;
};
std::optional<PendingObligation> first_obligation_not_enabled(const SynchronousSemantics& semantics,
                                                              const explore::StateSpace& space);

report::PropertyResult check(SyncProperty property, const SynchronousSemantics& semantics,
                             const explore::StateSpace& space);

}  // namespace lim::properties
