#pragma once
// System → the kmc `--fsm` / GMC CFSM format (`lim export --to fsm`).
// Machines are written in role order, so partner indices are RoleIds; each
// block is preceded by a `-- role` comment naming the role.
#include <optional>
#include <string>

#include "lim/automata/system.hpp"
#include "lim/syntax/diagnostic.hpp"

namespace lim::formats {

// std::nullopt (with an error) when a machine has no transitions or a
// payload is not a plain name: the format cannot express either.
std::optional<std::string> write_gmc_fsm(const automata::System& system, Diagnostics& diagnostics);

}  // namespace lim::formats
