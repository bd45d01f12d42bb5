#include "lim/formats/kmc_session_types.hpp"

#include <algorithm>
#include <unordered_map>
#include <vector>

#include <fmt/format.h>

#include "kmc_lexer.hpp"
#include "system_builder.hpp"

namespace lim::formats {
namespace {

using automata::Direction;
using automata::RoleId;
using automata::StateId;
using kmc::Token;
using kmc::TokenKind;

constexpr std::uint32_t kNone = ~std::uint32_t{0};
constexpr std::size_t kMaxErrors = 20;
// Choices nest by recursion in the parser; sequences never do.
constexpr std::size_t kMaxNesting = 1000;

enum class NodeKind : std::uint8_t { Action, Recursion, Variable, End, Choice };

// The syntax tree of one local type, in an arena.
struct Node {
  NodeKind kind = NodeKind::End;
  SourceLocation location;         // first token of the type
  Direction direction = Direction::Send;
  std::string_view peer;           // Action
  SourceLocation peer_location;
  std::string_view label;          // Action
  SourceLocation label_location;
  std::string_view payload;        // Action; empty when none
  std::uint32_t next = kNone;      // Action: continuation; Recursion: body
  std::string_view variable;       // Recursion, Variable
  std::uint32_t binder = kNone;    // Variable: its Recursion node
  std::vector<std::uint32_t> branches;  // Choice
};

struct Entry {
  std::string_view role;
  SourceLocation location;
  std::uint32_t type = kNone;
};

struct Failure {};  // unwinds the parse of one entry after a syntax error

class Reader {
 public:
  Reader(const SourceFile& file, Diagnostics& diagnostics)
      : diagnostics_(diagnostics), tokens_(kmc::tokenize(file)) {}

  std::optional<automata::System> run() {
    parse_entries();
    if (entries_.empty() && errors_ == 0) error(peek().location, "no role is defined: expected 'Role: type'");
    if (errors_ > 0) return std::nullopt;
    return translate();
  }

 private:
  // ---- tokens --------------------------------------------------------------

  const Token& peek(std::size_t ahead = 0) const {
    return tokens_[std::min(next_ + ahead, tokens_.size() - 1)];
  }
  bool at(TokenKind kind, std::size_t ahead = 0) const { return peek(ahead).kind == kind; }
  const Token& advance() {
    const Token& token = tokens_[next_];
    if (next_ + 1 < tokens_.size()) ++next_;
    return token;
  }
  const Token& expect(TokenKind kind, std::string_view what) {
    if (!at(kind)) syntax_error(what);
    return advance();
  }
  [[noreturn]] void syntax_error(std::string_view expected) {
    error(peek().location, fmt::format("expected {}, found {}", expected, kmc::describe(peek())));
    throw Failure{};
  }
  void error(SourceLocation where, std::string message) {
    ++errors_;
    if (errors_ <= kMaxErrors) diagnostics_.error(where, std::move(message));
  }

  bool at_entry_start() const { return at(TokenKind::Name) && at(TokenKind::Colon, 1); }

  // ---- syntax ----------------------------------------------------------------

  void parse_entries() {
    while (!at(TokenKind::EndOfInput) && errors_ < kMaxErrors) {
      try {
        const Token& role = expect(TokenKind::Name, "a role name starting an entry 'Role: type'");
        expect(TokenKind::Colon, "':' after the role name");
        scopes_.clear();
        const std::uint32_t type = parse_type(0);
        entries_.push_back({role.text, role.location, type});
      } catch (const Failure&) {
        recover();
      }
    }
  }

  // Skips to the next `Name :` that starts a line: entries conventionally
  // do. The failed entry consumed at least its `Name :`, so this progresses.
  void recover() {
    while (!at(TokenKind::EndOfInput) && !(peek().starts_line && at_entry_start())) advance();
  }

  std::uint32_t add(Node node) {
    nodes_.push_back(std::move(node));
    return static_cast<std::uint32_t>(nodes_.size() - 1);
  }

  // A type is a chain of actions and `rec x .` binders ended by `end`, a
  // variable or a choice; the chain is a loop so that long sequences cost
  // no stack. Binders of the chain stay in scope until its end.
  std::uint32_t parse_type(std::size_t depth) {
    const std::size_t scope_mark = scopes_.size();
    std::uint32_t root = kNone;
    std::uint32_t last = kNone;  // node whose `next` receives the following type
    const auto link = [&](std::uint32_t node) {
      if (last == kNone)
        root = node;
      else
        nodes_[last].next = node;
    };
    while (true) {
      const Token& token = peek();
      if (at(TokenKind::Name) && (at(TokenKind::Bang, 1) || at(TokenKind::Question, 1))) {
        Node node;
        node.kind = NodeKind::Action;
        node.location = token.location;
        node.peer = token.text;
        node.peer_location = token.location;
        advance();
        node.direction = advance().kind == TokenKind::Bang ? Direction::Send : Direction::Receive;
        const Token& label = expect(TokenKind::Name, "a message label");
        node.label = label.text;
        node.label_location = label.location;
        if (at(TokenKind::Less)) {
          advance();
          node.payload = expect(TokenKind::Name, "a payload sort").text;
          expect(TokenKind::Greater, "'>' closing the payload");
        }
        expect(TokenKind::Semicolon, "';' after the message");
        const std::uint32_t id = add(std::move(node));
        link(id);
        last = id;
        continue;
      }
      if (at(TokenKind::Name) && token.text == "rec" && at(TokenKind::Name, 1) && at(TokenKind::Dot, 2)) {
        Node node;
        node.kind = NodeKind::Recursion;
        node.location = token.location;
        advance();
        node.variable = advance().text;
        advance();  // '.'
        const std::uint32_t id = add(std::move(node));
        scopes_.emplace_back(nodes_[id].variable, id);
        link(id);
        last = id;
        continue;
      }
      if (at_entry_start()) {
        error(token.location, fmt::format("expected a session type, found the next entry '{}:' (is 'end' "
                                          "or a ';' missing?)",
                                          token.text));
        throw Failure{};
      }
      if (at(TokenKind::Name) && token.text == "end") {
        Node node;
        node.location = token.location;
        advance();
        link(add(std::move(node)));
        break;
      }
      if (at(TokenKind::Name)) {
        advance();
        Node node;
        node.kind = NodeKind::Variable;
        node.location = token.location;
        node.variable = token.text;
        for (auto it = scopes_.rbegin(); it != scopes_.rend(); ++it)
          if (it->first == token.text) {
            node.binder = it->second;
            break;
          }
        if (node.binder == kNone) {
          error(token.location, fmt::format("'{}' is not a recursion variable in scope here (roles need "
                                            "'!' or '?' and a label after them)",
                                            token.text));
        }
        link(add(std::move(node)));
        break;
      }
      if (at(TokenKind::LeftBrace)) {
        if (depth >= kMaxNesting) {
          error(token.location, fmt::format("choices nested deeper than {} levels", kMaxNesting));
          throw Failure{};
        }
        advance();
        Node node;
        node.kind = NodeKind::Choice;
        node.location = token.location;
        while (true) {
          node.branches.push_back(parse_type(depth + 1));
          if (at(TokenKind::Comma)) {
            advance();
            continue;
          }
          expect(TokenKind::RightBrace, "',' or '}' in a choice");
          break;
        }
        link(add(std::move(node)));
        break;
      }
      syntax_error("a session type ('Role!label;', 'Role?label;', '{', 'rec', 'end' or a variable)");
    }
    scopes_.resize(scope_mark);
    return root;
  }

  // ---- translation -------------------------------------------------------------

  std::optional<automata::System> translate() {
    SystemBuilder builder;
    std::unordered_map<std::string_view, RoleId> roles;
    for (const auto& entry : entries_) {
      if (auto it = roles.find(entry.role); it != roles.end()) {
        error(entry.location, fmt::format("role '{}' is defined twice (first at line {})", entry.role,
                                          builder.system().role_locations[it->second].line));
        continue;
      }
      roles.emplace(entry.role, builder.add_role(std::string(entry.role), entry.location));
    }
    if (errors_ > 0) return std::nullopt;
    binder_state_.assign(nodes_.size(), kNone);
    for (const auto& entry : entries_) translate_role(builder, roles, roles.at(entry.role), entry);
    if (errors_ > 0) return std::nullopt;
    return builder.finish();
  }

  void translate_role(SystemBuilder& builder, const std::unordered_map<std::string_view, RoleId>& roles,
                      RoleId role, const Entry& entry) {
    auto& machine = builder.machine(role);
    std::vector<std::pair<std::uint32_t, StateId>> worklist;
    const auto new_state = [&](SourceLocation location) {
      return machine.add_state({fmt::format("q{}", machine.state_count()), location});
    };
    // The state where type `node` starts: its `rec` binders denote that
    // state; a variable denotes its binder's state; anything else is a new
    // state, so two syntactic positions never share one.
    const auto state_for = [&](std::uint32_t node) -> std::optional<StateId> {
      std::vector<std::uint32_t> chain;
      const SourceLocation location = nodes_[node].location;
      while (nodes_[node].kind == NodeKind::Recursion) {
        chain.push_back(node);
        node = nodes_[node].next;
      }
      StateId state;
      if (nodes_[node].kind == NodeKind::Variable) {
        const std::uint32_t binder = nodes_[node].binder;
        if (std::find(chain.begin(), chain.end(), binder) != chain.end()) {
          error(nodes_[node].location,
                fmt::format("unguarded recursion: '{}' is reached again before any action", nodes_[node].variable));
          return std::nullopt;
        }
        state = binder_state_[binder];
      } else {
        state = new_state(location);
        worklist.emplace_back(node, state);
      }
      for (const auto binder : chain) binder_state_[binder] = state;
      return state;
    };
    const auto initial = state_for(entry.type);
    if (!initial) return;
    machine.initial = *initial;
    while (!worklist.empty()) {
      const auto [id, state] = worklist.back();
      worklist.pop_back();
      const Node& node = nodes_[id];
      if (node.kind == NodeKind::Action) {
        const auto peer = roles.find(node.peer);
        if (peer == roles.end()) {
          std::string known;
          for (const auto& other : entries_) known += fmt::format("{}{}", known.empty() ? "" : ", ", other.role);
          error(node.peer_location, fmt::format("'{}' is not a role of this file (roles: {})", node.peer, known));
          continue;
        }
        if (peer->second == role) {
          error(node.peer_location, fmt::format("role '{}' {} itself", node.peer,
                                                node.direction == Direction::Send ? "sends to" : "receives from"));
          continue;
        }
        const auto target = state_for(node.next);
        if (!target) continue;
        machine.add_transition(state, *target,
                               {builder.action(node.direction, peer->second, node.label, node.payload),
                                node.label_location});
      } else if (node.kind == NodeKind::Choice) {
        // Branches start where the choice starts; their binders denote it.
        // Pushed last-first: the worklist pops them, and so numbers their
        // states and orders their transitions, in the order the file gives.
        for (auto it = node.branches.rbegin(); it != node.branches.rend(); ++it) {
          std::uint32_t branch = *it;
          while (nodes_[branch].kind == NodeKind::Recursion) {
            binder_state_[branch] = state;
            branch = nodes_[branch].next;
          }
          const Node& head = nodes_[branch];
          if (head.kind == NodeKind::Action || head.kind == NodeKind::Choice) {
            worklist.emplace_back(branch, state);
          } else {
            error(head.location, fmt::format("a choice branch must start with an action, not {}",
                                             head.kind == NodeKind::End ? "'end'"
                                                                        : "the variable '" + std::string(head.variable) + "'"));
          }
        }
      }
    }
  }

  Diagnostics& diagnostics_;
  std::vector<Token> tokens_;
  std::size_t next_ = 0;
  std::size_t errors_ = 0;
  std::vector<Node> nodes_;
  std::vector<Entry> entries_;
  std::vector<std::pair<std::string_view, std::uint32_t>> scopes_;
  std::vector<StateId> binder_state_;  // Recursion node → the state it denotes
};

}  // namespace

std::optional<automata::System> read_kmc_session_types(const SourceFile& file, Diagnostics& diagnostics) {
  return Reader(file, diagnostics).run();
}

}  // namespace lim::formats
