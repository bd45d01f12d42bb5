#pragma once
// System → lim local types (`lim export --to lim`): one `role: type` entry
// per role, which the lim parser reads back into the same automata (up to
// state names). A machine becomes its unfolding from the initial state, with
// a `rec` binder wherever a path returns to a state on it.
//
// Names that are not lim identifiers (kmc fsm roles are numbers, labels such
// as `220`) are prefixed (`p0`, `l220`) and listed in a header comment.
// Payload names that are not builtin sorts are declared with `sort`.
#include <optional>
#include <string>

#include "lim/automata/system.hpp"
#include "lim/syntax/diagnostic.hpp"

namespace lim::formats {

// std::nullopt (with errors) when a state is not expressible as a local
// type: it sends to or receives from several roles, mixes sends and
// receives, or offers one label twice.
std::optional<std::string> write_lim(const automata::System& system, Diagnostics& diagnostics);

}  // namespace lim::formats
