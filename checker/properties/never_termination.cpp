// Never-termination (mpstk): every reachable configuration can interact.
#include "lim/properties/stuck_configuration.hpp"
#include "lim/properties/synchronous_properties.hpp"
#include "lim/properties/synchronous_trace.hpp"

namespace lim::properties {

report::PropertyResult check_never_termination(const SynchronousSemantics& semantics,
                                               const explore::StateSpace& space) {
  if (const auto stuck = find_stuck_configurations(semantics, space).any) {
    const auto waiting = pending_roles(semantics, space.configuration(*stuck));
    report::PropertyResult result;
    result.property = "never-termination";
    result.verdict = report::Verdict::Violated;
    result.counterexample = counterexample_at(
        semantics, space, *stuck,
        waiting.empty() ? "the context terminates: every role has reached end"
                        : "no interaction is possible: " + waiting);
    return result;
  }
  return no_violation_found("never-termination", space);
}

}  // namespace lim::properties
