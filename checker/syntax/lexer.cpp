#include "lim/syntax/lexer.hpp"

#include <cstdio>

namespace lim::syntax {

namespace {

bool is_continuation(unsigned char byte) { return (byte & 0xC0) == 0x80; }

bool is_identifier_start(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

bool is_identifier_part(char c) { return is_identifier_start(c) || (c >= '0' && c <= '9'); }

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v'; }

// Walks the text one code point at a time, keeping line and column
// (columns count code points, as SourceLocation promises).
class Lexer {
 public:
  explicit Lexer(std::string_view text) : text_(text) {}

  std::vector<Token> run() {
    std::vector<Token> tokens;
    skip_byte_order_mark();
    SourceLocation end_of_last_token{1, 1};
    while (skip_space_and_comments()) {
      const SourceLocation start = here();
      const std::size_t begin = position_;
      const TokenKind kind = scan();
      tokens.push_back({kind, text_.substr(begin, position_ - begin), start});
      end_of_last_token = here();
    }
    tokens.push_back({TokenKind::EndOfInput, {}, end_of_last_token});
    return tokens;
  }

 private:
  SourceLocation here() const { return {line_, column_}; }

  void skip_byte_order_mark() {
    if (text_.substr(0, 3) == "\xEF\xBB\xBF") position_ = 3;
  }

  // Consumes one code point (or one invalid byte) and updates the position.
  void step() {
    if (text_[position_] == '\n') {
      ++line_;
      column_ = 1;
      ++position_;
      return;
    }
    position_ += decode_utf8(text_, position_).length;
    ++column_;
  }

  // Returns false at end of input.
  bool skip_space_and_comments() {
    while (position_ < text_.size()) {
      const char c = text_[position_];
      if (is_space(c)) {
        step();
      } else if (c == '#' || text_.substr(position_, 2) == "//") {
        // Comment bytes are never decoded: a Latin-1 comment is harmless.
        while (position_ < text_.size() && text_[position_] != '\n') ++position_;
      } else {
        return true;
      }
    }
    return false;
  }

  TokenKind single(TokenKind kind) {
    step();
    return kind;
  }

  // Consumes `second` after the current character if it follows directly:
  // the two-character operators (`==`, `<=`, `&&`, ...) are one token.
  TokenKind pair(char second, TokenKind both, TokenKind alone) {
    if (position_ + 1 < text_.size() && text_[position_ + 1] == second) {
      step();
      step();
      return both;
    }
    return single(alone);
  }

  TokenKind scan() {
    const char c = text_[position_];
    if (is_identifier_start(c)) {
      while (position_ < text_.size() && is_identifier_part(text_[position_])) step();
      return TokenKind::Identifier;
    }
    if (c >= '0' && c <= '9') {
      // Digits, letters and '_' all belong to the number (`0xFF`, `500ms`,
      // `1_000`); the parser reads the value and reports malformed ones.
      while (position_ < text_.size() && is_identifier_part(text_[position_])) step();
      return TokenKind::Number;
    }
    switch (c) {
      case '(':
        if (text_.substr(position_, 3) == "(+)") {
          step();
          step();
          step();
          return TokenKind::Select;
        }
        return single(TokenKind::LeftParen);
      case ')': return single(TokenKind::RightParen);
      case '{': return single(TokenKind::LeftBrace);
      case '}': return single(TokenKind::RightBrace);
      case '[': return single(TokenKind::LeftBracket);
      case ']': return single(TokenKind::RightBracket);
      case ':': return single(TokenKind::Colon);
      case ',': return single(TokenKind::Comma);
      case ';': return single(TokenKind::Semicolon);
      case '.': return single(TokenKind::Dot);
      case '=': return pair('=', TokenKind::EqualsEquals, TokenKind::Equals);
      case '&': return pair('&', TokenKind::AndAnd, TokenKind::Branch);
      case '|': return pair('|', TokenKind::OrOr, TokenKind::Bar);
      case '!': return pair('=', TokenKind::BangEquals, TokenKind::Bang);
      case '<':
        if (text_.substr(position_, 2) == "<<") return pair('<', TokenKind::ShiftLeft, TokenKind::Less);
        return pair('=', TokenKind::LessEqual, TokenKind::Less);
      case '>':
        if (text_.substr(position_, 2) == ">>") return pair('>', TokenKind::ShiftRight, TokenKind::Greater);
        return pair('=', TokenKind::GreaterEqual, TokenKind::Greater);
      case '+': return single(TokenKind::Plus);
      case '-': return single(TokenKind::Minus);
      case '*': return single(TokenKind::Star);
      case '/': return single(TokenKind::Slash);  // `//` was taken as a comment already
      case '%': return single(TokenKind::Percent);
      case '^': return single(TokenKind::Caret);
      case '~': return single(TokenKind::Tilde);
      default: break;
    }
    const Utf8Char decoded = decode_utf8(text_, position_);
    if (decoded.valid && decoded.code == U'\u2295') return single(TokenKind::Select);
    if (decoded.valid && (decoded.code == U'\u03BC' || decoded.code == U'\u00B5')) {
      return single(TokenKind::Mu);
    }
    return single(TokenKind::Invalid);
  }

  std::string_view text_;
  std::size_t position_ = 0;
  std::uint32_t line_ = 1;
  std::uint32_t column_ = 1;
};

std::string hex(unsigned value, int digits) {
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "%0*X", digits, value);
  return buffer;
}

// Long identifiers (a fuzzer's favourite) are cut in messages.
constexpr std::size_t kMaxQuotedBytes = 40;

}  // namespace

Utf8Char decode_utf8(std::string_view text, std::size_t position) {
  const auto byte = [&](std::size_t i) -> unsigned char {
    return position + i < text.size() ? static_cast<unsigned char>(text[position + i]) : 0;
  };
  const unsigned char b0 = byte(0);
  if (b0 < 0x80) return {b0, 1, true};
  std::uint8_t length = 0;
  char32_t code = 0;
  // The second byte's range excludes overlong forms, surrogates and code
  // points past U+10FFFF (RFC 3629, table 3-7 of the Unicode standard).
  unsigned char low = 0x80;
  unsigned char high = 0xBF;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    length = 2;
    code = b0 & 0x1F;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    length = 3;
    code = b0 & 0x0F;
    if (b0 == 0xE0) low = 0xA0;
    if (b0 == 0xED) high = 0x9F;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    length = 4;
    code = b0 & 0x07;
    if (b0 == 0xF0) low = 0x90;
    if (b0 == 0xF4) high = 0x8F;
  } else {
    return {};
  }
  if (byte(1) < low || byte(1) > high) return {};
  for (std::uint8_t i = 1; i < length; ++i) {
    if (position + i >= text.size() || !is_continuation(byte(i))) return {};
    code = (code << 6) | (byte(i) & 0x3F);
  }
  return {code, length, true};
}

std::vector<Token> tokenize(const SourceFile& file) { return Lexer(file.text()).run(); }

std::string_view describe(TokenKind kind) {
  switch (kind) {
    case TokenKind::Identifier: return "an identifier";
    case TokenKind::Select: return "'⊕'";
    case TokenKind::Branch: return "'&'";
    case TokenKind::Mu: return "'μ'";
    case TokenKind::LeftParen: return "'('";
    case TokenKind::RightParen: return "')'";
    case TokenKind::LeftBrace: return "'{'";
    case TokenKind::RightBrace: return "'}'";
    case TokenKind::LeftBracket: return "'['";
    case TokenKind::RightBracket: return "']'";
    case TokenKind::Colon: return "':'";
    case TokenKind::Comma: return "','";
    case TokenKind::Semicolon: return "';'";
    case TokenKind::Dot: return "'.'";
    case TokenKind::Equals: return "'='";
    case TokenKind::Number: return "a number";
    case TokenKind::Bang: return "'!'";
    case TokenKind::BangEquals: return "'!='";
    case TokenKind::EqualsEquals: return "'=='";
    case TokenKind::Less: return "'<'";
    case TokenKind::LessEqual: return "'<='";
    case TokenKind::Greater: return "'>'";
    case TokenKind::GreaterEqual: return "'>='";
    case TokenKind::ShiftLeft: return "'<<'";
    case TokenKind::ShiftRight: return "'>>'";
    case TokenKind::Plus: return "'+'";
    case TokenKind::Minus: return "'-'";
    case TokenKind::Star: return "'*'";
    case TokenKind::Slash: return "'/'";
    case TokenKind::Percent: return "'%'";
    case TokenKind::Caret: return "'^'";
    case TokenKind::Tilde: return "'~'";
    case TokenKind::Bar: return "'|'";
    case TokenKind::AndAnd: return "'&&'";
    case TokenKind::OrOr: return "'||'";
    case TokenKind::Invalid: return "an invalid character";
    case TokenKind::EndOfInput: return "end of input";
  }
  return "a token";
}

std::string describe(const Token& token) {
  switch (token.kind) {
    case TokenKind::EndOfInput: return "end of input";
    case TokenKind::Invalid: {
      const Utf8Char c = decode_utf8(token.text, 0);
      if (!c.valid) {
        return "invalid UTF-8 byte 0x" + hex(static_cast<unsigned char>(token.text[0]), 2);
      }
      const bool printable = c.code > 0x20 && c.code != 0x7F && !(c.code >= 0x80 && c.code <= 0xA0);
      std::string text = "unexpected character ";
      if (printable) text += "'" + std::string(token.text) + "'";
      if (c.code >= 0x80 || !printable) {
        text += printable ? " (U+" : "U+";
        text += hex(static_cast<unsigned>(c.code), 4);
        if (printable) text += ")";
      }
      return text;
    }
    default: break;
  }
  if (token.text.size() > kMaxQuotedBytes) {
    return "'" + std::string(token.text.substr(0, kMaxQuotedBytes)) + "...'";
  }
  return "'" + std::string(token.text) + "'";
}

}  // namespace lim::syntax
