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

bool is_scalar_type(std::string_view name) {
  return name == "u8" || name == "u16" || name == "u32" || name == "u64" || name == "bool" || name == "Bool";
}

}  // namespace lim::syntax
