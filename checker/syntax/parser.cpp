#include "lim/syntax/parser.hpp"

#include <algorithm>
#include <array>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "lim/syntax/lexer.hpp"
#include "lim/syntax/static_checks.hpp"

// The grammar (docs/language.md has the full reference):
//
//   context  ::= item*
//   item     ::= entry | sort | ',' | ';'
//   entry    ::= ident '[' ident ']' ':' type | ident ':' type
//   sort     ::= 'sort' ident ('=' ident)?
//   type     ::= ident ('⊕' | '(+)' | '&') choices
//              | ('μ' | 'rec') '(' ident ')' type | ('μ' | 'rec') ident '.' type
//              | 'end' | ident | '(' type ')'
//   choices  ::= '{' choice (',' choice)* '}' | choice
//   choice   ::= ident ('(' payload? ')')? ('.' type)?
//   payload  ::= ident | type
//
// Types are parsed by an explicit pushdown machine rather than recursive
// descent: every construct still waiting for a sub-type is a Frame on a heap
// stack, and a finished sub-type is linked into the slot its frame names.
// A 10^5-long `p⊕a.q&b.…` chain therefore costs heap, never C++ stack.

namespace lim::syntax {

namespace {

constexpr std::size_t kMaxSyntaxErrors = 20;
constexpr std::string_view kExpectType = "a session type";
constexpr std::string_view kExpectLabel = "a label";
constexpr std::string_view kExpectVariable = "a recursion variable";
constexpr std::string_view kExpectEntry = "an entry 'role: type'";
constexpr std::string_view kExpectSortName = "a sort name";

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
};

// What the type machine does next.
enum class Step : std::uint8_t { NeedType, Complete, Failed };

// A payload written as a bare identifier that is neither a builtin sort nor
// followed by ⊕/&: a declared sort or a recursion variable. Sorts may be
// declared anywhere in the file, so the decision waits for the end of input.
struct PendingPayload {
  TypeId node;
  std::uint32_t choice;
  TypeId binder;  // innermost recursion binding the name here, or kNoType
};

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
    if (kind(1) == TokenKind::Colon) return true;
    if (kind(1) == TokenKind::LeftBracket && kind(2) == TokenKind::Identifier &&
        kind(3) == TokenKind::RightBracket && kind(4) == TokenKind::Colon) {
      return true;
    }
    // `sort X` declares a sort unless `X :` or `X [` starts an entry.
    return tokens_[i].text == "sort" && kind(1) == TokenKind::Identifier &&
           kind(2) != TokenKind::Colon && kind(2) != TokenKind::LeftBracket;
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

  // ---- the type machine ---------------------------------------------------

  std::optional<TypeId> parse_type() {
    frames_.clear();
    brackets_ = 0;
    Step step = Step::NeedType;
    for (;;) {
      switch (step) {
        case Step::NeedType: step = start_type(); break;
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
    return start_choice(choices);
  }

  // At a label: `l`, `l(S)`, `l.T`, `l(S).T`, `l()`.
  Step start_choice(TypeId choices) {
    if (!at(TokenKind::Identifier)) {
      expect(kExpectLabel);
      return syntax_error();
    }
    const Token& label = advance();
    Choice choice;
    choice.label = std::string(label.text);
    choice.location = label.location;
    choice.payload.location = label.location;
    node(choices).choices.push_back(std::move(choice));
    const auto index = static_cast<std::uint32_t>(node(choices).choices.size() - 1);
    if (at(TokenKind::LeftParen)) return start_payload(choices, index);
    expect(describe(TokenKind::LeftParen));
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
    if (at(TokenKind::Identifier) && is_sort_name(peek().text)) {
      const Token& name = advance();
      payload.kind = PayloadSort::Kind::Ground;
      const std::string_view builtin = builtin_sort(name.text);
      payload.ground = std::string(builtin.empty() ? name.text : builtin);
      if (builtin.empty()) pending_.push_back({choices, index, lookup(name.text)});
      if (!accept(TokenKind::RightParen)) return syntax_error();
      return after_payload(choices, index);
    }
    push({FrameKind::Payload, choices, index, false, true});
    return Step::NeedType;
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

  // After the label and its payload: an optional `. T`.
  Step after_payload(TypeId choices, std::uint32_t index) {
    if (accept(TokenKind::Dot)) {
      push({FrameKind::Continuation, choices, index, false, false});
      return Step::NeedType;
    }
    // mpstk's default continuation is `end`; it gets a real node so that
    // every choice has one.
    const SourceLocation where = node(choices).choices[index].location;
    const TypeId end = context_.add({TypeKind::End, where, {}, {}, {}, kNoType});
    node(choices).choices[index].continuation = end;
    return end_choice(choices);
  }

  // A choice of `choices` (the frame on top) is complete.
  Step end_choice(TypeId choices) {
    if (frames_.empty() || frames_.back().kind != FrameKind::Choices || frames_.back().node != choices) {
      return Step::Failed;  // unreachable: start_choices pushed the frame
    }
    if (frames_.back().braced) {
      if (accept(TokenKind::Comma)) return start_choice(choices);
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
      case FrameKind::Continuation:
        node(frame.node).choices[frame.choice].continuation = result_;
        return end_choice(frame.node);
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
  // (check_context reports it); a cycle is reported here.
  void resolve_sort_aliases() {
    std::unordered_map<std::string, std::size_t> first;
    for (std::size_t i = 0; i < context_.sorts.size(); ++i) first.emplace(context_.sorts[i].name, i);
    std::vector<std::string> resolved(context_.sorts.size());
    for (std::size_t i = 0; i < context_.sorts.size(); ++i) {
      std::string current = context_.sorts[i].aliased;
      bool cycle = false;
      // A chain longer than the number of declarations must revisit one.
      for (std::size_t steps = 0; !current.empty(); ++steps) {
        if (!builtin_sort(current).empty()) break;
        const auto found = first.find(current);
        if (found == first.end() || context_.sorts[found->second].aliased.empty()) break;
        if (found->second == i || steps > context_.sorts.size()) {
          cycle = found->second == i;
          break;
        }
        current = context_.sorts[found->second].aliased;
      }
      if (cycle) {
        error(context_.sorts[i].location, "sort '" + context_.sorts[i].name + "' is an alias of itself");
      }
      resolved[i] = std::move(current);
    }
    for (std::size_t i = 0; i < context_.sorts.size(); ++i) {
      context_.sorts[i].aliased = std::move(resolved[i]);
    }
  }

  // A bare identifier payload is a declared sort if the file declares it,
  // else the recursion variable in scope where it was written, else it stays
  // an (unknown) ground sort for check_context to report.
  void resolve_pending_payloads() {
    std::unordered_map<std::string, const SortDeclaration*> declared;
    for (const SortDeclaration& sort : context_.sorts) declared.emplace(sort.name, &sort);
    for (const PendingPayload& pending : pending_) {
      const std::string name = node(pending.node).choices[pending.choice].payload.ground;
      const auto sort = declared.find(name);
      if (sort != declared.end()) {
        if (!sort->second->aliased.empty()) {
          node(pending.node).choices[pending.choice].payload.ground = sort->second->aliased;
        }
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
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 10> kSpellings{{
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
