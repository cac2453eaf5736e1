#pragma once

#include "aqueduct/Task.h"

#include <QString>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

// The compiled form of an Expression, shared by its parser (which builds it) and its
// evaluator (which walks it). Private to the engine; the public face is aqueduct/Expression.h.
namespace Aqueduct::Internal::Expressions {

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

/// Thrown by the lexer and the parser; Expression::parse turns it into a ParseError.
struct ParseFailure {
    int column;
    QString message;
};

/// Parses `text` into `program` and returns the root node. Throws ParseFailure.
std::int32_t parseProgram(const QString& text, ProgramData* program);

/// Evaluates the parsed `program` against `task` and says whether the result is truthy.
/// Allocates nothing.
bool evaluateProgram(const ProgramData& program, const Task& task);

} // namespace Aqueduct::Internal::Expressions
