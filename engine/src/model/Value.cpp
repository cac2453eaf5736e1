#include "aqueduct/Value.h"

#include <QLocale>
#include <QMetaType>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>
#include <utility>

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

QString tensorDTypeName(TensorDType dtype) {
    switch (dtype) {
    case TensorDType::UInt8:
        return QStringLiteral("uint8");
    case TensorDType::Int32:
        return QStringLiteral("int32");
    case TensorDType::Int64:
        return QStringLiteral("int64");
    case TensorDType::Float32:
        return QStringLiteral("float32");
    case TensorDType::Float64:
        return QStringLiteral("float64");
    }
    return QStringLiteral("unknown");
}

bool tensorDTypeFromName(std::string_view name, TensorDType* dtype) {
    static constexpr std::pair<std::string_view, TensorDType> kNames[] = {
        {"uint8", TensorDType::UInt8},     {"int32", TensorDType::Int32},
        {"int64", TensorDType::Int64},     {"float32", TensorDType::Float32},
        {"float64", TensorDType::Float64},
    };
    for (const auto& [candidate, type] : kNames) {
        if (candidate == name) {
            *dtype = type;
            return true;
        }
    }
    return false;
}

std::size_t tensorDTypeBytes(TensorDType dtype) {
    switch (dtype) {
    case TensorDType::UInt8:
        return 1;
    case TensorDType::Int32:
    case TensorDType::Float32:
        return 4;
    case TensorDType::Int64:
    case TensorDType::Float64:
        return 8;
    }
    return 0;
}

TensorInfo::TensorInfo(TensorDType type, std::initializer_list<std::int64_t> shape)
    : dtype(type)
    , rank(int(std::min<std::size_t>(shape.size(), kMaxRank + 1))) {
    // A longer list leaves rank at kMaxRank + 1, which isValid() rejects.
    std::size_t i = 0;
    for (const std::int64_t dim : shape) {
        if (i < dims.size())
            dims[i] = dim;
        ++i;
    }
}

bool TensorInfo::isValid(QString* error) const {
    const auto fail = [error](const QString& message) {
        if (error)
            *error = message;
        return false;
    };
    if (tensorDTypeBytes(dtype) == 0)
        return fail(QStringLiteral("unknown tensor dtype %1").arg(int(dtype)));
    if (rank < 0 || rank > kMaxRank)
        return fail(QStringLiteral("tensor rank %1 is outside 0..%2").arg(rank).arg(kMaxRank));
    // Checked as we go so the product cannot overflow: every partial product stays below 2^48.
    constexpr std::uint64_t kLimit = std::uint64_t(1) << 48;
    std::uint64_t bytes = tensorDTypeBytes(dtype);
    for (int i = 0; i < rank; ++i) {
        if (dims[std::size_t(i)] < 0)
            return fail(QStringLiteral("tensor dimension %1 is negative (%2)")
                            .arg(i)
                            .arg(dims[std::size_t(i)]));
        const auto dim = std::uint64_t(dims[std::size_t(i)]);
        if (dim != 0 && bytes > kLimit / dim)
            return fail(QStringLiteral("tensor %1 is too large").arg(toString()));
        bytes *= dim;
    }
    return true;
}

std::uint64_t TensorInfo::elementCount() const {
    std::uint64_t count = 1;
    for (int i = 0; i < rank && i < kMaxRank; ++i)
        count *= std::uint64_t(std::max<std::int64_t>(0, dims[std::size_t(i)]));
    return count;
}

QString TensorInfo::toString() const {
    QString text = tensorDTypeName(dtype) + QLatin1Char('[');
    for (int i = 0; i < rank && i < kMaxRank; ++i) {
        if (i > 0)
            text += QLatin1Char(',');
        text += QString::number(dims[std::size_t(i)]);
    }
    return text + QLatin1Char(']');
}

bool TensorInfo::operator==(const TensorInfo& other) const {
    if (dtype != other.dtype || rank != other.rank)
        return false;
    for (int i = 0; i < rank && i < kMaxRank; ++i) {
        if (dims[std::size_t(i)] != other.dims[std::size_t(i)])
            return false;
    }
    return true;
}

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
    case ValueType::Tensor:
        return QStringLiteral("tensor");
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

Value Value::fromTensor(const TensorInfo& info, std::string_view data) {
    Value value;
    value.setTensor(info, data);
    return value;
}

namespace {
// Inline header of a tensor in a Value's storage: u8 dtype, u8 rank, 6 bytes padding,
// then rank int64 dims; 8-byte multiples keep the data that follows aligned.
constexpr std::size_t kTensorPrefixBytes = 8;
std::size_t tensorHeaderBytes(int rank) {
    return kTensorPrefixBytes + std::size_t(rank) * sizeof(std::int64_t);
}
} // namespace

void Value::writeTensorHeader(const TensorInfo& info) {
    char* out = m_data.data();
    std::memset(out, 0, kTensorPrefixBytes);
    out[0] = char(info.dtype);
    out[1] = char(info.rank);
    std::memcpy(out + kTensorPrefixBytes, info.dims.data(),
                std::size_t(info.rank) * sizeof(std::int64_t));
}

TensorInfo Value::tensorInfo() const {
    TensorInfo info;
    if (m_type != ValueType::Tensor || m_data.size() < kTensorPrefixBytes)
        return info;
    info.dtype = TensorDType(std::uint8_t(m_data[0]));
    info.rank = std::min<int>(std::uint8_t(m_data[1]), TensorInfo::kMaxRank);
    std::memcpy(info.dims.data(), m_data.data() + kTensorPrefixBytes,
                std::size_t(info.rank) * sizeof(std::int64_t));
    return info;
}

std::string_view Value::tensorData() const {
    if (m_type != ValueType::Tensor || m_data.size() < kTensorPrefixBytes)
        return {};
    if (m_tensorShared)
        return m_blob.data ? std::string_view(m_blob.data, std::size_t(m_blob.size))
                           : std::string_view();
    const std::size_t header = tensorHeaderBytes(std::uint8_t(m_data[1]));
    return std::string_view(m_data).substr(std::min(header, m_data.size()));
}

bool Value::setTensor(const TensorInfo& info, std::string_view data, QString* error) {
    if (!info.isValid(error))
        return false;
    if (data.size() != info.byteSize()) {
        if (error)
            *error = QStringLiteral("tensor %1 needs %2 bytes of data, got %3")
                         .arg(info.toString())
                         .arg(info.byteSize())
                         .arg(data.size());
        return false;
    }
    const std::span<char> target = resetTensor(info);
    if (!data.empty())
        std::memcpy(target.data(), data.data(), data.size());
    return true;
}

std::span<char> Value::resetTensor(const TensorInfo& info) {
    dropBlob();
    m_type = ValueType::Tensor;
    const std::size_t header = tensorHeaderBytes(info.rank);
    m_data.resize(header + info.byteSize());
    writeTensorHeader(info);
    return std::span<char>(m_data.data() + header, std::size_t(info.byteSize()));
}

void Value::adoptTensorBlob(const TensorInfo& info, const BlobRef& blob) {
    dropBlob();
    m_type = ValueType::Tensor;
    m_tensorShared = true;
    m_blob = blob;
    m_data.resize(tensorHeaderBytes(info.rank));
    writeTensorHeader(info);
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
    case ValueType::Tensor:
        return tensorInfo().elementCount() > 0;
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
    case ValueType::Tensor:
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
    case ValueType::Tensor:
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
    case ValueType::Tensor:
        return tensorInfo().toString();
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
    case ValueType::Tensor: {
        const TensorInfo info = tensorInfo();
        QVariantList shape;
        for (const std::int64_t dim : info.shape())
            shape.append(QVariant(qlonglong(dim)));
        const std::string_view data = tensorData();
        return QVariantMap{
            {QStringLiteral("dtype"), tensorDTypeName(info.dtype)},
            {QStringLiteral("shape"), shape},
            {QStringLiteral("data"), QByteArray(data.data(), qsizetype(data.size()))}};
    }
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
    case ValueType::Tensor:
        return tensorInfo() == other.tensorInfo() && tensorData() == other.tensorData();
    }
    return false;
}

} // namespace Aqueduct
