#pragma once

#include "aqueduct/Value.h"

#include <QJsonObject>
#include <QVariantMap>

#include <qcoro/qcorotask.h>

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

class QIODevice;

namespace Aqueduct {

class Flow;

/// Timing of one step a task went through (filled by the engine).
struct StepTiming {
    std::uint16_t stepIndex = 0;
    std::uint16_t batchSize = 0;
    std::uint32_t queueWaitUs = 0;
    std::uint32_t handleUs = 0;
};

/// A record of named fields plus engine meta (id, priority, deadline, timings).
/// Field lookup is a linear scan: tasks carry a handful of fields, and a scan over a
/// small contiguous vector beats hashing. Cleared tasks keep their storage.
class Task {
public:
    struct Field {
        std::string name;
        Value value;
    };

    Task() = default;
    Task(const Task&) = default;
    Task& operator=(const Task&) = default;
    /// A moved-from task is empty (not "N fields over no storage").
    Task(Task&& other) noexcept
        : m_fields(std::move(other.m_fields))
        , m_fieldCount(std::exchange(other.m_fieldCount, 0))
        , m_id(other.m_id)
        , m_priority(other.m_priority)
        , m_failed(std::exchange(other.m_failed, false))
        , m_failureMessage(std::move(other.m_failureMessage))
        , m_timings(std::move(other.m_timings)) {
        other.m_fields.clear();
    }
    Task& operator=(Task&& other) noexcept {
        if (this != &other) {
            m_fields = std::move(other.m_fields);
            m_fieldCount = std::exchange(other.m_fieldCount, 0);
            m_id = other.m_id;
            m_priority = other.m_priority;
            m_failed = std::exchange(other.m_failed, false);
            m_failureMessage = std::move(other.m_failureMessage);
            m_timings = std::move(other.m_timings);
            other.m_fields.clear();
        }
        return *this;
    }

    // Fields
    const Value* find(std::string_view name) const;
    Value* find(std::string_view name);
    bool has(std::string_view name) const { return find(name) != nullptr; }
    /// The field's value, inserted as null when missing.
    Value& operator[](std::string_view name);
    void set(std::string_view name, Value value);
    bool remove(std::string_view name);
    /// Drops every field (and the blob references they hold); storage is kept.
    void clearFields() {
        for (std::size_t i = 0; i < m_fieldCount; ++i) {
            if (m_fields[i].value.holdsBlob())
                m_fields[i].value.setNull();
        }
        m_fieldCount = 0;
    }
    std::size_t fieldCount() const { return m_fieldCount; }
    const Field& fieldAt(std::size_t index) const { return m_fields[index]; }
    Field& fieldAt(std::size_t index) { return m_fields[index]; }
    /// Appends a field without checking for an existing one (decoders use this).
    Value& appendField(std::string_view name);

    // Convenience accessors; a missing or differently-typed field gives the fallback.
    std::int64_t intField(std::string_view name, std::int64_t fallback = 0) const;
    double doubleField(std::string_view name, double fallback = 0) const;
    std::string_view viewField(std::string_view name) const;

    // Shared memory (blobs): only a handle crosses queues. These use the arena of the
    // flow running in this process (the last started); in a worker, its flow's arena.

    /// Moves a bytes field (or an inline tensor's data) into shared memory (the Python
    /// original's share_value).
    /// False with `error` set when no flow runs here, the field is not bytes, or the
    /// arena cannot hold it.
    bool share(std::string_view name, QString* error = nullptr);
    /// A new blob of `size` bytes in field `name`, returned writable so it can be filled
    /// in place (handlers use this for large outputs). Empty span on failure.
    std::span<char> allocateBlob(std::string_view name, std::size_t size, QString* error = nullptr);
    /// A new shared tensor of `info` in field `name`, its data returned writable (and
    /// uninitialised) so it can be filled in place. Empty span on failure.
    std::span<char> allocateTensor(std::string_view name, const TensorInfo& info,
                                   QString* error = nullptr);
    /// Streams `size` bytes from `device` straight into a new blob in field `name`,
    /// without a heap copy (the original's share_value_with_data; e.g. a request body).
    QCoro::Task<bool> shareFrom(std::string name, QIODevice* device, qint64 size,
                                QString* error = nullptr);

    // Meta
    std::uint64_t id() const { return m_id; }
    void setId(std::uint64_t id) { m_id = id; }
    int priority() const { return m_priority; }
    /// Higher is served first. Values above the flow's top lane are clamped; negative
    /// values are refused by Flow::process.
    void setPriority(int priority) { m_priority = priority; }
    const std::vector<StepTiming>& timings() const { return m_timings; }
    std::vector<StepTiming>& timings() { return m_timings; }

    /// Fails only this task of a batch (the handler's alternative to throwing, which fails
    /// the whole batch). The message reaches the caller as a HandlerError.
    void fail(std::string_view message);
    bool isFailed() const { return m_failed; }
    const std::string& failureMessage() const { return m_failureMessage; }
    void clearFailure();

    /// Conversions for callers and the GUI (bytes as QByteArray, blobs copied out).
    QVariantMap toVariantMap() const;
    static Task fromVariantMap(const QVariantMap& fields);
    /// JSON form used by `aqueduct run`: bytes as {"$bytes": "<base64>"}.
    QJsonObject toJson() const;
    static Task fromJson(const QJsonObject& object, QString* error = nullptr);

    bool sameFields(const Task& other) const;

    /// Drops fields, failure and timings but keeps allocated storage for reuse.
    void reset();

private:
    std::vector<Field> m_fields;
    std::size_t m_fieldCount = 0;
    std::uint64_t m_id = 0;
    int m_priority = 0;
    bool m_failed = false;
    std::string m_failureMessage;
    std::vector<StepTiming> m_timings;
};

} // namespace Aqueduct
