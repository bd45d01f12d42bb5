// No input may crash, hang or overflow the stack: truncated and mutated
// specs, random bytes, random token soups, 10^5-deep nesting and 10^5-long
// chains. Every run must end in either a context or located errors.
#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "lim/automata/from_local_types.hpp"
#include "lim/refine/refinements.hpp"
#include "lim/syntax/lexer.hpp"
#include "lim/syntax/parser.hpp"
#include "lim/syntax/printer.hpp"
#include "test_support.hpp"

namespace lim::syntax {
namespace {

namespace fs = std::filesystem;

fs::path mpstk_examples() { return testing::shared_dir() / "corpus" / "mpstk" / "examples"; }

std::vector<std::string> corpus_texts() {
  std::vector<std::string> texts;
  if (!fs::is_directory(mpstk_examples())) return texts;
  for (const fs::directory_entry& item : fs::directory_iterator(mpstk_examples())) {
    if (item.path().extension() == ".ctx") texts.push_back(testing::read_file(item.path()));
  }
  return texts;
}

// Specs in lim's own syntax, to truncate alongside the corpus.
const std::vector<std::string>& lim_specs() {
  static const std::vector<std::string> specs = {
      "// two buyers, lim style\n"
      "sort Price = Int; sort Title;\n"
      "buyer1: seller⊕title(Title).seller&quote(Price).buyer2⊕share(Price).end\n"
      "buyer2: buyer1&share(Price).rec t . seller(+){ok.seller&date(String), retry.t}\n"
      "seller: buyer1&title(Title).buyer1⊕quote(Price).μx.buyer2&{ok.buyer2⊕date(str), retry.x};\n",
      "a: μ(t)b⊕{m(μ(s)c&{x(Bool).s, y}).t, stop(unit)}, b: μ(t)a&{m(c&{x(bool), y}).t, stop(Unit)}\n",
      "s[p]: (q⊕m(\t( end )\t)) ,\r\ns[q]: p&m(end)\r\n",
      // the data-aware syntax: records, state, constants, predicates,
      // guards, timeouts, wildcards and an environment
      "record seg { seq: u32, len: u16, syn: bool }\nstate srv { nxt: u32, rto: u64 }\nconst k: u32 = 0x10 * 2;\n"
      "pred ok(s: seg, w: u32) = seq_le(nxt, s.seq) && seq_lt(s.seq, nxt + w) || s.syn;\n"
      "env net: srv⊕{ack(seg), rst(seg)} | app⊕poke\n"
      "srv: rec t . net&{ack(s: seg) if ok(s, k) . app⊕up . t, ack(s: seg) if !ok(s, u32(~0)) . t,\n"
      "  timeout(rto) . t, _ . end}\napp: rec t . srv&up . t\n",
  };
  return specs;
}

std::size_t code_points(std::string_view line) {
  std::size_t count = 0;
  for (std::size_t i = 0; i < line.size(); i += decode_utf8(line, i).length) ++count;
  return count;
}

std::string printable(const std::string& text) {
  std::string out;
  for (const unsigned char c : text) {
    if (c >= 0x20 && c < 0x7F && c != '\\') {
      out += static_cast<char>(c);
    } else {
      static const char* digits = "0123456789abcdef";
      out += "\\x";
      out += digits[c >> 4];
      out += digits[c & 15];
    }
  }
  return out;
}

// The contract every input must meet: a context and no errors, or no
// context and errors that all point inside the text; accepted contexts print
// to text that loads again and prints identically.
::testing::AssertionResult well_behaved(const std::string& text) {
  const SourceFile file("fuzz.lim", text);
  Diagnostics diagnostics;
  const std::optional<Context> context = load_context(file, diagnostics);
  if (context.has_value() == diagnostics.has_errors()) {
    return ::testing::AssertionFailure() << (context ? "accepted with errors" : "rejected without an error")
                                         << " on \"" << printable(text) << "\"";
  }
  for (const Diagnostic& d : diagnostics.all()) {
    const bool inside = d.location.known() && d.location.line <= file.line_count() &&
                        d.location.column >= 1 &&
                        d.location.column <= code_points(file.line_text(d.location.line)) + 1;
    if (!inside) {
      return ::testing::AssertionFailure() << "diagnostic outside the text at " << d.location.line << ":"
                                           << d.location.column << " (" << d.message << ") on \""
                                           << printable(text) << "\"";
    }
  }
  if (format_diagnostics(file, diagnostics).empty() != diagnostics.empty()) {
    return ::testing::AssertionFailure() << "formatting lost diagnostics";
  }
  if (context) {
    // Typing and translation must end in a system or in located errors too.
    Diagnostics typing;
    const std::optional<automata::System> system = automata::system_from_context(*context, typing);
    if (system.has_value() == typing.has_errors()) {
      return ::testing::AssertionFailure() << (system ? "translated with errors" : "refused without an error")
                                           << " on \"" << printable(text) << "\"";
    }
    for (const Diagnostic& d : typing.all()) {
      const bool inside = d.location.known() && d.location.line <= file.line_count() && d.location.column >= 1 &&
                          d.location.column <= code_points(file.line_text(d.location.line)) + 1;
      if (!inside) {
        return ::testing::AssertionFailure() << "typing diagnostic outside the text (" << d.message << ") on \""
                                             << printable(text) << "\"";
      }
    }
    const std::string printed = print_context(*context);
    const SourceFile again("printed.lim", printed);
    Diagnostics more;
    const std::optional<Context> reparsed = load_context(again, more);
    if (!reparsed || print_context(*reparsed) != printed) {
      return ::testing::AssertionFailure() << "print does not round-trip on \"" << printable(text) << "\": \""
                                           << printable(printed) << "\"\n"
                                           << format_diagnostics(again, more);
    }
  }
  return ::testing::AssertionSuccess();
}

TEST(SyntaxRobustness, EveryPrefixOfTheCorpusIsHandled) {
  const std::vector<std::string> texts = corpus_texts();
  if (texts.empty()) GTEST_SKIP() << "../shared/corpus/mpstk/examples is absent; nothing to truncate";
  for (const std::string& text : texts) {
    for (std::size_t cut = 0; cut <= text.size(); ++cut) ASSERT_TRUE(well_behaved(text.substr(0, cut)));
  }
}

TEST(SyntaxRobustness, EveryPrefixOfLimSpecsIsHandled) {
  for (const std::string& text : lim_specs()) {
    ASSERT_TRUE(well_behaved(text));
    const SourceFile file("spec.lim", text);
    Diagnostics diagnostics;
    EXPECT_TRUE(load_context(file, diagnostics).has_value()) << format_diagnostics(file, diagnostics);
    for (std::size_t cut = 0; cut <= text.size(); ++cut) ASSERT_TRUE(well_behaved(text.substr(0, cut)));
  }
}

TEST(SyntaxRobustness, EverySingleByteDeletionIsHandled) {
  std::vector<std::string> texts = corpus_texts();
  texts.insert(texts.end(), lim_specs().begin(), lim_specs().end());
  for (const std::string& text : texts) {
    for (std::size_t at = 0; at < text.size(); ++at) {
      ASSERT_TRUE(well_behaved(text.substr(0, at) + text.substr(at + 1)));
    }
  }
}

TEST(SyntaxRobustness, RandomBytesAreHandled) {
  std::mt19937 random(20240601);
  // Half the bytes come from the language's own characters so that the
  // strings get past the first token now and then.
  const std::string alphabet = "s[p]:⊕&μ(){},;.=#/+ \n\tabendrecsortInt!<>|-*%^~_0x19msifenvstatepred";
  for (int round = 0; round < 2500; ++round) {
    std::string text;
    const std::size_t length = random() % 120;
    for (std::size_t i = 0; i < length; ++i) {
      text += random() % 2 == 0 ? alphabet[random() % alphabet.size()] : static_cast<char>(random() % 256);
    }
    ASSERT_TRUE(well_behaved(text));
  }
}

TEST(SyntaxRobustness, RandomTokenSoupsAreHandled) {
  std::mt19937 random(7);
  const std::vector<std::string> vocabulary = {
      "a", "b", "c", "s", "t", "m", "n", "Int", "str", "Price", "end", "rec", "sort", "μ", "µ", "⊕", "(+)",
      "&", "(", ")", "{", "}", "[", "]", ":", ",", ";", ".", "=", "#x\n", "//y\n", "\n", "\xFF", "%",
      // the data-aware vocabulary
      "if", "_", "timeout", "env", "state", "record", "const", "pred", "u8", "u32", "bool", "true", "12", "500ms",
      "0xF", "1q", "==", "!=", "<=", "<<", "&&", "||", "!", "-", "+", "*", "|", "seq_lt", "x.y"};
  for (int round = 0; round < 4000; ++round) {
    // Most soups start like an entry, to exercise the type machine.
    std::string text = round % 4 == 0 ? "" : (round % 4 == 1 ? "a: " : "s[a]: ");
    const std::size_t length = 1 + random() % 40;
    for (std::size_t i = 0; i < length; ++i) {
      text += vocabulary[random() % vocabulary.size()];
      if (random() % 3 == 0) text += ' ';
    }
    ASSERT_TRUE(well_behaved(text));
  }
}

// Random contexts drawn from the grammar, as token lists, so that mutants of
// them explore the parser's paths near valid input.
class GrammarWalk {
 public:
  explicit GrammarWalk(std::uint32_t seed) : random_(seed) {}

  std::vector<std::string> context() {
    std::vector<std::string> tokens;
    const std::size_t entries = 1 + pick(3);
    for (std::size_t i = 0; i < entries; ++i) {
      if (pick(4) == 0) tokens.insert(tokens.end(), {"sort", pick(2) == 0 ? "Price" : "Cash", ";"});
      if (pick(2) == 0) tokens.insert(tokens.end(), {"s", "["});
      tokens.push_back(role());
      if (tokens.size() > 1 && tokens[tokens.size() - 2] == "[") tokens.push_back("]");
      tokens.push_back(":");
      type(tokens, 5);
      if (pick(3) != 0) tokens.push_back(pick(2) == 0 ? "," : ";");
    }
    return tokens;
  }

  std::uint32_t pick(std::uint32_t n) { return random_() % n; }
  std::mt19937& random() { return random_; }

 private:
  std::string role() { return std::string(1, static_cast<char>('a' + pick(3))); }

  // Recursion bounded by `depth`: test inputs stay small.
  void type(std::vector<std::string>& out, int depth) {
    switch (depth <= 0 ? pick(2) : pick(7)) {
      case 0: out.push_back("end"); return;
      case 1: out.push_back(bound_.empty() ? "end" : bound_[pick(static_cast<std::uint32_t>(bound_.size()))]); return;
      case 2: {
        const std::string name = "t" + std::to_string(bound_.size());
        if (pick(2) == 0) {
          out.insert(out.end(), {pick(2) == 0 ? "μ" : "rec", "(", name, ")"});
        } else {
          out.insert(out.end(), {pick(2) == 0 ? "μ" : "rec", name, "."});
        }
        bound_.push_back(name);
        type(out, depth - 1);
        bound_.pop_back();
        return;
      }
      case 3:
        out.push_back("(");
        type(out, depth - 1);
        out.push_back(")");
        return;
      default: break;
    }
    out.push_back(role());
    out.push_back(pick(3) == 0 ? "(+)" : pick(2) == 0 ? "⊕" : "&");
    const std::size_t choices = pick(3) == 0 ? 1 : 1 + pick(3);
    const bool braces = choices > 1 || pick(4) == 0;
    if (braces) out.push_back("{");
    for (std::size_t i = 0; i < choices; ++i) {
      if (i > 0) out.push_back(",");
      out.push_back("l" + std::to_string(i));
      switch (pick(6)) {
        case 0: out.insert(out.end(), {"(", ")"}); break;
        case 1: out.insert(out.end(), {"(", pick(2) == 0 ? "Int" : "Price", ")"}); break;
        case 2:
          out.push_back("(");
          type(out, depth - 2);
          out.push_back(")");
          break;
        default: break;
      }
      if (pick(3) != 0) {
        out.push_back(".");
        type(out, depth - 1);
      }
    }
    if (braces) out.push_back("}");
  }

  std::mt19937 random_;
  std::vector<std::string> bound_;
};

TEST(SyntaxRobustness, GrammarWalksAndTheirMutantsAreHandled) {
  GrammarWalk walk(99);
  const std::vector<std::string> noise = {"(", ")", "{", "}", ".", ",", ":", "⊕", "&", "μ", "x", "end", "\xFF"};
  int accepted = 0;
  int rejected = 0;
  for (int round = 0; round < 3000; ++round) {
    std::vector<std::string> tokens = walk.context();
    // Two in three are mutated: a token dropped, replaced or inserted.
    for (std::uint32_t mutations = walk.pick(3); mutations > 0 && !tokens.empty(); --mutations) {
      const std::size_t at = walk.pick(static_cast<std::uint32_t>(tokens.size()));
      switch (walk.pick(3)) {
        case 0: tokens.erase(tokens.begin() + static_cast<std::ptrdiff_t>(at)); break;
        case 1: tokens[at] = noise[walk.pick(static_cast<std::uint32_t>(noise.size()))]; break;
        default:
          tokens.insert(tokens.begin() + static_cast<std::ptrdiff_t>(at),
                        noise[walk.pick(static_cast<std::uint32_t>(noise.size()))]);
      }
    }
    std::string text;
    for (const std::string& token : tokens) {
      text += token;
      text += walk.pick(5) == 0 ? "\n" : " ";
    }
    ASSERT_TRUE(well_behaved(text));
    const SourceFile file("walk.lim", text);
    Diagnostics diagnostics;
    if (parse_context(file, diagnostics)) {
      ++accepted;
    } else {
      ++rejected;
    }
  }
  // Both the success paths and the error paths must have been exercised.
  EXPECT_GT(accepted, 500);
  EXPECT_GT(rejected, 500);
}

// Data-aware contexts drawn from a pool of declarations and choices, then
// mutated like the grammar walks: guards, binders, timeouts, wildcards and
// environments near valid input.
TEST(SyntaxRobustness, RefinedGrammarWalksAndTheirMutantsAreHandled) {
  std::mt19937 random(2024);
  const auto pick = [&](std::size_t n) { return static_cast<std::size_t>(random() % n); };
  const std::vector<std::string> declarations = {
      "record r { f: u8, g: u32 }", "state a { v: u32, rto: u64 }", "const k: u32 = 7 * 2",
      "pred p(x: r) = x.f < 3 || v == k", "pred q(y: u32) = seq_lt(y, v + 1)", "env n: a⊕{m(r), o} | b⊕z",
      "const d: u64 = 2s"};
  const std::vector<std::string> choices = {
      "m(x: r) if p(x) . t", "m(x: r) if !p(x) . b⊕n . t", "timeout(rto) . t", "timeout(d) . end", "_ . end",
      "o . t", "m(x: r) if q(x.g) && x.f != 0 . t", "o if k > 3 . end", "timeout(10ms) . b⊕n . t"};
  const std::vector<std::string> noise = {"(", ")", "{", "}", ".", ",", ":", "if", "&&", "!", "_", "timeout",
                                          "x", "7", "⊕", "&", "|", "u8", "\xFF"};
  int accepted = 0;
  int rejected = 0;
  for (int round = 0; round < 1500; ++round) {
    std::vector<std::string> tokens;
    // Every declaration, in a random order (a predicate may come before
    // what it uses); mutations take some away.
    std::vector<std::string> shuffled = declarations;
    std::shuffle(shuffled.begin(), shuffled.end(), random);
    for (const std::string& declaration : shuffled) tokens.push_back(declaration + (pick(2) == 0 ? ";" : ""));
    tokens.push_back("a: rec t . n&{");
    for (std::size_t i = 0, count = 1 + pick(4); i < count; ++i)
      tokens.push_back((i > 0 ? ", " : "") + choices[pick(choices.size())]);
    tokens.push_back("}");
    tokens.push_back("b: rec t . a&{n . t, z . end}");
    for (std::size_t mutations = pick(3); mutations > 0; --mutations) {
      const std::size_t at = pick(tokens.size());
      switch (pick(3)) {
        case 0: tokens.erase(tokens.begin() + static_cast<std::ptrdiff_t>(at)); break;
        case 1: tokens[at] = noise[pick(noise.size())]; break;
        default: tokens.insert(tokens.begin() + static_cast<std::ptrdiff_t>(at), noise[pick(noise.size())]);
      }
    }
    std::string text;
    for (const std::string& token : tokens) text += token + (pick(4) == 0 ? "\n" : " ");
    ASSERT_TRUE(well_behaved(text));
    const SourceFile file("walk.lim", text);
    Diagnostics diagnostics;
    const auto context = load_context(file, diagnostics);
    if (context && automata::system_from_context(*context, diagnostics)) {
      ++accepted;
    } else {
      ++rejected;
    }
  }
  EXPECT_GT(accepted, 200);
  EXPECT_GT(rejected, 200);
}

// ---- deep and long inputs -----------------------------------------------------

constexpr std::size_t kHuge = 100000;

std::string repeat(std::string_view piece, std::size_t times) {
  std::string text;
  text.reserve(piece.size() * times);
  for (std::size_t i = 0; i < times; ++i) text += piece;
  return text;
}

// The single error that deep nesting must produce.
void expect_nesting_error(const std::string& text, SourceLocation where) {
  const SourceFile file("deep.lim", text);
  Diagnostics diagnostics;
  EXPECT_FALSE(load_context(file, diagnostics).has_value());
  ASSERT_EQ(diagnostics.all().size(), 1u) << format_diagnostics(file, diagnostics).substr(0, 2000);
  EXPECT_EQ(diagnostics.all()[0].location, where);
  EXPECT_EQ(diagnostics.all()[0].message, "nesting deeper than 1000 levels is not supported");
}

TEST(SyntaxRobustness, DeeplyNestedParenthesesGiveALocatedError) {
  // "a: " takes 3 columns; the 1001st '(' is the one refused.
  expect_nesting_error("a: " + repeat("(", kHuge) + "end" + repeat(")", kHuge), {1, 3 + 1001});
}

TEST(SyntaxRobustness, DeeplyNestedBracesGiveALocatedError) {
  // Each "b⊕{m." is 5 columns and its '{' the third.
  expect_nesting_error("a: " + repeat("b⊕{m.", kHuge) + "end" + repeat("}", kHuge), {1, 3 + 5 * 1000 + 3});
}

TEST(SyntaxRobustness, DeeplyNestedPayloadsGiveALocatedError) {
  expect_nesting_error("a: " + repeat("b⊕m(", kHuge) + "end" + repeat(")", kHuge), {1, 3 + 4 * 1000 + 4});
}

TEST(SyntaxRobustness, NestingUpToTheLimitIsAccepted) {
  const std::string text = "a: " + repeat("(", kMaxNesting) + "b⊕m" + repeat(")", kMaxNesting) + ", b: a&m";
  ASSERT_TRUE(well_behaved(text));
  const SourceFile file("deep.lim", text);
  Diagnostics diagnostics;
  EXPECT_TRUE(load_context(file, diagnostics).has_value()) << format_diagnostics(file, diagnostics);
}

TEST(SyntaxRobustness, AHundredThousandLongChainParsesChecksAndPrints) {
  std::string a = "a: μ(t)";
  std::string b = "b: μ(t)";
  for (std::size_t i = 0; i < kHuge; ++i) {
    const std::string label = "m" + std::to_string(i);
    a += "b⊕" + label + "(Int).";
    b += "a&" + label + "(Int).";
  }
  const std::string text = a + "t,\n" + b + "t\n";
  const SourceFile file("chain.lim", text);
  Diagnostics diagnostics;
  const std::optional<Context> context = load_context(file, diagnostics);
  ASSERT_TRUE(context.has_value()) << format_diagnostics(file, diagnostics).substr(0, 2000);
  // Walk a's chain: kHuge selects, then the variable back to the top.
  TypeId at = unfold(*context, context->entries[0].type);
  for (std::size_t i = 0; i < kHuge; ++i) {
    ASSERT_EQ(context->node(at).kind, TypeKind::Select) << i;
    at = unfold(*context, context->node(at).choices[0].continuation);
  }
  EXPECT_EQ(at, unfold(*context, context->entries[0].type));
  const std::string printed = print_context(*context);
  EXPECT_EQ(printed, text);
  EXPECT_GT(print_context(*context, Notation::Ascii).size(), text.size() / 2);
}

TEST(SyntaxRobustness, AHundredThousandRecursionPrefixesAreFine) {
  std::string text = "a: ";
  for (std::size_t i = 0; i < kHuge; ++i) text += "μ(t" + std::to_string(i) + ")";
  text += "b⊕m.t0, b: μ(t)a&m.t";
  ASSERT_TRUE(well_behaved(text));
  const SourceFile file("mu.lim", text);
  Diagnostics diagnostics;
  const std::optional<Context> context = load_context(file, diagnostics);
  ASSERT_TRUE(context.has_value()) << format_diagnostics(file, diagnostics).substr(0, 2000);
  EXPECT_EQ(context->node(unfold(*context, context->entries[0].type)).kind, TypeKind::Select);
}

TEST(SyntaxRobustness, AHundredThousandUnguardedPrefixesAreReported) {
  std::string text = "a: ";
  for (std::size_t i = 0; i < kHuge; ++i) text += "rec(t" + std::to_string(i) + ")";
  text += "t0";
  const SourceFile file("mu.lim", text);
  Diagnostics diagnostics;
  EXPECT_FALSE(load_context(file, diagnostics).has_value());
  ASSERT_EQ(diagnostics.all().size(), 2u);
  EXPECT_EQ(diagnostics.all()[0].message,
            "unguarded recursion variable 't0': no communication between its binder and this use");
}

TEST(SyntaxRobustness, ALongChainInsideAPayloadIsFine) {
  const std::string text = "a: b⊕m(" + repeat("c⊕x.c&y.", kHuge) + "end), b: a&m";
  ASSERT_TRUE(well_behaved(text));
}

TEST(SyntaxRobustness, AHundredThousandTermGuardGivesALocatedError) {
  // A left-leaning chain is as deep as it is long: refused at the operator
  // that passes the bound, without recursion anywhere.
  const std::string text = "state a { x: bool }\na: b&m if x" + repeat(" && x", kHuge) + "\nb: a⊕m";
  ASSERT_TRUE(well_behaved(text));
  const SourceFile file("guard.lim", text);
  Diagnostics diagnostics;
  EXPECT_FALSE(load_context(file, diagnostics).has_value());
  ASSERT_EQ(diagnostics.all().size(), 1u);
  EXPECT_EQ(diagnostics.all()[0].message, "expression nested deeper than 1000 operators is not supported");
  // The 1001st `&&` is refused (docs/language.md §10).
  EXPECT_EQ(diagnostics.all()[0].location, (SourceLocation{2, 11 + 5 * 1000 + 2}));
}

TEST(SyntaxRobustness, AHundredThousandPrefixOperatorsGiveALocatedError) {
  const std::string text = "state a { x: bool }\na: b&m if " + repeat("!", kHuge) + "x\nb: a⊕m";
  ASSERT_TRUE(well_behaved(text));
  const SourceFile file("guard.lim", text);
  Diagnostics diagnostics;
  EXPECT_FALSE(load_context(file, diagnostics).has_value());
  ASSERT_EQ(diagnostics.all().size(), 1u);
  EXPECT_EQ(diagnostics.all()[0].message, "expression nested deeper than 1000 operators is not supported");
}

// docs/language.md §10 counts operators: 1000 deep is fine, 1001 is not,
// for a chain of binary operators and for prefix ones alike.
TEST(SyntaxRobustness, ExpressionBoundIsAThousandOperators) {
  const auto loads = [](const std::string& guard) {
    const SourceFile file("guard.lim", "state a { x: bool }\na: b&m if " + guard + " . end\nb: a⊕m\n");
    Diagnostics diagnostics;
    return load_context(file, diagnostics).has_value();
  };
  EXPECT_TRUE(loads("x" + repeat(" && x", 1000)));
  EXPECT_FALSE(loads("x" + repeat(" && x", 1001)));
  EXPECT_TRUE(loads(repeat("!", 1000) + "x"));
  EXPECT_FALSE(loads(repeat("!", 1001) + "x"));
}

TEST(SyntaxRobustness, DeeplyNestedGuardParenthesesGiveALocatedError) {
  // "a: b&m if " takes 10 columns; the 1001st '(' is refused.
  expect_nesting_error("a: b&m if " + repeat("(", kHuge) + "true" + repeat(")", kHuge) + "\nb: a⊕m",
                       {1, 10 + 1001});
}

TEST(SyntaxRobustness, GuardsUpToTheBoundCompile) {
  // 1000 operators deep: parsed, typed, compiled and translated.
  const std::string text = "state a { x: u32 }\na: b&m if x" + repeat(" + x", 999) + " == 0 . end\nb: a⊕m";
  ASSERT_TRUE(well_behaved(text));
  const SourceFile file("guard.lim", text);
  Diagnostics diagnostics;
  const auto context = load_context(file, diagnostics);
  ASSERT_TRUE(context.has_value()) << format_diagnostics(file, diagnostics).substr(0, 2000);
  EXPECT_TRUE(automata::system_from_context(*context, diagnostics).has_value())
      << format_diagnostics(file, diagnostics).substr(0, 2000);
}

TEST(SyntaxRobustness, ALongChainOfGuardedReceivesTranslates) {
  // One guarded receive per step, each step its own state: typing and
  // translation walk the chain with loops too.
  constexpr std::size_t kSteps = 10000;
  std::string a = "state a { v: u32 }\na: ";
  std::string b = "b: ";
  for (std::size_t i = 0; i < kSteps; ++i) {
    a += "b&m(x: u32) if x != v . ";
    b += "a⊕m(u32) . ";
  }
  const std::string text = a + "end\n" + b + "end\n";
  const SourceFile file("chain.lim", text);
  Diagnostics diagnostics;
  const auto context = load_context(file, diagnostics);
  ASSERT_TRUE(context.has_value()) << format_diagnostics(file, diagnostics).substr(0, 2000);
  const auto system = automata::system_from_context(*context, diagnostics);
  ASSERT_TRUE(system.has_value()) << format_diagnostics(file, diagnostics).substr(0, 2000);
  EXPECT_EQ(system->machines[0].state_count(), kSteps + 1);
  ASSERT_NE(system->refinements, nullptr);
  EXPECT_EQ(system->refinements->guards.size(), kSteps);
}

TEST(SyntaxRobustness, InvalidUtf8GivesALocatedError) {
  const SourceFile file("bad.lim", "s[p]: q⊕m.\n  q\xC3(end)");
  Diagnostics diagnostics;
  EXPECT_FALSE(load_context(file, diagnostics).has_value());
  ASSERT_FALSE(diagnostics.empty());
  EXPECT_EQ(diagnostics.all()[0].location, (SourceLocation{2, 4}));
  EXPECT_EQ(diagnostics.all()[0].message.substr(0, 23), "invalid UTF-8 byte 0xC3");
}

TEST(SyntaxRobustness, NulBytesAreOrdinaryErrors) {
  ASSERT_TRUE(well_behaved(std::string("a: b\0⊕m", 9)));
  ASSERT_TRUE(well_behaved(std::string(1, '\0')));
}

}  // namespace
}  // namespace lim::syntax
