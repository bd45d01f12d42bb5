#include "lim/formats/gmc_fsm.hpp"

#include <algorithm>
#include <charconv>
#include <set>
#include <tuple>
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

constexpr std::size_t kMaxErrors = 20;

struct ParsedTransition {
  const Token* source;
  const Token* partner;
  Direction direction;
  const Token* label;
  std::string_view payload;
  const Token* target;
};

struct ParsedMachine {
  SourceLocation location;  // of `.outputs`
  std::string_view name;    // from `.outputs NAME`, or empty
  std::vector<ParsedTransition> transitions;
  const Token* marking = nullptr;
};

struct Failure {};

class Reader {
 public:
  Reader(const SourceFile& file, Diagnostics& diagnostics)
      : diagnostics_(diagnostics), tokens_(kmc::tokenize(file)) {}

  std::optional<automata::System> run() {
    parse_machines();
    if (machines_.empty() && errors_ == 0) error(peek().location, "no machine: expected '.outputs'");
    if (errors_ > 0) return std::nullopt;
    return translate();
  }

 private:
  const Token& peek() const { return tokens_[next_]; }
  bool at(TokenKind kind) const { return peek().kind == kind; }
  bool at_directive(std::string_view name) const { return at(TokenKind::Directive) && peek().text == name; }
  const Token& advance() {
    const Token& token = tokens_[next_];
    if (next_ + 1 < tokens_.size()) ++next_;
    return token;
  }
  const Token& expect(TokenKind kind, std::string_view what) {
    if (!at(kind)) syntax_error(what);
    return advance();
  }
  void expect_directive(std::string_view name) {
    if (!at_directive(name)) syntax_error(fmt::format("'{}'", name));
    advance();
  }
  [[noreturn]] void syntax_error(std::string_view expected) {
    error(peek().location, fmt::format("expected {}, found {}", expected, kmc::describe(peek())));
    throw Failure{};
  }
  void error(SourceLocation where, std::string message) {
    ++errors_;
    if (errors_ <= kMaxErrors) diagnostics_.error(where, std::move(message));
  }

  void parse_machines() {
    while (!at(TokenKind::EndOfInput) && errors_ < kMaxErrors) {
      try {
        parse_machine();
      } catch (const Failure&) {
        // Resynchronise on the next machine.
        advance();
        while (!at(TokenKind::EndOfInput) && !at_directive(".outputs")) advance();
      }
    }
  }

  void parse_machine() {
    ParsedMachine machine;
    machine.location = peek().location;
    expect_directive(".outputs");
    if (at(TokenKind::Name) && !peek().starts_line) machine.name = advance().text;
    expect_directive(".state");
    if (!(at(TokenKind::Name) && peek().text == "graph")) syntax_error("'graph' after '.state'");
    advance();
    while (at(TokenKind::Name)) {
      ParsedTransition transition{};
      transition.source = &advance();
      transition.partner = &expect(TokenKind::Name, "a partner machine index");
      if (at(TokenKind::Bang) || at(TokenKind::Question)) {
        transition.direction = advance().kind == TokenKind::Bang ? Direction::Send : Direction::Receive;
      } else {
        syntax_error("'!' or '?'");
      }
      transition.label = &expect(TokenKind::Name, "a message label");
      if (at(TokenKind::Less)) {
        advance();
        transition.payload = expect(TokenKind::Name, "a payload sort").text;
        expect(TokenKind::Greater, "'>' closing the payload");
      }
      transition.target = &expect(TokenKind::Name, "the target state");
      machine.transitions.push_back(transition);
    }
    if (!at_directive(".marking")) syntax_error("a transition 'state partner !|? label state' or '.marking'");
    advance();
    machine.marking = &expect(TokenKind::Name, "the initial state after '.marking'");
    expect_directive(".end");
    machines_.push_back(std::move(machine));
  }

  std::optional<automata::System> translate() {
    SystemBuilder builder;
    std::unordered_map<std::string_view, std::size_t> names;
    for (const auto& machine : machines_)
      if (!machine.name.empty()) ++names[machine.name];
    for (std::size_t index = 0; index < machines_.size(); ++index) {
      const auto& machine = machines_[index];
      // A name given by `.outputs NAME` is shown instead of the index when it
      // identifies the machine unambiguously.
      const bool named = !machine.name.empty() && names[machine.name] == 1;
      builder.add_role(named ? std::string(machine.name) : std::to_string(index), machine.location);
    }
    for (std::size_t index = 0; index < machines_.size(); ++index)
      translate_machine(builder, static_cast<RoleId>(index), machines_[index]);
    if (errors_ > 0) return std::nullopt;
    return builder.finish();
  }

  void translate_machine(SystemBuilder& builder, RoleId role, const ParsedMachine& parsed) {
    auto& machine = builder.machine(role);
    std::unordered_map<std::string_view, StateId> states;
    const auto state_of = [&](const Token& token) {
      auto [it, inserted] = states.try_emplace(token.text, 0);
      if (inserted) it->second = machine.add_state({std::string(token.text), token.location});
      return it->second;
    };
    // (source, target, direction, peer, label, payload) of the transitions kept.
    std::set<std::tuple<StateId, StateId, int, RoleId, automata::LabelId, automata::SortId>> seen;
    if (parsed.transitions.empty()) error(parsed.location, fmt::format("machine {} has no transitions", role));
    for (const auto& transition : parsed.transitions) {
      // The states exist even when the transition is refused below: a bad
      // partner must not also make its states, or the initial one, unknown.
      const StateId source = state_of(*transition.source);
      const StateId target = state_of(*transition.target);
      const auto& partner = *transition.partner;
      std::size_t index = 0;
      const auto* end = partner.text.data() + partner.text.size();
      const auto [parsed_end, code] = std::from_chars(partner.text.data(), end, index);
      if (code != std::errc() || parsed_end != end) {
        error(partner.location, fmt::format("the partner must be a machine index (0, 1, …), found {}",
                                            kmc::describe(partner)));
        continue;
      }
      if (index >= machines_.size()) {
        error(partner.location, fmt::format("machine {} does not exist: the file has {} machine{} (0 to {})", index,
                                            machines_.size(), machines_.size() == 1 ? "" : "s",
                                            machines_.size() - 1));
        continue;
      }
      if (index == role) {
        error(partner.location, fmt::format("machine {} {} itself", role,
                                            transition.direction == Direction::Send ? "sends to" : "receives from"));
        continue;
      }
      const auto action = builder.action(transition.direction, static_cast<RoleId>(index), transition.label->text,
                                         transition.payload);
      if (!seen.emplace(source, target, static_cast<int>(action.direction), action.peer, action.label, action.payload)
               .second) {
        diagnostics_.warning(transition.source->location, "duplicate transition ignored");
        continue;
      }
      machine.add_transition(source, target, {action, transition.label->location});
    }
    const auto initial = states.find(parsed.marking->text);
    if (initial == states.end()) {
      if (!parsed.transitions.empty())
        error(parsed.marking->location,
              fmt::format("initial state '{}' occurs in no transition of machine {}", parsed.marking->text, role));
      return;
    }
    machine.initial = initial->second;
  }

  Diagnostics& diagnostics_;
  std::vector<Token> tokens_;
  std::size_t next_ = 0;
  std::size_t errors_ = 0;
  std::vector<ParsedMachine> machines_;
};

}  // namespace

std::optional<automata::System> read_gmc_fsm(const SourceFile& file, Diagnostics& diagnostics) {
  return Reader(file, diagnostics).run();
}

}  // namespace lim::formats
