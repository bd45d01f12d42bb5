#pragma once
// Text → syntax tree. The parser never recurses on sequential prefixes
// (`p⊕a.q&b.…` is a loop), and bounds bracket nesting with a located error,
// so no input can exhaust the stack.
#include <cstddef>
#include <optional>
#include <string_view>

#include "lim/syntax/ast.hpp"
#include "lim/syntax/diagnostic.hpp"
#include "lim/syntax/source.hpp"

namespace lim::syntax {

// Parses a typing context. Returns std::nullopt (with at least one error in
// `diagnostics`) when the text is not a well-formed context. Resolves
// recursion variables to their binders; reports unbound ones.
std::optional<Context> parse_context(const SourceFile& file, Diagnostics& diagnostics);

// Parse + static checks (static_checks.hpp): the only entry point the rest of
// lim uses for `.lim`/`.ctx` files. A returned context is safe to translate.
std::optional<Context> load_context(const SourceFile& file, Diagnostics& diagnostics);

// The canonical name ("Bool", "Int", "String", "Unit") of a builtin ground
// sort written in one of the spellings mpstk accepts ([Bb]ool, [Ii]nt,
// [Ss]tring, [Ss]tr, [Uu]nit), or one of lim's fixed-width scalars (u8,
// u16, u32, u64, named as written); empty when `spelling` names no builtin
// sort.
std::string_view builtin_sort(std::string_view spelling);

// Bracket nesting (`(`, `{`, payload parentheses) deeper than this is
// rejected with a located error. The parser itself is iterative; the bound is
// for later passes, which may recurse on genuinely nested structure (a
// payload type inside a payload type) but never on sequential prefixes.
inline constexpr std::size_t kMaxNesting = 1000;

}  // namespace lim::syntax
