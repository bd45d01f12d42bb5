// Deadlock freedom (mpstk): a configuration where no interaction can happen
// has every role at `end`.
#include <fmt/format.h>

#include "lim/properties/synchronous_properties.hpp"
#include "lim/properties/synchronous_trace.hpp"
#include "lim/properties/stuck_configuration.hpp"

namespace lim::properties {

report::PropertyResult check_deadlock_freedom(const SynchronousSemantics& semantics,
                                              const explore::StateSpace& space) {
  if (auto deadlock = first_deadlock(semantics, space)) {
    report::PropertyResult result;
    result.property = "deadlock-freedom";
    result.verdict = report::Verdict::Violated;
    result.counterexample = std::move(deadlock);
    return result;
  }
  return no_violation_found("deadlock-freedom", space);
}

}  // namespace lim::properties
