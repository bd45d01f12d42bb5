#pragma once
// Abstract syntax of a typing context in the Less-is-more notation
// (REFERENCE §1): one local type per role.
//
// Types live in an arena (`Context::nodes`) and refer to each other by index.
// That keeps 10^5-deep specs from overflowing the stack in destructors and lets
// every later pass walk the tree with an explicit worklist.
#include <cstdint>
#include <string>
#include <vector>

#include "lim/syntax/source.hpp"

namespace lim::syntax {

using TypeId = std::uint32_t;
inline constexpr TypeId kNoType = ~TypeId{0};

enum class TypeKind : std::uint8_t {
  End,        // end
  Select,     // p⊕{ l_i(S_i).T_i }   internal choice: send one label to p
  Branch,     // p&{ l_i(S_i).T_i }   external choice: receive one label from p
  Recursion,  // μ(t)T  /  rec(t)T
  Variable,   // t
};

// The sort carried by a message. mpstk's default when no payload is written
// is the session type `end`, and lim keeps that convention so that `m` and
// `m(end)` are the same message.
struct PayloadSort {
  enum class Kind : std::uint8_t { Ground, Session };
  Kind kind = Kind::Session;
  // Ground: canonical name. Builtins are spelled "Bool", "Int", "String",
  // "Unit" whatever the source spelling (bool, Str, str, string, ...); a sort
  // declared in the file keeps its declared name.
  std::string ground;
  // Session: the payload type (a closed local type); kNoType stands for the
  // implicit `end` of a message written without payload.
  TypeId session = kNoType;
  SourceLocation location;
};

// One `label(payload).continuation` alternative of a select or branch.
struct Choice {
  std::string label;
  SourceLocation location;  // of the label
  PayloadSort payload;
  TypeId continuation = kNoType;  // always a valid node; `end` is explicit
};

struct TypeNode {
  TypeKind kind = TypeKind::End;
  SourceLocation location;  // first token of the type
  // Select/Branch: the peer role. Recursion/Variable: the recursion variable.
  std::string name;
  SourceLocation name_location;
  std::vector<Choice> choices;  // Select/Branch only, in source order
  // Recursion: its body. Variable: the Recursion node that binds it (filled
  // in by name resolution; kNoType while unresolved).
  TypeId body = kNoType;
};

// `s[p]: T` (mpstk) or `p: T` (lim, session name omitted).
struct RoleEntry {
  std::string session;  // empty when written without `s[...]`
  std::string role;
  SourceLocation location;  // of the role name
  TypeId type = kNoType;
};

// `sort Name;` declares an opaque payload sort, `sort Name = Int;` an alias.
struct SortDeclaration {
  std::string name;
  std::string aliased;  // canonical name of the aliased sort, empty if opaque
  SourceLocation location;
};

struct Context {
  std::vector<TypeNode> nodes;
  std::vector<RoleEntry> entries;
  std::vector<SortDeclaration> sorts;

  const TypeNode& node(TypeId id) const { return nodes.at(id); }
  TypeNode& node(TypeId id) { return nodes.at(id); }
  TypeId add(TypeNode node) {
    nodes.push_back(std::move(node));
    return static_cast<TypeId>(nodes.size() - 1);
  }
};

// Follows Recursion nodes to their bodies and Variables to their binders
// until a Select, Branch or End node is reached: the "state" a type denotes.
// Requires a context that passed the static checks (resolved, guarded); on
// any other context it returns kNoType instead of looping when no such node
// is reached.
TypeId unfold(const Context& context, TypeId type);

}  // namespace lim::syntax
