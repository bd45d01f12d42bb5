// The printer: exact output for representative types, and the round trip
// text → context → text → context on every mpstk example, in both notations.
#include "lim/syntax/printer.hpp"

#include <filesystem>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "lim/syntax/parser.hpp"
#include "test_support.hpp"

namespace lim::syntax {
namespace {

namespace fs = std::filesystem;

std::optional<Context> parse(const std::string& text, bool checks) {
  const SourceFile file("test.lim", text);
  Diagnostics diagnostics;
  std::optional<Context> context = checks ? load_context(file, diagnostics) : parse_context(file, diagnostics);
  EXPECT_TRUE(diagnostics.empty()) << format_diagnostics(file, diagnostics);
  return context;
}

// Prints a context parsed (without static checks) from `text`.
std::string reprint(const std::string& text, Notation notation = Notation::Unicode) {
  const std::optional<Context> context = parse(text, false);
  return context ? print_context(*context, notation) : "<rejected>";
}

// Whether two types are equal up to node numbering, locations and the names
// of recursion variables (each variable must point at corresponding binders).
bool same_type(const Context& a, TypeId x, const Context& b, TypeId y) {
  std::unordered_map<TypeId, TypeId> binder;  // a's Recursion → b's
  std::vector<std::pair<TypeId, TypeId>> work{{x, y}};
  while (!work.empty()) {
    const auto [p, q] = work.back();
    work.pop_back();
    if (p == kNoType || q == kNoType) {
      if (p != q) return false;
      continue;
    }
    const TypeNode& m = a.node(p);
    const TypeNode& n = b.node(q);
    if (m.kind != n.kind) return false;
    switch (m.kind) {
      case TypeKind::End: break;
      case TypeKind::Recursion:
        binder[p] = q;  // visited before any variable it binds (an ancestor)
        work.emplace_back(m.body, n.body);
        break;
      case TypeKind::Variable: {
        const auto found = binder.find(m.body);
        if (found == binder.end() || found->second != n.body) return false;
        break;
      }
      case TypeKind::Select:
      case TypeKind::Branch:
        if (m.name != n.name || m.choices.size() != n.choices.size()) return false;
        for (std::size_t i = 0; i < m.choices.size(); ++i) {
          const Choice& c = m.choices[i];
          const Choice& d = n.choices[i];
          if (c.label != d.label || c.payload.kind != d.payload.kind || c.payload.ground != d.payload.ground) {
            return false;
          }
          if (c.payload.kind == PayloadSort::Kind::Session) work.emplace_back(c.payload.session, d.payload.session);
          work.emplace_back(c.continuation, d.continuation);
        }
        break;
    }
  }
  return true;
}

void expect_same_context(const Context& a, const Context& b) {
  ASSERT_EQ(a.sorts.size(), b.sorts.size());
  for (std::size_t i = 0; i < a.sorts.size(); ++i) {
    EXPECT_EQ(a.sorts[i].name, b.sorts[i].name);
    EXPECT_EQ(a.sorts[i].aliased, b.sorts[i].aliased);
  }
  ASSERT_EQ(a.entries.size(), b.entries.size());
  for (std::size_t i = 0; i < a.entries.size(); ++i) {
    EXPECT_EQ(a.entries[i].session, b.entries[i].session);
    EXPECT_EQ(a.entries[i].role, b.entries[i].role);
    EXPECT_TRUE(same_type(a, a.entries[i].type, b, b.entries[i].type)) << "entry " << a.entries[i].role;
  }
}

TEST(SyntaxPrinter, RoundTripsEveryMpstkExample) {
  const fs::path examples = testing::shared_dir() / "corpus" / "mpstk" / "examples";
  if (!fs::is_directory(examples)) GTEST_SKIP() << "../shared/corpus/mpstk/examples is absent; nothing to round-trip";
  int files = 0;
  for (const fs::directory_entry& item : fs::directory_iterator(examples)) {
    if (item.path().extension() != ".ctx") continue;
    SCOPED_TRACE(item.path().filename().string());
    const std::optional<Context> original = parse(testing::read_file(item.path()), true);
    ASSERT_TRUE(original.has_value());
    for (const Notation notation : {Notation::Unicode, Notation::Ascii}) {
      const std::string printed = print_context(*original, notation);
      const std::optional<Context> reparsed = parse(printed, true);
      ASSERT_TRUE(reparsed.has_value()) << printed;
      expect_same_context(*original, *reparsed);
      EXPECT_EQ(print_context(*reparsed, notation), printed);
      if (notation == Notation::Ascii) {
        for (const char c : printed) EXPECT_LT(static_cast<unsigned char>(c), 0x80) << printed;
      }
    }
    ++files;
  }
  EXPECT_GE(files, 10);
}

TEST(SyntaxPrinter, SameTypeTellsDifferentTypesApart) {
  // The comparison the round trip relies on must be able to fail.
  const std::optional<Context> a = parse("a: μ(t)b⊕{m.t, n}", false);
  const std::optional<Context> b = parse("a: μ(t)b⊕{m.t, n(Int)}", false);
  const std::optional<Context> c = parse("a: μ(t)b⊕{m.μ(s)b⊕x.t, n}", false);
  const std::optional<Context> d = parse("a: μ(t)b⊕{m.μ(s)b⊕x.s, n}", false);
  ASSERT_TRUE(a && b && c && d);
  EXPECT_TRUE(same_type(*a, a->entries[0].type, *a, a->entries[0].type));
  EXPECT_FALSE(same_type(*a, a->entries[0].type, *b, b->entries[0].type));
  EXPECT_FALSE(same_type(*c, c->entries[0].type, *d, d->entries[0].type));
}

TEST(SyntaxPrinter, PrintsMpstkStyle) {
  EXPECT_EQ(reprint("s[p]: μ(t)q⊕{m1 . t, m2}"), "s[p]: μ(t)q⊕{m1.t, m2}\n");
  EXPECT_EQ(reprint("s[p]: q&m1 . r⊕m3,\n\ns[q]: end"), "s[p]: q&m1.r⊕m3,\ns[q]: end\n");
}

TEST(SyntaxPrinter, PrintsAsciiNotation) {
  EXPECT_EQ(reprint("s[p]: μ(t)q⊕{m1 . t, m2}", Notation::Ascii), "s[p]: rec(t)q(+){m1.t, m2}\n");
}

TEST(SyntaxPrinter, PrintsPayloads) {
  EXPECT_EQ(reprint("a: b⊕{x(int), y(), z(end), w(c&{p, q(Bool)}) . end, v(μ(t)c⊕k.t)}"),
            "a: b⊕{x(Int), y, z(end), w(c&{p, q(Bool)}), v(μ(t)c⊕k.t)}\n");
  EXPECT_EQ(reprint("a: μ(t)b⊕m(t)"), "a: μ(t)b⊕m(t)\n");
}

TEST(SyntaxPrinter, PrintsLimEntriesAndSorts) {
  EXPECT_EQ(reprint("alice: bob⊕hello(Price) bob: alice&hello(Money); sort Price; sort Money = str"),
            "sort Price;\nsort Money = String;\nalice: bob⊕hello(Price),\nbob: alice&hello(String)\n");
}

TEST(SyntaxPrinter, PrintsLimRecursionSyntaxAsMpstk) {
  EXPECT_EQ(reprint("a: rec t . b⊕m.t, b: μx.a&m.x"), "a: μ(t)b⊕m.t,\nb: μ(x)a&m.x\n");
}

TEST(SyntaxPrinter, PrintsSingleTypesAndPayloads) {
  const std::optional<Context> context = parse("a: b⊕{m(Int).c&n(μ(t)d⊕x.t), k}", false);
  ASSERT_TRUE(context.has_value());
  const TypeId root = context->entries[0].type;
  EXPECT_EQ(print_type(*context, root), "b⊕{m(Int).c&n(μ(t)d⊕x.t), k}");
  const TypeNode& select = context->node(root);
  const TypeNode& branch = context->node(select.choices[0].continuation);
  EXPECT_EQ(print_type(*context, select.choices[0].continuation), "c&n(μ(t)d⊕x.t)");
  EXPECT_EQ(print_payload(*context, select.choices[0].payload), "Int");
  EXPECT_EQ(print_payload(*context, select.choices[1].payload), "end");
  EXPECT_EQ(print_payload(*context, branch.choices[0].payload, Notation::Ascii), "rec(t)d(+)x.t");
  EXPECT_EQ(print_type(*context, kNoType), "end");
}

TEST(SyntaxPrinter, ShadowedBindersRoundTrip) {
  const std::string text = "a: μ(t)b⊕{m.μ(t)b⊕x.t, n.t}, b: μ(t)a&{m.a&x.t, n.t}";
  const std::optional<Context> original = parse(text, true);
  ASSERT_TRUE(original.has_value());
  const std::optional<Context> reparsed = parse(print_context(*original), true);
  ASSERT_TRUE(reparsed.has_value());
  expect_same_context(*original, *reparsed);
}

}  // namespace
}  // namespace lim::syntax
