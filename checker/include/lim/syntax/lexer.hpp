#pragma once
// Text → tokens for the `.lim` / mpstk `.ctx` language (docs/language.md).
//
// The whole file is tokenised up front: the parser needs a few tokens of
// lookahead (an entry starts with `ident :` or `ident [ ident ] :`), and a
// vector makes that trivial. Comments and whitespace are dropped here.
// Keywords (`end`, `rec`, `sort`, `if`, `env`, ...) are contextual, so they
// are identifiers; the parser decides from the tokens around them.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "lim/syntax/source.hpp"

namespace lim::syntax {

enum class TokenKind : std::uint8_t {
  Identifier,  // [A-Za-z_][A-Za-z0-9_]*
  Select,      // ⊕ or (+)
  Branch,      // &
  Mu,          // μ (U+03BC; the micro sign U+00B5 is accepted too)
  LeftParen,
  RightParen,
  LeftBrace,
  RightBrace,
  LeftBracket,
  RightBracket,
  Colon,
  Comma,
  Semicolon,
  Dot,
  Equals,
  // Numbers and the operators of guard expressions (docs/language.md §13).
  Number,       // [0-9][A-Za-z0-9_]*: 42, 0xFF, 0b101, 1_000, 500ms, 2s
  Bang,         // !
  BangEquals,   // !=
  EqualsEquals, // ==
  Less,         // <
  LessEqual,    // <=
  Greater,      // >
  GreaterEqual, // >=
  ShiftLeft,    // <<
  ShiftRight,   // >>
  Plus,         // +
  Minus,        // -
  Star,         // *
  Slash,        // / (a `//` starts a comment)
  Percent,      // %
  Caret,        // ^
  Tilde,        // ~
  Bar,          // |
  AndAnd,       // &&
  OrOr,         // ||
  Invalid,     // a byte that starts no token: bad UTF-8 or a stray character
  EndOfInput,  // always the last token
};

struct Token {
  TokenKind kind = TokenKind::EndOfInput;
  std::string_view text;  // points into the SourceFile's text
  SourceLocation location;
};

// Tokenises the whole file; the result always ends with one EndOfInput token,
// located just after the last real token so that "unexpected end of input"
// points at the place where more text was expected.
std::vector<Token> tokenize(const SourceFile& file);

// How a token kind is written in messages: `'⊕'`, `'{'`, `an identifier`.
std::string_view describe(TokenKind kind);
// How a token found in the text is quoted in messages: `'foo'`, `'⊕'`,
// `end of input`, `invalid UTF-8 byte 0xFF`, `unexpected character '%'`.
std::string describe(const Token& token);

// One step of UTF-8 decoding. An invalid sequence (stray continuation byte,
// overlong form, surrogate, beyond U+10FFFF, truncated) yields valid = false
// and length 1, so that callers resynchronise on the next byte.
struct Utf8Char {
  char32_t code = 0;
  std::uint8_t length = 1;
  bool valid = false;
};
Utf8Char decode_utf8(std::string_view text, std::size_t position);

}  // namespace lim::syntax
