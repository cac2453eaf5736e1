// Expression text to tokens: identifiers and keywords, numbers, quoted strings with
// escapes, operators. A character that fits nothing fails with its column.
#include "document/ExpressionLexer.h"

#include <cmath>

namespace Aqueduct::Internal::Expressions {

namespace {

bool isIdentStart(QChar c) {
    const char16_t u = c.unicode();
    return (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || u == '_';
}

bool isIdentChar(QChar c) {
    return isIdentStart(c) || (c.unicode() >= '0' && c.unicode() <= '9');
}

bool isDigit(QChar c) {
    return c.unicode() >= '0' && c.unicode() <= '9';
}

class Lexer {
public:
    explicit Lexer(const QString& text)
        : m_text(text) {}

    std::vector<Token> tokenize() {
        std::vector<Token> tokens;
        for (;;) {
            Token token = next();
            const bool end = token.type == Tok::End;
            tokens.push_back(std::move(token));
            if (end)
                return tokens;
        }
    }

private:
    QChar at(qsizetype index) const { return index < m_text.size() ? m_text.at(index) : QChar(); }

    [[noreturn]] void fail(qsizetype index, const QString& message) const {
        throw ParseFailure{int(index) + 1, message};
    }

    Token make(Tok type, qsizetype start, qsizetype length) {
        Token token;
        token.type = type;
        token.column = int(start) + 1;
        token.length = int(length);
        m_pos = start + length;
        return token;
    }

    Token next() {
        while (m_pos < m_text.size() && m_text.at(m_pos).isSpace())
            ++m_pos;
        const qsizetype start = m_pos;
        if (start >= m_text.size())
            return make(Tok::End, start, 0);
        const QChar c = m_text.at(start);
        const QChar c2 = at(start + 1);
        switch (c.unicode()) {
        case '(':
            return make(Tok::LParen, start, 1);
        case ')':
            return make(Tok::RParen, start, 1);
        case '[':
            return make(Tok::LBracket, start, 1);
        case ']':
            return make(Tok::RBracket, start, 1);
        case ',':
            return make(Tok::Comma, start, 1);
        case '-':
            return make(Tok::Minus, start, 1);
        case '!':
            return c2 == QLatin1Char('=') ? make(Tok::Ne, start, 2) : make(Tok::Not, start, 1);
        case '<':
            return c2 == QLatin1Char('=') ? make(Tok::Le, start, 2) : make(Tok::Lt, start, 1);
        case '>':
            return c2 == QLatin1Char('=') ? make(Tok::Ge, start, 2) : make(Tok::Gt, start, 1);
        case '=':
            if (c2 == QLatin1Char('='))
                return make(Tok::Eq, start, 2);
            fail(start, QStringLiteral("expected '==' (a single '=' is not an operator)"));
        case '&':
            if (c2 == QLatin1Char('&'))
                return make(Tok::And, start, 2);
            fail(start, QStringLiteral("expected '&&' (a single '&' is not an operator)"));
        case '|':
            if (c2 == QLatin1Char('|'))
                return make(Tok::Or, start, 2);
            fail(start, QStringLiteral("expected '||' (a single '|' is not an operator)"));
        case '"':
        case '\'':
            return string(start);
        default:
            break;
        }
        if (isDigit(c))
            return number(start);
        if (isIdentStart(c)) {
            qsizetype end = start + 1;
            while (end < m_text.size() && isIdentChar(m_text.at(end)))
                ++end;
            Token token = make(Tok::Ident, start, end - start);
            token.text = m_text.mid(start, end - start).toStdString();
            if (token.text == "true")
                token.type = Tok::True;
            else if (token.text == "false")
                token.type = Tok::False;
            else if (token.text == "null")
                token.type = Tok::Null;
            else if (token.text == "in")
                token.type = Tok::In;
            return token;
        }
        fail(start, QStringLiteral("unexpected character '%1'").arg(c));
    }

    Token number(qsizetype start) {
        qsizetype end = start;
        while (end < m_text.size() && isDigit(m_text.at(end)))
            ++end;
        bool isInteger = true;
        if (at(end) == QLatin1Char('.')) {
            isInteger = false;
            ++end;
            if (!isDigit(at(end)))
                fail(end, QStringLiteral("expected a digit after '.'"));
            while (end < m_text.size() && isDigit(m_text.at(end)))
                ++end;
        }
        if (at(end) == QLatin1Char('e') || at(end) == QLatin1Char('E')) {
            isInteger = false;
            ++end;
            if (at(end) == QLatin1Char('+') || at(end) == QLatin1Char('-'))
                ++end;
            if (!isDigit(at(end)))
                fail(end, QStringLiteral("expected a digit in the exponent"));
            while (end < m_text.size() && isDigit(m_text.at(end)))
                ++end;
        }
        if (isIdentStart(at(end)))
            fail(end,
                 QStringLiteral("expected an operator after the number, got '%1'").arg(at(end)));
        Token token = make(Tok::Int, start, end - start);
        const QString digits = m_text.mid(start, end - start);
        bool ok = false;
        if (isInteger) {
            token.integer = digits.toLongLong(&ok);
            if (ok)
                return token;
        }
        // Decimals, and integers too large for 64 bits, become doubles.
        token.type = Tok::Double;
        token.real = digits.toDouble(&ok);
        if (!ok || !std::isfinite(token.real))
            fail(start, QStringLiteral("number '%1' is out of range").arg(digits));
        return token;
    }

    Token string(qsizetype start) {
        const QChar quote = m_text.at(start);
        QString decoded;
        qsizetype pos = start + 1;
        for (;;) {
            if (pos >= m_text.size())
                fail(start,
                     QStringLiteral("unterminated string: expected a closing %1").arg(quote));
            const QChar c = m_text.at(pos);
            if (c == quote)
                break;
            if (c != QLatin1Char('\\')) {
                decoded += c;
                ++pos;
                continue;
            }
            const QChar escape = at(pos + 1);
            switch (escape.unicode()) {
            case '\\':
            case '"':
            case '\'':
                decoded += escape;
                break;
            case 'n':
                decoded += QLatin1Char('\n');
                break;
            case 't':
                decoded += QLatin1Char('\t');
                break;
            case 'r':
                decoded += QLatin1Char('\r');
                break;
            case '0':
                decoded += QChar(0);
                break;
            case 'u': {
                bool ok = false;
                const QString hex = m_text.mid(pos + 2, 4);
                const uint code = hex.size() == 4 ? hex.toUInt(&ok, 16) : 0;
                if (!ok)
                    fail(pos, QStringLiteral("expected 4 hex digits after '\\u'"));
                decoded += QChar(char16_t(code));
                pos += 4;
                break;
            }
            default:
                if (pos + 1 >= m_text.size())
                    fail(start,
                         QStringLiteral("unterminated string: expected a closing %1").arg(quote));
                fail(pos,
                     QStringLiteral(
                         "unknown escape '\\%1' (known: \\\\ \\\" \\' \\n \\t \\r \\0 \\uXXXX)")
                         .arg(escape));
            }
            pos += 2;
        }
        Token token = make(Tok::String, start, pos + 1 - start);
        token.text = decoded.toStdString();
        return token;
    }

    const QString& m_text;
    qsizetype m_pos = 0;
};

} // namespace

std::vector<Token> tokenize(const QString& text) {
    return Lexer(text).tokenize();
}

} // namespace Aqueduct::Internal::Expressions
