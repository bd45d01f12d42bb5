#pragma once
// Turning synchronous runs and configurations into the report's vocabulary.
#include <vector>

#include "lim/explore/state_space.hpp"
#include "lim/report/verdict.hpp"
#include "lim/semantics/synchronous.hpp"

namespace lim::properties {

report::TraceStep describe_step(const semantics::SynchronousSemantics& semantics, explore::Move move);
std::vector<report::TraceStep> describe_path(const semantics::SynchronousSemantics& semantics,
                                             const explore::StateSpace& space,
                                             const std::vector<explore::EdgeIndex>& edges);
report::Configuration describe_configuration(const semantics::SynchronousSemantics& semantics,
                                             const explore::StateSpace& space, explore::StateIndex state);
// A counterexample whose prefix is a shortest path to `state`.
report::Counterexample counterexample_at(const semantics::SynchronousSemantics& semantics,
                                         const explore::StateSpace& space, explore::StateIndex state,
                                         std::string explanation);
// The verdict when no violation was found: Holds on a complete state space,
// Inconclusive otherwise.
report::PropertyResult no_violation_found(std::string_view property, const explore::StateSpace& space);

}  // namespace lim::properties
