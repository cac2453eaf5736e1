#pragma once

#include "aqueduct/Task.h"

#include <QString>

#include <memory>

namespace Aqueduct {

/// A `condition` / `when` expression over task fields, parsed once into a tree and
/// evaluated without allocation. Grammar: docs/expressions.md.
/// The empty expression is valid and always true.
class Expression {
public:
    struct ParseError {
        int column = 0; ///< 1-based column in the expression text
        QString message;
    };

    Expression();
    ~Expression();
    Expression(const Expression& other);
    Expression& operator=(const Expression& other);
    Expression(Expression&&) noexcept;
    Expression& operator=(Expression&&) noexcept;

    /// Parses `text`. On failure returns an invalid expression and fills `error`.
    static Expression parse(const QString& text, ParseError* error = nullptr);

    bool isValid() const;
    bool isAlwaysTrue() const; ///< empty text
    const QString& text() const;
    /// False for an invalid expression. Missing fields compare as null.
    bool evaluate(const Task& task) const;

private:
    struct Program;
    std::unique_ptr<Program> m_program;
    QString m_text;
    bool m_valid = true;
};

} // namespace Aqueduct
