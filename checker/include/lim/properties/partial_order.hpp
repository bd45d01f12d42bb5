#pragma once
// What a partial-order reduction (semantics/ample_sets.hpp) must keep for
// each asynchronous property, and which properties it can serve at all.
//
// Only the properties of reachable configurations (is_reachability_property:
// k-obi, orphan messages, deadlock freedom without environments) are
// decided on a reduced state space. The others look at the graph — what
// every path reaches (k-safety, k-exhaustivity, k-sibi), paths themselves
// (k-cibi), environment moves after a configuration (deadlock freedom with
// an environment) — and a reduced graph drops exactly the interleavings
// they quantify over; they are explored in full.
#include <vector>

#include "lim/automata/system.hpp"
#include "lim/properties/asynchronous_properties.hpp"
#include "lim/semantics/asynchronous.hpp"

namespace lim::properties {

// The properties a reduced exploration must preserve: `properties` when a
// reduction was asked for, the compact store is used and every property is
// one a reduction preserves; empty (no reduction) otherwise.
std::vector<AsyncProperty> reduction_for(const AsyncExploreOptions& options,
                                         const std::vector<AsyncProperty>& properties,
                                         const automata::System& system);

// Why a reduction asked for is not applied (empty when it is, or was not asked for).
std::string why_not_reduced(const AsyncExploreOptions& options, const std::vector<AsyncProperty>& properties,
                            const automata::System& system);

// Per global transition of `semantics`: whether it can change what one of
// `properties` looks at in a configuration (the C2 condition's visible
// transitions). None for deadlocks: a persistent-set reduction keeps every
// reachable deadlock by itself.
std::vector<char> visible_transitions(const semantics::AsynchronousSemantics& semantics,
                                      const std::vector<AsyncProperty>& properties);

}  // namespace lim::properties
