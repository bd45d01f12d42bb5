#include "lim/syntax/printer.hpp"

#include <deque>
#include <string_view>
#include <variant>
#include <vector>

namespace lim::syntax {

namespace {

// The printer's output is also valid mpstk syntax (when every entry has a
// session name and no sort is declared): `μ(t)`/`rec(t)`, `⊕`/`(+)`, braces
// only around two or more choices, and `.end` continuations left implicit.
class Printer {
 public:
  Printer(const Context& context, Notation notation) : context_(context), notation_(notation) {}

  // Iterative: pending work is a stack of text pieces and types still to be
  // printed, so a 10^5-long chain needs no C++ stack.
  void type(TypeId root) {
    work_.emplace_back(root);
    while (!work_.empty()) {
      const Work item = work_.back();
      work_.pop_back();
      if (const auto* text = std::get_if<std::string_view>(&item)) {
        out_ += *text;
      } else {
        expand(std::get<TypeId>(item));
      }
    }
  }

  void payload(const PayloadSort& payload) {
    if (payload.kind == PayloadSort::Kind::Ground) {
      out_ += payload.ground;
    } else {
      type(payload.session);
    }
  }

  void text(std::string_view text) { out_ += text; }

  // Iterative like `type`: operands wait on a work list with the binding
  // strength their position demands, so parentheses appear only where the
  // parser needs them.
  void expression(ExprId root) {
    std::vector<ExprWork> work{ExprWork{root, 0, false, {}}};
    while (!work.empty()) {
      const ExprWork item = work.back();
      work.pop_back();
      if (item.expression == kNoExpr) {
        out_ += item.text;
        continue;
      }
      if (item.expression >= context_.expressions.size()) {
        out_ += "<invalid>";
        continue;
      }
      const ExprNode& node = context_.expressions[item.expression];
      const int own = node.kind == ExprKind::Binary ? precedence(node.op) : 100;
      const bool parenthesise = own < item.demand || (own == item.demand && item.right);
      if (parenthesise) {
        out_ += '(';
        work.push_back({kNoExpr, 0, false, ")"});
      }
      switch (node.kind) {
        case ExprKind::Number:
        case ExprKind::Name: out_ += node.name; break;
        case ExprKind::Boolean: out_ += node.value != 0 ? "true" : "false"; break;
        case ExprKind::Field:
          out_ += node.name;
          out_ += '.';
          out_ += node.field;
          break;
        case ExprKind::Call:
          out_ += node.name;
          out_ += '(';
          work.push_back({kNoExpr, 0, false, ")"});
          for (std::size_t i = node.operands.size(); i-- > 0;) {
            work.push_back({node.operands[i], 0, false, {}});
            if (i > 0) work.push_back({kNoExpr, 0, false, ", "});
          }
          break;
        case ExprKind::Unary:
          out_ += symbol(node.op);
          // `- -x`, not `--x`: the lexer reads both alike, people do not.
          if (!node.operands.empty() && node.operands[0] < context_.expressions.size() &&
              context_.expressions[node.operands[0]].kind == ExprKind::Unary) {
            out_ += ' ';
          }
          if (!node.operands.empty()) work.push_back({node.operands[0], 100, false, {}});
          break;
        case ExprKind::Binary:
          if (node.operands.size() == 2) {
            work.push_back({node.operands[1], own, true, {}});
            work.push_back({kNoExpr, 0, false, " " + std::string(symbol(node.op)) + " "});
            work.push_back({node.operands[0], own, false, {}});
          }
          break;
      }
    }
  }

  std::string take() { return std::move(out_); }

 private:
  using Work = std::variant<std::string_view, TypeId>;

  struct ExprWork {
    ExprId expression;  // kNoExpr: print `text`
    int demand;         // binding strength the position needs
    bool right;         // right operand of a left-associative operator
    std::string text;
  };

  static std::string_view symbol(Operator op) {
    switch (op) {
      case Operator::None: return "";
      case Operator::Not: return "!";
      case Operator::Negate: return "-";
      case Operator::Complement: return "~";
      case Operator::Or: return "||";
      case Operator::And: return "&&";
      case Operator::Equal: return "==";
      case Operator::NotEqual: return "!=";
      case Operator::Less: return "<";
      case Operator::LessEqual: return "<=";
      case Operator::Greater: return ">";
      case Operator::GreaterEqual: return ">=";
      case Operator::BitOr: return "|";
      case Operator::BitXor: return "^";
      case Operator::BitAnd: return "&";
      case Operator::ShiftLeft: return "<<";
      case Operator::ShiftRight: return ">>";
      case Operator::Add: return "+";
      case Operator::Subtract: return "-";
      case Operator::Multiply: return "*";
      case Operator::Divide: return "/";
      case Operator::Remainder: return "%";
    }
    return "";
  }

  // Whether a guard printed as is would swallow the continuation's '.' as
  // a field read: its last token is the record binder itself.
  bool ends_with_binder(ExprId guard, const std::string& binder) const {
    ExprId at = guard;
    while (at < context_.expressions.size()) {
      const ExprNode& node = context_.expressions[at];
      if (node.kind == ExprKind::Name) return node.name == binder;
      if ((node.kind != ExprKind::Unary && node.kind != ExprKind::Binary) || node.operands.empty()) return false;
      // Operands precede their node in the arena, so this walk ends.
      if (node.operands.back() >= at) return false;
      at = node.operands.back();
    }
    return false;
  }

  std::string_view select_symbol() const { return notation_ == Notation::Unicode ? "⊕" : "(+)"; }
  std::string_view mu_keyword() const { return notation_ == Notation::Unicode ? "μ(" : "rec("; }

  // Prints the head of `id` and schedules its sub-terms. Pieces are pushed in
  // reverse order because the work list is a stack. Names and labels point
  // into the context, which outlives the printer.
  void expand(TypeId id) {
    if (id == kNoType) {
      out_ += "end";  // the implicit payload `end`
      return;
    }
    if (id >= context_.nodes.size()) {
      out_ += "<invalid>";
      return;
    }
    const TypeNode& node = context_.nodes[id];
    switch (node.kind) {
      case TypeKind::End: out_ += "end"; return;
      case TypeKind::Variable: out_ += node.name; return;
      case TypeKind::Recursion:
        out_ += mu_keyword();
        out_ += node.name;
        out_ += ')';
        work_.emplace_back(node.body);
        return;
      case TypeKind::Select:
      case TypeKind::Branch: break;
    }
    out_ += node.name;
    out_ += node.kind == TypeKind::Select ? select_symbol() : "&";
    if (has_several_peers(node)) {
      // `&{ p: {…}, q: a . T, timeout(d) . T }`: one group per run of a peer's choices.
      work_.emplace_back(std::string_view(" }"));
      std::size_t end = node.choices.size();
      while (end > 0) {
        std::size_t begin = end - 1;
        while (begin > 0 && node.choices[begin - 1].peer == node.choices[end - 1].peer) --begin;
        const std::string& peer = node.choices[begin].peer;
        const bool braced = !peer.empty() && alternatives(node, begin, end) != 1;
        if (braced) work_.emplace_back(std::string_view("}"));
        schedule_alternatives(node, begin, end);
        if (braced) work_.emplace_back(std::string_view("{"));
        if (!peer.empty()) {
          work_.emplace_back(std::string_view(": "));
          work_.emplace_back(std::string_view(peer));
        }
        if (begin > 0) work_.emplace_back(std::string_view(", "));
        end = begin;
      }
      out_ += "{ ";
      return;
    }
    const bool braced = alternatives(node, 0, node.choices.size()) != 1;
    if (braced) work_.emplace_back(std::string_view("}"));
    schedule_alternatives(node, 0, node.choices.size());
    if (braced) out_ += '{';
  }

  // How many alternatives choices [begin, end) make: the heads of one
  // or-pattern count once.
  static std::size_t alternatives(const TypeNode& node, std::size_t begin, std::size_t end) {
    std::size_t count = 0;
    for (std::size_t i = begin; i < end; ++i)
      if (i == begin || !same_alternative(node.choices[i - 1], node.choices[i])) ++count;
    return count;
  }

  // Choices [begin, end), comma-separated, an or-pattern's heads joined by '|'.
  void schedule_alternatives(const TypeNode& node, std::size_t begin, std::size_t end) {
    for (std::size_t i = end; i-- > begin;) {
      const Choice& choice = node.choices[i];
      const bool last_head = i + 1 == end || !same_alternative(choice, node.choices[i + 1]);
      if (last_head) schedule_tail(choice);
      schedule_head(choice);
      if (i > begin) work_.emplace_back(std::string_view(same_alternative(node.choices[i - 1], choice) ? " | " : ", "));
    }
  }

  // The guard and continuation after the (last) head of a choice.
  void schedule_tail(const Choice& choice) {
    const TypeId next = choice.continuation;
    const bool guarded = choice.guard != kNoExpr;
    if (!(next < context_.nodes.size() && context_.nodes[next].kind == TypeKind::End)) {
      work_.emplace_back(next);
      // After a guard the '.' stands apart, as it reads best.
      work_.emplace_back(std::string_view(guarded ? " . " : "."));
    }
    if (guarded) {
      // A guard is printed into a string of its own: its text must outlive
      // the work list, so it is kept in `guards_`.
      Printer guard(context_, notation_);
      guard.expression(choice.guard);
      std::string text = guard.take();
      const bool record_binder = !choice.binder.empty() && choice.payload.kind == PayloadSort::Kind::Ground &&
                                 !is_scalar_type(choice.payload.ground);
      if (record_binder && ends_with_binder(choice.guard, choice.binder)) text = "(" + text + ")";
      guards_.push_back(" if " + text);
      work_.emplace_back(std::string_view(guards_.back()));
    }
  }

  // The label and payload of a choice, or its timeout.
  void schedule_head(const Choice& choice) {
    if (choice.kind == ChoiceKind::Timeout) {
      if (choice.timeout_name.empty()) {
        guards_.push_back("timeout(" + std::to_string(choice.timeout_milliseconds) + "ms)");
      } else {
        guards_.push_back("timeout(" + choice.timeout_name + ")");
      }
      work_.emplace_back(std::string_view(guards_.back()));
      return;
    }
    const PayloadSort& payload = choice.payload;
    if (payload.kind == PayloadSort::Kind::Ground) {
      work_.emplace_back(std::string_view(")"));
      work_.emplace_back(std::string_view(payload.ground));
      if (!choice.binder.empty()) {
        work_.emplace_back(std::string_view(": "));
        work_.emplace_back(std::string_view(choice.binder));
      }
      work_.emplace_back(std::string_view("("));
    } else if (payload.session != kNoType) {
      work_.emplace_back(std::string_view(")"));
      work_.emplace_back(payload.session);
      work_.emplace_back(std::string_view("("));
    }
    work_.emplace_back(std::string_view(choice.label));
  }

  const Context& context_;
  Notation notation_;
  std::vector<Work> work_;
  std::string out_;
  // Texts made while printing (guards, timeouts); a deque so that views into
  // them stay valid while more are added.
  std::deque<std::string> guards_;
};

}  // namespace

std::string print_type(const Context& context, TypeId type, Notation notation) {
  Printer printer(context, notation);
  printer.type(type);
  return printer.take();
}

std::string print_payload(const Context& context, const PayloadSort& payload, Notation notation) {
  Printer printer(context, notation);
  printer.payload(payload);
  return printer.take();
}

std::string print_expression(const Context& context, ExprId expression) {
  Printer printer(context, Notation::Unicode);
  printer.expression(expression);
  return printer.take();
}

namespace {

void print_fields(Printer& printer, const std::vector<FieldDeclaration>& fields) {
  for (std::size_t i = 0; i < fields.size(); ++i) {
    printer.text(i == 0 ? "" : ", ");
    printer.text(fields[i].name);
    printer.text(": ");
    printer.text(fields[i].type);
  }
}

void print_role(Printer& printer, const std::string& session, const std::string& role) {
  if (!session.empty()) {
    printer.text(session);
    printer.text("[");
    printer.text(role);
    printer.text("]");
  } else {
    printer.text(role);
  }
}

}  // namespace

std::string print_context(const Context& context, Notation notation) {
  Printer printer(context, notation);
  for (const SortDeclaration& sort : context.sorts) {
    printer.text("sort ");
    printer.text(sort.name);
    if (!sort.aliased.empty()) {
      printer.text(" = ");
      printer.text(sort.aliased);
    }
    printer.text(";\n");
  }
  // Declarations in an order that reads top-down: what guards compute with
  // (records, constants, state) before the predicates over it.
  for (const RecordDeclaration& record : context.records) {
    printer.text("record ");
    printer.text(record.name);
    printer.text(" { ");
    print_fields(printer, record.fields);
    printer.text(record.fields.empty() ? "}\n" : " }\n");
  }
  for (const ConstantDeclaration& constant : context.constants) {
    printer.text("const ");
    printer.text(constant.name);
    printer.text(": ");
    printer.text(constant.type);
    printer.text(" = ");
    printer.expression(constant.value);
    printer.text(";\n");
  }
  for (const StateDeclaration& state : context.states) {
    printer.text("state ");
    print_role(printer, state.session, state.role);
    printer.text(" { ");
    print_fields(printer, state.variables);
    printer.text(state.variables.empty() ? "}\n" : " }\n");
  }
  for (const PredicateDeclaration& predicate : context.predicates) {
    printer.text("pred ");
    printer.text(predicate.name);
    printer.text("(");
    print_fields(printer, predicate.parameters);
    printer.text(") = ");
    printer.expression(predicate.body);
    printer.text(";\n");
  }
  for (std::size_t i = 0; i < context.entries.size(); ++i) {
    const RoleEntry& entry = context.entries[i];
    if (entry.environment) printer.text("env ");
    print_role(printer, entry.session, entry.role);
    printer.text(": ");
    if (entry.environment) {
      if (entry.alphabet.empty()) printer.text("end");
      for (std::size_t j = 0; j < entry.alphabet.size(); ++j) {
        if (j > 0) printer.text(" | ");
        printer.type(entry.alphabet[j]);
      }
    } else {
      printer.type(entry.type);
    }
    printer.text(i + 1 < context.entries.size() ? ",\n" : "\n");
  }
  return printer.take();
}

}  // namespace lim::syntax
