#pragma once

#include <QByteArray>
#include <QJsonValue>
#include <QString>
#include <QVariant>

#include <cstdint>
#include <string>
#include <string_view>

namespace Aqueduct {

namespace Internal {
class SharedArena;
}

enum class ValueType : std::uint8_t { Null, Bool, Int, Double, String, Bytes, Blob };

QString valueTypeName(ValueType type);

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
class Value {
public:
    Value() = default;
    Value(const Value& other)
        : m_type(other.m_type)
        , m_int(other.m_int)
        , m_data(other.hasText() ? other.m_data : std::string())
        , m_blob(other.m_blob)
    {
        if (m_type == ValueType::Blob)
            Internal::retainBlob(m_blob);
    }
    Value(Value&& other) noexcept
        : m_type(other.m_type)
        , m_int(other.m_int)
        , m_data(std::move(other.m_data))
        , m_blob(other.m_blob)
    {
        other.m_type = ValueType::Null;
    }
    Value& operator=(const Value& other)
    {
        if (this != &other) {
            if (other.m_type == ValueType::Blob)
                Internal::retainBlob(other.m_blob);
            dropBlob();
            m_type = other.m_type;
            m_int = other.m_int;
            if (other.hasText())
                m_data = other.m_data; // storage of other types is stale capacity, not content
            m_blob = other.m_blob;
        }
        return *this;
    }
    Value& operator=(Value&& other) noexcept
    {
        if (this != &other) {
            dropBlob();
            m_type = other.m_type;
            m_int = other.m_int;
            m_data = std::move(other.m_data);
            m_blob = other.m_blob;
            other.m_type = ValueType::Null;
        }
        return *this;
    }
    ~Value() { dropBlob(); }
    Value(std::nullptr_t) {}
    Value(bool value) : m_type(ValueType::Bool), m_int(value ? 1 : 0) {}
    Value(int value) : m_type(ValueType::Int), m_int(value) {}
    Value(std::int64_t value) : m_type(ValueType::Int), m_int(value) {}
    Value(long long value) : m_type(ValueType::Int), m_int(static_cast<std::int64_t>(value)) {}
    Value(double value) : m_type(ValueType::Double), m_double(value) {}
    Value(const char* utf8) : m_type(ValueType::String), m_data(utf8) {}
    Value(const QString& text);

    static Value fromString(std::string_view utf8);
    static Value fromBytes(std::string_view bytes);
    static Value fromBytes(const QByteArray& bytes);
    static Value fromBlob(const BlobRef& blob);
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

    QString toQString() const;
    QByteArray toByteArray() const;
    QVariant toVariant() const;

    void setNull() { dropBlob(); }
    void setBool(bool value) { dropBlob(); m_type = ValueType::Bool; m_int = value ? 1 : 0; }
    void setInt(std::int64_t value) { dropBlob(); m_type = ValueType::Int; m_int = value; }
    void setDouble(double value) { dropBlob(); m_type = ValueType::Double; m_double = value; }
    void setString(std::string_view utf8) { dropBlob(); m_type = ValueType::String; m_data.assign(utf8); }
    void setBytes(std::string_view bytes) { dropBlob(); m_type = ValueType::Bytes; m_data.assign(bytes); }
    /// Takes a new reference to `blob`.
    void setBlob(const BlobRef& blob)
    {
        Internal::retainBlob(blob);
        dropBlob();
        m_type = ValueType::Blob;
        m_blob = blob;
    }
    /// Takes over a reference the caller already holds (no retain).
    void adoptBlob(const BlobRef& blob)
    {
        dropBlob();
        m_type = ValueType::Blob;
        m_blob = blob;
    }
    /// Writable storage for String/Bytes values (resize it, then fill it).
    std::string& storage() { return m_data; }

    bool operator==(const Value& other) const;

private:
    bool hasText() const { return m_type == ValueType::String || m_type == ValueType::Bytes; }
    void dropBlob() noexcept
    {
        if (m_type == ValueType::Blob) {
            m_type = ValueType::Null;
            Internal::releaseBlob(m_blob);
        }
        m_type = ValueType::Null;
    }

    ValueType m_type = ValueType::Null;
    union {
        std::int64_t m_int = 0;
        double m_double;
    };
    std::string m_data;
    BlobRef m_blob;
};

} // namespace Aqueduct
