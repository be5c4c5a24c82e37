// Hand-written T-SQL scanner: nested /* */ comments, -- comments, '' and ]] and "" escapes.
#include "emulator/tsql/tokenizer.h"

#include <cctype>

#include "emulator/tsql/messages.h"

namespace vdibk::emulator::tsql {

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::toupper(static_cast<unsigned char>(a[i])) !=
        std::toupper(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

std::string ToUpperAscii(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

std::string ToLowerAscii(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool Token::IsKeyword(std::string_view keyword) const {
  return kind == TokenKind::kIdentifier && EqualsIgnoreCase(value, keyword);
}

namespace {

constexpr size_t kMaxIdentifier = 128;

bool IsIdentStart(unsigned char c) { return std::isalpha(c) || c == '_' || c == '#' || c >= 0x80; }
bool IsIdentPart(unsigned char c) {
  return std::isalnum(c) || c == '_' || c == '#' || c == '$' || c == '@' || c >= 0x80;
}
bool IsDigit(unsigned char c) { return c >= '0' && c <= '9'; }

class Scanner {
 public:
  Scanner(std::string_view sql, int first_line) : sql_(sql), line_(first_line) {}

  bool Run(std::vector<Token>* tokens, SqlError* error) {
    for (;;) {
      if (!SkipSpaceAndComments(error)) return false;
      Token tok;
      tok.line = line_;
      tok.offset = pos_;
      if (pos_ >= sql_.size()) {
        tok.kind = TokenKind::kEnd;
        tokens->push_back(std::move(tok));
        return true;
      }
      if (!Next(&tok, error)) return false;
      tok.text = std::string(sql_.substr(tok.offset, pos_ - tok.offset));
      tokens->push_back(std::move(tok));
    }
  }

 private:
  unsigned char At(size_t i) const {
    return i < sql_.size() ? static_cast<unsigned char>(sql_[i]) : 0;
  }

  void Advance() {
    if (sql_[pos_] == '\n') ++line_;
    ++pos_;
  }

  bool SkipSpaceAndComments(SqlError* error) {
    while (pos_ < sql_.size()) {
      unsigned char c = At(pos_);
      if (std::isspace(c)) {
        Advance();
      } else if (c == '-' && At(pos_ + 1) == '-') {
        while (pos_ < sql_.size() && sql_[pos_] != '\n') Advance();
      } else if (c == '/' && At(pos_ + 1) == '*') {
        int depth = 0;
        do {
          if (pos_ >= sql_.size()) {
            *error = msg::MissingEndComment(line_);
            return false;
          }
          if (At(pos_) == '/' && At(pos_ + 1) == '*') {
            ++depth;
            pos_ += 2;
          } else if (At(pos_) == '*' && At(pos_ + 1) == '/') {
            --depth;
            pos_ += 2;
          } else {
            Advance();
          }
        } while (depth > 0);
      } else {
        break;
      }
    }
    return true;
  }

  // Reads a delimited run closed by `close`, where a doubled `close` is an escaped character.
  bool Delimited(char close, std::string* value, SqlError* error) {
    size_t start = pos_;
    for (;;) {
      if (pos_ >= sql_.size()) {
        *error = msg::UnclosedQuotation(sql_.substr(start), line_);
        return false;
      }
      if (sql_[pos_] == close) {
        if (At(pos_ + 1) == static_cast<unsigned char>(close)) {
          value->push_back(close);
          pos_ += 2;
          continue;
        }
        ++pos_;
        return true;
      }
      value->push_back(sql_[pos_]);
      Advance();
    }
  }

  bool Next(Token* tok, SqlError* error) {
    unsigned char c = At(pos_);
    if ((c == 'N' || c == 'n') && At(pos_ + 1) == '\'') {
      tok->kind = TokenKind::kString;
      tok->national = true;
      pos_ += 2;
      return Delimited('\'', &tok->value, error);
    }
    if (c == '\'') {
      tok->kind = TokenKind::kString;
      ++pos_;
      return Delimited('\'', &tok->value, error);
    }
    if (c == '[' || c == '"') {
      tok->kind = TokenKind::kQuotedIdentifier;
      ++pos_;
      if (!Delimited(c == '[' ? ']' : '"', &tok->value, error)) return false;
      return CheckLength(tok, error);
    }
    if (c == '0' && (At(pos_ + 1) == 'x' || At(pos_ + 1) == 'X')) {
      tok->kind = TokenKind::kBinary;
      pos_ += 2;
      while (std::isxdigit(At(pos_))) ++pos_;
      tok->value = std::string(sql_.substr(tok->offset, pos_ - tok->offset));
      return true;
    }
    if (IsDigit(c) || (c == '.' && IsDigit(At(pos_ + 1)))) {
      tok->kind = TokenKind::kNumber;
      while (IsDigit(At(pos_))) ++pos_;
      if (At(pos_) == '.') {
        ++pos_;
        while (IsDigit(At(pos_))) ++pos_;
      }
      if ((At(pos_) == 'e' || At(pos_) == 'E') &&
          (IsDigit(At(pos_ + 1)) ||
           ((At(pos_ + 1) == '+' || At(pos_ + 1) == '-') && IsDigit(At(pos_ + 2))))) {
        pos_ += 2;
        while (IsDigit(At(pos_))) ++pos_;
      }
      tok->value = std::string(sql_.substr(tok->offset, pos_ - tok->offset));
      return true;
    }
    if (c == '@') {
      tok->kind = TokenKind::kVariable;
      ++pos_;
      if (At(pos_) == '@') ++pos_;
      while (pos_ < sql_.size() && IsIdentPart(At(pos_))) ++pos_;
      tok->value = std::string(sql_.substr(tok->offset, pos_ - tok->offset));
      return CheckLength(tok, error);
    }
    if (IsIdentStart(c)) {
      tok->kind = TokenKind::kIdentifier;
      while (pos_ < sql_.size() && IsIdentPart(At(pos_))) ++pos_;
      tok->value = std::string(sql_.substr(tok->offset, pos_ - tok->offset));
      return CheckLength(tok, error);
    }
    static constexpr std::string_view kSymbols = ",;()=.+-*/%<>!~&|^:";
    if (kSymbols.find(static_cast<char>(c)) != std::string_view::npos) {
      tok->kind = TokenKind::kSymbol;
      ++pos_;
      return true;
    }
    *error = msg::IncorrectSyntaxNear(std::string(1, static_cast<char>(c)), line_);
    return false;
  }

  bool CheckLength(Token* tok, SqlError* error) {
    if (tok->value.size() > kMaxIdentifier) {
      *error = msg::IdentifierTooLong(tok->value, tok->line);
      return false;
    }
    return true;
  }

  std::string_view sql_;
  size_t pos_ = 0;
  int line_;
};

}  // namespace

bool Tokenize(std::string_view sql, std::vector<Token>* tokens, SqlError* error, int first_line) {
  tokens->clear();
  Scanner scanner(sql, first_line);
  return scanner.Run(tokens, error);
}

}  // namespace vdibk::emulator::tsql
