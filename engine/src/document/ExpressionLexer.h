#pragma once

#include "document/ExpressionProgram.h"

#include <QString>

#include <cstdint>
#include <string>
#include <vector>

namespace Aqueduct::Internal::Expressions {

enum class Tok : std::uint8_t {
    End,
    Ident,
    Int,
    Double,
    String,
    True,
    False,
    Null,
    In,
    LParen,
    RParen,
    LBracket,
    RBracket,
    Comma,
    Not,
    And,
    Or,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Minus,
};

struct Token {
    Tok type = Tok::End;
    int column = 0; // 1-based
    int length = 0;
    std::int64_t integer = 0;
    double real = 0;
    std::string text; // identifier or decoded string literal (UTF-8)
};

/// Splits `text` into tokens, the last one Tok::End. Throws ParseFailure at the first
/// character that cannot start or continue a token.
std::vector<Token> tokenize(const QString& text);

} // namespace Aqueduct::Internal::Expressions
