// The tokeniser: symbols in both notations, comments, positions counted in
// code points, and the tokens that stand for lexical errors.
#include "lim/syntax/lexer.hpp"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace lim::syntax {
namespace {

std::vector<Token> lex(const SourceFile& file) { return tokenize(file); }

std::vector<TokenKind> kinds(const std::string& text) {
  const SourceFile file("test.lim", text);
  std::vector<TokenKind> result;
  for (const Token& token : lex(file)) result.push_back(token.kind);
  return result;
}

using K = TokenKind;

TEST(SyntaxLexer, TokenisesAnMpstkEntry) {
  EXPECT_EQ(kinds("s[p]: q⊕{m(Int).end, n}"),
            (std::vector<K>{K::Identifier, K::LeftBracket, K::Identifier, K::RightBracket, K::Colon,
                            K::Identifier, K::Select, K::LeftBrace, K::Identifier, K::LeftParen,
                            K::Identifier, K::RightParen, K::Dot, K::Identifier, K::Comma, K::Identifier,
                            K::RightBrace, K::EndOfInput}));
}

TEST(SyntaxLexer, TokenisesTheRemainingSymbols) {
  EXPECT_EQ(kinds("& ; = μ"), (std::vector<K>{K::Branch, K::Semicolon, K::Equals, K::Mu, K::EndOfInput}));
}

TEST(SyntaxLexer, AsciiSelectIsOneTokenOnlyWhenContiguous) {
  const SourceFile file("test.lim", "q(+)m");
  const std::vector<Token> tokens = lex(file);
  ASSERT_EQ(tokens.size(), 4u);
  EXPECT_EQ(tokens[1].kind, K::Select);
  EXPECT_EQ(tokens[1].text, "(+)");
  EXPECT_EQ(tokens[2].location, (SourceLocation{1, 5}));
  // Apart, the three characters are a parenthesis, a plus and a parenthesis.
  EXPECT_EQ(kinds("( + )"), (std::vector<K>{K::LeftParen, K::Plus, K::RightParen, K::EndOfInput}));
}

TEST(SyntaxLexer, AcceptsGreekMuAndMicroSign) {
  EXPECT_EQ(kinds("μ µ"), (std::vector<K>{K::Mu, K::Mu, K::EndOfInput}));
}

TEST(SyntaxLexer, KeywordsAreIdentifiers) {
  const SourceFile file("test.lim", "end rec sort rect _x1");
  const std::vector<Token> tokens = lex(file);
  ASSERT_EQ(tokens.size(), 6u);
  for (std::size_t i = 0; i < 5; ++i) EXPECT_EQ(tokens[i].kind, K::Identifier) << i;
  EXPECT_EQ(tokens[3].text, "rect");
  EXPECT_EQ(tokens[4].text, "_x1");
}

TEST(SyntaxLexer, IdentifiersCannotStartWithADigit) {
  // A digit starts a number, which takes the letters after it (`500ms`,
  // `0xFF`); the parser judges whether they make a number.
  EXPECT_EQ(kinds("1a"), (std::vector<K>{K::Number, K::EndOfInput}));
  EXPECT_EQ(kinds("a1 1"), (std::vector<K>{K::Identifier, K::Number, K::EndOfInput}));
}

TEST(SyntaxLexer, SkipsBothCommentStyles) {
  const SourceFile file("test.lim", "### header\n# more\na // trailing ⊕ {\nb # x\n");
  const std::vector<Token> tokens = lex(file);
  ASSERT_EQ(tokens.size(), 3u);
  EXPECT_EQ(tokens[0].text, "a");
  EXPECT_EQ(tokens[0].location, (SourceLocation{3, 1}));
  EXPECT_EQ(tokens[1].text, "b");
  EXPECT_EQ(tokens[1].location, (SourceLocation{4, 1}));
}

TEST(SyntaxLexer, ASingleSlashIsDivisionAndTwoStartAComment) {
  EXPECT_EQ(kinds("a / b"), (std::vector<K>{K::Identifier, K::Slash, K::Identifier, K::EndOfInput}));
  EXPECT_EQ(kinds("a // b"), (std::vector<K>{K::Identifier, K::EndOfInput}));
}

TEST(SyntaxLexer, ColumnsCountCodePointsNotBytes) {
  const SourceFile file("test.lim", "μ(t)q⊕m");
  const std::vector<Token> tokens = lex(file);
  ASSERT_EQ(tokens.size(), 8u);
  EXPECT_EQ(tokens[4].text, "q");
  EXPECT_EQ(tokens[4].location, (SourceLocation{1, 5}));
  EXPECT_EQ(tokens[6].text, "m");
  EXPECT_EQ(tokens[6].location, (SourceLocation{1, 7}));
}

TEST(SyntaxLexer, TabsAndCarriageReturnsAreOneColumnEach) {
  const SourceFile file("test.lim", "a\r\n\tb");
  const std::vector<Token> tokens = lex(file);
  ASSERT_EQ(tokens.size(), 3u);
  EXPECT_EQ(tokens[1].location, (SourceLocation{2, 2}));
}

TEST(SyntaxLexer, SkipsAByteOrderMark) {
  const SourceFile file("test.lim", "\xEF\xBB\xBF" "a");
  const std::vector<Token> tokens = lex(file);
  ASSERT_EQ(tokens.size(), 2u);
  EXPECT_EQ(tokens[0].kind, K::Identifier);
  EXPECT_EQ(tokens[0].location, (SourceLocation{1, 1}));
}

TEST(SyntaxLexer, EndOfInputSitsJustAfterTheLastToken) {
  const SourceFile file("test.lim", "a: b⊕\n\n   # comment\n");
  const std::vector<Token> tokens = lex(file);
  ASSERT_EQ(tokens.back().kind, K::EndOfInput);
  EXPECT_EQ(tokens.back().location, (SourceLocation{1, 6}));
  const SourceFile empty("empty.lim", "");
  EXPECT_EQ(lex(empty).back().location, (SourceLocation{1, 1}));
}

TEST(SyntaxLexer, InvalidUtf8IsOneTokenPerBadByte) {
  // Stray continuation byte, overlong '/', a UTF-16 surrogate, a truncated
  // '⊕' cut by the next character.
  for (const std::string bad : {"\x80", "\xC0\xAF", "\xED\xA0\x80", "\xE2\x8A"}) {
    const SourceFile file("test.lim", "a" + bad + "b");
    const std::vector<Token> tokens = lex(file);
    ASSERT_EQ(tokens.size(), bad.size() + 3) << describe(tokens[1]);
    for (std::size_t i = 1; i <= bad.size(); ++i) {
      EXPECT_EQ(tokens[i].kind, K::Invalid);
      EXPECT_EQ(tokens[i].location, (SourceLocation{1, static_cast<std::uint32_t>(i + 1)}));
    }
    EXPECT_EQ(tokens[bad.size() + 1].text, "b");
  }
}

TEST(SyntaxLexer, DescribesTokensForMessages) {
  const SourceFile file("test.lim", "foo ⊕ (+) \xFF $ é");
  const std::vector<Token> tokens = lex(file);
  ASSERT_EQ(tokens.size(), 7u);
  EXPECT_EQ(describe(tokens[0]), "'foo'");
  EXPECT_EQ(describe(tokens[1]), "'⊕'");
  EXPECT_EQ(describe(tokens[2]), "'(+)'");
  EXPECT_EQ(describe(tokens[3]), "invalid UTF-8 byte 0xFF");
  EXPECT_EQ(describe(tokens[4]), "unexpected character '$'");
  EXPECT_EQ(describe(tokens[5]), "unexpected character 'é' (U+00E9)");
  EXPECT_EQ(describe(tokens[6]), "end of input");
  EXPECT_EQ(describe(TokenKind::RightBrace), "'}'");
}

TEST(SyntaxLexer, DescribesControlCharactersByCodePoint) {
  const SourceFile file("test.lim", "\x07");
  EXPECT_EQ(describe(lex(file)[0]), "unexpected character U+0007");
}

TEST(SyntaxLexer, ShortensVeryLongIdentifiersInMessages) {
  const SourceFile file("test.lim", std::string(1000, 'x'));
  const std::string text = describe(lex(file)[0]);
  EXPECT_LT(text.size(), 50u);
  EXPECT_EQ(text.substr(text.size() - 4), "...'");
}

TEST(SyntaxLexer, DecodesUtf8) {
  const Utf8Char plus = decode_utf8("⊕", 0);
  EXPECT_TRUE(plus.valid);
  EXPECT_EQ(plus.code, U'\u2295');
  EXPECT_EQ(plus.length, 3);
  const Utf8Char emoji = decode_utf8("\xF0\x9F\x98\x80", 0);
  EXPECT_TRUE(emoji.valid);
  EXPECT_EQ(emoji.code, U'\U0001F600');
  EXPECT_EQ(emoji.length, 4);
  EXPECT_FALSE(decode_utf8("\xF4\x90\x80\x80", 0).valid);  // beyond U+10FFFF
  EXPECT_FALSE(decode_utf8("\xF0\x9F\x98", 0).valid);      // truncated at end
  EXPECT_EQ(decode_utf8("\xF0\x9F\x98", 0).length, 1);
}

}  // namespace
}  // namespace lim::syntax
