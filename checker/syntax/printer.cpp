#include "lim/syntax/printer.hpp"

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

  std::string take() { return std::move(out_); }

 private:
  using Work = std::variant<std::string_view, TypeId>;

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
    const bool braced = node.choices.size() != 1;
    if (braced) work_.emplace_back(std::string_view("}"));
    for (std::size_t i = node.choices.size(); i-- > 0;) {
      schedule_choice(node.choices[i]);
      if (i > 0) work_.emplace_back(std::string_view(", "));
    }
    if (braced) out_ += '{';
  }

  void schedule_choice(const Choice& choice) {
    const TypeId next = choice.continuation;
    if (!(next < context_.nodes.size() && context_.nodes[next].kind == TypeKind::End)) {
      work_.emplace_back(next);
      work_.emplace_back(std::string_view("."));
    }
    const PayloadSort& payload = choice.payload;
    if (payload.kind == PayloadSort::Kind::Ground) {
      work_.emplace_back(std::string_view(")"));
      work_.emplace_back(std::string_view(payload.ground));
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
  for (std::size_t i = 0; i < context.entries.size(); ++i) {
    const RoleEntry& entry = context.entries[i];
    if (!entry.session.empty()) {
      printer.text(entry.session);
      printer.text("[");
      printer.text(entry.role);
      printer.text("]");
    } else {
      printer.text(entry.role);
    }
    printer.text(": ");
    printer.type(entry.type);
    printer.text(i + 1 < context.entries.size() ? ",\n" : "\n");
  }
  return printer.take();
}

}  // namespace lim::syntax
