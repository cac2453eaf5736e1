#include "aqueduct/Task.h"

#include "model/Base64.h"

#include <QCborValue>
#include <QJsonArray>

#include <algorithm>
#include <cmath>

namespace Aqueduct {

namespace {

const QString kBytesKey = QStringLiteral("$bytes");
const QString kTensorKey = QStringLiteral("$tensor");

// {"dtype": "float32", "shape": [3, 224, 224], "data": "<base64>"} into `value`.
bool tensorFromJson(const QJsonValue& json, Value& value, QString* error) {
    if (!json.isObject()) {
        *error = QStringLiteral("\"$tensor\" must be an object with dtype, shape and data");
        return false;
    }
    const QJsonObject object = json.toObject();
    for (auto it = object.constBegin(); it != object.constEnd(); ++it) {
        if (it.key() != QLatin1String("dtype") && it.key() != QLatin1String("shape") &&
            it.key() != QLatin1String("data")) {
            *error = QStringLiteral("\"$tensor\" has an unknown key '%1'").arg(it.key());
            return false;
        }
    }
    TensorInfo info;
    const QByteArray dtypeName = object.value(QLatin1String("dtype")).toString().toUtf8();
    if (!tensorDTypeFromName(std::string_view(dtypeName.constData(), std::size_t(dtypeName.size())),
                             &info.dtype)) {
        *error = QStringLiteral(
            "\"$tensor\" dtype must be one of uint8, int32, int64, float32, float64");
        return false;
    }
    const QJsonValue shapeJson = object.value(QLatin1String("shape"));
    if (!shapeJson.isArray() || shapeJson.toArray().size() > TensorInfo::kMaxRank) {
        *error = QStringLiteral("\"$tensor\" shape must be an array of at most %1 dimensions")
                     .arg(TensorInfo::kMaxRank);
        return false;
    }
    const QJsonArray shape = shapeJson.toArray();
    info.rank = int(shape.size());
    for (int i = 0; i < info.rank; ++i) {
        const double dim = shape.at(i).toDouble(-1);
        if (!shape.at(i).isDouble() || dim < 0 || dim != std::floor(dim) || dim > 9.0e15) {
            *error = QStringLiteral("\"$tensor\" shape[%1] must be a non-negative integer").arg(i);
            return false;
        }
        info.dims[std::size_t(i)] = std::int64_t(dim);
    }
    const QJsonValue dataJson = object.value(QLatin1String("data"));
    if (!dataJson.isString()) {
        *error = QStringLiteral("\"$tensor\" data must be a base64 string");
        return false;
    }
    const QString text = dataJson.toString();
    const std::optional<QByteArray> decoded = Internal::decodeBase64(text);
    if (!decoded) {
        *error = QStringLiteral("\"$tensor\" data is not valid base64");
        return false;
    }
    QString reason;
    if (!value.setTensor(info, std::string_view(decoded->constData(), std::size_t(decoded->size())),
                         &reason)) {
        *error = QStringLiteral("\"$tensor\": %1").arg(reason);
        return false;
    }
    return true;
}

QJsonObject tensorToJson(const Value& value) {
    const TensorInfo info = value.tensorInfo();
    QJsonArray shape;
    for (const std::int64_t dim : info.shape())
        shape.append(qint64(dim));
    const std::string_view data = value.tensorData();
    return QJsonObject{
        {kTensorKey,
         QJsonObject{
             {QStringLiteral("dtype"), tensorDTypeName(info.dtype)},
             {QStringLiteral("shape"), shape},
             {QStringLiteral("data"),
              QString::fromLatin1(
                  QByteArray::fromRawData(data.data(), qsizetype(data.size())).toBase64())}}}};
}

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
        case ValueType::Tensor:
            json = tensorToJson(value);
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
            if (nested.size() == 1 && nested.contains(kTensorKey)) {
                QString reason;
                if (!tensorFromJson(nested.value(kTensorKey), value, &reason))
                    return failWith(QStringLiteral("field '%1': %2").arg(key, reason));
                break;
            }
            if (nested.size() != 1 || !nested.contains(kBytesKey))
                return failWith(
                    QStringLiteral("field '%1': nested objects are not supported").arg(key));
            const QJsonValue encoded = nested.value(kBytesKey);
            if (!encoded.isString())
                return failWith(
                    QStringLiteral("field '%1': \"$bytes\" must be a base64 string").arg(key));
            const QString text = encoded.toString();
            const std::optional<QByteArray> decoded = Internal::decodeBase64(text);
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
