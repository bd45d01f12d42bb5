#pragma once
// The three guard checks of a system, for all values of the payload and of
// the receiving role's state variables: at every receiving state, the
// branches for one label from one peer
//   - are satisfiable   (no dead branch),
//   - are pairwise disjoint (the data decides the branch: deterministic),
//   - are exhaustive    (no message of that label falls through), unless
//     the state has a wildcard, which takes what the guards leave.
// A violation comes with Z3's model as a concrete witness.
#include <optional>
#include <string>
#include <vector>

#include "lim/automata/system.hpp"
#include "lim/refine/guard_solver.hpp"

namespace lim::refine {

struct GuardFinding {
  enum class Kind {
    Overlap,  // two branches accept the same message
    Gap,      // no branch accepts some message of the label
    Dead,     // a branch accepts no message at all
    Unknown,  // the solver could not decide within its time limit
  };
  Kind kind = Kind::Overlap;
  automata::RoleId role = 0;
  automata::StateId state = 0;
  automata::RoleId peer = 0;
  automata::LabelId label = 0;
  // The branches involved: indices into the role's transitions, and their
  // 1-based rank among the state's branches for this label.
  std::vector<std::uint32_t> transitions;
  std::vector<std::uint32_t> ranks;
  std::optional<Witness> witness;
  std::string message;  // the finding in words, with the witness
  SourceLocation location;
};

struct GuardCheckReport {
  std::size_t offers = 0;  // (state, peer, label) groups with guards
  std::size_t guards = 0;
  std::vector<GuardFinding> findings;
  SolverStatistics solver;
  double seconds = 0;  // the whole check, solver included
  bool any(GuardFinding::Kind kind) const;
};

// Checks every guarded receive of `system` (nothing when it has no guards).
GuardCheckReport check_guards(const automata::System& system,
                              std::chrono::milliseconds per_query = std::chrono::milliseconds(10000));

}  // namespace lim::refine
