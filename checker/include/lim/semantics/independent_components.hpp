#pragma once
// Roles that never communicate, directly or through others, evolve
// independently: the asynchronous state space is the product of the
// components' state spaces, and every k-MC property is decided per component
// (asynchronous_properties.hpp states how each one combines). Exploring the
// components one by one is exact, and turns a product of n pairs of size m
// into n explorations of size m — what kmc's partial-order reduction
// approximates on its benchmark families.
#include <vector>

#include "lim/automata/system.hpp"

namespace lim::semantics {

// Groups of roles: p and q share a group when a transition of p names q or a
// transition of q names p, closed transitively. Each group is sorted; groups
// are ordered by their smallest role.
std::vector<std::vector<automata::RoleId>> independent_components(const automata::System& system);

}  // namespace lim::semantics
