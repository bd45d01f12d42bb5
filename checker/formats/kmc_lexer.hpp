#pragma once
// Tokens of kmc's two input languages (session types and the GMC `.outputs`
// CFSM format). Both use Haskell-style comments (`--` to end of line and
// `/* … */`) and alphanumeric names, so one scanner serves both readers.
// Private to checker/formats/.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "lim/syntax/source.hpp"

namespace lim::formats::kmc {

enum class TokenKind : std::uint8_t {
  Name,        // [A-Za-z0-9_]+ : roles, labels, payloads, variables, states, partner indices
  Directive,   // .outputs .state .marking .end (a '.' glued to a name)
  Colon,
  Semicolon,
  Comma,
  Dot,
  Bang,        // !
  Question,    // ?
  LeftBrace,
  RightBrace,
  Less,        // <  (payload)
  Greater,     // >
  Invalid,     // a character that starts no token, or an unterminated comment
  EndOfInput,  // always last
};

struct Token {
  TokenKind kind = TokenKind::EndOfInput;
  std::string_view text;  // into the SourceFile's text
  SourceLocation location;
  // The token is the first one on its line: the fsm reader resynchronises
  // on line starts after an error.
  bool starts_line = false;
};

// The whole file as tokens, ending with one EndOfInput token.
std::vector<Token> tokenize(const SourceFile& file);

// How a token is quoted in messages: `'foo'`, `';'`, `end of input`.
std::string describe(const Token& token);

}  // namespace lim::formats::kmc
