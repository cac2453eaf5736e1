// The public Expression: parse once, evaluate many times; copies copy the program.
#include "aqueduct/Expression.h"

#include "document/ExpressionProgram.h"

#include <memory>

namespace Aqueduct {

// The compiled form lives in the private ExpressionProgram.h; the public header only
// names it, so the layout can change without touching the API.
struct Expression::Program : Internal::Expressions::ProgramData {};

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
        program->root = Internal::Expressions::parseProgram(text, program.get());
    } catch (const Internal::Expressions::ParseFailure& failure) {
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
    return Internal::Expressions::evaluateProgram(*m_program, task);
}

} // namespace Aqueduct
