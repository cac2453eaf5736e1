#include "aqueduct/Task.h"

#include <QCborValue>
#include <QJsonArray>

#include <algorithm>

namespace Aqueduct {

namespace {

const QString kBytesKey = QStringLiteral("$bytes");

std::string_view utf8View(const QByteArray& bytes) {
    return std::string_view(bytes.constData(), static_cast<std::size_t>(bytes.size()));
}

} // namespace

const Value* Task::find(std::string_view name) const {
    for (std::size_t i = 0; i < m_fieldCount; ++i) {
        if (m_fields[i].name == name)
            return &m_fields[i].value;
    }
    return nullptr;
}

Value* Task::find(std::string_view name) {
    for (std::size_t i = 0; i < m_fieldCount; ++i) {
        if (m_fields[i].name == name)
            return &m_fields[i].value;
    }
    return nullptr;
}

Value& Task::operator[](std::string_view name) {
    if (Value* value = find(name))
        return *value;
    return appendField(name);
}

void Task::set(std::string_view name, Value value) {
    Value& slot = (*this)[name];
    slot = std::move(value);
}

bool Task::remove(std::string_view name) {
    for (std::size_t i = 0; i < m_fieldCount; ++i) {
        if (m_fields[i].name != name)
            continue;
        // Rotate the removed entry behind the live ones instead of erasing it, so its
        // storage is reused by the next appendField and the field order stays stable.
        m_fields[i].value.setNull(); // drops a blob reference now, not at reuse
        const auto first = m_fields.begin() + static_cast<std::ptrdiff_t>(i);
        std::rotate(first, first + 1, m_fields.begin() + static_cast<std::ptrdiff_t>(m_fieldCount));
        --m_fieldCount;
        return true;
    }
    return false;
}

Value& Task::appendField(std::string_view name) {
    if (m_fieldCount < m_fields.size()) {
        // Reuse a dropped entry: assign() keeps the name's and the value's capacity.
        Field& field = m_fields[m_fieldCount++];
        field.name.assign(name);
        field.value.setNull();
        return field.value;
    }
    Field& field = m_fields.emplace_back();
    field.name.assign(name);
    ++m_fieldCount;
    return field.value;
}

std::int64_t Task::intField(std::string_view name, std::int64_t fallback) const {
    const Value* value = find(name);
    if (value == nullptr || value->type() != ValueType::Int)
        return fallback;
    return value->toInt();
}

double Task::doubleField(std::string_view name, double fallback) const {
    // Ints read as doubles too: a number field given as 3 instead of 3.0 is still a number.
    const Value* value = find(name);
    if (value == nullptr || !value->isNumber())
        return fallback;
    return value->toDouble();
}

std::string_view Task::viewField(std::string_view name) const {
    const Value* value = find(name);
    return value != nullptr ? value->view() : std::string_view();
}

void Task::fail(std::string_view message) {
    m_failed = true;
    m_failureMessage.assign(message);
}

void Task::clearFailure() {
    m_failed = false;
    m_failureMessage.clear();
}

QVariantMap Task::toVariantMap() const {
    QVariantMap map;
    for (std::size_t i = 0; i < m_fieldCount; ++i) {
        const Field& field = m_fields[i];
        map.insert(QString::fromStdString(field.name), field.value.toVariant());
    }
    return map;
}

Task Task::fromVariantMap(const QVariantMap& fields) {
    Task task;
    for (auto it = fields.constBegin(); it != fields.constEnd(); ++it)
        task.appendField(utf8View(it.key().toUtf8())) = Value::fromVariant(it.value());
    return task;
}

QJsonObject Task::toJson() const {
    QJsonObject object;
    for (std::size_t i = 0; i < m_fieldCount; ++i) {
        const Field& field = m_fields[i];
        const Value& value = field.value;
        QJsonValue json;
        switch (value.type()) {
        case ValueType::Null:
            json = QJsonValue(QJsonValue::Null);
            break;
        case ValueType::Bool:
            json = QJsonValue(value.toBool());
            break;
        case ValueType::Int:
            json = QJsonValue(static_cast<qint64>(value.toInt()));
            break;
        case ValueType::Double:
            json = QJsonValue(value.toDouble());
            break;
        case ValueType::String:
            json = QJsonValue(value.toQString());
            break;
        case ValueType::Bytes:
        case ValueType::Blob:
            json = QJsonObject{{kBytesKey, QString::fromLatin1(value.toByteArray().toBase64())}};
            break;
        }
        object.insert(QString::fromStdString(field.name), json);
    }
    return object;
}

Task Task::fromJson(const QJsonObject& object, QString* error) {
    Task task;
    const auto failWith = [error](const QString& message) {
        if (error != nullptr)
            *error = message;
        return Task();
    };
    for (auto it = object.constBegin(); it != object.constEnd(); ++it) {
        const QString& key = it.key();
        const QJsonValue json = it.value();
        Value& value = task.appendField(utf8View(key.toUtf8()));
        switch (json.type()) {
        case QJsonValue::Null:
        case QJsonValue::Undefined:
            value.setNull();
            break;
        case QJsonValue::Bool:
            value.setBool(json.toBool());
            break;
        case QJsonValue::Double: {
            // QJsonValue keeps whether the parser saw an integer that fits int64 (3) or
            // something else (3.5, 1e3, 2^70); the CBOR view exposes that distinction.
            const QCborValue cbor = QCborValue::fromJsonValue(json);
            if (cbor.isInteger())
                value.setInt(cbor.toInteger());
            else
                value.setDouble(json.toDouble());
            break;
        }
        case QJsonValue::String:
            value.setString(utf8View(json.toString().toUtf8()));
            break;
        case QJsonValue::Object: {
            const QJsonObject nested = json.toObject();
            if (nested.size() != 1 || !nested.contains(kBytesKey))
                return failWith(
                    QStringLiteral("field '%1': nested objects are not supported").arg(key));
            const QJsonValue encoded = nested.value(kBytesKey);
            if (!encoded.isString())
                return failWith(
                    QStringLiteral("field '%1': \"$bytes\" must be a base64 string").arg(key));
            const auto decoded = QByteArray::fromBase64Encoding(
                encoded.toString().toLatin1(), QByteArray::AbortOnBase64DecodingErrors);
            if (!decoded)
                return failWith(
                    QStringLiteral("field '%1': \"$bytes\" is not valid base64").arg(key));
            value.setBytes(utf8View(*decoded));
            break;
        }
        case QJsonValue::Array:
            return failWith(QStringLiteral("field '%1': nested arrays are not supported").arg(key));
        }
    }
    return task;
}

bool Task::sameFields(const Task& other) const {
    if (m_fieldCount != other.m_fieldCount)
        return false;
    for (std::size_t i = 0; i < m_fieldCount; ++i) {
        const Value* theirs = other.find(m_fields[i].name);
        if (theirs == nullptr || !(*theirs == m_fields[i].value))
            return false;
    }
    return true;
}

void Task::reset() {
    clearFields();
    m_id = 0;
    m_priority = 0;
    clearFailure();
    m_timings.clear();
}

} // namespace Aqueduct
