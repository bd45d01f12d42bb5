// The data-aware syntax (docs/language.md §13–§16): records, constants,
// state, predicates, guards with payload binders, timeout branches,
// wildcards and environment roles — how they parse, what the tree holds,
// which static checks reject them, and that printing round-trips.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "lim/syntax/lexer.hpp"
#include "lim/syntax/parser.hpp"
#include "lim/syntax/printer.hpp"

namespace lim::syntax {
namespace {

struct Loaded {
  SourceFile file;
  Diagnostics diagnostics;
  std::optional<Context> context;
};

Loaded load(const std::string& text) {
  Loaded loaded{SourceFile("test.lim", text), {}, std::nullopt};
  loaded.context = load_context(loaded.file, loaded.diagnostics);
  return loaded;
}

Context accept(const std::string& text) {
  Loaded loaded = load(text);
  EXPECT_TRUE(loaded.diagnostics.empty()) << format_diagnostics(loaded.file, loaded.diagnostics);
  if (!loaded.context) {
    ADD_FAILURE() << "rejected: " << text;
    return {};
  }
  return std::move(*loaded.context);
}

// Every error as "line:col: message".
std::vector<std::string> errors(const std::string& text) {
  const Loaded loaded = load(text);
  EXPECT_FALSE(loaded.context.has_value()) << text;
  std::vector<std::string> lines;
  for (const Diagnostic& d : loaded.diagnostics.all())
    if (d.severity == Severity::Error)
      lines.push_back(std::to_string(d.location.line) + ":" + std::to_string(d.location.column) + ": " + d.message);
  return lines;
}

std::string first_error(const std::string& text) {
  const auto all = errors(text);
  return all.empty() ? "no error" : all.front();
}

const TypeNode& root(const Context& context, std::size_t entry) {
  return context.node(unfold(context, context.entries.at(entry).type));
}

const std::string kSegment = "record segment { seq: u32, ack: u32, len: u32, wnd: u16, flags: u8 }\n";

// ---- tokens -----------------------------------------------------------------------

TEST(SyntaxRefinements, LexesEveryOperatorAsOneToken) {
  const SourceFile file("t.lim", "! != == < <= > >= << >> + - * / % ^ ~ | || & && =");
  std::vector<TokenKind> kinds;
  for (const Token& token : tokenize(file)) kinds.push_back(token.kind);
  using K = TokenKind;
  EXPECT_EQ(kinds, (std::vector<K>{K::Bang, K::BangEquals, K::EqualsEquals, K::Less, K::LessEqual, K::Greater,
                                   K::GreaterEqual, K::ShiftLeft, K::ShiftRight, K::Plus, K::Minus, K::Star, K::Slash,
                                   K::Percent, K::Caret, K::Tilde, K::Bar, K::OrOr, K::Branch, K::AndAnd, K::Equals,
                                   K::EndOfInput}));
}

TEST(SyntaxRefinements, ReadsNumbersInEveryNotation) {
  const Context context = accept(
      "const a: u64 = 1_000\nconst b: u64 = 0xFF\nconst c: u64 = 0b101\nconst d: u64 = 500ms\nconst e: u64 = 2s\n"
      "const f: u64 = 1min\nconst g: u64 = 18446744073709551615\n");
  std::vector<std::uint64_t> values;
  std::vector<bool> durations;
  for (const ConstantDeclaration& constant : context.constants) {
    values.push_back(context.expression(constant.value).value);
    durations.push_back(context.expression(constant.value).duration);
  }
  EXPECT_EQ(values, (std::vector<std::uint64_t>{1000, 255, 5, 500, 2000, 60000, 18446744073709551615u}));
  EXPECT_EQ(durations, (std::vector<bool>{false, false, false, true, true, true, false}));
}

TEST(SyntaxRefinements, RejectsMalformedNumbers) {
  for (const char* number : {"18446744073709551616", "0x", "1_", "1x", "0b102", "12ab", "1__0h"}) {
    const std::string text = std::string("const a: u64 = ") + number;
    const std::string error = first_error(text);
    EXPECT_NE(error.find("1:16:"), std::string::npos) << number << ": " << error;
  }
  EXPECT_EQ(first_error("const a: u64 = 12ab"),
            "1:16: malformed number '12ab' (numbers are decimal, 0x hexadecimal or 0b binary; durations take ms, s "
            "or min)");
}

// ---- declarations ----------------------------------------------------------------

TEST(SyntaxRefinements, ParsesDeclarations) {
  const Context context = accept(kSegment +
                                 "state system { rcv_nxt: u32, rcv_wnd: u32, }\n"
                                 "const mss: u32 = 1460;\n"
                                 "pred small(s: segment, limit: u32) = s.len < limit\n"
                                 "system: net&ack(s: segment) if small(s, mss)\n"
                                 "net: system⊕ack(segment)\n");
  ASSERT_EQ(context.records.size(), 1u);
  EXPECT_EQ(context.records[0].name, "segment");
  ASSERT_EQ(context.records[0].fields.size(), 5u);
  EXPECT_EQ(context.records[0].fields[3].name, "wnd");
  EXPECT_EQ(context.records[0].fields[3].type, "u16");
  ASSERT_EQ(context.states.size(), 1u);
  EXPECT_EQ(context.states[0].role, "system");
  EXPECT_EQ(context.states[0].variables.size(), 2u);
  ASSERT_EQ(context.constants.size(), 1u);
  EXPECT_EQ(context.expression(context.constants[0].value).value, 1460u);
  ASSERT_EQ(context.predicates.size(), 1u);
  EXPECT_EQ(context.predicates[0].parameters.size(), 2u);
  const ExprNode& body = context.expression(context.predicates[0].body);
  EXPECT_EQ(body.kind, ExprKind::Binary);
  EXPECT_EQ(body.op, Operator::Less);
  EXPECT_EQ(context.expression(body.operands[0]).kind, ExprKind::Field);
  EXPECT_EQ(context.expression(body.operands[0]).field, "len");
}

TEST(SyntaxRefinements, KeywordsStayNamesWhereTheyCannotStartADeclaration) {
  // Roles called state, env, const, record and pred; a label called if.
  const Context context = accept(
      "state: env⊕if . end\nenv: state&if . const⊕x\nconst: env&x . record⊕y\nrecord: const&y . pred⊕z\n"
      "pred: record&z\n");
  EXPECT_EQ(context.entries.size(), 5u);
  EXPECT_FALSE(context.entries[1].environment);
  EXPECT_TRUE(context.records.empty());
}

// ---- guards -----------------------------------------------------------------------

TEST(SyntaxRefinements, BindsThePayloadAndReadsTheGuard) {
  const Context context =
      accept(kSegment + "a: b&{ ack(s: segment) if s.len == 0 . a1 ⊕x, ack(t: segment) if t.len != 0 }\n"
                        "b: a⊕ack(segment)\na1: a&x\n");
  const TypeNode& branch = root(context, 0);
  ASSERT_EQ(branch.choices.size(), 2u);
  const Choice& first = branch.choices[0];
  EXPECT_EQ(first.binder, "s");
  EXPECT_EQ(first.binder_location, (SourceLocation{2, 12}));
  EXPECT_EQ(first.payload.ground, "segment");
  ASSERT_NE(first.guard, kNoExpr);
  EXPECT_EQ(print_expression(context, first.guard), "s.len == 0");
  // The '.' after `0` starts the continuation; after `s` it reads a field.
  EXPECT_EQ(context.node(first.continuation).kind, TypeKind::Select);
  EXPECT_EQ(branch.choices[1].binder, "t");
  EXPECT_EQ(context.node(branch.choices[1].continuation).kind, TypeKind::End);
}

TEST(SyntaxRefinements, ADotAfterANameThatIsNoRecordBinderEndsTheGuard) {
  // `ok` is a state variable, not a record: `ok . t` is the guard `ok`
  // continuing with `t`.
  const Context context = accept("state a { ok: bool }\na: rec t . b&{ m(n: u8) if ok . t, m(n: u8) if !ok . t }\n"
                                 "b: rec t . a⊕m(u8) . t\n");
  const TypeNode& branch = root(context, 0);
  EXPECT_EQ(print_expression(context, branch.choices[0].guard), "ok");
  EXPECT_EQ(context.node(branch.choices[0].continuation).kind, TypeKind::Variable);
  // A scalar binder has no fields either.
  const Context scalar = accept("a: rec t . b&{ m(n: bool) if n . t, m(n: bool) if !n . t }\nb: rec t . a⊕m(bool) . t\n");
  EXPECT_EQ(print_expression(scalar, root(scalar, 0).choices[0].guard), "n");
}

TEST(SyntaxRefinements, OperatorsBindAsDocumented) {
  const Context context = accept(
      "const a: bool = 1 + 2 * 3 == 7 && 8 >> 1 == 4 || !(5 & 3 != 0)\n"
      "const b: u32 = (1 + 2) * 3 - -1 - ~0\n"
      "const c: bool = 6 & 3 == 2 | 1 ^ 0\n");
  EXPECT_EQ(print_expression(context, context.constants[0].value), "1 + 2 * 3 == 7 && 8 >> 1 == 4 || !(5 & 3 != 0)");
  const ExprNode& a = context.expression(context.constants[0].value);
  EXPECT_EQ(a.op, Operator::Or);
  EXPECT_EQ(context.expression(a.operands[0]).op, Operator::And);
  EXPECT_EQ(print_expression(context, context.constants[1].value), "(1 + 2) * 3 - -1 - ~0");
  // Bitwise operators bind tighter than comparisons (as in Rust, not C).
  const ExprNode& c = context.expression(context.constants[2].value);
  EXPECT_EQ(c.op, Operator::Equal);
  EXPECT_EQ(context.expression(c.operands[0]).op, Operator::BitAnd);
  EXPECT_EQ(context.expression(c.operands[1]).op, Operator::BitOr);
}

TEST(SyntaxRefinements, SubtractionIsLeftAssociativeAndPrintsSo) {
  const Context context = accept("const a: u32 = 10 - (3 - 2)\nconst b: u32 = 10 - 3 - 2\n");
  EXPECT_EQ(print_expression(context, context.constants[0].value), "10 - (3 - 2)");
  EXPECT_EQ(print_expression(context, context.constants[1].value), "10 - 3 - 2");
}

TEST(SyntaxRefinements, ReportsGuardSyntaxErrors) {
  EXPECT_EQ(first_error("a: b&m(n: u8) if . end\nb: a⊕m(u8)"), "1:18: expected an expression but found '.'");
  EXPECT_EQ(first_error("a: b&m(n: u8) if (n > 1 . end\nb: a⊕m(u8)"),
            "1:25: expected ')' or an operator but found '.'");
  EXPECT_EQ(first_error("a: b&m(n: u8) if f(n,) . end\nb: a⊕m(u8)"), "1:22: expected an expression but found ')'");
  EXPECT_EQ(first_error("a: b&m(n: ) . end\nb: a⊕m(u8)"), "1:11: expected a sort name but found ')'");
}

TEST(SyntaxRefinements, BoundsExpressionDepthWithALocatedError) {
  std::string chain = "x";
  for (int i = 0; i < 2000; ++i) chain += " && x";
  const auto all = errors("const x: bool = true\nconst y: bool = " + chain + "\n");
  ASSERT_FALSE(all.empty());
  // The 1001st '&&' passes 1000 operators: columns 17 + 5·1000 + 2.
  EXPECT_EQ(all[0],
            "2:" + std::to_string(17 + 5 * 1000 + 2) + ": expression nested deeper than 1000 operators is not supported");
}

// ---- timeouts ----------------------------------------------------------------------

TEST(SyntaxRefinements, ReadsTimeoutBranches) {
  const Context context = accept(
      "const patience: u64 = 3s\nstate a { rto: u64 }\n"
      "a: b&{ m . end, timeout(500ms) . b&{ m, timeout(patience) . b&{ m, timeout(rto) } } }\nb: a⊕m\n");
  const TypeNode& first = root(context, 0);
  ASSERT_EQ(first.choices.size(), 2u);
  EXPECT_EQ(first.choices[1].kind, ChoiceKind::Timeout);
  EXPECT_EQ(first.choices[1].timeout_milliseconds, 500u);
  EXPECT_TRUE(first.choices[1].timeout_name.empty());
  const TypeNode& second = context.node(first.choices[1].continuation);
  EXPECT_EQ(second.choices[1].kind, ChoiceKind::Timeout);
  EXPECT_EQ(second.choices[1].timeout_name, "patience");
  const TypeNode& third = context.node(second.choices[1].continuation);
  EXPECT_EQ(third.choices[1].timeout_name, "rto");
  EXPECT_EQ(third.choices[1].timeout_location, (SourceLocation{3, 76}));
}

TEST(SyntaxRefinements, TimeoutOfASortIsStillAMessage) {
  // mpstk contexts may have a label called timeout: with a sort (builtin or
  // declared) it keeps meaning a message.
  const Context context = accept("sort Reason;\na: b&{timeout(Int), timeout2(Reason)}\nb: a⊕timeout(Int)\n"
                                 "c: d&timeout(Reason)\nd: c⊕timeout(Reason)\n");
  EXPECT_EQ(root(context, 0).choices[0].kind, ChoiceKind::Message);
  EXPECT_EQ(root(context, 0).choices[0].payload.ground, "Int");
  EXPECT_EQ(root(context, 2).choices[0].kind, ChoiceKind::Message);
  EXPECT_EQ(root(context, 2).choices[0].payload.ground, "Reason");
}

TEST(SyntaxRefinements, ATimeoutDurationNeedsAUnit) {
  EXPECT_EQ(first_error("a: b&{m, timeout(500)}\nb: a⊕m"),
            "1:18: a timeout's duration needs a unit: 500ms, 500s or 500min");
  EXPECT_EQ(first_error("a: b&{m, timeout(5h)}\nb: a⊕m"),
            "1:18: malformed duration '5h' (write 500ms, 2s or 1min)");
}

TEST(SyntaxRefinements, PlacesTimeoutsOnlyInBranches) {
  EXPECT_EQ(first_error("a: b⊕{m, timeout(1s)}\nb: a&m"),
            "1:10: a timeout belongs in a branch (&), where the role waits; a select (⊕) sends");
  EXPECT_EQ(first_error("a: b&{m, timeout(1s), timeout(2s)}\nb: a⊕m"), "1:23: a branch has at most one timeout");
}

// ---- wildcards ----------------------------------------------------------------------

TEST(SyntaxRefinements, ReadsAWildcardBranch) {
  const Context context = accept("a: b&{m . end, _ . c⊕x}\nb: a⊕{m, n, o}\nc: a&x\n");
  const TypeNode& branch = root(context, 0);
  ASSERT_EQ(branch.choices.size(), 2u);
  EXPECT_EQ(branch.choices[1].kind, ChoiceKind::Wildcard);
  EXPECT_EQ(context.node(branch.choices[1].continuation).kind, TypeKind::Select);
}

TEST(SyntaxRefinements, PlacesWildcardsOnlyInBranchesAndWithoutPayload) {
  EXPECT_EQ(first_error("a: b⊕{m, _}\nb: a&m"),
            "1:10: the wildcard '_' stands for messages a role receives; a select (⊕) names what it sends");
  EXPECT_EQ(first_error("a: b&{m, _, _}\nb: a⊕m"), "1:13: a branch has at most one wildcard '_'");
  EXPECT_EQ(first_error("a: b&{m, _(Int)}\nb: a⊕m"), "1:12: the wildcard '_' takes no payload");
  EXPECT_EQ(first_error("a: b&{m, _ if true}\nb: a⊕m"), "1:15: only a received message can have a guard");
}

// ---- labels, binders and guards in the wrong place ---------------------------------

TEST(SyntaxRefinements, SeveralBranchesForOneLabelNeedAGuardEach) {
  EXPECT_EQ(first_error("a: b&{m(n: u8) if n > 1, m(n: u8)}\nb: a⊕m(u8)"),
            "1:26: label 'm' has several branches here, so each needs a guard (if …)");
  EXPECT_EQ(first_error("a: b&{m, m}\nb: a⊕m"), "1:10: duplicate label 'm' in this choice");
  EXPECT_EQ(first_error("a: b&{m(n: u8) if n > 1, m(n: u16) if n < 1}\nb: a⊕m(u8)"),
            "1:31: branches for label 'm' must carry the same payload sort");
  // Guards on selects and binders in selects are refused.
  EXPECT_EQ(first_error("a: b⊕m(n: u8) if n > 1\nb: a&m(u8)"),
            "1:8: only a received message binds its payload; a select (⊕) names the sort alone");
  EXPECT_EQ(first_error("a: b⊕m(u8) if true\nb: a&m(u8)"),
            "1:15: a select (⊕) cannot have guards: the sender chooses freely");
}

TEST(SyntaxRefinements, ChecksDeclarations) {
  EXPECT_EQ(first_error("record r { x: u32, x: u8 }"), "1:20: duplicate field 'x'");
  EXPECT_EQ(first_error("record r { x: Int }"), "1:15: 'Int' is not a type fields can have (u8, u16, u32, u64, bool)");
  EXPECT_EQ(first_error("record u32 { x: u8 }"), "1:8: record 'u32' has the name of a builtin sort");
  EXPECT_EQ(first_error("sort r;\nrecord r { x: u8 }"), "2:8: duplicate declaration of sort 'r'");
  EXPECT_EQ(first_error("state nobody { x: u8 }\na: end"), "1:7: state declared for unknown role 'nobody'");
  EXPECT_EQ(first_error("a: end\nstate a { x: u8 }\nstate a { y: u8 }"), "3:7: the state of role 'a' is declared twice");
  EXPECT_EQ(first_error("env n: a⊕m\na: n&m\nstate n { x: u8 }"),
            "3:7: environment role 'n' cannot have state: lim assumes it may send anything at any time");
  EXPECT_EQ(first_error("const k: u8 = 1\na: end\nstate a { k: u8 }"),
            "3:11: state variable 'k' has the name of a constant");
  EXPECT_EQ(first_error("const k: u8 = 1\nconst k: u8 = 2"), "2:7: duplicate constant 'k'");
  EXPECT_EQ(first_error("const k: Int = 1"), "1:10: 'Int' is not a type constants can have (u8, u16, u32, u64, bool)");
  EXPECT_EQ(first_error("pred p() = true\npred p() = false"), "2:6: duplicate predicate 'p'");
  EXPECT_EQ(first_error("pred p(x: String) = true"),
            "1:11: 'String' is not a type parameters can have (u8, u16, u32, u64, bool, or a record)");
}

// ---- environments --------------------------------------------------------------------

TEST(SyntaxRefinements, ReadsEnvironmentRoles) {
  const Context context = accept(kSegment +
                                 "env net: system⊕{syn(segment), ack(segment)} | user⊕poke\n"
                                 "env s[sink]: end\n"
                                 "system: net&{syn(s: segment), ack(s: segment)}\nuser: net&poke\n");
  ASSERT_EQ(context.entries.size(), 4u);
  const RoleEntry& net = context.entries[0];
  EXPECT_TRUE(net.environment);
  EXPECT_EQ(net.role, "net");
  ASSERT_EQ(net.alphabet.size(), 2u);
  EXPECT_EQ(context.node(net.alphabet[0]).name, "system");
  EXPECT_EQ(context.node(net.alphabet[0]).choices.size(), 2u);
  EXPECT_EQ(context.node(net.alphabet[0]).choices[1].payload.ground, "segment");
  EXPECT_EQ(context.node(net.alphabet[1]).choices[0].label, "poke");
  EXPECT_EQ(context.node(net.type).kind, TypeKind::End);
  EXPECT_TRUE(context.entries[1].environment);
  EXPECT_EQ(context.entries[1].session, "s");
  EXPECT_TRUE(context.entries[1].alphabet.empty());
}

TEST(SyntaxRefinements, ChecksEnvironmentAlphabets) {
  EXPECT_EQ(first_error("env n: x⊕m\na: end"), "1:8: unknown role 'x' (the roles are 'n', 'a')");
  EXPECT_EQ(first_error("env n: n⊕m\na: end"), "1:8: role 'n' communicates with itself");
  EXPECT_EQ(first_error("env n: a⊕{m, m}\na: n&m"), "1:14: duplicate label 'm' in this choice");
  EXPECT_EQ(first_error("env n: a&m\na: n&m"), "1:9: expected '⊕' but found '&'");
  EXPECT_EQ(first_error("env n: {m}\na: n&m"),
            "1:8: expected messages 'role⊕{…}' the environment may send but found '{'");
  EXPECT_EQ(first_error("env n: a⊕m(Nat)\na: n&m"), "1:12: unknown sort 'Nat'");
  EXPECT_EQ(first_error("env n: end\nn: end"), "2:1: role 'n' is given twice");
}

// ---- printing ------------------------------------------------------------------------

TEST(SyntaxRefinements, PrintsEverythingBackToTheSameContext) {
  const std::string text = kSegment +
                           "const mss: u32 = 1460\nconst wait: u64 = 2s\nstate system { rcv_nxt: u32, rto: u64 }\n"
                           "pred ok(s: segment) = seq_le(rcv_nxt, s.seq) && s.len <= mss\n"
                           "env net: system⊕{ack(segment), rst(segment)} | user⊕poke\n"
                           "system: rec t . net&{ack(s: segment) if ok(s) . t, ack(s: segment) if !ok(s) . user⊕x . t,"
                           " timeout(rto) . t, timeout2(u8), _ . end}\n"
                           "user: rec t . system&x . t\n";
  const Context context = accept(text);
  const std::string printed = print_context(context);
  EXPECT_EQ(printed,
            "record segment { seq: u32, ack: u32, len: u32, wnd: u16, flags: u8 }\n"
            "const mss: u32 = 1460;\n"
            "const wait: u64 = 2s;\n"
            "state system { rcv_nxt: u32, rto: u64 }\n"
            "pred ok(s: segment) = seq_le(rcv_nxt, s.seq) && s.len <= mss;\n"
            "env net: system⊕{ack(segment), rst(segment)} | user⊕poke,\n"
            "system: μ(t)net&{ack(s: segment) if ok(s) . t, ack(s: segment) if !ok(s) . user⊕x.t, timeout(rto).t, "
            "timeout2(u8), _},\n"
            "user: μ(t)system&x.t\n");
  const Context again = accept(printed);
  EXPECT_EQ(print_context(again), printed);
  EXPECT_EQ(print_context(again, Notation::Ascii).find("⊕"), std::string::npos);
}

TEST(SyntaxRefinements, ParenthesisesAGuardEndingInARecordBinder) {
  // `(s == s)` is ill-typed, but it must still print to text that parses to
  // the same tree: unparenthesised, `s . t` would read a field `t`.
  Context context = accept(kSegment + "a: rec t . b&m(s: segment) if (true == true) . t\nb: rec t . a⊕m(segment) . t\n");
  TypeNode& branch = context.node(unfold(context, context.entries[0].type));
  ExprNode name{ExprKind::Name, Operator::None, {3, 40}, "s", {}, 0, false, {}, 1};
  const ExprId s = context.add_expression(name);
  ExprNode comparison{ExprKind::Binary, Operator::Equal, {3, 40}, {}, {}, 0, false, {s, s}, 2};
  branch.choices[0].guard = context.add_expression(comparison);
  const std::string printed = print_context(context);
  EXPECT_NE(printed.find("if (s == s) . t"), std::string::npos) << printed;
  const Context again = accept(printed);
  EXPECT_EQ(print_context(again), printed);
}

}  // namespace
}  // namespace lim::syntax
