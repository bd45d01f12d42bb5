#pragma once
// Syntax tree → lim concrete syntax (round-trips through the parser).
#include <string>

#include "lim/syntax/ast.hpp"

namespace lim::syntax {

enum class Notation { Unicode, Ascii };

std::string print_type(const Context& context, TypeId type, Notation notation = Notation::Unicode);
std::string print_payload(const Context& context, const PayloadSort& payload,
                          Notation notation = Notation::Unicode);
std::string print_context(const Context& context, Notation notation = Notation::Unicode);
// A guard, predicate body or constant value, with only the parentheses the
// operators' binding strengths require.
std::string print_expression(const Context& context, ExprId expression);

}  // namespace lim::syntax
