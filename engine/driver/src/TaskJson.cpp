#include <aqueduct/driver/TaskJson.h>

#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>

#include <charconv>
#include <cmath>

namespace Aqueduct::TaskJson {

namespace {

constexpr char kHexDigits[] = "0123456789abcdef";
constexpr char kBase64Alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

// Characters that need escaping in a JSON string: '"', '\\' and controls.
constexpr bool needsEscape(unsigned char c) {
    return c < 0x20 || c == '"' || c == '\\';
}

void appendInteger(std::string& out, std::int64_t value) {
    char buffer[24];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
    out.append(buffer, result.ptr);
}

void appendDouble(std::string& out, double value) {
    if (!std::isfinite(value)) {
        out.append("null");
        return;
    }
    char buffer[32];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
    const std::string_view text(buffer, std::size_t(result.ptr - buffer));
    out.append(text);
    // Keep it a double when read back ("3" would come back as an integer).
    if (text.find_first_of(".eE") == std::string_view::npos)
        out.append(".0");
}

bool isIntegral(double value) {
    return std::isfinite(value) && std::floor(value) == value;
}

} // namespace

void appendString(std::string& out, std::string_view utf8) {
    out.push_back('"');
    std::size_t runStart = 0;
    for (std::size_t i = 0; i < utf8.size(); ++i) {
        const auto c = static_cast<unsigned char>(utf8[i]);
        if (!needsEscape(c))
            continue;
        out.append(utf8.data() + runStart, i - runStart);
        runStart = i + 1;
        switch (c) {
        case '"':
            out.append("\\\"");
            break;
        case '\\':
            out.append("\\\\");
            break;
        case '\n':
            out.append("\\n");
            break;
        case '\r':
            out.append("\\r");
            break;
        case '\t':
            out.append("\\t");
            break;
        case '\b':
            out.append("\\b");
            break;
        case '\f':
            out.append("\\f");
            break;
        default: {
            const char escape[] = {'\\', 'u', '0', '0', kHexDigits[c >> 4], kHexDigits[c & 0xf]};
            out.append(escape, sizeof escape);
        }
        }
    }
    out.append(utf8.data() + runStart, utf8.size() - runStart);
    out.push_back('"');
}

void appendString(std::string& out, const QString& text) {
    const QByteArray utf8 = text.toUtf8();
    appendString(out, std::string_view(utf8.constData(), std::size_t(utf8.size())));
}

void appendBase64(std::string& out, std::string_view bytes) {
    const std::size_t start = out.size();
    out.resize(start + (bytes.size() + 2) / 3 * 4);
    char* dst = out.data() + start;
    const auto* src = reinterpret_cast<const unsigned char*>(bytes.data());
    std::size_t i = 0;
    for (; i + 3 <= bytes.size(); i += 3) {
        const std::uint32_t triple =
            (std::uint32_t(src[i]) << 16) | (std::uint32_t(src[i + 1]) << 8) | src[i + 2];
        *dst++ = kBase64Alphabet[(triple >> 18) & 0x3f];
        *dst++ = kBase64Alphabet[(triple >> 12) & 0x3f];
        *dst++ = kBase64Alphabet[(triple >> 6) & 0x3f];
        *dst++ = kBase64Alphabet[triple & 0x3f];
    }
    const std::size_t rest = bytes.size() - i;
    if (rest > 0) {
        std::uint32_t triple = std::uint32_t(src[i]) << 16;
        if (rest == 2)
            triple |= std::uint32_t(src[i + 1]) << 8;
        *dst++ = kBase64Alphabet[(triple >> 18) & 0x3f];
        *dst++ = kBase64Alphabet[(triple >> 12) & 0x3f];
        *dst++ = rest == 2 ? kBase64Alphabet[(triple >> 6) & 0x3f] : '=';
        *dst++ = '=';
    }
}

void appendValue(std::string& out, const Value& value) {
    switch (value.type()) {
    case ValueType::Null:
        out.append("null");
        return;
    case ValueType::Bool:
        out.append(value.toBool() ? "true" : "false");
        return;
    case ValueType::Int:
        appendInteger(out, value.toInt());
        return;
    case ValueType::Double:
        appendDouble(out, value.toDouble());
        return;
    case ValueType::String:
        appendString(out, value.view());
        return;
    case ValueType::Bytes:
    case ValueType::Blob:
        out.append("{\"$bytes\":\"");
        appendBase64(out, value.view());
        out.append("\"}");
        return;
    case ValueType::Tensor: {
        const TensorInfo info = value.tensorInfo();
        out.append("{\"$tensor\":{\"dtype\":\"");
        out.append(tensorDTypeName(info.dtype).toStdString());
        out.append("\",\"shape\":[");
        for (int i = 0; i < info.rank; ++i) {
            if (i > 0)
                out.push_back(',');
            appendInteger(out, info.dims[std::size_t(i)]);
        }
        out.append("],\"data\":\"");
        appendBase64(out, value.tensorData());
        out.append("\"}}");
        return;
    }
    }
    out.append("null");
}

bool appendFields(std::string& out, const Task& task) {
    for (std::size_t i = 0; i < task.fieldCount(); ++i) {
        const Task::Field& field = task.fieldAt(i);
        if (i > 0)
            out.push_back(',');
        appendString(out, field.name);
        out.push_back(':');
        appendValue(out, field.value);
    }
    return task.fieldCount() > 0;
}

void appendMilliseconds(std::string& out, std::int64_t nanoseconds) {
    const std::int64_t micros = std::max<std::int64_t>(0, nanoseconds / 1000);
    appendInteger(out, micros / 1000);
    const auto fraction = int(micros % 1000);
    const char digits[] = {'.', char('0' + fraction / 100), char('0' + fraction / 10 % 10),
                           char('0' + fraction % 10)};
    out.append(digits, sizeof digits);
}

void appendResultRecord(std::string& out, const TaskResult& result, std::int64_t latencyNs,
                        std::uint64_t line) {
    out.push_back('{');
    if (appendFields(out, result.task()))
        out.push_back(',');
    if (result.ok()) {
        out.append("\"_status\":\"ok\"");
    } else {
        out.append("\"_status\":");
        appendString(out, errorKindName(result.error()));
        out.append(",\"_error\":");
        appendString(out, result.message());
    }
    out.append(",\"_latency_ms\":");
    appendMilliseconds(out, latencyNs);
    if (line > 0) {
        out.append(",\"_line\":");
        appendInteger(out, std::int64_t(line));
    }
    out.append("}\n");
}

void appendBadInputRecord(std::string& out, std::uint64_t line, const QString& error) {
    out.append("{\"_line\":");
    appendInteger(out, std::int64_t(line));
    out.append(",\"_status\":\"");
    out.append(kBadInputStatus);
    out.append("\",\"_error\":");
    appendString(out, error);
    out.append("}\n");
}

bool parseTask(QByteArrayView json, ParsedTask& parsed, QString* error) {
    const auto fail = [error](const QString& message) {
        if (error)
            *error = message;
        return false;
    };
    QJsonParseError parseError;
    const QJsonDocument document =
        QJsonDocument::fromJson(QByteArray::fromRawData(json.data(), json.size()), &parseError);
    if (parseError.error != QJsonParseError::NoError)
        return fail(QStringLiteral("invalid JSON at column %1: %2")
                        .arg(parseError.offset + 1)
                        .arg(parseError.errorString()));
    if (!document.isObject())
        return fail(QStringLiteral("expected a JSON object with the task's fields"));
    QJsonObject object = document.object();

    parsed.priority = 0;
    parsed.timeoutMs = 0;
    QStringList reserved;
    for (auto it = object.constBegin(); it != object.constEnd(); ++it) {
        if (it.key().startsWith(QLatin1Char('_')))
            reserved.append(it.key());
    }
    for (const QString& key : reserved) {
        const QJsonValue value = object.take(key);
        if (key == QLatin1String("_priority")) {
            const double number = value.toDouble(-1);
            if (!value.isDouble() || !isIntegral(number) || number < 0 || number > 1'000'000)
                return fail(QStringLiteral("_priority must be a non-negative integer"));
            parsed.priority = int(number);
        } else if (key == QLatin1String("_timeout_ms")) {
            const double number = value.toDouble(-1);
            if (!value.isDouble() || !isIntegral(number) || number < 1 ||
                number > 86'400'000.0 * 365)
                return fail(QStringLiteral("_timeout_ms must be a positive integer"));
            parsed.timeoutMs = std::int64_t(number);
        }
    }
    QString taskError;
    parsed.task = Task::fromJson(object, &taskError);
    if (!taskError.isEmpty())
        return fail(taskError);
    parsed.task.setPriority(parsed.priority);
    return true;
}

} // namespace Aqueduct::TaskJson
