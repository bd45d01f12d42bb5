// The parser: every mpstk example as is, lim's own additions, the shape of
// the tree it builds, name resolution, and one test per syntax error class.
#include "lim/syntax/parser.hpp"

#include <filesystem>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "test_support.hpp"

namespace lim::syntax {
namespace {

namespace fs = std::filesystem;

struct Parsed {
  SourceFile file;
  Diagnostics diagnostics;
  std::optional<Context> context;
};

// `load` = parse + static checks (what lim uses); `parse` stops after parsing.
Parsed load(const std::string& text, bool checks = true) {
  Parsed parsed{SourceFile("test.lim", text), {}, std::nullopt};
  parsed.context = checks ? load_context(parsed.file, parsed.diagnostics)
                          : parse_context(parsed.file, parsed.diagnostics);
  return parsed;
}

// Loads text that must be accepted without any diagnostic.
Context accept(const std::string& text) {
  Parsed parsed = load(text);
  EXPECT_TRUE(parsed.diagnostics.empty()) << format_diagnostics(parsed.file, parsed.diagnostics);
  if (!parsed.context) {
    ADD_FAILURE() << "rejected: " << text;
    return {};
  }
  return std::move(*parsed.context);
}

// The first error of text that must be rejected, as "line:col: message".
std::string first_error(const std::string& text, bool checks = true) {
  const Parsed parsed = load(text, checks);
  EXPECT_FALSE(parsed.context.has_value()) << text;
  for (const Diagnostic& d : parsed.diagnostics.all()) {
    if (d.severity == Severity::Error) {
      return std::to_string(d.location.line) + ":" + std::to_string(d.location.column) + ": " + d.message;
    }
  }
  return "no error";
}

fs::path mpstk_examples() { return testing::shared_dir() / "corpus" / "mpstk" / "examples"; }

#define SKIP_WITHOUT_CORPUS()                                                                    \
  if (!fs::is_directory(mpstk_examples()))                                                       \
  GTEST_SKIP() << "../shared/corpus/mpstk/examples is absent (" << mpstk_examples().string() \
               << "); the corpus tests need it"

Context load_example(const std::string& name) {
  const fs::path path = mpstk_examples() / name;
  const SourceFile file(path.string(), testing::read_file(path));
  Diagnostics diagnostics;
  std::optional<Context> context = load_context(file, diagnostics);
  EXPECT_TRUE(diagnostics.empty()) << format_diagnostics(file, diagnostics);
  if (!context) {
    ADD_FAILURE() << name << " was rejected";
    return {};
  }
  return std::move(*context);
}

const RoleEntry* entry_of(const Context& context, std::string_view role) {
  for (const RoleEntry& entry : context.entries) {
    if (entry.role == role) return &entry;
  }
  return nullptr;
}

// ---- the mpstk corpus -------------------------------------------------------

TEST(SyntaxParser, AcceptsEveryMpstkExampleUnchanged) {
  SKIP_WITHOUT_CORPUS();
  int files = 0;
  for (const fs::directory_entry& item : fs::directory_iterator(mpstk_examples())) {
    if (item.path().extension() != ".ctx") continue;
    SCOPED_TRACE(item.path().filename().string());
    const Context context = load_example(item.path().filename().string());
    EXPECT_FALSE(context.entries.empty());
    ++files;
  }
  EXPECT_GE(files, 10);
}

TEST(SyntaxParser, PayloadVariableResolvesToTheEnclosingRecursion) {
  SKIP_WITHOUT_CORPUS();
  // s[p]: μ(t)q⊕m(t) . end   — the payload `t` is the enclosing μ(t).
  const Context context = load_example("popl19-ex5.11-c.ctx");
  ASSERT_EQ(context.entries.size(), 2u);
  const RoleEntry& p = context.entries[0];
  EXPECT_EQ(p.session, "s");
  EXPECT_EQ(p.role, "p");
  const TypeNode& recursion = context.node(p.type);
  ASSERT_EQ(recursion.kind, TypeKind::Recursion);
  EXPECT_EQ(recursion.name, "t");
  const TypeNode& select = context.node(recursion.body);
  ASSERT_EQ(select.kind, TypeKind::Select);
  EXPECT_EQ(select.name, "q");
  ASSERT_EQ(select.choices.size(), 1u);
  const PayloadSort& payload = select.choices[0].payload;
  ASSERT_EQ(payload.kind, PayloadSort::Kind::Session);
  const TypeNode& variable = context.node(payload.session);
  EXPECT_EQ(variable.kind, TypeKind::Variable);
  EXPECT_EQ(variable.body, p.type);
  EXPECT_EQ(payload.location, (SourceLocation{6, 15}));
  EXPECT_EQ(context.node(select.choices[0].continuation).kind, TypeKind::End);

  // s[q]: p&m( μ(t)q⊕m(t) ) . end — here the payload binds its own `t`.
  const TypeNode& branch = context.node(context.entries[1].type);
  ASSERT_EQ(branch.kind, TypeKind::Branch);
  const TypeId inner = branch.choices[0].payload.session;
  ASSERT_EQ(context.node(inner).kind, TypeKind::Recursion);
  const TypeNode& inner_select = context.node(context.node(inner).body);
  EXPECT_EQ(context.node(inner_select.choices[0].payload.session).body, inner);
}

TEST(SyntaxParser, SessionsAreKeptApart) {
  SKIP_WITHOUT_CORPUS();
  const Context context = load_example("popl19-sec2.3.ctx");
  ASSERT_EQ(context.entries.size(), 3u);
  EXPECT_EQ(context.entries[2].session, "s2");
  EXPECT_EQ(context.entries[2].role, "r");
  EXPECT_EQ(context.node(context.entries[2].type).kind, TypeKind::End);
  // `foo(end)`: an explicit `end` payload is a Session payload with a node.
  const Choice& foo = context.node(context.entries[0].type).choices[0];
  EXPECT_EQ(foo.label, "foo");
  ASSERT_EQ(foo.payload.kind, PayloadSort::Kind::Session);
  ASSERT_NE(foo.payload.session, kNoType);
  EXPECT_EQ(context.node(foo.payload.session).kind, TypeKind::End);
}

TEST(SyntaxParser, PayloadTypesMayMentionRolesOutsideTheContext) {
  SKIP_WITHOUT_CORPUS();
  const Context context = load_example("payload-subtype.ctx");
  const RoleEntry* q = entry_of(context, "q");
  ASSERT_NE(q, nullptr);
  const PayloadSort& payload = context.node(q->type).choices[0].payload;
  ASSERT_EQ(payload.kind, PayloadSort::Kind::Session);
  const TypeNode& body = context.node(context.node(payload.session).body);
  EXPECT_EQ(body.kind, TypeKind::Branch);
  EXPECT_EQ(body.name, "r");
  ASSERT_EQ(body.choices.size(), 2u);
  EXPECT_EQ(body.choices[0].label, "m1");
  EXPECT_EQ(body.choices[1].label, "m2");
}

TEST(SyntaxParser, CanonicalisesBuiltinSortSpellings) {
  SKIP_WITHOUT_CORPUS();
  const Context context = load_example("rec-two-buyers.ctx");
  ASSERT_EQ(context.entries.size(), 3u);
  const TypeNode& query = context.node(entry_of(context, "alice")->type);
  EXPECT_EQ(query.kind, TypeKind::Select);
  EXPECT_EQ(query.name, "shop");
  EXPECT_EQ(query.choices[0].payload.kind, PayloadSort::Kind::Ground);
  EXPECT_EQ(query.choices[0].payload.ground, "String");  // written `Str`
  const TypeNode& split = context.node(context.node(entry_of(context, "bob")->type).body);
  ASSERT_EQ(split.choices.size(), 2u);
  EXPECT_EQ(split.choices[0].label, "split");
  EXPECT_EQ(split.choices[0].payload.ground, "Int");
  EXPECT_EQ(split.choices[1].label, "cancel");
}

TEST(SyntaxParser, ReadsEveryRoleOfALargerExample) {
  SKIP_WITHOUT_CORPUS();
  const Context context = load_example("multiparty-workers.ctx");
  std::vector<std::string> roles;
  for (const RoleEntry& entry : context.entries) roles.push_back(entry.role);
  EXPECT_EQ(roles, (std::vector<std::string>{"starter", "workerA1", "workerB1", "workerC1", "workerA2",
                                             "workerB2", "workerC2", "workerA3", "workerB3", "workerC3"}));
}

// ---- trees ------------------------------------------------------------------

TEST(SyntaxParser, WritesMpstkDefaultsExplicitly) {
  const Context context = accept("a: b⊕{m, n(), o(end), p(Int).end}, b: a&{m, n, o, p(int)}");
  const TypeNode& select = context.node(context.entries[0].type);
  ASSERT_EQ(select.choices.size(), 4u);
  for (const Choice& choice : select.choices) {
    ASSERT_NE(choice.continuation, kNoType);
    EXPECT_EQ(context.node(choice.continuation).kind, TypeKind::End);
  }
  EXPECT_EQ(select.choices[0].payload.kind, PayloadSort::Kind::Session);
  EXPECT_EQ(select.choices[0].payload.session, kNoType);
  EXPECT_EQ(select.choices[1].payload.session, kNoType);
  EXPECT_EQ(context.node(select.choices[2].payload.session).kind, TypeKind::End);
  EXPECT_EQ(select.choices[3].payload.ground, "Int");
}

TEST(SyntaxParser, RecordsLocations) {
  const Context context = accept("// roles\nalice: bob⊕hello(Int).end\nbob:\talice&hello(Int)");
  ASSERT_EQ(context.entries.size(), 2u);
  EXPECT_EQ(context.entries[0].location, (SourceLocation{2, 1}));
  const TypeNode& hello = context.node(context.entries[0].type);
  EXPECT_EQ(hello.location, (SourceLocation{2, 8}));
  EXPECT_EQ(hello.name_location, (SourceLocation{2, 8}));
  EXPECT_EQ(hello.choices[0].location, (SourceLocation{2, 12}));
  EXPECT_EQ(hello.choices[0].payload.location, (SourceLocation{2, 18}));
  EXPECT_EQ(context.node(hello.choices[0].continuation).location, (SourceLocation{2, 23}));
  EXPECT_EQ(context.node(context.entries[1].type).location, (SourceLocation{3, 6}));
}

TEST(SyntaxParser, AcceptsLimAdditions) {
  const Context context = accept(
      "sort Price;\n"
      "alice: bob(+)quote(Price).rec t . bob&{more.t, done};\n"
      "bob: alice&quote(Price).μx.alice(+){more.x, done}  // no separator\n"
      "carol: rec(t) carol2⊕ping.t # comment\n"
      "carol2: μ(t)carol&ping.t;\n");
  ASSERT_EQ(context.entries.size(), 4u);
  for (const RoleEntry& entry : context.entries) EXPECT_EQ(entry.session, "");
  const TypeNode& quote = context.node(context.entries[0].type);
  EXPECT_EQ(quote.kind, TypeKind::Select);
  EXPECT_EQ(quote.choices[0].payload.ground, "Price");
  const TypeNode& loop = context.node(quote.choices[0].continuation);
  ASSERT_EQ(loop.kind, TypeKind::Recursion);
  EXPECT_EQ(loop.name, "t");
  const TypeNode& more = context.node(loop.body);
  EXPECT_EQ(context.node(more.choices[0].continuation).body, quote.choices[0].continuation);
  EXPECT_EQ(context.node(context.entries[2].type).kind, TypeKind::Recursion);
}

TEST(SyntaxParser, ResolvesSortsDeclaredAnywhere) {
  const Context context = accept(
      "a: b⊕{x(Money), y(Price), z(Cash)}, b: a&{x(Int), y(Price), z(int)}\n"
      "sort Money = Cash; sort Cash = int\n"
      "sort Price\n");
  ASSERT_EQ(context.sorts.size(), 3u);
  EXPECT_EQ(context.sorts[0].name, "Money");
  EXPECT_EQ(context.sorts[0].aliased, "Int");
  EXPECT_EQ(context.sorts[1].aliased, "Int");
  EXPECT_EQ(context.sorts[2].aliased, "");
  EXPECT_EQ(context.sorts[2].location, (SourceLocation{3, 6}));
  const TypeNode& a = context.node(context.entries[0].type);
  EXPECT_EQ(a.choices[0].payload.ground, "Int");
  EXPECT_EQ(a.choices[1].payload.ground, "Price");
  EXPECT_EQ(a.choices[2].payload.ground, "Int");
}

TEST(SyntaxParser, PayloadNamesPreferSortsOverVariables) {
  // A declared sort wins over a recursion variable of the same name; an
  // undeclared name in scope is the variable.
  const Context context = accept("sort t; a: μ(t)b⊕m(t).t, b: μ(u)a&m(u).u");
  const TypeNode& a = context.node(context.node(context.entries[0].type).body);
  EXPECT_EQ(a.choices[0].payload.kind, PayloadSort::Kind::Ground);
  EXPECT_EQ(a.choices[0].payload.ground, "t");
  const TypeId b = context.entries[1].type;
  const PayloadSort& u = context.node(context.node(b).body).choices[0].payload;
  ASSERT_EQ(u.kind, PayloadSort::Kind::Session);
  EXPECT_EQ(context.node(u.session).kind, TypeKind::Variable);
  EXPECT_EQ(context.node(u.session).body, b);
}

TEST(SyntaxParser, IdentifierFollowedByAChoiceSymbolStartsAPayloadType) {
  const Context context = accept("a: b⊕m(Int⊕x.end), b: a&m(Int(+)x)");
  const PayloadSort& payload = context.node(context.entries[0].type).choices[0].payload;
  ASSERT_EQ(payload.kind, PayloadSort::Kind::Session);
  EXPECT_EQ(context.node(payload.session).kind, TypeKind::Select);
  EXPECT_EQ(context.node(payload.session).name, "Int");
}

TEST(SyntaxParser, InnerBindersShadowOuterOnes) {
  const Context context = accept("a: μ(t)b⊕m.μ(t)b⊕n.t, b: μ(t)a&m.a&n.t");
  const TypeNode& outer = context.node(context.entries[0].type);
  const TypeId inner = context.node(outer.body).choices[0].continuation;
  const TypeNode& n = context.node(context.node(inner).body);
  EXPECT_EQ(context.node(n.choices[0].continuation).body, inner);
}

TEST(SyntaxParser, RecAndEndAreOrdinaryNamesElsewhere) {
  // `rec` as a role, label and recursion variable; `end` as a role.
  const Context context = accept("rec: end⊕rec.μ(rec)end&rec.rec, end: rec&rec.μ(x)rec⊕rec.x");
  EXPECT_EQ(context.entries[0].role, "rec");
  const TypeNode& first = context.node(context.entries[0].type);
  EXPECT_EQ(first.name, "end");
  EXPECT_EQ(first.choices[0].label, "rec");
}

TEST(SyntaxParser, UnfoldFollowsBindersToACommunication) {
  const Context context = accept("a: μ(t)μ(s)b⊕{m.t, n.s}, b: μ(t)a&{m.t, n.t}");
  const TypeId select = context.node(context.node(context.entries[0].type).body).body;
  EXPECT_EQ(unfold(context, context.entries[0].type), select);
  const TypeId t = context.node(select).choices[0].continuation;
  EXPECT_EQ(unfold(context, t), select);
  EXPECT_EQ(unfold(context, select), select);
}

TEST(SyntaxParser, UnfoldGivesUpOnUnguardedTypes) {
  Context context;
  const TypeId recursion = context.add({TypeKind::Recursion, {}, "t", {}, {}, kNoType});
  context.node(recursion).body = context.add({TypeKind::Variable, {}, "t", {}, {}, recursion});
  EXPECT_EQ(unfold(context, recursion), kNoType);
  EXPECT_EQ(unfold(context, kNoType), kNoType);
}

TEST(SyntaxParser, AcceptsAnEmptyFile) {
  const Context context = accept("# nothing here\n");
  EXPECT_TRUE(context.entries.empty());
}

TEST(SyntaxParser, BuiltinSortSpellings) {
  EXPECT_EQ(builtin_sort("bool"), "Bool");
  EXPECT_EQ(builtin_sort("Str"), "String");
  EXPECT_EQ(builtin_sort("string"), "String");
  EXPECT_EQ(builtin_sort("unit"), "Unit");
  EXPECT_EQ(builtin_sort("Int"), "Int");
  EXPECT_EQ(builtin_sort("INT"), "");
  EXPECT_EQ(builtin_sort("Integer"), "");
}

// ---- syntax errors ----------------------------------------------------------

TEST(SyntaxParser, ReportsWhatWasExpectedAndWhatWasFound) {
  EXPECT_EQ(first_error("s[p]: q⊕{m(Int) foo}"), "1:17: expected '.' or ',' or '}' but found 'foo'");
  EXPECT_EQ(first_error("a: b⊕{m foo}"), "1:9: expected '(' or '.' or ',' or '}' but found 'foo'");
}

TEST(SyntaxParser, ReportsEndOfInputAtTheLastPosition) {
  EXPECT_EQ(first_error("a: b⊕\n\n# trailing comment\n"), "1:6: unexpected end of input, expected a label");
  EXPECT_EQ(first_error("a: b⊕m(Int"), "1:11: unexpected end of input, expected ')'");
  EXPECT_EQ(first_error("a: μ(t"), "1:7: unexpected end of input, expected ')'");
  EXPECT_EQ(first_error("a:"), "1:3: unexpected end of input, expected a session type");
  EXPECT_EQ(first_error("s[p"), "1:4: unexpected end of input, expected ']'");
}

TEST(SyntaxParser, ReportsAMissingColon) {
  EXPECT_EQ(first_error("alice bob⊕m"), "1:7: expected ':' or '[' but found 'bob'");
}

TEST(SyntaxParser, ReportsAMissingDotBetweenPrefixes) {
  EXPECT_EQ(first_error("a: b⊕m1 c&m2"),
            "1:9: expected '(' or '.' or ',' or ';' or an entry 'role: type' but found 'c'");
}

TEST(SyntaxParser, ReportsAMissingType) {
  EXPECT_EQ(first_error("a: )"), "1:4: expected a session type but found ')'");
  EXPECT_EQ(first_error("a: b⊕m.,"), "1:8: expected a session type but found ','");
}

TEST(SyntaxParser, ReportsAMissingLabel) {
  EXPECT_EQ(first_error("a: b⊕{}"), "1:7: expected a label but found '}'");
  EXPECT_EQ(first_error("a: b⊕{m,}"), "1:9: expected a label but found '}'");
}

TEST(SyntaxParser, ReportsMalformedRecursion) {
  EXPECT_EQ(first_error("a: μ b⊕m"), "1:7: expected '.' but found '⊕'");
  EXPECT_EQ(first_error("a: μ(t b⊕m"), "1:8: expected ')' but found 'b'");
  EXPECT_EQ(first_error("a: μ{"), "1:5: expected '(' or a recursion variable but found '{'");
}

TEST(SyntaxParser, ReportsAMissingCloseParenthesis) {
  EXPECT_EQ(first_error("a: (b⊕m c: end"), "1:9: expected '(' or '.' or ')' but found 'c'");
}

TEST(SyntaxParser, ReportsMalformedHeadersAndSorts) {
  EXPECT_EQ(first_error("s[: end"), "1:3: expected a role but found ':'");
  EXPECT_EQ(first_error("s[p] end"), "1:6: expected ':' but found 'end'");
  EXPECT_EQ(first_error("sort A = ;"), "1:10: expected a sort name but found ';'");
  EXPECT_EQ(first_error("{"), "1:1: expected an entry 'role: type' but found '{'");
}

TEST(SyntaxParser, ReportsLexicalErrorsWithTheirPosition) {
  EXPECT_EQ(first_error("a: b⊕m$"),
            "1:7: unexpected character '$', expected '(' or '.' or ',' or ';' or an entry 'role: type'");
  EXPECT_EQ(first_error("a: b⊕{m,\n  \xFFn}"), "2:3: invalid UTF-8 byte 0xFF, expected a label");
}

TEST(SyntaxParser, ReportsUnboundVariablesWhileParsing) {
  EXPECT_EQ(first_error("a: b⊕m.t, b: a&m", false), "1:8: unbound recursion variable 't'");
  // A binder's scope ends with its body.
  EXPECT_EQ(first_error("a: b⊕{m.μ(t)b⊕x.t, n.t}, b: a&{m.a&x, n}", false),
            "1:22: unbound recursion variable 't'");
}

TEST(SyntaxParser, ReportsSortAliasCycles) {
  EXPECT_EQ(first_error("sort A = B; sort B = A;", false), "1:6: sort 'A' is an alias of itself");
  EXPECT_EQ(first_error("sort A = A;", false), "1:6: sort 'A' is an alias of itself");
}

TEST(SyntaxParser, RecoversAndReportsErrorsInLaterEntries) {
  const Parsed parsed = load("a: b⊕{m foo},\nb: a&m,\nc: d⊕)\n");
  EXPECT_FALSE(parsed.context.has_value());
  ASSERT_EQ(parsed.diagnostics.all().size(), 2u) << format_diagnostics(parsed.file, parsed.diagnostics);
  EXPECT_EQ(parsed.diagnostics.all()[0].location, (SourceLocation{1, 9}));
  EXPECT_EQ(parsed.diagnostics.all()[1].location, (SourceLocation{3, 6}));
  EXPECT_EQ(parsed.diagnostics.all()[1].message, "expected a label but found ')'");
}

TEST(SyntaxParser, RecoversAtAnEntryTakenForALabel) {
  // `s` is read as a label of q⊕; the next entry still starts at `s[q]:`.
  const Parsed parsed = load("s[p]: q⊕ s[q]: p&m, s[r]: )");
  ASSERT_EQ(parsed.diagnostics.all().size(), 2u) << format_diagnostics(parsed.file, parsed.diagnostics);
  EXPECT_EQ(parsed.diagnostics.all()[1].location, (SourceLocation{1, 27}));
}

TEST(SyntaxParser, StopsAfterTooManyErrors) {
  std::string text;
  for (int i = 0; i < 100; ++i) text += "a: )\n";
  const Parsed parsed = load(text);
  EXPECT_FALSE(parsed.context.has_value());
  ASSERT_LE(parsed.diagnostics.all().size(), 25u);
  EXPECT_EQ(parsed.diagnostics.all().back().severity, Severity::Note);
  EXPECT_EQ(parsed.diagnostics.all().back().message, "too many errors; giving up");
}

TEST(SyntaxParser, ParseAloneSkipsTheStaticChecks) {
  Parsed parsed = load("a: x⊕m", false);
  EXPECT_TRUE(parsed.context.has_value());
  EXPECT_TRUE(parsed.diagnostics.empty());
  parsed = load("a: x⊕m", true);
  EXPECT_FALSE(parsed.context.has_value());
}

// ---- diagnostics ------------------------------------------------------------

TEST(SyntaxParser, FormatsDiagnosticsWithSourceLineAndCaret) {
  const Parsed parsed = load("a: b⊕{m,\n\tn foo}\n");
  ASSERT_FALSE(parsed.diagnostics.empty());
  EXPECT_EQ(format_diagnostic(parsed.file, parsed.diagnostics.all()[0]),
            "test.lim:2:4: error: expected '(' or '.' or ',' or '}' but found 'foo'\n"
            "\tn foo}\n"
            "\t  ^\n");
}

TEST(SyntaxParser, FormatsACaretPastTheEndOfTheLine) {
  const Parsed parsed = load("a: b⊕");
  ASSERT_FALSE(parsed.diagnostics.empty());
  EXPECT_EQ(format_diagnostics(parsed.file, parsed.diagnostics),
            "test.lim:1:6: error: unexpected end of input, expected a label\n"
            "a: b⊕\n"
            "     ^\n");
}

TEST(SyntaxParser, FormatsNotesAndUnlocatedDiagnostics) {
  const SourceFile file("spec.lim", "a: end\r\nb: end\n");
  EXPECT_EQ(format_diagnostic(file, {Severity::Note, {2, 1}, "here"}), "spec.lim:2:1: note: here\nb: end\n^\n");
  EXPECT_EQ(format_diagnostic(file, {Severity::Error, {1, 4}, "x"}), "spec.lim:1:4: error: x\na: end\n   ^\n");
  EXPECT_EQ(format_diagnostic(file, {Severity::Error, {}, "cannot read"}), "spec.lim: error: cannot read\n");
  EXPECT_EQ(format_diagnostic(file, {Severity::Warning, {9, 1}, "w"}), "spec.lim:9:1: warning: w\n");
}

TEST(SyntaxParser, FormatsControlBytesAsQuestionMarks) {
  const SourceFile file("spec.lim", "a\x1B[2J\xFF b");
  EXPECT_EQ(format_diagnostic(file, {Severity::Error, {1, 8}, "x"}), "spec.lim:1:8: error: x\na?[2J? b\n       ^\n");
}

TEST(SyntaxParser, QuotesAWindowOfVeryLongLines) {
  const std::string line = std::string(5000, 'x') + "!" + std::string(5000, 'y');
  const SourceFile file("long.lim", line);
  const std::string text = format_diagnostic(file, {Severity::Error, {1, 5001}, "here"});
  const std::size_t first_newline = text.find('\n');
  const std::size_t second_newline = text.find('\n', first_newline + 1);
  const std::string quoted = text.substr(first_newline + 1, second_newline - first_newline - 1);
  const std::string caret = text.substr(second_newline + 1);
  EXPECT_LT(quoted.size(), 200u);
  EXPECT_EQ(quoted.substr(0, 3), "...");
  ASSERT_EQ(caret.back(), '\n');
  EXPECT_EQ(quoted[caret.size() - 2], '!');
}

}  // namespace
}  // namespace lim::syntax
