// Evaluation of a parsed program against a task, without allocation: the router runs
// it for every task that leaves a node.
#include "document/ExpressionProgram.h"

#include <cstdint>
#include <limits>
#include <string_view>

namespace Aqueduct::Internal::Expressions {

namespace {

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

bool evaluateProgram(const ProgramData& program, const Task& task) {
    return truthy(eval(program, program.root, task));
}

} // namespace Aqueduct::Internal::Expressions
