#pragma once
// Local types → CFSMs. Each Select, Branch or End node of a type becomes its
// own state: distinct syntactic paths never merge (unlike kmc's front end,
// which identifies states by label strings). Recursion and variables are
// resolved to the state of the type they stand for.
//
// The data-aware parts translate as follows: a guarded branch is a receive
// carrying its guard (Action::guard); `timeout(d).T` is a Direction::Timeout
// transition whose label indexes System::timeouts; `_ . T` becomes one
// receive per message the peer may send that the branch does not name
// (System::wildcards records them); an `env` role is one state that sends
// its alphabet and receives everything sent to it.
#include <optional>

#include "lim/automata/system.hpp"
#include "lim/syntax/ast.hpp"
#include "lim/syntax/diagnostic.hpp"

namespace lim::automata {

// `context` must have passed syntax::check_context. Guards, constants and
// timeouts are compiled first (refine::compile_refinements): std::nullopt,
// with the errors in `diagnostics`, when they are ill-typed.
std::optional<System> system_from_context(const syntax::Context& context, Diagnostics& diagnostics);

// The same for a context known to compile; throws std::invalid_argument
// listing the errors otherwise.
System system_from_context(const syntax::Context& context);

}  // namespace lim::automata
