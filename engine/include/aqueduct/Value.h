#pragma once

#include <QByteArray>
#include <QJsonValue>
#include <QString>
#include <QVariant>

#include <array>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>

namespace Aqueduct {

namespace Internal {
class SharedArena;
}

enum class ValueType : std::uint8_t { Null, Bool, Int, Double, String, Bytes, Blob, Tensor };

QString valueTypeName(ValueType type);

/// Element type of a tensor; the numbering is part of the slot encoding.
enum class TensorDType : std::uint8_t { UInt8, Int32, Int64, Float32, Float64 };

/// "uint8", "int32", "int64", "float32", "float64".
QString tensorDTypeName(TensorDType dtype);
/// Parses a dtype name; false for an unknown one.
bool tensorDTypeFromName(std::string_view name, TensorDType* dtype);
std::size_t tensorDTypeBytes(TensorDType dtype);

/// Element type and shape of a tensor (row-major, densely packed).
struct TensorInfo {
    static constexpr int kMaxRank = 8;
    TensorDType dtype = TensorDType::Float32;
    int rank = 0;
    std::array<std::int64_t, kMaxRank> dims{};

    TensorInfo() = default;
    TensorInfo(TensorDType type, std::initializer_list<std::int64_t> shape);

    std::span<const std::int64_t> shape() const { return {dims.data(), std::size_t(rank)}; }
    /// Checks dtype, rank (0..8), dims (>= 0) and that the byte size stays below 2^48.
    bool isValid(QString* error = nullptr) const;
    std::uint64_t elementCount() const;
    std::uint64_t byteSize() const { return elementCount() * tensorDTypeBytes(dtype); }
    /// "float32[3,224,224]"
    QString toString() const;
    bool operator==(const TensorInfo& other) const;
};

/// A handle to bytes living in a flow's shared-memory arena. Only the handle crosses
/// queues; `data` is the address of the bytes in this process's mapping.
struct BlobRef {
    std::uint64_t offset = 0; ///< offset of the blob's bytes in the arena
    std::uint64_t size = 0;   ///< payload size in bytes
    const char* data = nullptr;
    Internal::SharedArena* arena = nullptr; ///< keeps the mapping and counts references
    /// Borrowed: a worker's view of a blob its task slot already holds a reference to;
    /// it keeps the mapping alive but does not count in the shared refcount, so a worker
    /// that dies mid-handle leaves no reference behind.
    bool borrowed = false;
};

namespace Internal {
/// Blob reference counting (shared-memory refcount plus the mapping's in-process count).
void retainBlob(const BlobRef& blob) noexcept;
void releaseBlob(const BlobRef& blob) noexcept;
} // namespace Internal

/// One field value of a Task. Strings are UTF-8. Storage for strings and bytes is kept
/// across reassignment, so a worker that decodes into the same Value reuses its capacity.
/// A Blob value holds one reference to its shared-memory blob: copies add one, and the
/// blob is freed when the last holder in any process lets go.
/// A Tensor value keeps its dtype and shape in the string storage, followed by its data
/// when inline; a shared tensor's data is a blob (held like a Blob value's).
class Value {
public:
    Value() = default;
    Value(const Value& other)
        : m_type(other.m_type)
        , m_tensorShared(other.m_tensorShared)
        , m_int(other.m_int)
        , m_data(other.hasText() ? other.m_data : std::string())
        , m_blob(other.m_blob) {
        if (holdsBlob())
            Internal::retainBlob(m_blob);
    }
    Value(Value&& other) noexcept
        : m_type(other.m_type)
        , m_tensorShared(other.m_tensorShared)
        , m_int(other.m_int)
        , m_data(std::move(other.m_data))
        , m_blob(other.m_blob) {
        other.m_type = ValueType::Null;
        other.m_tensorShared = false;
    }
    Value& operator=(const Value& other) {
        if (this != &other) {
            if (other.holdsBlob())
                Internal::retainBlob(other.m_blob);
            dropBlob();
            m_type = other.m_type;
            m_tensorShared = other.m_tensorShared;
            m_int = other.m_int;
            if (other.hasText())
                m_data = other.m_data; // storage of other types is stale capacity, not content
            m_blob = other.m_blob;
        }
        return *this;
    }
    Value& operator=(Value&& other) noexcept {
        if (this != &other) {
            dropBlob();
            m_type = other.m_type;
            m_tensorShared = other.m_tensorShared;
            m_int = other.m_int;
            m_data = std::move(other.m_data);
            m_blob = other.m_blob;
            other.m_type = ValueType::Null;
            other.m_tensorShared = false;
        }
        return *this;
    }
    ~Value() { dropBlob(); }
    Value(std::nullptr_t) {}
    Value(bool value)
        : m_type(ValueType::Bool)
        , m_int(value ? 1 : 0) {}
    Value(int value)
        : m_type(ValueType::Int)
        , m_int(value) {}
    Value(std::int64_t value)
        : m_type(ValueType::Int)
        , m_int(value) {}
    Value(long long value)
        : m_type(ValueType::Int)
        , m_int(static_cast<std::int64_t>(value)) {}
    Value(double value)
        : m_type(ValueType::Double)
        , m_double(value) {}
    Value(const char* utf8)
        : m_type(ValueType::String)
        , m_data(utf8) {}
    Value(const QString& text);

    static Value fromString(std::string_view utf8);
    static Value fromBytes(std::string_view bytes);
    static Value fromBytes(const QByteArray& bytes);
    static Value fromBlob(const BlobRef& blob);
    /// An inline tensor holding a copy of `data`; null if `info` is invalid or `data`
    /// is not info.byteSize() bytes (setTensor says why).
    static Value fromTensor(const TensorInfo& info, std::string_view data);
    /// Converts a QVariant (null, bool, integer, double, QString, QByteArray).
    static Value fromVariant(const QVariant& variant);

    ValueType type() const { return m_type; }
    bool isNull() const { return m_type == ValueType::Null; }
    bool isNumber() const { return m_type == ValueType::Int || m_type == ValueType::Double; }
    /// Bytes or Blob: both read as a byte span.
    bool isBinary() const { return m_type == ValueType::Bytes || m_type == ValueType::Blob; }

    bool toBool() const;
    std::int64_t toInt() const;
    double toDouble() const;
    /// String contents (UTF-8) or bytes / blob contents; empty for other types.
    std::string_view view() const;
    const BlobRef& blob() const { return m_blob; }
    /// A Blob value, or a tensor whose data is a shared blob: holds one blob reference.
    bool holdsBlob() const {
        return m_type == ValueType::Blob || (m_type == ValueType::Tensor && m_tensorShared);
    }

    bool isTensor() const { return m_type == ValueType::Tensor; }
    /// The tensor's dtype and shape (a default TensorInfo for other types).
    TensorInfo tensorInfo() const;
    /// The tensor's data, row-major (empty for other types).
    std::string_view tensorData() const;
    /// True when the tensor's data lives in a shared blob (blob() is its handle).
    bool isSharedTensor() const { return m_type == ValueType::Tensor && m_tensorShared; }

    QString toQString() const;
    QByteArray toByteArray() const;
    QVariant toVariant() const;

    void setNull() { dropBlob(); }
    void setBool(bool value) {
        dropBlob();
        m_type = ValueType::Bool;
        m_int = value ? 1 : 0;
    }
    void setInt(std::int64_t value) {
        dropBlob();
        m_type = ValueType::Int;
        m_int = value;
    }
    void setDouble(double value) {
        dropBlob();
        m_type = ValueType::Double;
        m_double = value;
    }
    void setString(std::string_view utf8) {
        dropBlob();
        m_type = ValueType::String;
        m_data.assign(utf8);
    }
    void setBytes(std::string_view bytes) {
        dropBlob();
        m_type = ValueType::Bytes;
        m_data.assign(bytes);
    }
    /// Takes a new reference to `blob`.
    void setBlob(const BlobRef& blob) {
        Internal::retainBlob(blob);
        dropBlob();
        m_type = ValueType::Blob;
        m_blob = blob;
    }
    /// Takes over a reference the caller already holds (no retain).
    void adoptBlob(const BlobRef& blob) {
        dropBlob();
        m_type = ValueType::Blob;
        m_blob = blob;
    }
    /// Makes this an inline tensor copying `data`; false (value unchanged) with `error`
    /// set when `info` is invalid or `data` has the wrong size.
    bool setTensor(const TensorInfo& info, std::string_view data, QString* error = nullptr);
    /// Makes this an inline tensor of `info` (which must be valid) and returns its data,
    /// writable and uninitialised, for the caller to fill. Storage is reused.
    std::span<char> resetTensor(const TensorInfo& info);
    /// Makes this a shared tensor over `blob` (of info.byteSize() bytes), taking over a
    /// reference the caller already holds.
    void adoptTensorBlob(const TensorInfo& info, const BlobRef& blob);
    /// Same, taking a new reference.
    void setTensorBlob(const TensorInfo& info, const BlobRef& blob) {
        Internal::retainBlob(blob);
        adoptTensorBlob(info, blob);
    }

    /// Writable storage for String/Bytes values (resize it, then fill it).
    std::string& storage() { return m_data; }

    bool operator==(const Value& other) const;

private:
    bool hasText() const {
        return m_type == ValueType::String || m_type == ValueType::Bytes ||
               m_type == ValueType::Tensor;
    }
    void dropBlob() noexcept {
        if (holdsBlob()) {
            m_type = ValueType::Null;
            m_tensorShared = false;
            Internal::releaseBlob(m_blob);
        }
        m_type = ValueType::Null;
        m_tensorShared = false;
    }
    void writeTensorHeader(const TensorInfo& info);

    ValueType m_type = ValueType::Null;
    bool m_tensorShared = false; ///< Tensor only: the data is m_blob; m_data holds the header
    union {
        std::int64_t m_int = 0;
        double m_double;
    };
    std::string m_data;
    BlobRef m_blob;
};

} // namespace Aqueduct
