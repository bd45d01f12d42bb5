#pragma once
// Graphviz DOT output of the automata (`lim graph`).
#include <optional>
#include <string>

#include "lim/automata/system.hpp"

namespace lim::formats {

// One cluster per role, or only `role` when given.
std::string to_dot(const automata::System& system, std::optional<automata::RoleId> role = std::nullopt);

}  // namespace lim::formats
