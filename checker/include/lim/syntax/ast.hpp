#pragma once
// Abstract syntax of a typing context in the Less-is-more notation
// (REFERENCE §1): one local type per role.
//
// Types live in an arena (`Context::nodes`) and refer to each other by index.
// That keeps 10^5-deep specs from overflowing the stack in destructors and lets
// every later pass walk the tree with an explicit worklist.
#include <cstdint>
#include <string>
#include <string_view>
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

// ---- guard expressions -------------------------------------------------------
//
// Expressions (guards, predicate bodies, constant values) live in their own
// arena, `Context::expressions`. A node's operands always have smaller ids
// than the node itself: the parser creates operands first. Every later pass
// (typing, compilation, printing) can therefore walk an expression with a
// loop or a bounded explicit stack, never by unbounded recursion.
using ExprId = std::uint32_t;
inline constexpr ExprId kNoExpr = ~ExprId{0};

enum class ExprKind : std::uint8_t {
  Number,   // 42, 0xFF, 500ms (`value` holds it; `name` the spelling)
  Boolean,  // true / false (`value` is 1 / 0)
  Name,     // a constant, state variable, payload binder or predicate parameter
  Field,    // binder.field: `name` is the binder, `field` the field
  Call,     // name(operands…): a predicate or a builtin (seq_lt, u32, …)
  Unary,    // `op` operand
  Binary,   // operand `op` operand
};

enum class Operator : std::uint8_t {
  None,
  // unary
  Not,         // !
  Negate,      // -
  Complement,  // ~
  // binary, from the loosest to the tightest binding (docs/language.md §13)
  Or,            // ||
  And,           // &&
  Equal,         // ==
  NotEqual,      // !=
  Less,          // <
  LessEqual,     // <=
  Greater,       // >
  GreaterEqual,  // >=
  BitOr,         // |
  BitXor,        // ^
  BitAnd,        // &
  ShiftLeft,     // <<
  ShiftRight,    // >>
  Add,           // +
  Subtract,      // -
  Multiply,      // *
  Divide,        // /
  Remainder,     // %
};

struct ExprNode {
  ExprKind kind = ExprKind::Number;
  Operator op = Operator::None;
  SourceLocation location;  // of the literal, name or operator
  std::string name;
  std::string field;
  std::uint64_t value = 0;
  bool duration = false;  // Number written with a unit (ms, s, min): `value` is milliseconds
  std::vector<ExprId> operands;
  std::uint32_t depth = 1;  // height of the expression tree rooted here
};

// The sort carried by a message. mpstk's default when no payload is written
// is the session type `end`, and lim keeps that convention so that `m` and
// `m(end)` are the same message.
struct PayloadSort {
  enum class Kind : std::uint8_t { Ground, Session };
  Kind kind = Kind::Session;
  // Ground: canonical name. Builtins are spelled "Bool", "Int", "String",
  // "Unit", "u8", "u16", "u32", "u64" whatever the source spelling (bool,
  // Str, str, string, ...); a sort or record declared in the file keeps its
  // declared name.
  std::string ground;
  // Session: the payload type (a closed local type); kNoType stands for the
  // implicit `end` of a message written without payload.
  TypeId session = kNoType;
  SourceLocation location;
};

enum class ChoiceKind : std::uint8_t {
  Message,   // label(payload) [if guard] . T
  Timeout,   // timeout(500ms) . T / timeout(rto) . T   (branches only)
  Wildcard,  // _ . T: any other message from the peer  (branches only)
};

// One `label(payload).continuation` alternative of a select or branch.
// (The fields lim added come last, with defaults, so that contexts built in
// code as `{label, location, payload, continuation}` still mean a message.)
struct Choice {
  std::string label;        // "timeout" / "_" for the other kinds
  SourceLocation location;  // of the label
  PayloadSort payload;
  TypeId continuation = kNoType;  // always a valid node; `end` is explicit
  ChoiceKind kind = ChoiceKind::Message;
  // `ack(s: segment)`: the name the guard uses for the payload.
  std::string binder = {};
  SourceLocation binder_location = {};
  ExprId guard = kNoExpr;  // `if …`
  // Timeout: a literal duration in milliseconds, or the name of a constant
  // or state variable holding one.
  std::uint64_t timeout_milliseconds = 0;
  std::string timeout_name = {};  // empty: the literal applies
  SourceLocation timeout_location = {};
  // In a select or branch with several peers (`&{ net: {…}, user: {…} }`)
  // each choice names its own peer; empty in a single-peer node (whose
  // `name` is the peer) and for the timeout of a several-peer branch,
  // which waits for all of them.
  std::string peer = {};
  SourceLocation peer_location = {};
};

struct TypeNode {
  TypeKind kind = TypeKind::End;
  SourceLocation location;  // first token of the type
  // Select/Branch: the peer role, empty when the choices name several peers
  // (`⊕{ p: …, q: … }`, see Choice::peer). Recursion/Variable: the
  // recursion variable.
  std::string name;
  SourceLocation name_location;
  std::vector<Choice> choices;  // Select/Branch only, in source order
  // Recursion: its body. Variable: the Recursion node that binds it (filled
  // in by name resolution; kNoType while unresolved).
  TypeId body = kNoType;
};

// `s[p]: T` (mpstk) or `p: T` (lim, session name omitted).
// `env p: q⊕{…} | r⊕{…}` declares an environment role: it is given only the
// messages it may send (`alphabet`, Select nodes whose continuations are
// `end`), and lim checks the other roles against any behaviour within it.
// Its `type` is an End node, so passes that only know local types see a
// role that does nothing.
struct RoleEntry {
  std::string session;  // empty when written without `s[...]`
  std::string role;
  SourceLocation location;  // of the role name
  TypeId type = kNoType;
  bool environment = false;
  std::vector<TypeId> alphabet = {};  // environment roles only
};

// `sort Name;` declares an opaque payload sort, `sort Name = Int;` an alias.
struct SortDeclaration {
  std::string name;
  std::string aliased;  // canonical name of the aliased sort, empty if opaque
  SourceLocation location;
};

// `name: type` in a record, a state block or a predicate's parameters.
struct FieldDeclaration {
  std::string name;
  SourceLocation location;
  std::string type;  // as written: u8 u16 u32 u64 bool, or a record (parameters only)
  SourceLocation type_location;
};

// `record segment { seq: u32, ack: u32, len: u32 }`: a payload sort whose
// fields guards can read.
struct RecordDeclaration {
  std::string name;
  SourceLocation location;
  std::vector<FieldDeclaration> fields;
};

// `const mss: u32 = 1460`
struct ConstantDeclaration {
  std::string name;
  SourceLocation location;
  std::string type;
  SourceLocation type_location;
  ExprId value = kNoExpr;
};

// `state system { rcv_nxt: u32, rcv_wnd: u32 }`: variables each instance of
// the role keeps; guards of that role read them.
struct StateDeclaration {
  std::string session;
  std::string role;
  SourceLocation location;  // of the role name
  std::vector<FieldDeclaration> variables;
};

// `pred acceptable(s: segment) = …`
struct PredicateDeclaration {
  std::string name;
  SourceLocation location;
  std::vector<FieldDeclaration> parameters;
  ExprId body = kNoExpr;
};

struct Context {
  std::vector<TypeNode> nodes;
  std::vector<RoleEntry> entries;
  std::vector<SortDeclaration> sorts;
  std::vector<ExprNode> expressions;
  std::vector<RecordDeclaration> records;
  std::vector<ConstantDeclaration> constants;
  std::vector<StateDeclaration> states;
  std::vector<PredicateDeclaration> predicates;

  const TypeNode& node(TypeId id) const { return nodes.at(id); }
  TypeNode& node(TypeId id) { return nodes.at(id); }
  TypeId add(TypeNode node) {
    nodes.push_back(std::move(node));
    return static_cast<TypeId>(nodes.size() - 1);
  }
  const ExprNode& expression(ExprId id) const { return expressions.at(id); }
  ExprId add_expression(ExprNode node) {
    expressions.push_back(std::move(node));
    return static_cast<ExprId>(expressions.size() - 1);
  }
};

// The fixed-width scalar types of guards: u8 u16 u32 u64 and bool (also
// spelled Bool). Records are not scalars.
// Binding strength of a binary operator, higher binds tighter (0 for any
// other operator). The parser and the printer share it, so that printing
// puts parentheses exactly where parsing needs them.
int precedence(Operator op);

// A select or branch written `⊕{ p: {…}, q: {…} }` / `&{ p: {…}, q: {…}, timeout(d) . T }`:
// its choices name their peers.
inline bool has_several_peers(const TypeNode& node) {
  return (node.kind == TypeKind::Select || node.kind == TypeKind::Branch) && node.name.empty();
}
// The role a choice of a select or branch talks to ("" for the timeout of a
// several-peer branch).
inline const std::string& peer_of(const TypeNode& node, const Choice& choice) {
  return has_several_peers(node) ? choice.peer : node.name;
}
// Choices written as one or-pattern `a(s: T) | b(s: T) if g . T'` share
// their guard and continuation: they are consecutive and have the same
// continuation node (no other construct shares one).
inline bool same_alternative(const Choice& a, const Choice& b) {
  return a.continuation == b.continuation && a.continuation != kNoType;
}

bool is_scalar_type(std::string_view name);

// Follows Recursion nodes to their bodies and Variables to their binders
// until a Select, Branch or End node is reached: the "state" a type denotes.
// Requires a context that passed the static checks (resolved, guarded); on
// any other context it returns kNoType instead of looping when no such node
// is reached.
TypeId unfold(const Context& context, TypeId type);

}  // namespace lim::syntax
