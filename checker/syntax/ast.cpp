#include "lim/syntax/ast.hpp"

namespace lim::syntax {

TypeId unfold(const Context& context, TypeId type) {
  // On a guarded, resolved type every step lands on a distinct Recursion or
  // Variable node before a communication or `end`, so more steps than there
  // are nodes means an unguarded (or broken) type.
  for (std::size_t steps = 0; steps <= context.nodes.size(); ++steps) {
    if (type >= context.nodes.size()) return kNoType;
    const TypeNode& node = context.nodes[type];
    if (node.kind != TypeKind::Recursion && node.kind != TypeKind::Variable) return type;
    type = node.body;
  }
  return kNoType;
}

// Binding strength of binary operators; higher binds tighter. Comparisons
// bind looser than the bitwise operators (as in Rust, unlike C), so that
// `flags & 0x10 != 0` means what it says.
int precedence(Operator op) {
  switch (op) {
    case Operator::Or: return 1;
    case Operator::And: return 2;
    case Operator::Equal:
    case Operator::NotEqual:
    case Operator::Less:
    case Operator::LessEqual:
    case Operator::Greater:
    case Operator::GreaterEqual: return 3;
    case Operator::BitOr: return 4;
    case Operator::BitXor: return 5;
    case Operator::BitAnd: return 6;
    case Operator::ShiftLeft:
    case Operator::ShiftRight: return 7;
    case Operator::Add:
    case Operator::Subtract: return 8;
    case Operator::Multiply:
    case Operator::Divide:
    case Operator::Remainder: return 9;
    default: return 0;
  }
}

bool is_scalar_type(std::string_view name) {
  return name == "u8" || name == "u16" || name == "u32" || name == "u64" || name == "bool" || name == "Bool";
}

}  // namespace lim::syntax
