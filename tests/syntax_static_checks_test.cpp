// Well-formedness checks: each violation is an error at an exact position,
// with a note pointing at the earlier occurrence where there is one.
#include "lim/syntax/static_checks.hpp"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "lim/syntax/parser.hpp"

namespace lim::syntax {
namespace {

// Every diagnostic of `load_context` on `text`, as "severity line:col: message".
std::vector<std::string> diagnostics_of(const std::string& text) {
  const SourceFile file("test.lim", text);
  Diagnostics diagnostics;
  const std::optional<Context> context = load_context(file, diagnostics);
  EXPECT_EQ(context.has_value(), !diagnostics.has_errors()) << text;
  std::vector<std::string> lines;
  for (const Diagnostic& d : diagnostics.all()) {
    const char* severity = d.severity == Severity::Error ? "error" : d.severity == Severity::Note ? "note" : "warning";
    lines.push_back(std::string(severity) + " " + std::to_string(d.location.line) + ":" +
                    std::to_string(d.location.column) + ": " + d.message);
  }
  return lines;
}

using Lines = std::vector<std::string>;

TEST(SyntaxStaticChecks, AcceptsAWellFormedContext) {
  EXPECT_EQ(diagnostics_of("a: μ(t)b⊕{m(Int).t, stop}, b: μ(t)a&{m(Int).t, stop}"), Lines{});
}

TEST(SyntaxStaticChecks, RejectsUnguardedRecursion) {
  EXPECT_EQ(diagnostics_of("a: μ(t)t"),
            (Lines{"error 1:8: unguarded recursion variable 't': no communication between its binder and this use",
                   "note 1:6: 't' is bound here"}));
  EXPECT_EQ(diagnostics_of("a: μ(t)μ(s)t"),
            (Lines{"error 1:12: unguarded recursion variable 't': no communication between its binder and this use",
                   "note 1:6: 't' is bound here"}));
  EXPECT_EQ(diagnostics_of("a: μ(t)(t)"),
            (Lines{"error 1:9: unguarded recursion variable 't': no communication between its binder and this use",
                   "note 1:6: 't' is bound here"}));
  EXPECT_EQ(diagnostics_of("a: rec t . rec s . s").at(0),
            "error 1:20: unguarded recursion variable 's': no communication between its binder and this use");
}

TEST(SyntaxStaticChecks, RejectsUnguardedRecursionInsidePayloads) {
  EXPECT_EQ(diagnostics_of("a: b⊕m(μ(t)t), b: a&m").at(0),
            "error 1:12: unguarded recursion variable 't': no communication between its binder and this use");
}

TEST(SyntaxStaticChecks, AcceptsRecursionGuardedByACommunication) {
  EXPECT_EQ(diagnostics_of("a: μ(t)b⊕m.μ(s)t, b: μ(t)a&m.t"), Lines{});
  // The payload variable sits under a choice: guarded (popl19-ex5.11-c).
  EXPECT_EQ(diagnostics_of("a: μ(t)b⊕m(t), b: a&m(μ(t)a⊕m(t))"), Lines{});
  EXPECT_EQ(diagnostics_of("a: μ(t)b⊕m(μ(s)t), b: a&m(end)"), Lines{});
}

TEST(SyntaxStaticChecks, RejectsDuplicateLabels) {
  EXPECT_EQ(diagnostics_of("a: b⊕{m(Int), n, m}, b: a&{m(Int), n}"),
            (Lines{"error 1:18: duplicate label 'm' in this choice", "note 1:7: previous 'm' is here"}));
  // Same label in different choices is fine.
  EXPECT_EQ(diagnostics_of("a: b⊕m.b⊕m, b: a&m.a&m"), Lines{});
}

TEST(SyntaxStaticChecks, RejectsDuplicateLabelsInPayloadTypes) {
  EXPECT_EQ(diagnostics_of("a: b⊕m(c&{x, x}), b: a&m(c&{x})"),
            (Lines{"error 1:14: duplicate label 'x' in this choice", "note 1:11: previous 'x' is here"}));
}

TEST(SyntaxStaticChecks, RejectsUnknownRolesAndListsTheKnownOnes) {
  EXPECT_EQ(diagnostics_of("alice: bob⊕m.carol&n\nbob: alice&m"),
            (Lines{"error 1:14: unknown role 'carol' (the roles are 'alice', 'bob')"}));
  EXPECT_EQ(diagnostics_of("s[p]: q⊕m, s[q]: p&m, t[r]: q&m"),
            (Lines{"error 1:29: unknown role 'q' in session 't' (its roles are 'r')"}));
}

TEST(SyntaxStaticChecks, ShortensLongRoleLists) {
  std::string text;
  for (int i = 0; i < 12; ++i) text += "r" + std::to_string(i) + ": end\n";
  text += "x: y⊕m\n";
  const Lines lines = diagnostics_of(text);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0],
            "error 13:4: unknown role 'y' (the roles are 'r0', 'r1', 'r2', 'r3', 'r4', 'r5', 'r6', 'r7', "
            "'r8', 'r9', ...)");
}

TEST(SyntaxStaticChecks, DoesNotCheckRolesInsidePayloadTypes) {
  // payload-subtype.ctx: a payload session type talks about some other
  // session, so its peers need not be roles of this context.
  EXPECT_EQ(diagnostics_of("s[p]: q⊕m(μ(t)r&m1.t) . end,\ns[q]: p&m(μ(t)r&{m1.t,m2.t}) . end"), Lines{});
  EXPECT_EQ(diagnostics_of("a: b⊕m(a⊕x), b: a&m(b&x)"), Lines{});
}

TEST(SyntaxStaticChecks, RejectsSelfCommunication) {
  EXPECT_EQ(diagnostics_of("alice: alice⊕m"), (Lines{"error 1:8: role 'alice' communicates with itself"}));
  EXPECT_EQ(diagnostics_of("s[p]: q⊕m.p&n, s[q]: p&m"),
            (Lines{"error 1:11: role 'p' communicates with itself"}));
}

TEST(SyntaxStaticChecks, RejectsARoleGivenTwice) {
  EXPECT_EQ(diagnostics_of("a: end\nb: end\na: end"),
            (Lines{"error 3:1: role 'a' is given twice", "note 1:1: first given here"}));
  EXPECT_EQ(diagnostics_of("s[p]: end, s[p]: end"),
            (Lines{"error 1:14: role 'p' in session 's' is given twice", "note 1:3: first given here"}));
  // One role name in two sessions is two roles.
  EXPECT_EQ(diagnostics_of("s[p]: end, s2[p]: end"), Lines{});
}

TEST(SyntaxStaticChecks, RejectsUnknownSorts) {
  EXPECT_EQ(diagnostics_of("a: b⊕m(Price), b: a&m(Int)"), (Lines{"error 1:8: unknown sort 'Price'"}));
  EXPECT_EQ(diagnostics_of("a: b⊕m(c⊕x(Nat)), b: a&m"), (Lines{"error 1:12: unknown sort 'Nat'"}));
  EXPECT_EQ(diagnostics_of("sort Money = Cash;"), (Lines{"error 1:6: unknown sort 'Cash'"}));
}

TEST(SyntaxStaticChecks, RejectsDuplicateSortDeclarations) {
  EXPECT_EQ(diagnostics_of("sort Price;\nsort Price = Int;"),
            (Lines{"error 2:6: duplicate declaration of sort 'Price'", "note 1:6: previous declaration of 'Price' is here"}));
  EXPECT_EQ(diagnostics_of("sort int;"), (Lines{"error 1:6: sort 'int' is a builtin sort and cannot be declared"}));
}

TEST(SyntaxStaticChecks, ReportsEveryProblemInSourceOrder) {
  EXPECT_EQ(diagnostics_of("a: x⊕n.b⊕{m, m}\nb: a&m\na: end"),
            (Lines{"error 1:4: unknown role 'x' (the roles are 'a', 'b')",
                   "error 1:14: duplicate label 'm' in this choice", "note 1:11: previous 'm' is here",
                   "error 3:1: role 'a' is given twice", "note 1:1: first given here"}));
}

TEST(SyntaxStaticChecks, ReportsAnUnboundVariableOfAHandBuiltContext) {
  Context context;
  const TypeId variable = context.add({TypeKind::Variable, {1, 4}, "t", {1, 4}, {}, kNoType});
  context.entries.push_back({"", "a", {1, 1}, variable});
  Diagnostics diagnostics;
  check_context(context, diagnostics);
  ASSERT_EQ(diagnostics.all().size(), 1u);
  EXPECT_EQ(diagnostics.all()[0].location, (SourceLocation{1, 4}));
  EXPECT_EQ(diagnostics.all()[0].message, "unbound recursion variable 't'");
}

TEST(SyntaxStaticChecks, ReportsBrokenReferencesOfAHandBuiltContext) {
  Context context;
  TypeNode select{TypeKind::Select, {1, 4}, "b", {1, 4}, {}, kNoType};
  select.choices.push_back({"m", {1, 6}, {}, kNoType});
  const TypeId root = context.add(select);
  context.entries.push_back({"", "a", {1, 1}, root});
  context.entries.push_back({"", "b", {2, 1}, 42});
  Diagnostics diagnostics;
  check_context(context, diagnostics);
  ASSERT_EQ(diagnostics.all().size(), 2u);
  EXPECT_EQ(diagnostics.all()[0].message, "choice 'm' has no continuation");
  EXPECT_EQ(diagnostics.all()[1].message, "role 'b' has no type");
}

}  // namespace
}  // namespace lim::syntax
