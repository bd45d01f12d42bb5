#pragma once
// Configurations without synchronous steps, shared by deadlock freedom,
// termination and never-termination.
#include <optional>

#include "lim/explore/state_space.hpp"
#include "lim/report/verdict.hpp"
#include "lim/semantics/synchronous.hpp"

namespace lim::properties {

// Roles that are not at `end`, as "alice waits for shop&{price(Int)}; ...".
std::string pending_roles(const semantics::SynchronousSemantics& semantics, const std::vector<std::uint32_t>& configuration);

// The BFS-first explored configuration with no step where some role has not
// reached `end`, with its shortest trace.
std::optional<report::Counterexample> first_deadlock(const semantics::SynchronousSemantics& semantics,
                                                     const explore::StateSpace& space);

}  // namespace lim::properties
