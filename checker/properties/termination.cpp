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
  const auto component = strongly_connected_components(space);
  std::vector<std::uint32_t> component_size(space.size() + 1, 0);
  for (explore::StateIndex state = 0; state < space.size(); ++state) ++component_size[component[state]];
  for (explore::StateIndex state = 0; state < space.expanded(); ++state) {
    bool on_cycle = component_size[component[state]] > 1;
    for (auto edge = space.edges_begin(state); !on_cycle && edge < space.edges_end(state); ++edge)
      on_cycle = space.edge_target[edge] == state;
    if (!on_cycle) continue;
    result.verdict = report::Verdict::Violated;
    result.counterexample = counterexample_at(semantics, space, state,
                                              "the roles can interact forever: the cycle repeats without end");
    result.counterexample->cycle = describe_path(semantics, space, shortest_cycle_through(space, state, component));
    return result;
  }
  return no_violation_found("termination", space);
}

}  // namespace lim::properties
