#include "lim/automata/csa.hpp"

namespace lim::automata {

std::vector<Nondeterminism> find_nondeterminism(const System& system) {
  std::vector<Nondeterminism> found;
  for (RoleId role = 0; role < system.role_count(); ++role) {
    const auto& machine = system.machines[role];
    for (StateId state = 0; state < machine.state_count(); ++state) {
      const auto outgoing = machine.outgoing(state);
      const auto base = machine.first_outgoing_index(state);
      // States have few transitions: the quadratic scan beats hashing here.
      for (std::size_t i = 0; i < outgoing.size(); ++i)
        for (std::size_t j = i + 1; j < outgoing.size(); ++j)
          if (outgoing[i].action == outgoing[j].action)
            found.push_back({role, state, static_cast<std::uint32_t>(base + i),
                             static_cast<std::uint32_t>(base + j)});
    }
  }
  return found;
}

std::vector<MixedState> find_mixed_states(const System& system) {
  std::vector<MixedState> found;
  for (RoleId role = 0; role < system.role_count(); ++role) {
    const auto& machine = system.machines[role];
    for (StateId state = 0; state < machine.state_count(); ++state)
      if (machine.kind(state) == StateKind::Mixed) found.push_back({role, state});
  }
  return found;
}

std::vector<UndirectedState> find_undirected_states(const System& system) {
  std::vector<UndirectedState> found;
  for (RoleId role = 0; role < system.role_count(); ++role) {
    const auto& machine = system.machines[role];
    for (StateId state = 0; state < machine.state_count(); ++state) {
      const auto outgoing = machine.outgoing(state);
      bool directed = true;
      for (const auto& transition : outgoing)
        for (const auto& other : outgoing)
          if (transition.action.direction == other.action.direction &&
              transition.action.peer != other.action.peer)
            directed = false;
      if (!directed) found.push_back({role, state});
    }
  }
  return found;
}

}  // namespace lim::automata
