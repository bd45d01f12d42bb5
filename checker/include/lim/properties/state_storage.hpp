#pragma once
// How an exploration stores what it visits, for either semantics. The graph
// store (explore/state_space.hpp) keeps every edge and a BFS parent per
// configuration, which the properties that look at the graph need: what
// some path reaches from each configuration, cycles, fixpoints, paths
// searched edge by edge. The compact one (explore/compact_space.hpp) keeps
// only the configurations, tree-compressed, and whether each has a move:
// enough for the properties of reachable configurations, at a tenth of the
// memory. Automatic and Compact both pick the compact store exactly when
// every property asked is of that kind (asynchronous_properties.hpp,
// synchronous_properties.hpp: storage_for).
#include <optional>
#include <string_view>

namespace lim::properties {

enum class StateStorage { Automatic, Graph, Compact };
std::string_view name(StateStorage storage);  // "auto", "graph", "compact"
std::optional<StateStorage> parse_state_storage(std::string_view name);

}  // namespace lim::properties
