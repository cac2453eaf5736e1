#pragma once

#include <aqueduct/Task.h>
#include <aqueduct/TaskResult.h>

#include <QByteArrayView>
#include <QString>

#include <cstdint>
#include <string>
#include <string_view>

namespace Aqueduct {

/// Hand-rolled JSON text for the per-task hot path of `aqueduct run` and `serve`, and the
/// one parser of a task from JSON text (`run --input`, `serve`, the monitor's load file): one
/// task's flat fields need no QJsonDocument (which costs several allocations per field).
namespace TaskJson {

/// Appends `utf8` as a quoted JSON string.
void appendString(std::string& out, std::string_view utf8);
void appendString(std::string& out, const QString& text);
/// null, true/false, integers, shortest round-trip doubles (always with '.' or an exponent,
/// so they read back as doubles; NaN and infinities become null), strings, and bytes or
/// blobs as {"$bytes": "<base64>"}.
void appendValue(std::string& out, const Value& value);
/// `"name":value` pairs separated by commas, no braces; returns whether any was written.
bool appendFields(std::string& out, const Task& task);
/// Standard base64 with padding.
void appendBase64(std::string& out, std::string_view bytes);
/// A latency in milliseconds with microsecond precision (e.g. 0.123).
void appendMilliseconds(std::string& out, std::int64_t nanoseconds);

/// One result record: the task's fields, then `_status`, `_error` (failures only),
/// `_latency_ms` and, when `line` > 0, `_line`; a trailing newline.
void appendResultRecord(std::string& out, const TaskResult& result, std::int64_t latencyNs,
                        std::uint64_t line);
/// The record for input that could not become a task: `_line`, `_status`:"bad_input",
/// `_error`; a trailing newline.
void appendBadInputRecord(std::string& out, std::uint64_t line, const QString& error);

/// The status name a bad input line is counted under in the summary.
inline constexpr const char* kBadInputStatus = "bad_input";

/// A task read from JSON text: its fields, plus the reserved keys `_priority` and
/// `_timeout_ms`. Other keys starting with '_' are dropped, so result records can be fed
/// back as input.
struct ParsedTask {
    Task task;
    int priority = 0;
    std::int64_t timeoutMs = 0; ///< 0 = the default
};

/// Parses one JSON object into a task. False with a one-line `error` for malformed JSON,
/// a non-object, a nested object or array that is not {"$bytes": ...}, invalid base64, or
/// a bad `_priority` / `_timeout_ms`.
bool parseTask(QByteArrayView json, ParsedTask& parsed, QString* error);

} // namespace TaskJson

} // namespace Aqueduct
