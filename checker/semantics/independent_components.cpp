#include "lim/semantics/independent_components.hpp"

#include <numeric>

namespace lim::semantics {

std::vector<std::vector<automata::RoleId>> independent_components(const automata::System& system) {
  const auto count = system.role_count();
  std::vector<automata::RoleId> parent(count);
  std::iota(parent.begin(), parent.end(), automata::RoleId{0});
  const auto find = [&](automata::RoleId role) {
    while (parent[role] != role) role = parent[role] = parent[parent[role]];
    return role;
  };
  for (automata::RoleId role = 0; role < count; ++role)
    for (const auto& transition : system.machines[role].transitions()) {
      const auto a = find(role);
      const auto b = find(transition.action.peer);
      if (a != b) parent[std::max(a, b)] = std::min(a, b);
    }
  std::vector<std::vector<automata::RoleId>> components;
  std::vector<std::size_t> index_of_root(count, count);
  for (automata::RoleId role = 0; role < count; ++role) {
    const auto root = find(role);
    if (index_of_root[root] == count) {
      index_of_root[root] = components.size();
      components.emplace_back();
    }
    components[index_of_root[root]].push_back(role);
  }
  return components;
}

}  // namespace lim::semantics
