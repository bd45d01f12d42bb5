#include "kmc_lexer.hpp"

#include "lim/syntax/lexer.hpp"

namespace lim::formats::kmc {
namespace {

bool is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

class Scanner {
 public:
  explicit Scanner(std::string_view text) : text_(text) {}

  std::vector<Token> run() {
    std::vector<Token> tokens;
    if (text_.substr(0, 3) == "\xEF\xBB\xBF") position_ = 3;
    bool new_line = true;
    while (true) {
      const std::uint32_t line_before = line_;
      if (!skip_space_and_comments(tokens)) break;
      new_line = new_line || line_ != line_before;
      const SourceLocation start{line_, column_};
      const std::size_t begin = position_;
      const TokenKind kind = scan();
      tokens.push_back({kind, text_.substr(begin, position_ - begin), start, new_line || tokens.empty()});
      new_line = false;
    }
    tokens.push_back({TokenKind::EndOfInput, {}, {line_, column_}, true});
    return tokens;
  }

 private:
  void step() {
    if (text_[position_] == '\n') {
      ++line_;
      column_ = 1;
      ++position_;
      return;
    }
    position_ += syntax::decode_utf8(text_, position_).length;
    ++column_;
  }

  // Returns false at end of input. An unterminated block comment becomes an
  // Invalid token so that the reader reports it where it starts.
  bool skip_space_and_comments(std::vector<Token>& tokens) {
    while (position_ < text_.size()) {
      const char c = text_[position_];
      if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v') {
        step();
      } else if (text_.substr(position_, 2) == "--") {
        while (position_ < text_.size() && text_[position_] != '\n') ++position_;
      } else if (text_.substr(position_, 2) == "/*") {
        const SourceLocation start{line_, column_};
        const std::size_t begin = position_;
        const std::size_t close = text_.find("*/", position_ + 2);
        const std::size_t end = close == std::string_view::npos ? text_.size() : close + 2;
        while (position_ < end) step();
        if (close == std::string_view::npos)
          tokens.push_back({TokenKind::Invalid, text_.substr(begin, 2), start, false});
      } else {
        return true;
      }
    }
    return false;
  }

  TokenKind scan() {
    const char c = text_[position_];
    if (is_name_char(c)) {
      while (position_ < text_.size() && is_name_char(text_[position_])) step();
      return TokenKind::Name;
    }
    if (c == '.' && position_ + 1 < text_.size() && is_name_char(text_[position_ + 1])) {
      step();
      while (position_ < text_.size() && is_name_char(text_[position_])) step();
      return TokenKind::Directive;
    }
    step();
    switch (c) {
      case ':': return TokenKind::Colon;
      case ';': return TokenKind::Semicolon;
      case ',': return TokenKind::Comma;
      case '.': return TokenKind::Dot;
      case '!': return TokenKind::Bang;
      case '?': return TokenKind::Question;
      case '{': return TokenKind::LeftBrace;
      case '}': return TokenKind::RightBrace;
      case '<': return TokenKind::Less;
      case '>': return TokenKind::Greater;
      default: return TokenKind::Invalid;
    }
  }

  std::string_view text_;
  std::size_t position_ = 0;
  std::uint32_t line_ = 1;
  std::uint32_t column_ = 1;
};

}  // namespace

std::vector<Token> tokenize(const SourceFile& file) { return Scanner(file.text()).run(); }

std::string describe(const Token& token) {
  if (token.kind == TokenKind::EndOfInput) return "end of input";
  if (token.kind == TokenKind::Invalid) {
    if (token.text == "/*") return "an unterminated comment '/*'";
    const auto c = static_cast<unsigned char>(token.text.empty() ? 0 : token.text[0]);
    const auto decoded = syntax::decode_utf8(token.text, 0);
    if (c >= 0x80 && decoded.valid && decoded.code >= 0xA0)
      return "unexpected character '" + std::string(token.text) + "'";
    if (c < 0x20 || c >= 0x7F) {
      static constexpr char kHex[] = "0123456789ABCDEF";
      return std::string("unexpected byte 0x") + kHex[c >> 4] + kHex[c & 0xF];
    }
    return "unexpected character '" + std::string(token.text) + "'";
  }
  // Generated files may hold enormous names; messages quote a prefix.
  constexpr std::size_t kMaxQuoted = 40;
  if (token.text.size() > kMaxQuoted) return "'" + std::string(token.text.substr(0, kMaxQuoted)) + "…'";
  return "'" + std::string(token.text) + "'";
}

}  // namespace lim::formats::kmc
