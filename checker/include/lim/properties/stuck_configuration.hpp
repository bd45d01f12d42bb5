#pragma once
// Configurations without synchronous steps, shared by deadlock freedom,
// termination and never-termination.
#include <optional>

#include "lim/explore/compact_space.hpp"
#include "lim/explore/state_space.hpp"
#include "lim/report/verdict.hpp"
#include "lim/semantics/synchronous.hpp"

namespace lim::properties {

// Roles that are not at `end` (environments, which may stop at any time, never wait).
std::vector<automata::RoleId> waiting_roles(const semantics::SynchronousSemantics& semantics,
                                           const std::vector<std::uint32_t>& configuration);
// The same in words, as "alice waits for shop&{price(Int)}; ...".
std::string pending_roles(const semantics::SynchronousSemantics& semantics, const std::vector<std::uint32_t>& configuration);

// Explored configurations without steps, BFS-first: `any` of them, and
// `bad`, the first where some role has not reached `end`.
struct StuckConfigurations {
  std::optional<explore::StateIndex> any;
  std::optional<explore::StateIndex> bad;
};
StuckConfigurations find_stuck_configurations(const semantics::SynchronousSemantics& semantics,
                                              const explore::StateSpace& space);
StuckConfigurations find_stuck_configurations(const semantics::SynchronousSemantics& semantics,
                                              const explore::CompactSpace& space);

// The BFS-first explored configuration with no step where some role has not
// reached `end`, with its shortest trace.
std::optional<report::Counterexample> first_deadlock(const semantics::SynchronousSemantics& semantics,
                                                     const explore::StateSpace& space);

}  // namespace lim::properties
