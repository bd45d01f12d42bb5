#pragma once
// Turning synchronous runs and configurations into the report's vocabulary.
#include <span>
#include <vector>

#include "lim/explore/compact_space.hpp"
#include "lim/explore/state_space.hpp"
#include "lim/report/verdict.hpp"
#include "lim/semantics/synchronous.hpp"

namespace lim::properties {

report::TraceStep describe_step(const semantics::SynchronousSemantics& semantics, explore::Move move);
std::vector<report::TraceStep> describe_path(const semantics::SynchronousSemantics& semantics,
                                             const explore::StateSpace& space,
                                             const std::vector<explore::EdgeIndex>& edges);
std::vector<report::TraceStep> describe_moves(const semantics::SynchronousSemantics& semantics,
                                              const std::vector<explore::Move>& moves);
// A configuration of one component (or of the whole system), unpacked.
struct SyncComponentConfiguration {
  const semantics::SynchronousSemantics* semantics = nullptr;
  std::vector<std::uint32_t> values;
};
// The whole system's configuration: each listed component at its state, the
// roles of other components at their initial states.
report::Configuration describe_configuration(const automata::System& system,
                                             std::span<const SyncComponentConfiguration> parts);
// One component at `state`, every other role at its initial state.
report::Configuration describe_configuration(const semantics::SynchronousSemantics& semantics,
                                             const explore::StateSpace& space, explore::StateIndex state);
report::Configuration describe_configuration(const semantics::SynchronousSemantics& semantics,
                                             const explore::CompactSpace& space, explore::StateIndex state);
// A counterexample whose prefix is a shortest path to `state`: the same run
// from either store (compact_space.hpp rebuilds the graph's BFS parents).
report::Counterexample counterexample_at(const semantics::SynchronousSemantics& semantics,
                                         const explore::StateSpace& space, explore::StateIndex state,
                                         std::string explanation);
report::Counterexample counterexample_at(const semantics::SynchronousSemantics& semantics,
                                         const explore::CompactSpace& space, explore::StateIndex state,
                                         std::string explanation);
// The verdict when no violation was found: Holds on a complete state space,
// Inconclusive otherwise.
report::PropertyResult no_violation_found(std::string_view property, const explore::StateSpace& space);
report::PropertyResult no_violation_found(std::string_view property, const explore::CompactSpace& space);

}  // namespace lim::properties
