#pragma once
// Communicating session automata (REFERENCE §3): a machine is a CSA when it
// is deterministic and has no mixed states. Directedness ("basic") is the
// further condition k-MC's soundness theorem needs for directed systems.
#include <vector>

#include "lim/automata/system.hpp"

namespace lim::automata {

// Two transitions of one state with the same action.
struct Nondeterminism {
  RoleId role = 0;
  StateId state = 0;
  std::uint32_t first = 0;   // transition indices
  std::uint32_t second = 0;
};

struct MixedState {
  RoleId role = 0;
  StateId state = 0;
};

// A state that sends to (or receives from) more than one partner.
struct UndirectedState {
  RoleId role = 0;
  StateId state = 0;
};

std::vector<Nondeterminism> find_nondeterminism(const System& system);
std::vector<MixedState> find_mixed_states(const System& system);
std::vector<UndirectedState> find_undirected_states(const System& system);

}  // namespace lim::automata
