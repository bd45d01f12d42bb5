#pragma once
// Local types → CFSMs. Each Select, Branch or End node of a type becomes its
// own state: distinct syntactic paths never merge (unlike kmc's front end,
// which identifies states by label strings). Recursion and variables are
// resolved to the state of the type they stand for.
#include "lim/automata/system.hpp"
#include "lim/syntax/ast.hpp"

namespace lim::automata {

// `context` must have passed syntax::check_context.
System system_from_context(const syntax::Context& context);

}  // namespace lim::automata
