#pragma once
// Well-formedness of a parsed context, each violation a located error:
// unguarded or unbound recursion variables, duplicate labels in one choice,
// unknown roles, self-communication, a role given twice, unknown sorts.
#include "lim/syntax/ast.hpp"
#include "lim/syntax/diagnostic.hpp"

namespace lim::syntax {

void check_context(const Context& context, Diagnostics& diagnostics);

}  // namespace lim::syntax
