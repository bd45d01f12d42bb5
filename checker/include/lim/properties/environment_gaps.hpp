#pragma once
// What an untrusted environment can send that a role does not handle: for
// every reachable configuration where a role waits for an environment role,
// the environment's messages to it that none of its receives accepts.
// Safety reports the first such configuration with a trace; this lists them
// all, one entry per role state, which is what a spec author needs to close
// the gaps (the closing states of the dissertation's TCP server, §4.2).
#include <vector>

#include "lim/automata/system.hpp"
#include "lim/explore/compact_space.hpp"
#include "lim/explore/state_space.hpp"
#include "lim/semantics/synchronous.hpp"

namespace lim::properties {

struct EnvironmentGap {
  automata::RoleId role = 0;
  automata::StateId state = 0;         // of `role`'s machine
  automata::RoleId environment = 0;
  std::vector<automata::Action> unhandled;  // the environment's sends, in its alphabet's order
  explore::StateIndex first_seen = 0;      // the BFS-first configuration showing it
};

// In order of first appearance (BFS order), so the first gap is the one the
// safety counterexample shows.
std::vector<EnvironmentGap> environment_gaps(const semantics::SynchronousSemantics& semantics,
                                             const explore::StateSpace& space);
std::vector<EnvironmentGap> environment_gaps(const semantics::SynchronousSemantics& semantics,
                                             const explore::CompactSpace& space);

}  // namespace lim::properties
