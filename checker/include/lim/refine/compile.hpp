#pragma once
// Typing and compilation of the data-aware parts of a context: names are
// resolved (payload binder, predicate parameters, state variables of the
// guard's role, constants), widths are inferred and checked, predicates are
// expanded at their uses, constants are evaluated, and every guard becomes
// a Program. Each problem is a located error.
#include <optional>

#include "lim/refine/refinements.hpp"
#include "lim/syntax/ast.hpp"
#include "lim/syntax/diagnostic.hpp"

namespace lim::refine {

// `context` must have passed syntax::check_context. Returns std::nullopt
// (with errors in `diagnostics`) when a guard, constant, predicate or timeout
// is ill-typed. A context without any data-aware feature compiles to an
// empty table.
std::optional<Refinements> compile_refinements(const syntax::Context& context, Diagnostics& diagnostics);

// A compiled guard may not grow beyond this many instructions once its
// predicates are expanded (the expansion of nested predicates multiplies).
inline constexpr std::size_t kMaxGuardInstructions = 1'000'000;

}  // namespace lim::refine
