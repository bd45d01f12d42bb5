#pragma once
// Asynchronous runs and configurations in the report's vocabulary: each step
// is one send or one receive, and configurations show queue contents.
#include <span>
#include <string>
#include <vector>

#include "lim/explore/compact_space.hpp"
#include "lim/explore/state_space.hpp"
#include "lim/report/verdict.hpp"
#include "lim/semantics/asynchronous.hpp"

namespace lim::properties {

// One explored component (or the whole system): a semantics and its space,
// the graph or, for the properties of reachable configurations alone, the
// compact store (compact_space.hpp) when `compact` is set.
struct ComponentSpace {
  const semantics::AsynchronousSemantics* semantics = nullptr;
  const explore::StateSpace* space = nullptr;
  const explore::CompactSpace* compact = nullptr;

  std::size_t size() const { return compact ? compact->size() : space->size(); }
  std::size_t expanded() const { return compact ? compact->expanded() : space->expanded(); }
  bool has_successors(explore::StateIndex state) const {
    return compact ? compact->has_successors(state) : space->has_successors(state);
  }
};

// A configuration of one component, unpacked.
struct ComponentConfiguration {
  const semantics::AsynchronousSemantics* semantics = nullptr;
  std::vector<std::uint32_t> values;
};

// `hello(Int)`, or `hello` without payload.
std::string describe_message(const automata::System& system, const semantics::Message& message);
// `alice → bob ! hello(Int)` (alice sends) or `alice → bob ? hello(Int)` (bob receives).
report::TraceStep describe_step(const semantics::AsynchronousSemantics& semantics, explore::Move move);
std::vector<report::TraceStep> describe_path(const semantics::AsynchronousSemantics& semantics,
                                             const explore::StateSpace& space,
                                             const std::vector<explore::EdgeIndex>& edges);
// The same for the moves of a run (a CompactSpace stores no edges).
std::vector<report::TraceStep> describe_moves(const semantics::AsynchronousSemantics& semantics,
                                              const std::vector<explore::Move>& moves);
// The whole system's configuration: each listed component at its state, the
// roles of other components at their initial states with empty queues.
report::Configuration describe_configuration(const automata::System& system,
                                             std::span<const ComponentConfiguration> parts);

}  // namespace lim::properties
