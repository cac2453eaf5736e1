#include "aqueduct/Expression.h"

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

namespace Aqueduct {

namespace {

enum class Op : std::uint8_t {
    Literal, // a = literal index
    Field,   // name = pool[off, off + len)
    Has,     // name
    Len,     // name
    Neg,     // a = operand
    Not,     // a = operand
    And,     // children[off .. off + len)
    Or,      // children[off .. off + len)
    Eq,      // a, b
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    In, // a = operand, literals[off .. off + len)
};

enum class LiteralKind : std::uint8_t { Null, Bool, Int, Double, Text };

struct Node {
    Op op = Op::Literal;
    std::int32_t a = -1;
    std::int32_t b = -1;
    std::uint32_t off = 0;
    std::uint32_t len = 0;
};

struct Literal {
    LiteralKind kind = LiteralKind::Null;
    bool boolean = false;
    std::int64_t integer = 0;
    double real = 0;
    std::uint32_t off = 0; // Text: bytes in the pool
    std::uint32_t len = 0;
};

constexpr int kMaxDepth = 64;

// The parsed form: a flat node array (children by index) plus a pool of names and string
// literals. Positions are offsets, not pointers, so copying a Program is a plain copy.
struct ProgramData {
    std::vector<Node> nodes;
    std::vector<std::int32_t> children;
    std::vector<Literal> literals;
    std::string pool;
    std::int32_t root = -1;

    std::string_view poolView(std::uint32_t off, std::uint32_t len) const {
        return std::string_view(pool).substr(off, len);
    }
};

// ---- Parsing --------------------------------------------------------------------------

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

struct ParseFailure {
    int column;
    QString message;
};

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

QString describe(const Token& token, const QString& text) {
    if (token.type == Tok::End)
        return QStringLiteral("the end of the expression");
    return QStringLiteral("'%1'").arg(text.mid(token.column - 1, token.length));
}

bool isComparison(Tok type) {
    switch (type) {
    case Tok::Eq:
    case Tok::Ne:
    case Tok::Lt:
    case Tok::Le:
    case Tok::Gt:
    case Tok::Ge:
        return true;
    default:
        return false;
    }
}

class Parser {
public:
    Parser(const QString& text, std::vector<Token> tokens, ProgramData* program)
        : m_text(text)
        , m_tokens(std::move(tokens))
        , m_program(program) {}

    std::int32_t parse() {
        const std::int32_t root = parseOr();
        if (current().type != Tok::End)
            fail(QStringLiteral("expected an operator or the end of the expression, got %1")
                     .arg(describe(current(), m_text)));
        return root;
    }

private:
    const Token& current() const { return m_tokens[m_index]; }
    const Token& peek() const { return m_tokens[std::min(m_index + 1, m_tokens.size() - 1)]; }
    void advance() {
        if (m_index + 1 < m_tokens.size())
            ++m_index;
    }

    [[noreturn]] void fail(const QString& message) const {
        throw ParseFailure{current().column, message};
    }

    void enter() {
        if (++m_depth > kMaxDepth)
            fail(QStringLiteral("expression is nested too deeply (more than %1 levels)")
                     .arg(kMaxDepth));
    }
    void leave() { --m_depth; }

    std::int32_t addNode(const Node& node) {
        m_program->nodes.push_back(node);
        return std::int32_t(m_program->nodes.size() - 1);
    }

    std::uint32_t addToPool(const std::string& bytes) {
        const auto off = std::uint32_t(m_program->pool.size());
        m_program->pool += bytes;
        return off;
    }

    std::int32_t parseLogical(Tok operatorToken, Op op, std::int32_t (Parser::*operand)()) {
        const std::int32_t first = (this->*operand)();
        if (current().type != operatorToken)
            return first;
        std::vector<std::int32_t> operands{first};
        while (current().type == operatorToken) {
            advance();
            operands.push_back((this->*operand)());
        }
        Node node;
        node.op = op;
        node.off = std::uint32_t(m_program->children.size());
        node.len = std::uint32_t(operands.size());
        m_program->children.insert(m_program->children.end(), operands.begin(), operands.end());
        return addNode(node);
    }

    std::int32_t parseOr() { return parseLogical(Tok::Or, Op::Or, &Parser::parseAnd); }
    std::int32_t parseAnd() { return parseLogical(Tok::And, Op::And, &Parser::parseNot); }

    std::int32_t parseNot() {
        if (current().type != Tok::Not)
            return parseComparison();
        enter();
        advance();
        Node node;
        node.op = Op::Not;
        node.a = parseNot();
        leave();
        return addNode(node);
    }

    std::int32_t parseComparison() {
        const std::int32_t left = parseUnary();
        const Tok type = current().type;
        std::int32_t result = left;
        if (isComparison(type)) {
            advance();
            Node node;
            switch (type) {
            case Tok::Eq:
                node.op = Op::Eq;
                break;
            case Tok::Ne:
                node.op = Op::Ne;
                break;
            case Tok::Lt:
                node.op = Op::Lt;
                break;
            case Tok::Le:
                node.op = Op::Le;
                break;
            case Tok::Gt:
                node.op = Op::Gt;
                break;
            default:
                node.op = Op::Ge;
                break;
            }
            node.a = left;
            node.b = parseUnary();
            result = addNode(node);
        } else if (type == Tok::In) {
            advance();
            result = parseInList(left);
        } else {
            return left;
        }
        if (isComparison(current().type) || current().type == Tok::In)
            fail(QStringLiteral(
                "comparisons do not chain; combine them with && or use parentheses"));
        return result;
    }

    std::int32_t parseInList(std::int32_t operand) {
        if (current().type != Tok::LBracket)
            fail(
                QStringLiteral("expected '[' after 'in', got %1").arg(describe(current(), m_text)));
        advance();
        Node node;
        node.op = Op::In;
        node.a = operand;
        node.off = std::uint32_t(m_program->literals.size());
        if (current().type == Tok::RBracket) {
            advance();
            return addNode(node);
        }
        for (;;) {
            bool negative = false;
            if (current().type == Tok::Minus) {
                negative = true;
                advance();
                if (current().type != Tok::Int && current().type != Tok::Double)
                    fail(QStringLiteral("expected a number after '-'"));
            }
            Literal literal;
            if (!makeLiteral(current(), &literal))
                fail(QStringLiteral("expected a value (number, string, true, false or null) in the "
                                    "list, got %1")
                         .arg(describe(current(), m_text)));
            if (negative)
                negate(&literal);
            m_program->literals.push_back(literal);
            ++node.len;
            advance();
            if (current().type == Tok::Comma) {
                advance();
                continue;
            }
            if (current().type == Tok::RBracket) {
                advance();
                return addNode(node);
            }
            fail(QStringLiteral("expected ',' or ']' in the list, got %1")
                     .arg(describe(current(), m_text)));
        }
    }

    static void negate(Literal* literal) {
        if (literal->kind == LiteralKind::Int) {
            if (literal->integer == std::numeric_limits<std::int64_t>::min()) {
                literal->kind = LiteralKind::Double;
                literal->real = -double(literal->integer);
            } else {
                literal->integer = -literal->integer;
            }
        } else {
            literal->real = -literal->real;
        }
    }

    bool makeLiteral(const Token& token, Literal* literal) {
        switch (token.type) {
        case Tok::Int:
            literal->kind = LiteralKind::Int;
            literal->integer = token.integer;
            return true;
        case Tok::Double:
            literal->kind = LiteralKind::Double;
            literal->real = token.real;
            return true;
        case Tok::String:
            literal->kind = LiteralKind::Text;
            literal->off = addToPool(token.text);
            literal->len = std::uint32_t(token.text.size());
            return true;
        case Tok::True:
        case Tok::False:
            literal->kind = LiteralKind::Bool;
            literal->boolean = token.type == Tok::True;
            return true;
        case Tok::Null:
            literal->kind = LiteralKind::Null;
            return true;
        default:
            return false;
        }
    }

    std::int32_t parseUnary() {
        if (current().type != Tok::Minus)
            return parsePrimary();
        enter();
        advance();
        const std::int32_t operand = parseUnary();
        leave();
        Node& child = m_program->nodes[operand];
        if (child.op == Op::Literal) {
            Literal& literal = m_program->literals[child.a];
            if (literal.kind == LiteralKind::Int || literal.kind == LiteralKind::Double) {
                negate(&literal); // fold "-3" into a literal
                return operand;
            }
        }
        Node node;
        node.op = Op::Neg;
        node.a = operand;
        return addNode(node);
    }

    std::int32_t parsePrimary() {
        const Token& token = current();
        Literal literal;
        if (makeLiteral(token, &literal)) {
            m_program->literals.push_back(literal);
            Node node;
            node.op = Op::Literal;
            node.a = std::int32_t(m_program->literals.size() - 1);
            advance();
            return addNode(node);
        }
        if (token.type == Tok::Ident) {
            const bool isFunction =
                (token.text == "has" || token.text == "len") && peek().type == Tok::LParen;
            if (!isFunction) {
                Node node;
                node.op = Op::Field;
                node.off = addToPool(token.text);
                node.len = std::uint32_t(token.text.size());
                advance();
                return addNode(node);
            }
            const QString function = QString::fromStdString(token.text);
            Node node;
            node.op = token.text == "has" ? Op::Has : Op::Len;
            advance(); // name
            advance(); // '('
            if (current().type != Tok::Ident)
                fail(QStringLiteral("expected a field name inside %1(), got %2")
                         .arg(function, describe(current(), m_text)));
            node.off = addToPool(current().text);
            node.len = std::uint32_t(current().text.size());
            advance();
            if (current().type != Tok::RParen)
                fail(QStringLiteral("expected ')' after argument, got %1")
                         .arg(describe(current(), m_text)));
            advance();
            return addNode(node);
        }
        if (token.type == Tok::LParen) {
            const int openColumn = token.column;
            enter();
            advance();
            const std::int32_t inner = parseOr();
            leave();
            if (current().type != Tok::RParen)
                fail(QStringLiteral("expected ')' to close the '(' at column %1, got %2")
                         .arg(openColumn)
                         .arg(describe(current(), m_text)));
            advance();
            return inner;
        }
        fail(QStringLiteral("expected a value, a field name or '(', got %1")
                 .arg(describe(token, m_text)));
    }

    const QString& m_text;
    std::vector<Token> m_tokens;
    std::size_t m_index = 0;
    int m_depth = 0;
    ProgramData* m_program;
};

// ---- Evaluation (no allocation) -------------------------------------------------------

enum class Kind : std::uint8_t { Null, Bool, Int, Double, Text };

struct Val {
    Kind kind = Kind::Null;
    bool boolean = false;
    std::int64_t integer = 0;
    double real = 0;
    std::string_view text;
};

Val fromLiteral(const ProgramData& program, const Literal& literal) {
    Val value;
    switch (literal.kind) {
    case LiteralKind::Null:
        break;
    case LiteralKind::Bool:
        value.kind = Kind::Bool;
        value.boolean = literal.boolean;
        break;
    case LiteralKind::Int:
        value.kind = Kind::Int;
        value.integer = literal.integer;
        break;
    case LiteralKind::Double:
        value.kind = Kind::Double;
        value.real = literal.real;
        break;
    case LiteralKind::Text:
        value.kind = Kind::Text;
        value.text = program.poolView(literal.off, literal.len);
        break;
    }
    return value;
}

Val fromField(const Value* field) {
    Val value;
    if (!field)
        return value;
    switch (field->type()) {
    case ValueType::Null:
        break;
    case ValueType::Bool:
        value.kind = Kind::Bool;
        value.boolean = field->toBool();
        break;
    case ValueType::Int:
        value.kind = Kind::Int;
        value.integer = field->toInt();
        break;
    case ValueType::Double:
        value.kind = Kind::Double;
        value.real = field->toDouble();
        break;
    case ValueType::String:
    case ValueType::Bytes:
    case ValueType::Blob:
        value.kind = Kind::Text;
        value.text = field->view();
        break;
    case ValueType::Tensor:
        break; // expressions do not look inside tensors: it reads as null
    }
    return value;
}

bool truthy(const Val& value) {
    switch (value.kind) {
    case Kind::Null:
        return false;
    case Kind::Bool:
        return value.boolean;
    case Kind::Int:
        return value.integer != 0;
    case Kind::Double:
        return value.real != 0;
    case Kind::Text:
        return !value.text.empty();
    }
    return false;
}

bool isNumber(const Val& value) {
    return value.kind == Kind::Int || value.kind == Kind::Double;
}

// -1, 0, 1, or 2 when the values are unordered (NaN).
int compareNumbers(const Val& left, const Val& right) {
    if (left.kind == Kind::Int && right.kind == Kind::Int)
        return left.integer < right.integer ? -1 : (left.integer > right.integer ? 1 : 0);
    // long double holds every int64 exactly on the platforms we build for (x86-64, arm64).
    const long double l =
        left.kind == Kind::Int ? static_cast<long double>(left.integer) : left.real;
    const long double r =
        right.kind == Kind::Int ? static_cast<long double>(right.integer) : right.real;
    if (l < r)
        return -1;
    if (l > r)
        return 1;
    if (l == r)
        return 0;
    return 2;
}

bool equal(const Val& left, const Val& right) {
    if (isNumber(left) && isNumber(right))
        return compareNumbers(left, right) == 0;
    if (left.kind != right.kind)
        return false;
    switch (left.kind) {
    case Kind::Null:
        return true;
    case Kind::Bool:
        return left.boolean == right.boolean;
    case Kind::Text:
        return left.text == right.text;
    default:
        return false;
    }
}

bool ordered(Op op, const Val& left, const Val& right) {
    int order = 2;
    if (isNumber(left) && isNumber(right))
        order = compareNumbers(left, right);
    else if (left.kind == Kind::Text && right.kind == Kind::Text)
        order = left.text.compare(right.text) < 0 ? -1 : (left.text == right.text ? 0 : 1);
    if (order == 2)
        return false; // different types, null, booleans, NaN: no order
    switch (op) {
    case Op::Lt:
        return order < 0;
    case Op::Le:
        return order <= 0;
    case Op::Gt:
        return order > 0;
    case Op::Ge:
        return order >= 0;
    default:
        return false;
    }
}

Val makeBool(bool value) {
    Val result;
    result.kind = Kind::Bool;
    result.boolean = value;
    return result;
}

std::int64_t utf8Length(std::string_view text) {
    std::int64_t count = 0;
    for (const char c : text) {
        if ((static_cast<unsigned char>(c) & 0xC0) != 0x80)
            ++count;
    }
    return count;
}

Val eval(const ProgramData& program, std::int32_t index, const Task& task) {
    const Node& node = program.nodes[index];
    switch (node.op) {
    case Op::Literal:
        return fromLiteral(program, program.literals[node.a]);
    case Op::Field:
        return fromField(task.find(program.poolView(node.off, node.len)));
    case Op::Has:
        return makeBool(task.find(program.poolView(node.off, node.len)) != nullptr);
    case Op::Len: {
        const Value* field = task.find(program.poolView(node.off, node.len));
        Val result;
        if (!field)
            return result;
        if (field->type() == ValueType::String) {
            result.kind = Kind::Int;
            result.integer = utf8Length(field->view());
        } else if (field->isBinary()) {
            result.kind = Kind::Int;
            result.integer = static_cast<std::int64_t>(field->view().size());
        }
        return result;
    }
    case Op::Neg: {
        Val value = eval(program, node.a, task);
        if (value.kind == Kind::Int) {
            if (value.integer == std::numeric_limits<std::int64_t>::min()) {
                value.kind = Kind::Double;
                value.real = -double(value.integer);
            } else {
                value.integer = -value.integer;
            }
        } else if (value.kind == Kind::Double) {
            value.real = -value.real;
        } else {
            value = Val{};
        }
        return value;
    }
    case Op::Not:
        return makeBool(!truthy(eval(program, node.a, task)));
    case Op::And:
        for (std::uint32_t i = 0; i < node.len; ++i) {
            if (!truthy(eval(program, program.children[node.off + i], task)))
                return makeBool(false);
        }
        return makeBool(true);
    case Op::Or:
        for (std::uint32_t i = 0; i < node.len; ++i) {
            if (truthy(eval(program, program.children[node.off + i], task)))
                return makeBool(true);
        }
        return makeBool(false);
    case Op::Eq:
        return makeBool(equal(eval(program, node.a, task), eval(program, node.b, task)));
    case Op::Ne:
        return makeBool(!equal(eval(program, node.a, task), eval(program, node.b, task)));
    case Op::Lt:
    case Op::Le:
    case Op::Gt:
    case Op::Ge:
        return makeBool(ordered(node.op, eval(program, node.a, task), eval(program, node.b, task)));
    case Op::In: {
        const Val value = eval(program, node.a, task);
        for (std::uint32_t i = 0; i < node.len; ++i) {
            if (equal(value, fromLiteral(program, program.literals[node.off + i])))
                return makeBool(true);
        }
        return makeBool(false);
    }
    }
    return Val{};
}

} // namespace

struct Expression::Program : ProgramData {};

Expression::Expression() = default;
Expression::~Expression() = default;

Expression::Expression(const Expression& other)
    : m_program(other.m_program ? std::make_unique<Program>(*other.m_program) : nullptr)
    , m_text(other.m_text)
    , m_valid(other.m_valid) {}

Expression& Expression::operator=(const Expression& other) {
    if (this != &other) {
        m_program = other.m_program ? std::make_unique<Program>(*other.m_program) : nullptr;
        m_text = other.m_text;
        m_valid = other.m_valid;
    }
    return *this;
}

Expression::Expression(Expression&&) noexcept = default;
Expression& Expression::operator=(Expression&&) noexcept = default;

Expression Expression::parse(const QString& text, ParseError* error) {
    Expression expression;
    expression.m_text = text;
    if (text.trimmed().isEmpty())
        return expression; // always true
    auto program = std::make_unique<Program>();
    try {
        Lexer lexer(text);
        Parser parser(text, lexer.tokenize(), program.get());
        program->root = parser.parse();
    } catch (const ParseFailure& failure) {
        expression.m_valid = false;
        if (error) {
            error->column = failure.column;
            error->message = failure.message;
        }
        return expression;
    }
    expression.m_program = std::move(program);
    return expression;
}

bool Expression::isValid() const {
    return m_valid;
}

bool Expression::isAlwaysTrue() const {
    return m_valid && !m_program;
}

const QString& Expression::text() const {
    return m_text;
}

bool Expression::evaluate(const Task& task) const {
    if (!m_valid)
        return false;
    if (!m_program)
        return true;
    return truthy(eval(*m_program, m_program->root, task));
}

} // namespace Aqueduct
