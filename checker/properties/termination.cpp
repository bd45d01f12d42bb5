// Termination (mpstk): deadlock free, and every run is finite — i.e. the
// explored graph has no reachable cycle.
#include "lim/properties/graph_analysis.hpp"
#include "lim/properties/stuck_configuration.hpp"
#include "lim/properties/synchronous_properties.hpp"
#include "lim/properties/synchronous_trace.hpp"

namespace lim::properties {

report::PropertyResult check_termination(const SynchronousSemantics& semantics, const explore::StateSpace& space) {
  report::PropertyResult result;
  result.property = "termination";
  if (auto deadlock = first_deadlock(semantics, space)) {
    result.verdict = report::Verdict::Violated;
    result.counterexample = std::move(deadlock);
    return result;
  }
  if (const auto cycle = first_cycle(space)) {
    result.verdict = report::Verdict::Violated;
    result.counterexample = counterexample_at(semantics, space, cycle->state,
                                              "the roles can interact forever: the cycle repeats without end");
    result.counterexample->cycle = describe_path(semantics, space, cycle->cycle);
    return result;
  }
  return no_violation_found("termination", space);
}

}  // namespace lim::properties
