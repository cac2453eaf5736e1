// Tokens to the flat program (ExpressionProgram.h), by recursive descent:
// || then && then ! then one comparison or `in` list then unary minus then a value,
// field, has()/len() or parentheses. Nesting is capped so hostile input cannot exhaust
// the stack.
#include "document/ExpressionLexer.h"
#include "document/ExpressionProgram.h"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace Aqueduct::Internal::Expressions {

namespace {

constexpr int kMaxDepth = 64;

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

} // namespace

std::int32_t parseProgram(const QString& text, ProgramData* program) {
    Parser parser(text, tokenize(text), program);
    return parser.parse();
}

} // namespace Aqueduct::Internal::Expressions
