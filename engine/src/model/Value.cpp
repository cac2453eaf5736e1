#include "aqueduct/Value.h"

#include <QLocale>
#include <QMetaType>

#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>

namespace Aqueduct {

namespace {

// Converts a double to int64 without undefined behaviour: truncates toward zero, clamps
// out-of-range values and maps NaN to 0.
std::int64_t clampToInt64(double value) {
    if (std::isnan(value))
        return 0;
    // 2^63 is exactly representable; anything at or above it does not fit.
    constexpr double kLimit = 9223372036854775808.0;
    if (value >= kLimit)
        return std::numeric_limits<std::int64_t>::max();
    if (value < -kLimit)
        return std::numeric_limits<std::int64_t>::min();
    return static_cast<std::int64_t>(value);
}

std::string_view trimmed(std::string_view text) {
    const auto isSpace = [](char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
    };
    while (!text.empty() && isSpace(text.front()))
        text.remove_prefix(1);
    while (!text.empty() && isSpace(text.back()))
        text.remove_suffix(1);
    return text;
}

bool equalsIgnoringCase(std::string_view text, std::string_view lowerWord) {
    if (text.size() != lowerWord.size())
        return false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (c >= 'A' && c <= 'Z')
            c = static_cast<char>(c - 'A' + 'a');
        if (c != lowerWord[i])
            return false;
    }
    return true;
}

bool parseDouble(std::string_view text, double* result) {
    text = trimmed(text);
    if (!text.empty() && text.front() == '+')
        text.remove_prefix(1);
    if (text.empty())
        return false;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), *result);
    return error == std::errc() && end == text.data() + text.size();
}

} // namespace

QString valueTypeName(ValueType type) {
    switch (type) {
    case ValueType::Null:
        return QStringLiteral("null");
    case ValueType::Bool:
        return QStringLiteral("bool");
    case ValueType::Int:
        return QStringLiteral("int");
    case ValueType::Double:
        return QStringLiteral("double");
    case ValueType::String:
        return QStringLiteral("string");
    case ValueType::Bytes:
        return QStringLiteral("bytes");
    case ValueType::Blob:
        return QStringLiteral("blob");
    }
    return QStringLiteral("unknown");
}

Value::Value(const QString& text)
    : m_type(ValueType::String)
    , m_data(text.toStdString()) {}

Value Value::fromString(std::string_view utf8) {
    Value value;
    value.setString(utf8);
    return value;
}

Value Value::fromBytes(std::string_view bytes) {
    Value value;
    value.setBytes(bytes);
    return value;
}

Value Value::fromBytes(const QByteArray& bytes) {
    return fromBytes(std::string_view(bytes.constData(), static_cast<std::size_t>(bytes.size())));
}

Value Value::fromBlob(const BlobRef& blob) {
    Value value;
    value.setBlob(blob);
    return value;
}

Value Value::fromVariant(const QVariant& variant) {
    if (!variant.isValid() || variant.isNull())
        return Value();
    switch (variant.metaType().id()) {
    case QMetaType::Nullptr:
        return Value();
    case QMetaType::Bool:
        return Value(variant.toBool());
    case QMetaType::Char:
    case QMetaType::SChar:
    case QMetaType::UChar:
    case QMetaType::Short:
    case QMetaType::UShort:
    case QMetaType::Int:
    case QMetaType::UInt:
    case QMetaType::Long:
    case QMetaType::LongLong:
        return Value(static_cast<std::int64_t>(variant.toLongLong()));
    case QMetaType::ULong:
    case QMetaType::ULongLong: {
        const qulonglong unsignedValue = variant.toULongLong();
        if (unsignedValue > static_cast<qulonglong>(std::numeric_limits<std::int64_t>::max()))
            return Value(static_cast<double>(unsignedValue));
        return Value(static_cast<std::int64_t>(unsignedValue));
    }
    case QMetaType::Float:
    case QMetaType::Double:
        return Value(variant.toDouble());
    case QMetaType::QByteArray:
        return fromBytes(variant.toByteArray());
    case QMetaType::QString:
        return Value(variant.toString());
    default:
        break;
    }
    if (variant.canConvert<QString>())
        return Value(variant.toString());
    return Value();
}

bool Value::toBool() const {
    switch (m_type) {
    case ValueType::Null:
        return false;
    case ValueType::Bool:
    case ValueType::Int:
        return m_int != 0;
    case ValueType::Double:
        return m_double != 0.0 && !std::isnan(m_double);
    case ValueType::String: {
        const std::string_view text = trimmed(m_data);
        if (equalsIgnoringCase(text, "true") || equalsIgnoringCase(text, "yes") ||
            equalsIgnoringCase(text, "on"))
            return true;
        double number = 0;
        return parseDouble(text, &number) && number != 0.0;
    }
    case ValueType::Bytes:
    case ValueType::Blob:
        return !view().empty();
    }
    return false;
}

std::int64_t Value::toInt() const {
    switch (m_type) {
    case ValueType::Null:
        return 0;
    case ValueType::Bool:
    case ValueType::Int:
        return m_int;
    case ValueType::Double:
        return clampToInt64(m_double);
    case ValueType::String: {
        std::string_view text = trimmed(m_data);
        if (!text.empty() && text.front() == '+')
            text.remove_prefix(1);
        std::int64_t result = 0;
        const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), result);
        if (error == std::errc() && end == text.data() + text.size())
            return result;
        // "2.5", "1e3" or an integer too large for int64: go through double.
        double number = 0;
        if (parseDouble(text, &number))
            return clampToInt64(number);
        if (equalsIgnoringCase(text, "true"))
            return 1;
        return 0;
    }
    case ValueType::Bytes:
    case ValueType::Blob:
        return 0;
    }
    return 0;
}

double Value::toDouble() const {
    switch (m_type) {
    case ValueType::Null:
        return 0;
    case ValueType::Bool:
    case ValueType::Int:
        return static_cast<double>(m_int);
    case ValueType::Double:
        return m_double;
    case ValueType::String: {
        double number = 0;
        if (parseDouble(m_data, &number))
            return number;
        if (equalsIgnoringCase(trimmed(m_data), "true"))
            return 1;
        return 0;
    }
    case ValueType::Bytes:
    case ValueType::Blob:
        return 0;
    }
    return 0;
}

std::string_view Value::view() const {
    switch (m_type) {
    case ValueType::String:
    case ValueType::Bytes:
        return m_data;
    case ValueType::Blob:
        if (m_blob.data == nullptr)
            return {};
        return std::string_view(m_blob.data, static_cast<std::size_t>(m_blob.size));
    default:
        return {};
    }
}

QString Value::toQString() const {
    switch (m_type) {
    case ValueType::Null:
        return QString();
    case ValueType::Bool:
        return m_int != 0 ? QStringLiteral("true") : QStringLiteral("false");
    case ValueType::Int:
        return QString::number(m_int);
    case ValueType::Double:
        return QString::number(m_double, 'g', QLocale::FloatingPointShortest);
    case ValueType::String:
    case ValueType::Bytes:
    case ValueType::Blob: {
        const std::string_view text = view();
        return QString::fromUtf8(text.data(), static_cast<qsizetype>(text.size()));
    }
    }
    return QString();
}

QByteArray Value::toByteArray() const {
    if (m_type == ValueType::String || isBinary()) {
        const std::string_view bytes = view();
        return QByteArray(bytes.data(), static_cast<qsizetype>(bytes.size()));
    }
    return toQString().toUtf8();
}

QVariant Value::toVariant() const {
    switch (m_type) {
    case ValueType::Null:
        return QVariant();
    case ValueType::Bool:
        return QVariant(m_int != 0);
    case ValueType::Int:
        return QVariant(static_cast<qlonglong>(m_int));
    case ValueType::Double:
        return QVariant(m_double);
    case ValueType::String:
        return QVariant(toQString());
    case ValueType::Bytes:
    case ValueType::Blob:
        return QVariant(toByteArray());
    }
    return QVariant();
}

bool Value::operator==(const Value& other) const {
    if (m_type != other.m_type)
        return false;
    switch (m_type) {
    case ValueType::Null:
        return true;
    case ValueType::Bool:
    case ValueType::Int:
        return m_int == other.m_int;
    case ValueType::Double:
        return m_double == other.m_double;
    case ValueType::String:
    case ValueType::Bytes:
    case ValueType::Blob:
        return view() == other.view();
    }
    return false;
}

} // namespace Aqueduct
