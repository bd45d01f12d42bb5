#include "lim/syntax/parser.hpp"

#include <algorithm>
#include <array>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "lim/syntax/lexer.hpp"
#include "lim/syntax/static_checks.hpp"

// The grammar (docs/language.md has the full reference):
//
//   context  ::= item*
//   item     ::= entry | env | sort | record | const | state | pred | ',' | ';'
//   entry    ::= ident '[' ident ']' ':' type | ident ':' type
//   env      ::= 'env' role ':' ('end' | sends ('|' sends)*)
//   sends    ::= ident ('⊕' | '(+)') ('{' message (',' message)* '}' | message)
//   message  ::= ident ('(' ident? ')')?
//   sort     ::= 'sort' ident ('=' ident)?
//   record   ::= 'record' ident '{' field (',' field)* ','? '}'
//   const    ::= 'const' ident ':' ident '=' expr
//   state    ::= 'state' role '{' field (',' field)* ','? '}'
//   pred     ::= 'pred' ident '(' (field (',' field)*)? ')' '=' expr
//   field    ::= ident ':' ident
//   type     ::= ident ('⊕' | '(+)' | '&') choices
//              | ('⊕' | '(+)' | '&') '{' group (',' group)* '}'    several peers
//              | ('μ' | 'rec') '(' ident ')' type | ('μ' | 'rec') ident '.' type
//              | 'end' | ident | '(' type ')'
//   group    ::= ident ':' choices | timeout
//   choices  ::= '{' choice (',' choice)* '}' | choice
//   choice   ::= head ('|' head)* ('if' expr)? ('.' type)?          an or-pattern
//              | timeout | '_' ('.' type)?
//   head     ::= ident ('(' payload? ')')?
//   timeout  ::= 'timeout' '(' (number | ident) ')' ('.' type)?
//   payload  ::= ident | type | ident ':' ident
//   expr     ::= infix expressions over numbers, names, binder.field and
//                calls, with the operators of docs/language.md §13
//
// Types are parsed by an explicit pushdown machine rather than recursive
// descent: every construct still waiting for a sub-type is a Frame on a heap
// stack, and a finished sub-type is linked into the slot its frame names.
// A 10^5-long `p⊕a.q&b.…` chain therefore costs heap, never C++ stack.
// Expressions use an operator-precedence (shunting-yard) loop with explicit
// operand and operator stacks, for the same reason.

namespace lim::syntax {

namespace {

constexpr std::size_t kMaxSyntaxErrors = 20;
constexpr std::string_view kExpectType = "a session type";
constexpr std::string_view kExpectLabel = "a label";
constexpr std::string_view kExpectVariable = "a recursion variable";
constexpr std::string_view kExpectEntry = "an entry 'role: type'";
constexpr std::string_view kExpectSortName = "a sort name";
constexpr std::string_view kExpectExpression = "an expression";
constexpr std::string_view kExpectTypeName = "a type name";
constexpr std::string_view kExpectName = "a name";
constexpr std::string_view kExpectDuration = "a duration (500ms, 2s) or a name";
constexpr std::string_view kExpectOperator = "an operator";

// A construct that has been opened and waits for a sub-type (or a closing
// token) before it is complete.
enum class FrameKind : std::uint8_t {
  Parenthesis,    // '(' type ')'            waits for the type, then ')'
  RecursionBody,  // μ(t) type               waits for the body
  Choices,        // p⊕{ … } or p⊕ choice    waits for its choices to finish
  Continuation,   // label(S) . type         waits for the continuation
  Payload,        // label( type )           waits for the payload type, then ')'
};

struct Frame {
  FrameKind kind;
  TypeId node = kNoType;     // RecursionBody, Choices, Continuation, Payload
  std::uint32_t choice = 0;  // Continuation, Payload: index into node's choices
  bool braced = false;       // Choices: written with '{ … }'
  bool bracket = false;      // counts towards the nesting bound
  // Choices written with several peers, `&{ p: {…}, q: …, timeout(d) . T }`:
  // the token naming the current group's peer (kNoPeer for the timeout) and
  // whether the group has braces of its own.
  bool several_peers = false;
  bool group_braced = false;
  std::size_t group_peer = 0;
  // The first choice of the or-pattern being read (`a | b if g . T`): every
  // head from it on gets the guard and continuation that follow.
  std::uint32_t pattern_start = 0;
  bool pattern_continues = false;  // a '|' was read: the next choice is another head
};

constexpr std::size_t kNoPeer = ~std::size_t{0};

// What the type machine does next. Choices and peer groups are steps of
// their own rather than calls, so that a choice of 10^6 labels is a loop,
// not 10^6 nested calls.
enum class Step : std::uint8_t { NeedType, NextChoice, NextGroup, Complete, Failed };

// A payload written as a bare identifier that is neither a builtin sort nor
// followed by ⊕/&: a declared sort or a recursion variable. Sorts may be
// declared anywhere in the file, so the decision waits for the end of input.
struct PendingPayload {
  TypeId node;
  std::uint32_t choice;
  TypeId binder;  // innermost recursion binding the name here, or kNoType
  // `timeout(x)` in a branch: unless `x` turns out to be a sort (or a
  // recursion variable), this is a timeout branch waiting `x`.
  bool timeout = false;
};

// An operator waiting for its right operand, or an open '(' / call.
struct PendingOperator {
  enum class Kind : std::uint8_t { Unary, Binary, Parenthesis, Call };
  Kind kind = Kind::Binary;
  Operator op = Operator::None;
  SourceLocation location;
  std::string name;         // Call: the callee
  std::uint32_t operands = 0;  // Call: operand-stack size when the call opened
};

Operator binary_operator(TokenKind kind) {
  switch (kind) {
    case TokenKind::OrOr: return Operator::Or;
    case TokenKind::AndAnd: return Operator::And;
    case TokenKind::EqualsEquals: return Operator::Equal;
    case TokenKind::BangEquals: return Operator::NotEqual;
    case TokenKind::Less: return Operator::Less;
    case TokenKind::LessEqual: return Operator::LessEqual;
    case TokenKind::Greater: return Operator::Greater;
    case TokenKind::GreaterEqual: return Operator::GreaterEqual;
    case TokenKind::Bar: return Operator::BitOr;
    case TokenKind::Caret: return Operator::BitXor;
    case TokenKind::Branch: return Operator::BitAnd;  // `&` is bitwise and inside expressions
    case TokenKind::ShiftLeft: return Operator::ShiftLeft;
    case TokenKind::ShiftRight: return Operator::ShiftRight;
    case TokenKind::Plus: return Operator::Add;
    case TokenKind::Minus: return Operator::Subtract;
    case TokenKind::Star: return Operator::Multiply;
    case TokenKind::Slash: return Operator::Divide;
    case TokenKind::Percent: return Operator::Remainder;
    default: return Operator::None;
  }
}

Operator unary_operator(TokenKind kind) {
  switch (kind) {
    case TokenKind::Bang: return Operator::Not;
    case TokenKind::Minus: return Operator::Negate;
    case TokenKind::Tilde: return Operator::Complement;
    default: return Operator::None;
  }
}

// A number token's value: decimal, 0x hexadecimal or 0b binary digits with
// optional '_' separators, and for decimals an optional duration unit (ms,
// s, min) that scales the value to milliseconds.
struct NumberValue {
  std::uint64_t value = 0;
  bool duration = false;
};

std::optional<NumberValue> parse_number(std::string_view text) {
  unsigned base = 10;
  if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
    base = 16;
    text.remove_prefix(2);
  } else if (text.size() > 2 && text[0] == '0' && (text[1] == 'b' || text[1] == 'B')) {
    base = 2;
    text.remove_prefix(2);
  }
  std::uint64_t scale = 1;
  NumberValue number;
  if (base == 10) {
    static constexpr std::array<std::pair<std::string_view, std::uint64_t>, 3> kUnits{
        {{"ms", 1}, {"min", 60000}, {"s", 1000}}};
    for (const auto& [unit, factor] : kUnits) {
      if (text.size() > unit.size() && text.ends_with(unit)) {
        text.remove_suffix(unit.size());
        scale = factor;
        number.duration = true;
        break;
      }
    }
  }
  bool digits = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '_') {
      // Separators only between digits: `1_000`, not `_1` or `1_`.
      if (!digits || i + 1 == text.size()) return std::nullopt;
      continue;
    }
    unsigned digit = 0;
    if (c >= '0' && c <= '9') {
      digit = static_cast<unsigned>(c - '0');
    } else if (c >= 'a' && c <= 'f') {
      digit = static_cast<unsigned>(c - 'a' + 10);
    } else if (c >= 'A' && c <= 'F') {
      digit = static_cast<unsigned>(c - 'A' + 10);
    } else {
      return std::nullopt;
    }
    if (digit >= base) return std::nullopt;
    if (number.value > (~std::uint64_t{0} - digit) / base) return std::nullopt;
    number.value = number.value * base + digit;
    digits = true;
  }
  if (!digits) return std::nullopt;
  if (number.value > ~std::uint64_t{0} / scale) return std::nullopt;
  number.value *= scale;
  return number;
}

class Parser {
 public:
  Parser(const SourceFile& file, Diagnostics& diagnostics)
      : diagnostics_(diagnostics), tokens_(tokenize(file)) {}

  std::optional<Context> run() {
    while (!at(TokenKind::EndOfInput)) {
      if (syntax_errors_ >= kMaxSyntaxErrors) {
        diagnostics_.note(peek().location, "too many errors; giving up");
        break;
      }
      item_start_ = next_;
      if (!parse_item()) recover();
    }
    resolve_sort_aliases();
    resolve_pending_payloads();
    if (failed_) return std::nullopt;
    return std::move(context_);
  }

 private:
  // ---- tokens -------------------------------------------------------------

  const Token& peek(std::size_t ahead = 0) const {
    return tokens_[std::min(next_ + ahead, tokens_.size() - 1)];
  }
  bool at(TokenKind kind, std::size_t ahead = 0) const { return peek(ahead).kind == kind; }
  bool at_choice_symbol(std::size_t ahead) const {
    return at(TokenKind::Select, ahead) || at(TokenKind::Branch, ahead);
  }

  const Token& advance() {
    expected_.clear();
    const Token& token = tokens_[next_];
    if (next_ + 1 < tokens_.size()) ++next_;
    return token;
  }

  // Records that `what` would have been acceptable at the current token, so
  // that a syntax error there can list every alternative the grammar had.
  void expect(std::string_view what) {
    if (std::find(expected_.begin(), expected_.end(), what) == expected_.end()) {
      expected_.push_back(what);
    }
  }

  bool accept(TokenKind kind) {
    if (at(kind)) {
      advance();
      return true;
    }
    expect(describe(kind));
    return false;
  }

  // ---- errors -------------------------------------------------------------

  void error(SourceLocation where, std::string message) {
    failed_ = true;
    diagnostics_.error(where, std::move(message));
  }

  // A syntax error at the current token: what was expected, what was found.
  Step syntax_error() {
    std::string alternatives;
    for (std::size_t i = 0; i < expected_.size(); ++i) {
      if (i > 0) alternatives += " or ";
      alternatives += expected_[i];
    }
    const Token& found = peek();
    std::string message;
    if (found.kind == TokenKind::EndOfInput || found.kind == TokenKind::Invalid) {
      // A lexical problem is the news here, not the grammar's alternatives.
      message = found.kind == TokenKind::EndOfInput ? "unexpected end of input" : describe(found);
      if (!alternatives.empty()) message += ", expected " + alternatives;
    } else if (alternatives.empty()) {
      message = "unexpected " + describe(found);
    } else {
      message = "expected " + alternatives + " but found " + describe(found);
    }
    ++syntax_errors_;
    error(found.location, std::move(message));
    return Step::Failed;
  }

  bool nesting_allowed(const Token& opening) {
    if (brackets_ < kMaxNesting) return true;
    ++syntax_errors_;
    error(opening.location,
          "nesting deeper than " + std::to_string(kMaxNesting) + " levels is not supported");
    return false;
  }

  // After a syntax error, skip to the next tokens that can only start an item
  // (`ident :`, `ident [ ident ] :`, `sort ident`), so that one mistake does
  // not hide the errors in later entries. The scan starts one token back
  // because the token before the error may begin the next entry
  // (`q⊕ s[q]: …` fails at '[' after taking `s` for a label).
  void recover() {
    frames_.clear();
    brackets_ = 0;
    scopes_.clear();
    std::size_t i = std::max(item_start_ + 1, next_ == 0 ? 0 : next_ - 1);
    for (; i + 1 < tokens_.size(); ++i) {
      if (starts_item(i)) break;
    }
    next_ = std::min(i, tokens_.size() - 1);
    expected_.clear();
  }

  bool starts_item(std::size_t i) const {
    const auto kind = [&](std::size_t k) {
      return i + k < tokens_.size() ? tokens_[i + k].kind : TokenKind::EndOfInput;
    };
    if (kind(0) != TokenKind::Identifier) return false;
    // `(s: segment)` binds a payload and `{ seq: u32 }` declares a field:
    // neither starts an entry.
    const bool nested = i > 0 && (tokens_[i - 1].kind == TokenKind::LeftParen ||
                                  tokens_[i - 1].kind == TokenKind::LeftBrace);
    if (kind(1) == TokenKind::Colon && !nested) return true;
    if (kind(1) == TokenKind::LeftBracket && kind(2) == TokenKind::Identifier &&
        kind(3) == TokenKind::RightBracket && kind(4) == TokenKind::Colon) {
      return true;
    }
    // `sort X` declares a sort unless `X :` or `X [` starts an entry.
    if (tokens_[i].text == "sort" && kind(1) == TokenKind::Identifier && kind(2) != TokenKind::Colon &&
        kind(2) != TokenKind::LeftBracket) {
      return true;
    }
    return declaration_at(i) != Declaration::None;
  }

  // The declarations lim adds, recognised by their first three tokens so
  // that a role called `state` or `env` (`state: T`) is still an entry.
  enum class Declaration : std::uint8_t { None, Environment, Record, Constant, State, Predicate };

  Declaration declaration_at(std::size_t i) const {
    const auto kind = [&](std::size_t k) {
      return i + k < tokens_.size() ? tokens_[i + k].kind : TokenKind::EndOfInput;
    };
    if (kind(0) != TokenKind::Identifier || kind(1) != TokenKind::Identifier) return Declaration::None;
    const std::string_view word = tokens_[i].text;
    const bool role_header = kind(2) == TokenKind::Colon || kind(2) == TokenKind::LeftBracket;
    if (word == "env" && role_header) return Declaration::Environment;
    if (word == "record" && kind(2) == TokenKind::LeftBrace) return Declaration::Record;
    if (word == "const" && kind(2) == TokenKind::Colon) return Declaration::Constant;
    if (word == "state" && (kind(2) == TokenKind::LeftBrace || kind(2) == TokenKind::LeftBracket)) {
      return Declaration::State;
    }
    if (word == "pred" && kind(2) == TokenKind::LeftParen) return Declaration::Predicate;
    return Declaration::None;
  }

  // ---- top level ----------------------------------------------------------

  bool parse_item() {
    // Expectations left over from the previous entry (say '.' after a label)
    // mean the current token might have been meant to continue it.
    const bool previous_could_continue = !expected_.empty();
    const bool after_item = after_item_;
    after_item_ = false;
    if (at(TokenKind::Comma) || at(TokenKind::Semicolon)) {
      advance();
      return true;
    }
    if (after_item) {
      expect(describe(TokenKind::Comma));
      expect(describe(TokenKind::Semicolon));
    }
    if (at(TokenKind::Identifier)) {
      if (peek().text == "sort" && at(TokenKind::Identifier, 1)) {
        after_item_ = parse_sort();
        return after_item_;
      }
      switch (declaration_at(next_)) {
        case Declaration::Environment: after_item_ = parse_environment(); return after_item_;
        case Declaration::Record: after_item_ = parse_record(); return after_item_;
        case Declaration::Constant: after_item_ = parse_constant(); return after_item_;
        case Declaration::State: after_item_ = parse_state(); return after_item_;
        case Declaration::Predicate: after_item_ = parse_predicate(); return after_item_;
        case Declaration::None: break;
      }
      if (at(TokenKind::Colon, 1) || at(TokenKind::LeftBracket, 1)) {
        after_item_ = parse_entry();
        return after_item_;
      }
      if (!previous_could_continue) {
        // A lone identifier at the start of an item is a role missing its ':'.
        advance();
        expect(describe(TokenKind::Colon));
        expect(describe(TokenKind::LeftBracket));
        syntax_error();
        return false;
      }
    }
    expect(kExpectEntry);
    syntax_error();
    return false;
  }

  bool parse_sort() {
    advance();  // `sort`
    const Token& name = advance();
    SortDeclaration declaration{std::string(name.text), {}, name.location};
    if (accept(TokenKind::Equals)) {
      if (!at(TokenKind::Identifier)) {
        expect(kExpectSortName);
        syntax_error();
        return false;
      }
      const std::string_view target = advance().text;
      const std::string_view builtin = builtin_sort(target);
      declaration.aliased = std::string(builtin.empty() ? target : builtin);
    }
    context_.sorts.push_back(std::move(declaration));
    return true;
  }

  bool parse_entry() {
    RoleEntry entry;
    const Token& first = advance();
    entry.role = std::string(first.text);
    entry.location = first.location;
    if (accept(TokenKind::LeftBracket)) {
      if (!at(TokenKind::Identifier)) {
        expect("a role");
        syntax_error();
        return false;
      }
      const Token& role = advance();
      entry.session = std::move(entry.role);
      entry.role = std::string(role.text);
      entry.location = role.location;
      if (!accept(TokenKind::RightBracket)) {
        syntax_error();
        return false;
      }
    }
    if (!accept(TokenKind::Colon)) {
      syntax_error();
      return false;
    }
    unbound_.clear();
    const std::optional<TypeId> type = parse_type();
    if (!type) return false;
    // Unbound names are reported only for an entry that parsed and is not
    // cut short by a stray character: in `q%⊕m`, `q` reads as a variable but
    // was meant as a peer, and the syntax error already says what is wrong.
    if (!at(TokenKind::Invalid)) {
      for (const TypeId variable : unbound_) {
        error(node(variable).location, "unbound recursion variable '" + node(variable).name + "'");
      }
    }
    entry.type = *type;
    context_.entries.push_back(std::move(entry));
    return true;
  }

  // ---- declarations -------------------------------------------------------

  // `role` or `session[role]`.
  bool parse_role_header(std::string& session, std::string& role, SourceLocation& location) {
    const Token& first = advance();
    role = std::string(first.text);
    location = first.location;
    if (accept(TokenKind::LeftBracket)) {
      if (!at(TokenKind::Identifier)) {
        expect("a role");
        syntax_error();
        return false;
      }
      const Token& name = advance();
      session = std::move(role);
      role = std::string(name.text);
      location = name.location;
      if (!accept(TokenKind::RightBracket)) {
        syntax_error();
        return false;
      }
    }
    return true;
  }

  // `name: type`
  bool parse_field(FieldDeclaration& field) {
    if (!at(TokenKind::Identifier)) {
      expect(kExpectName);
      syntax_error();
      return false;
    }
    const Token& name = advance();
    field.name = std::string(name.text);
    field.location = name.location;
    if (!accept(TokenKind::Colon)) {
      syntax_error();
      return false;
    }
    if (!at(TokenKind::Identifier)) {
      expect(kExpectTypeName);
      syntax_error();
      return false;
    }
    const Token& type = advance();
    field.type = std::string(type.text);
    field.type_location = type.location;
    return true;
  }

  // `{ name: type, … }` (a trailing comma is fine, an empty block too).
  bool parse_field_block(std::vector<FieldDeclaration>& fields) {
    if (!accept(TokenKind::LeftBrace)) {
      syntax_error();
      return false;
    }
    while (!accept(TokenKind::RightBrace)) {
      FieldDeclaration field;
      if (!parse_field(field)) return false;
      fields.push_back(std::move(field));
      if (accept(TokenKind::Comma)) continue;
      if (!accept(TokenKind::RightBrace)) {
        syntax_error();
        return false;
      }
      break;
    }
    return true;
  }

  // `record name { field: type, … }`
  bool parse_record() {
    advance();  // `record`
    const Token& name = advance();
    RecordDeclaration record{std::string(name.text), name.location, {}};
    if (!parse_field_block(record.fields)) return false;
    context_.records.push_back(std::move(record));
    return true;
  }

  // `state role { variable: type, … }`
  bool parse_state() {
    advance();  // `state`
    StateDeclaration state;
    if (!parse_role_header(state.session, state.role, state.location)) return false;
    if (!parse_field_block(state.variables)) return false;
    context_.states.push_back(std::move(state));
    return true;
  }

  // `const name: type = expression`
  bool parse_constant() {
    advance();  // `const`
    ConstantDeclaration constant;
    FieldDeclaration header;
    if (!parse_field(header)) return false;
    constant.name = std::move(header.name);
    constant.location = header.location;
    constant.type = std::move(header.type);
    constant.type_location = header.type_location;
    if (!accept(TokenKind::Equals)) {
      syntax_error();
      return false;
    }
    const std::optional<ExprId> value = parse_expression({});
    if (!value) return false;
    constant.value = *value;
    context_.constants.push_back(std::move(constant));
    return true;
  }

  // `pred name(parameter: type, …) = expression`
  bool parse_predicate() {
    advance();  // `pred`
    const Token& name = advance();
    PredicateDeclaration predicate{std::string(name.text), name.location, {}, kNoExpr};
    advance();  // '('
    if (!accept(TokenKind::RightParen)) {
      for (;;) {
        FieldDeclaration parameter;
        if (!parse_field(parameter)) return false;
        predicate.parameters.push_back(std::move(parameter));
        if (accept(TokenKind::Comma)) continue;
        if (!accept(TokenKind::RightParen)) {
          syntax_error();
          return false;
        }
        break;
      }
    }
    if (!accept(TokenKind::Equals)) {
      syntax_error();
      return false;
    }
    // Parameters of a record type are read with `.field`.
    std::vector<std::string> records;
    for (const FieldDeclaration& parameter : predicate.parameters) {
      if (!is_scalar_type(parameter.type)) records.push_back(parameter.name);
    }
    const std::optional<ExprId> body = parse_expression(records);
    if (!body) return false;
    predicate.body = *body;
    context_.predicates.push_back(std::move(predicate));
    return true;
  }

  // `env role: peer⊕{m1(S), m2} | other⊕m3`, or `env role: end` for an
  // environment that only listens.
  bool parse_environment() {
    advance();  // `env`
    RoleEntry entry;
    entry.environment = true;
    if (!parse_role_header(entry.session, entry.role, entry.location)) return false;
    if (!accept(TokenKind::Colon)) {
      syntax_error();
      return false;
    }
    const SourceLocation start = peek().location;
    if (at(TokenKind::Identifier) && peek().text == "end" && !at_choice_symbol(1)) {
      advance();
    } else {
      for (;;) {
        if (!at(TokenKind::Identifier)) {
          expect("messages 'role⊕{…}' the environment may send");
          syntax_error();
          return false;
        }
        const Token& peer = advance();
        if (!accept(TokenKind::Select)) {
          // An environment only sends: what it receives is anything.
          syntax_error();
          return false;
        }
        const TypeId sends =
            context_.add({TypeKind::Select, peer.location, std::string(peer.text), peer.location, {}, kNoType});
        const bool braced = at(TokenKind::LeftBrace);
        if (braced) advance();
        for (;;) {
          if (!parse_alphabet_message(sends)) return false;
          if (braced && accept(TokenKind::Comma)) continue;
          if (braced && !accept(TokenKind::RightBrace)) {
            syntax_error();
            return false;
          }
          break;
        }
        entry.alphabet.push_back(sends);
        if (!accept(TokenKind::Bar)) break;
      }
    }
    entry.type = context_.add({TypeKind::End, start, {}, {}, {}, kNoType});
    context_.entries.push_back(std::move(entry));
    return true;
  }

  // `label` or `label(Sort)` in an environment's alphabet.
  bool parse_alphabet_message(TypeId sends) {
    if (!at(TokenKind::Identifier)) {
      expect(kExpectLabel);
      syntax_error();
      return false;
    }
    const Token& label = advance();
    Choice choice;
    choice.label = std::string(label.text);
    choice.location = label.location;
    choice.payload.location = label.location;
    choice.continuation = context_.add({TypeKind::End, label.location, {}, {}, {}, kNoType});
    bool declared_sort = false;
    if (accept(TokenKind::LeftParen)) {
      if (at(TokenKind::Identifier)) {
        const Token& sort = advance();
        choice.payload.kind = PayloadSort::Kind::Ground;
        choice.payload.location = sort.location;
        const std::string_view builtin = builtin_sort(sort.text);
        choice.payload.ground = std::string(builtin.empty() ? sort.text : builtin);
        declared_sort = builtin.empty();
      } else if (!at(TokenKind::RightParen)) {
        expect(kExpectSortName);
      }
      if (!accept(TokenKind::RightParen)) {
        syntax_error();
        return false;
      }
    }
    node(sends).choices.push_back(std::move(choice));
    // Resolved once every declaration is known, like any payload name.
    if (declared_sort) {
      pending_.push_back({sends, static_cast<std::uint32_t>(node(sends).choices.size() - 1), kNoType, false});
    }
    return true;
  }

  // ---- expressions ----------------------------------------------------------

  // Reads an expression up to the first token that cannot continue it.
  // `records` are the names (payload binders, predicate parameters) whose
  // `.field` is a field read; anywhere else a '.' ends the expression, which
  // is how `if s.len == 0 . T` finds its continuation.
  std::optional<ExprId> parse_expression(const std::vector<std::string>& records) {
    std::vector<ExprId> operands;
    std::vector<PendingOperator> operators;
    const std::size_t brackets_before = brackets_;
    const auto fail = [&]() -> std::optional<ExprId> {
      brackets_ = brackets_before;
      return std::nullopt;
    };
    bool want_operand = true;
    for (;;) {
      if (want_operand) {
        const Token& token = peek();
        if (token.kind == TokenKind::LeftParen) {
          if (!nesting_allowed(token)) return fail();
          advance();
          ++brackets_;
          operators.push_back({PendingOperator::Kind::Parenthesis, Operator::None, token.location, {}, 0});
          continue;
        }
        if (const Operator op = unary_operator(token.kind); op != Operator::None) {
          advance();
          operators.push_back({PendingOperator::Kind::Unary, op, token.location, {}, 0});
          continue;
        }
        if (token.kind == TokenKind::Number) {
          advance();
          const std::optional<NumberValue> number = parse_number(token.text);
          if (!number) {
            ++syntax_errors_;
            error(token.location, "malformed number " + describe(token) +
                                      " (numbers are decimal, 0x hexadecimal or 0b binary; durations take ms, s "
                                      "or min)");
            return fail();
          }
          ExprNode literal{ExprKind::Number, Operator::None, token.location, std::string(token.text), {},
                           number->value, number->duration, {}, 1};
          operands.push_back(context_.add_expression(std::move(literal)));
          want_operand = false;
          continue;
        }
        if (token.kind == TokenKind::Identifier) {
          advance();
          ExprNode leaf{ExprKind::Name, Operator::None, token.location, std::string(token.text), {}, 0, false, {}, 1};
          if (token.text == "true" || token.text == "false") {
            leaf.kind = ExprKind::Boolean;
            leaf.value = token.text == "true" ? 1 : 0;
          } else if (at(TokenKind::LeftParen)) {
            const Token& paren = peek();
            if (!nesting_allowed(paren)) return fail();
            advance();
            ++brackets_;
            operators.push_back({PendingOperator::Kind::Call, Operator::None, token.location,
                                 std::string(token.text), static_cast<std::uint32_t>(operands.size())});
            if (!at(TokenKind::RightParen)) continue;  // the first argument follows
            advance();
            --brackets_;
            if (!finish_call(operands, operators)) return fail();
            want_operand = false;
            continue;
          } else if (at(TokenKind::Dot) && at(TokenKind::Identifier, 1) &&
                     std::find(records.begin(), records.end(), token.text) != records.end()) {
            advance();  // '.'
            leaf.kind = ExprKind::Field;
            leaf.field = std::string(advance().text);
          }
          operands.push_back(context_.add_expression(std::move(leaf)));
          want_operand = false;
          continue;
        }
        expect(kExpectExpression);
        syntax_error();
        return fail();
      }
      // An operand is complete: a binary operator, ',' / ')' of an open
      // call or parenthesis, or the end of the expression.
      const Token& token = peek();
      if (const Operator op = binary_operator(token.kind); op != Operator::None) {
        while (!operators.empty() && (operators.back().kind == PendingOperator::Kind::Unary ||
                                      (operators.back().kind == PendingOperator::Kind::Binary &&
                                       precedence(operators.back().op) >= precedence(op)))) {
          if (!reduce(operands, operators)) return fail();
        }
        advance();
        operators.push_back({PendingOperator::Kind::Binary, op, token.location, {}, 0});
        want_operand = true;
        continue;
      }
      const bool open = std::any_of(operators.begin(), operators.end(), [](const PendingOperator& pending) {
        return pending.kind == PendingOperator::Kind::Parenthesis || pending.kind == PendingOperator::Kind::Call;
      });
      if (open && (token.kind == TokenKind::Comma || token.kind == TokenKind::RightParen)) {
        while (operators.back().kind == PendingOperator::Kind::Unary ||
               operators.back().kind == PendingOperator::Kind::Binary) {
          if (!reduce(operands, operators)) return fail();
        }
        const PendingOperator::Kind innermost = operators.back().kind;
        if (token.kind == TokenKind::Comma) {
          if (innermost != PendingOperator::Kind::Call) {
            expect(describe(TokenKind::RightParen));
            expect(kExpectOperator);
            syntax_error();
            return fail();
          }
          advance();
          want_operand = true;
          continue;
        }
        advance();  // ')'
        --brackets_;
        if (innermost == PendingOperator::Kind::Parenthesis) {
          operators.pop_back();
        } else if (!finish_call(operands, operators)) {
          return fail();
        }
        continue;
      }
      if (open) {
        expect(describe(TokenKind::RightParen));
        expect(kExpectOperator);
        syntax_error();
        return fail();
      }
      while (!operators.empty()) {
        if (!reduce(operands, operators)) return fail();
      }
      brackets_ = brackets_before;
      return operands.back();
    }
  }

  // Pops the operator on top and its operands into a new node.
  bool reduce(std::vector<ExprId>& operands, std::vector<PendingOperator>& operators) {
    const PendingOperator pending = operators.back();
    operators.pop_back();
    ExprNode node{pending.kind == PendingOperator::Kind::Unary ? ExprKind::Unary : ExprKind::Binary,
                  pending.op, pending.location, {}, {}, 0, false, {}, 1};
    const std::size_t arity = pending.kind == PendingOperator::Kind::Unary ? 1 : 2;
    node.operands.assign(operands.end() - static_cast<std::ptrdiff_t>(arity), operands.end());
    operands.resize(operands.size() - arity);
    return push_node(std::move(node), operands);
  }

  // The call on top of the operator stack has all its arguments.
  bool finish_call(std::vector<ExprId>& operands, std::vector<PendingOperator>& operators) {
    const PendingOperator call = operators.back();
    operators.pop_back();
    ExprNode node{ExprKind::Call, Operator::None, call.location, call.name, {}, 0, false, {}, 1};
    node.operands.assign(operands.begin() + call.operands, operands.end());
    operands.resize(call.operands);
    return push_node(std::move(node), operands);
  }

  // Adds an operator node, bounding the height of expression trees: later
  // passes and the solver may recurse on it, so a 10^5-term chain must be a
  // located error rather than a stack overflow.
  bool push_node(ExprNode node, std::vector<ExprId>& operands) {
    for (const ExprId operand : node.operands) {
      node.depth = std::max(node.depth, context_.expression(operand).depth + 1);
    }
    // Leaves have depth 1: the operators on the way down number depth - 1.
    if (node.depth - 1 > kMaxNesting) {
      ++syntax_errors_;
      error(node.location, "expression nested deeper than " + std::to_string(kMaxNesting) +
                               " operators is not supported");
      return false;
    }
    operands.push_back(context_.add_expression(std::move(node)));
    return true;
  }

  // ---- the type machine ---------------------------------------------------

  std::optional<TypeId> parse_type() {
    frames_.clear();
    brackets_ = 0;
    Step step = Step::NeedType;
    for (;;) {
      switch (step) {
        case Step::NeedType: step = start_type(); break;
        case Step::NextChoice: step = start_choice(frames_.back().node); break;
        case Step::NextGroup: step = start_group(frames_.back().node); break;
        case Step::Complete:
          if (frames_.empty()) return result_;
          step = finish_frame();
          break;
        case Step::Failed: return std::nullopt;
      }
    }
  }

  void push(Frame frame) {
    if (frame.bracket) ++brackets_;
    frames_.push_back(frame);
  }

  Frame pop() {
    const Frame frame = frames_.back();
    frames_.pop_back();
    if (frame.bracket) --brackets_;
    return frame;
  }

  TypeNode& node(TypeId id) { return context_.nodes[id]; }

  // Reads the first tokens of a type: either the whole type (`end`, `t`) or
  // an opening that pushes a frame and asks for a sub-type.
  Step start_type() {
    const Token& token = peek();
    switch (token.kind) {
      case TokenKind::LeftParen:
        if (!nesting_allowed(token)) return Step::Failed;
        advance();
        push({FrameKind::Parenthesis, kNoType, 0, false, true});
        return Step::NeedType;
      case TokenKind::Mu:
        advance();
        return start_recursion(token.location);
      case TokenKind::Select:
      case TokenKind::Branch: return start_several_peers();
      case TokenKind::Identifier: break;
      default:
        expect(kExpectType);
        return syntax_error();
    }
    if (at_choice_symbol(1)) return start_choices();
    if (at_rec_keyword()) {
      advance();
      return start_recursion(token.location);
    }
    advance();
    if (token.text == "end") {
      result_ = context_.add({TypeKind::End, token.location, {}, {}, {}, kNoType});
      return Step::Complete;
    }
    result_ = context_.add(
        {TypeKind::Variable, token.location, std::string(token.text), token.location, {}, lookup(token.text)});
    if (node(result_).body == kNoType) unbound_.push_back(result_);
    return Step::Complete;
  }

  // After `μ` or `rec`: `(t) T` (mpstk) or `t . T` (lim).
  Step start_recursion(SourceLocation location) {
    const Token* name = nullptr;
    if (accept(TokenKind::LeftParen)) {
      if (!at(TokenKind::Identifier)) {
        expect(kExpectVariable);
        return syntax_error();
      }
      name = &advance();
      if (!accept(TokenKind::RightParen)) return syntax_error();
    } else if (at(TokenKind::Identifier)) {
      name = &advance();
      if (!accept(TokenKind::Dot)) return syntax_error();
    } else {
      expect(kExpectVariable);
      return syntax_error();
    }
    const TypeId recursion = context_.add(
        {TypeKind::Recursion, location, std::string(name->text), name->location, {}, kNoType});
    scopes_[std::string(name->text)].push_back(recursion);
    push({FrameKind::RecursionBody, recursion, 0, false, false});
    return Step::NeedType;
  }

  // At `p ⊕` or `p &`.
  Step start_choices() {
    const Token& peer = advance();
    const Token& symbol = advance();
    const TypeKind kind = symbol.kind == TokenKind::Select ? TypeKind::Select : TypeKind::Branch;
    const TypeId choices =
        context_.add({kind, peer.location, std::string(peer.text), peer.location, {}, kNoType});
    if (at(TokenKind::LeftBrace)) {
      if (!nesting_allowed(peek())) return Step::Failed;
      advance();
      push({FrameKind::Choices, choices, 0, true, true});
    } else {
      push({FrameKind::Choices, choices, 0, false, false});
    }
    return Step::NextChoice;
  }

  // At a `⊕` or `&` that no peer precedes: `&{ p: {…}, q: choice, timeout(d) . T }`.
  Step start_several_peers() {
    const Token& symbol = advance();
    const TypeKind kind = symbol.kind == TokenKind::Select ? TypeKind::Select : TypeKind::Branch;
    if (!at(TokenKind::LeftBrace)) {
      expect(kind == TypeKind::Select ? "'{' and the peers to send to, '⊕{ role: {…}, … }'"
                                      : "'{' and the peers to receive from, '&{ role: {…}, … }'");
      return syntax_error();
    }
    if (!nesting_allowed(peek())) return Step::Failed;
    advance();
    const TypeId choices = context_.add({kind, symbol.location, {}, symbol.location, {}, kNoType});
    Frame frame{FrameKind::Choices, choices, 0, true, true};
    frame.several_peers = true;
    push(frame);
    return Step::NextGroup;
  }

  // At a group of a several-peer choice: `p: {…}`, `p: choice`, or (in a
  // branch) the timeout that ends the wait for all of them.
  Step start_group(TypeId choices) {
    Frame& frame = frames_.back();
    frame.group_braced = false;
    const bool branch = node(choices).kind == TypeKind::Branch;
    if (branch && at(TokenKind::Identifier) && peek().text == "timeout" && at(TokenKind::LeftParen, 1)) {
      frame.group_peer = kNoPeer;
      return Step::NextChoice;
    }
    if (!at(TokenKind::Identifier) || !at(TokenKind::Colon, 1)) {
      expect("a peer 'role: {…}'");
      if (branch) expect("'timeout(…)'");
      return syntax_error();
    }
    frame.group_peer = next_;
    advance();  // the peer
    advance();  // ':'
    if (at(TokenKind::LeftBrace)) {
      advance();
      frame.group_braced = true;
    }
    return Step::NextChoice;
  }

  // At a label: `l`, `l(S)`, `l.T`, `l(S).T`, `l()`, `l(x: S) if g . T`,
  // and in branches `timeout(d) . T` and `_ . T`.
  Step start_choice(TypeId choices) {
    if (!at(TokenKind::Identifier)) {
      expect(kExpectLabel);
      return syntax_error();
    }
    Frame& frame = frames_.back();
    const bool another_head = frame.pattern_continues;
    frame.pattern_continues = false;
    const Token& label = advance();
    Choice choice;
    choice.label = std::string(label.text);
    choice.location = label.location;
    choice.payload.location = label.location;
    if (label.text == "_") choice.kind = ChoiceKind::Wildcard;
    if (frame.several_peers && frame.group_peer != kNoPeer) {
      choice.peer = std::string(tokens_[frame.group_peer].text);
      choice.peer_location = tokens_[frame.group_peer].location;
    }
    // `timeout(500ms)`; `timeout(rto)` is read as a payload first and becomes
    // a timeout once the names are known (static checks catch it in an or-pattern).
    const bool timeout = label.text == "timeout" && at(TokenKind::LeftParen) && at(TokenKind::Number, 1);
    if (another_head && (choice.kind == ChoiceKind::Wildcard || timeout)) {
      ++syntax_errors_;
      error(label.location, std::string(choice.kind == ChoiceKind::Wildcard ? "the wildcard '_'" : "a timeout") +
                                " cannot be one of several labels joined by '|'");
      return Step::Failed;
    }
    node(choices).choices.push_back(std::move(choice));
    const auto index = static_cast<std::uint32_t>(node(choices).choices.size() - 1);
    if (!another_head) frame.pattern_start = index;
    if (timeout) return start_timeout(choices, index);
    if (at(TokenKind::LeftParen)) return start_payload(choices, index);
    expect(describe(TokenKind::LeftParen));
    return after_payload(choices, index);
  }

  // `timeout(500ms)`: a literal duration. (`timeout(rto)` is read as a
  // payload first and becomes a timeout once the names are known.)
  Step start_timeout(TypeId choices, std::uint32_t index) {
    advance();  // '('
    const Token& duration = advance();
    Choice& choice = node(choices).choices[index];
    choice.kind = ChoiceKind::Timeout;
    choice.timeout_location = duration.location;
    const std::optional<NumberValue> number = parse_number(duration.text);
    if (!number || !number->duration) {
      ++syntax_errors_;
      error(duration.location, number ? "a timeout's duration needs a unit: " + std::string(duration.text) +
                                            "ms, " + std::string(duration.text) + "s or " +
                                            std::string(duration.text) + "min"
                                      : "malformed duration " + describe(duration) + " (write 500ms, 2s or 1min)");
      return Step::Failed;
    }
    choice.timeout_milliseconds = number->value;
    if (!accept(TokenKind::RightParen)) return syntax_error();
    return after_payload(choices, index);
  }

  // At the '(' of a payload.
  Step start_payload(TypeId choices, std::uint32_t index) {
    const Token& paren = peek();
    if (!nesting_allowed(paren)) return Step::Failed;
    advance();
    PayloadSort& payload = node(choices).choices[index].payload;
    payload.location = peek().location;
    if (at(TokenKind::RightParen)) {  // `l()`: mpstk's explicit empty payload
      payload.location = paren.location;
      advance();
      return after_payload(choices, index);
    }
    if (at(TokenKind::Identifier) && at(TokenKind::Colon, 1)) {  // `l(s: Sort)` binds the payload
      const Token& binder = advance();
      advance();  // ':'
      Choice& choice = node(choices).choices[index];
      choice.binder = std::string(binder.text);
      choice.binder_location = binder.location;
      if (!at(TokenKind::Identifier)) {
        expect(kExpectSortName);
        return syntax_error();
      }
      node(choices).choices[index].payload.location = peek().location;
      return ground_payload(choices, index);
    }

    if (at(TokenKind::Identifier) && is_sort_name(peek().text)) return ground_payload(choices, index);
    push({FrameKind::Payload, choices, index, false, true});
    return Step::NeedType;
  }

  // At the sort name of a payload `l(Sort)` or `l(s: Sort)`.
  Step ground_payload(TypeId choices, std::uint32_t index) {
    const Token& name = advance();
    PayloadSort& payload = node(choices).choices[index].payload;
    payload.kind = PayloadSort::Kind::Ground;
    const std::string_view builtin = builtin_sort(name.text);
    payload.ground = std::string(builtin.empty() ? name.text : builtin);
    if (builtin.empty()) {
      // `timeout(rto)` in a branch: a sort if `rto` names one, else a timeout.
      const Choice& choice = node(choices).choices[index];
      const bool timeout = node(choices).kind == TypeKind::Branch && choice.label == "timeout" && choice.binder.empty();
      pending_.push_back({choices, index, lookup(name.text), timeout});
    }
    if (!accept(TokenKind::RightParen)) return syntax_error();
    return after_payload(choices, index);
  }

  // Whether the identifier at the current token is a sort in payload
  // position rather than the start of a session type.
  bool is_sort_name(std::string_view text) const {
    return !at_choice_symbol(1) && text != "end" && !at_rec_keyword();
  }

  // `rec` is a keyword only where a recursion can start, `rec(t)` or
  // `rec t .`; elsewhere it is an ordinary name (as in mpstk).
  bool at_rec_keyword() const {
    return peek().kind == TokenKind::Identifier && peek().text == "rec" &&
           (at(TokenKind::LeftParen, 1) || (at(TokenKind::Identifier, 1) && at(TokenKind::Dot, 2)));
  }

  // After the label and its payload: an optional guard `if g`, then an
  // optional `. T`. `if` is a keyword here unless it starts the next entry
  // (`if: T`, `if[…]`).
  Step after_payload(TypeId choices, std::uint32_t index) {
    Frame& frame = frames_.back();
    if (node(choices).choices[index].kind == ChoiceKind::Message && at(TokenKind::Bar)) {
      advance();  // `a | b …`: another head of the same or-pattern
      frame.pattern_continues = true;
      if (!at(TokenKind::Identifier)) {
        expect(kExpectLabel);
        return syntax_error();
      }
      return Step::NextChoice;
    }
    const std::uint32_t first = frame.pattern_start;
    if (at(TokenKind::Identifier) && peek().text == "if" && !at(TokenKind::Colon, 1) &&
        !at(TokenKind::LeftBracket, 1)) {
      advance();
      const Choice& choice = node(choices).choices[index];
      std::vector<std::string> records;
      if (!choice.binder.empty() && !is_scalar_type(choice.payload.ground)) records.push_back(choice.binder);
      const std::optional<ExprId> guard = parse_expression(records);
      if (!guard) return Step::Failed;
      for (std::uint32_t head = first; head <= index; ++head) node(choices).choices[head].guard = *guard;
    }
    if (accept(TokenKind::Dot)) {
      push({FrameKind::Continuation, choices, index, false, false});
      return Step::NeedType;
    }
    // mpstk's default continuation is `end`; it gets a real node so that
    // every choice has one.
    const SourceLocation where = node(choices).choices[index].location;
    const TypeId end = context_.add({TypeKind::End, where, {}, {}, {}, kNoType});
    for (std::uint32_t head = first; head <= index; ++head) node(choices).choices[head].continuation = end;
    return end_choice(choices);
  }

  // A choice of `choices` (the frame on top) is complete.
  Step end_choice(TypeId choices) {
    if (frames_.empty() || frames_.back().kind != FrameKind::Choices || frames_.back().node != choices) {
      return Step::Failed;  // unreachable: start_choices pushed the frame
    }
    Frame& frame = frames_.back();
    if (frame.several_peers) {
      if (frame.group_braced) {
        if (accept(TokenKind::Comma)) return Step::NextChoice;
        if (!accept(TokenKind::RightBrace)) return syntax_error();
      }
      if (accept(TokenKind::Comma)) return Step::NextGroup;
      if (!accept(TokenKind::RightBrace)) return syntax_error();
    } else if (frame.braced) {
      if (accept(TokenKind::Comma)) return Step::NextChoice;
      if (!accept(TokenKind::RightBrace)) return syntax_error();
    }
    pop();
    result_ = choices;
    return Step::Complete;
  }

  // `result_` is a complete type: link it into the frame on top.
  Step finish_frame() {
    const Frame frame = pop();
    switch (frame.kind) {
      case FrameKind::Parenthesis:
        if (!accept(TokenKind::RightParen)) return syntax_error();
        return Step::Complete;
      case FrameKind::RecursionBody: {
        TypeNode& recursion = node(frame.node);
        recursion.body = result_;
        unbind(recursion.name);
        result_ = frame.node;
        return Step::Complete;
      }
      case FrameKind::Continuation: {
        // Every head of an or-pattern continues alike.
        const std::uint32_t first = frames_.back().pattern_start;
        for (std::uint32_t head = first; head <= frame.choice; ++head)
          node(frame.node).choices[head].continuation = result_;
        return end_choice(frame.node);
      }
      case FrameKind::Payload: {
        PayloadSort& payload = node(frame.node).choices[frame.choice].payload;
        payload.kind = PayloadSort::Kind::Session;
        payload.session = result_;
        if (!accept(TokenKind::RightParen)) return syntax_error();
        return after_payload(frame.node, frame.choice);
      }
      case FrameKind::Choices: break;  // completed by end_choice, never here
    }
    return Step::Failed;
  }

  // ---- names --------------------------------------------------------------

  TypeId lookup(std::string_view name) const {
    const auto found = scopes_.find(std::string(name));
    return found == scopes_.end() || found->second.empty() ? kNoType : found->second.back();
  }

  void unbind(const std::string& name) {
    const auto found = scopes_.find(name);
    if (found == scopes_.end()) return;
    found->second.pop_back();
    if (found->second.empty()) scopes_.erase(found);
  }

  // Follows `sort A = B` chains so that every alias names a builtin or an
  // opaque sort. An alias whose target is undeclared keeps the target's name
  // (check_context reports it); a cycle is reported here. Each declaration
  // is resolved once, from the end of its chain back (a 10^5-link chain is
  // linear, not quadratic).
  void resolve_sort_aliases() {
    auto& sorts = context_.sorts;
    const std::size_t count = sorts.size();
    std::unordered_map<std::string_view, std::size_t> first;
    for (std::size_t i = 0; i < count; ++i) first.emplace(sorts[i].name, i);
    // The declaration an alias continues into, when that one is an alias too.
    const auto next = [&](std::size_t i) -> std::optional<std::size_t> {
      const std::string& target = sorts[i].aliased;
      if (target.empty() || !builtin_sort(target).empty()) return std::nullopt;
      const auto found = first.find(target);
      if (found == first.end() || sorts[found->second].aliased.empty()) return std::nullopt;
      return found->second;
    };
    enum : std::uint8_t { kUnvisited, kOnPath, kDone };
    std::vector<std::uint8_t> mark(count, kUnvisited);
    std::vector<std::string> resolved(count);
    std::vector<char> cyclic(count, 0);
    std::vector<std::size_t> path;
    for (std::size_t start = 0; start < count; ++start) {
      if (mark[start] != kUnvisited) continue;
      path.clear();
      std::size_t at = start;
      std::optional<std::size_t> step;
      while (mark[at] == kUnvisited && (step = next(at))) {
        mark[at] = kOnPath;
        path.push_back(at);
        at = *step;
      }
      std::string end;
      if (mark[at] == kOnPath) {
        // `at` closes a cycle: every declaration on it aliases itself.
        const auto begin = std::find(path.begin(), path.end(), at);
        for (auto it = begin; it != path.end(); ++it) {
          cyclic[*it] = 1;
          resolved[*it] = sorts[*it].name;
          mark[*it] = kDone;
        }
        path.erase(begin, path.end());
        end = sorts[at].name;
      } else if (mark[at] == kDone) {
        end = resolved[at];
      } else {
        end = sorts[at].aliased;
        resolved[at] = end;
        mark[at] = kDone;
      }
      for (const std::size_t i : path) {
        resolved[i] = end;
        mark[i] = kDone;
      }
    }
    for (std::size_t i = 0; i < count; ++i) {
      if (cyclic[i]) error(sorts[i].location, "sort '" + sorts[i].name + "' is an alias of itself");
      sorts[i].aliased = std::move(resolved[i]);
    }
  }

  // A bare identifier payload is a declared sort or record if the file
  // declares it, else the recursion variable in scope where it was written,
  // else — as the argument of `timeout(…)` in a branch — the name of a
  // duration, else it stays an (unknown) ground sort for check_context to
  // report.
  void resolve_pending_payloads() {
    std::unordered_map<std::string, const SortDeclaration*> declared;
    for (const SortDeclaration& sort : context_.sorts) declared.emplace(sort.name, &sort);
    std::unordered_set<std::string> records;
    for (const RecordDeclaration& record : context_.records) records.insert(record.name);
    for (const PendingPayload& pending : pending_) {
      // A payload of an entry that failed to parse may be incomplete.
      if (pending.node >= context_.nodes.size() || pending.choice >= node(pending.node).choices.size()) continue;
      const std::string name = node(pending.node).choices[pending.choice].payload.ground;
      const auto sort = declared.find(name);
      if (sort != declared.end()) {
        if (!sort->second->aliased.empty()) {
          node(pending.node).choices[pending.choice].payload.ground = sort->second->aliased;
        }
      } else if (records.contains(name)) {
        // a record is its own sort
      } else if (pending.timeout && pending.binder == kNoType) {
        Choice& choice = node(pending.node).choices[pending.choice];
        choice.kind = ChoiceKind::Timeout;
        choice.timeout_name = name;
        choice.timeout_location = choice.payload.location;
        choice.payload = PayloadSort{};
        choice.payload.location = choice.location;
      } else if (pending.binder != kNoType) {
        const SourceLocation where = node(pending.node).choices[pending.choice].payload.location;
        const TypeId variable =
            context_.add({TypeKind::Variable, where, name, where, {}, pending.binder});
        PayloadSort& payload = node(pending.node).choices[pending.choice].payload;
        payload.kind = PayloadSort::Kind::Session;
        payload.ground.clear();
        payload.session = variable;
      }
    }
  }

  Diagnostics& diagnostics_;
  std::vector<Token> tokens_;
  std::size_t next_ = 0;
  std::size_t item_start_ = 0;
  std::vector<std::string_view> expected_;
  std::size_t syntax_errors_ = 0;
  bool after_item_ = false;  // an entry or sort just ended: a separator may follow
  bool failed_ = false;

  Context context_;
  std::vector<Frame> frames_;
  std::size_t brackets_ = 0;
  TypeId result_ = kNoType;
  // Recursion variables in scope: name → binders, innermost last.
  std::unordered_map<std::string, std::vector<TypeId>> scopes_;
  std::vector<PendingPayload> pending_;
  std::vector<TypeId> unbound_;  // variables of the current entry with no binder
};

}  // namespace

std::string_view builtin_sort(std::string_view spelling) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 14> kSpellings{{
      {"Bool", "Bool"},
      {"bool", "Bool"},
      {"Int", "Int"},
      {"int", "Int"},
      {"String", "String"},
      {"string", "String"},
      {"Str", "String"},
      {"str", "String"},
      {"Unit", "Unit"},
      {"unit", "Unit"},
      // The fixed-width scalars guards compute with (lim only).
      {"u8", "u8"},
      {"u16", "u16"},
      {"u32", "u32"},
      {"u64", "u64"},
  }};
  for (const auto& [written, canonical] : kSpellings) {
    if (written == spelling) return canonical;
  }
  return {};
}

std::optional<Context> parse_context(const SourceFile& file, Diagnostics& diagnostics) {
  return Parser(file, diagnostics).run();
}

std::optional<Context> load_context(const SourceFile& file, Diagnostics& diagnostics) {
  std::optional<Context> context = parse_context(file, diagnostics);
  if (!context) return std::nullopt;
  // `diagnostics` may already hold the caller's earlier messages: only the
  // ones check_context adds decide.
  const std::size_t before = diagnostics.all().size();
  check_context(*context, diagnostics);
  const auto& all = diagnostics.all();
  const bool failed = std::any_of(all.begin() + static_cast<std::ptrdiff_t>(before), all.end(),
                                  [](const Diagnostic& d) { return d.severity == Severity::Error; });
  if (failed) return std::nullopt;
  return context;
}

}  // namespace lim::syntax
