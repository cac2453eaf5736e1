// PipelineDocument::fromJsonObject: format and version checks, migration of older
// versions, and reading the flow, steps and edges with a Problem for every bad field.
#include "aqueduct/PipelineDocument.h"

#include "document/PipelineFieldReader.h"

#include <QJsonArray>
#include <QJsonValue>

#include <cmath>
#include <utility>

namespace Aqueduct {

namespace {

using Internal::jsonTypeName;
using Internal::numberText;
using Internal::PipelineFieldReader;

void readFlow(PipelineFieldReader& reader, const QJsonObject& object, FlowSettings* flow) {
    const QString path = QStringLiteral("$.flow");
    reader.checkKeys(object, path,
                     {"queue_priorities", "default_timeout_ms", "start_timeout_ms", "start_method",
                      "priority_aging_ms", "shared_memory", "max_task_bytes", "restart", "metrics",
                      "limits"});
    reader.readInt(object, QStringLiteral("queue_priorities"), path, &flow->queuePriorities);
    reader.readInt(object, QStringLiteral("default_timeout_ms"), path, &flow->defaultTimeoutMs);
    reader.readInt(object, QStringLiteral("start_timeout_ms"), path, &flow->startTimeoutMs);
    QString methodName;
    if (reader.readString(object, QStringLiteral("start_method"), path, &methodName)) {
        if (const auto method = startMethodFromName(methodName))
            flow->startMethod = *method;
        else
            reader.error(
                path + QStringLiteral(".start_method"),
                QStringLiteral("must be one of forkserver, spawn, fork; got '%1'").arg(methodName));
    }
    reader.readInt(object, QStringLiteral("priority_aging_ms"), path, &flow->priorityAgingMs);
    reader.readInt(object, QStringLiteral("max_task_bytes"), path, &flow->maxTaskBytes);
    if (const auto shared = reader.readObject(object, QStringLiteral("shared_memory"), path)) {
        const QString sharedPath = path + QStringLiteral(".shared_memory");
        reader.checkKeys(*shared, sharedPath, {"arena_bytes", "auto_share_bytes"});
        reader.readInt64(*shared, QStringLiteral("arena_bytes"), sharedPath, &flow->arenaBytes);
        reader.readInt64(*shared, QStringLiteral("auto_share_bytes"), sharedPath,
                         &flow->autoShareBytes);
    }
    if (const auto restart = reader.readObject(object, QStringLiteral("restart"), path))
        reader.readRestart(*restart, path + QStringLiteral(".restart"), &flow->restart);
    if (const auto limits = reader.readObject(object, QStringLiteral("limits"), path)) {
        const QString limitsPath = path + QStringLiteral(".limits");
        reader.checkKeys(*limits, limitsPath, {"max_shared_memory_bytes", "max_workers"});
        reader.readInt64(*limits, QStringLiteral("max_shared_memory_bytes"), limitsPath,
                         &flow->limits.maxSharedMemoryBytes);
        reader.readInt(*limits, QStringLiteral("max_workers"), limitsPath,
                       &flow->limits.maxWorkers);
    }
    if (const auto metricsObject = reader.readObject(object, QStringLiteral("metrics"), path)) {
        MetricsSettings& metrics = flow->metrics;
        const QString metricsPath = path + QStringLiteral(".metrics");
        reader.checkKeys(*metricsObject, metricsPath,
                         {"enabled", "interval_ms", "prometheus", "statsd", "jsonl"});
        reader.readBool(*metricsObject, QStringLiteral("enabled"), metricsPath, &metrics.enabled);
        reader.readInt(*metricsObject, QStringLiteral("interval_ms"), metricsPath,
                       &metrics.intervalMs);
        if (const auto prometheus =
                reader.readObject(*metricsObject, QStringLiteral("prometheus"), metricsPath)) {
            const QString p = metricsPath + QStringLiteral(".prometheus");
            reader.checkKeys(*prometheus, p, {"enabled", "host", "port"});
            reader.readBool(*prometheus, QStringLiteral("enabled"), p, &metrics.prometheusEnabled);
            reader.readString(*prometheus, QStringLiteral("host"), p, &metrics.prometheusHost);
            reader.readInt(*prometheus, QStringLiteral("port"), p, &metrics.prometheusPort);
        }
        if (const auto statsd =
                reader.readObject(*metricsObject, QStringLiteral("statsd"), metricsPath)) {
            const QString p = metricsPath + QStringLiteral(".statsd");
            reader.checkKeys(*statsd, p, {"enabled", "host", "port", "prefix"});
            reader.readBool(*statsd, QStringLiteral("enabled"), p, &metrics.statsdEnabled);
            reader.readString(*statsd, QStringLiteral("host"), p, &metrics.statsdHost);
            reader.readInt(*statsd, QStringLiteral("port"), p, &metrics.statsdPort);
            reader.readString(*statsd, QStringLiteral("prefix"), p, &metrics.statsdPrefix);
        }
        if (const auto jsonl =
                reader.readObject(*metricsObject, QStringLiteral("jsonl"), metricsPath)) {
            const QString p = metricsPath + QStringLiteral(".jsonl");
            reader.checkKeys(*jsonl, p, {"path"});
            reader.readString(*jsonl, QStringLiteral("path"), p, &metrics.jsonlPath);
        }
    }
}

StepSpec readStep(PipelineFieldReader& reader, const QJsonValue& value, int index) {
    StepSpec step;
    const QString path = QStringLiteral("$.steps[%1]").arg(index);
    if (!value.isObject()) {
        reader.error(path, QStringLiteral("must be an object, got %1").arg(jsonTypeName(value)));
        return step;
    }
    const QJsonObject object = value.toObject();
    // The id first, so every later problem of this step carries it (GUI markers).
    const bool hasId = reader.readString(object, QStringLiteral("id"), path, &step.id);
    reader.setContext(step.id, -1);
    if (!hasId && !object.contains(QLatin1String("id")))
        reader.error(path + QStringLiteral(".id"), QStringLiteral("missing required key"));
    reader.checkKeys(object, path,
                     {"id", "label", "handler", "params", "nprocs", "batch_size",
                      "batch_timeout_ms", "queue_size", "condition", "on_start_wait_ms",
                      "handle_timeout_ms", "restart", "position"});
    reader.readString(object, QStringLiteral("label"), path, &step.label);
    if (!object.contains(QLatin1String("handler")))
        reader.error(path + QStringLiteral(".handler"), QStringLiteral("missing required key"));
    else
        reader.readString(object, QStringLiteral("handler"), path, &step.handler);
    if (const auto params = reader.readObject(object, QStringLiteral("params"), path))
        step.params = *params;
    reader.readInt(object, QStringLiteral("nprocs"), path, &step.nprocs);
    reader.readInt(object, QStringLiteral("batch_size"), path, &step.batchSize);
    reader.readInt(object, QStringLiteral("batch_timeout_ms"), path, &step.batchTimeoutMs);
    reader.readInt(object, QStringLiteral("queue_size"), path, &step.queueSize);
    reader.readString(object, QStringLiteral("condition"), path, &step.condition);
    reader.readInt(object, QStringLiteral("on_start_wait_ms"), path, &step.onStartWaitMs);
    reader.readInt(object, QStringLiteral("handle_timeout_ms"), path, &step.handleTimeoutMs);
    if (const auto restart = reader.readObject(object, QStringLiteral("restart"), path)) {
        RestartSettings settings;
        reader.readRestart(*restart, path + QStringLiteral(".restart"), &settings);
        step.restart = settings;
    }
    if (const auto position = reader.readObject(object, QStringLiteral("position"), path)) {
        const QString positionPath = path + QStringLiteral(".position");
        reader.checkKeys(*position, positionPath, {"x", "y"});
        double x = 0;
        double y = 0;
        reader.readDouble(*position, QStringLiteral("x"), positionPath, &x);
        reader.readDouble(*position, QStringLiteral("y"), positionPath, &y);
        step.position = QPointF(x, y);
    }
    reader.setContext({}, -1);
    return step;
}

EdgeSpec readEdge(PipelineFieldReader& reader, const QJsonValue& value, int index) {
    EdgeSpec edge;
    const QString path = QStringLiteral("$.edges[%1]").arg(index);
    reader.setContext({}, index);
    if (!value.isObject()) {
        reader.error(path, QStringLiteral("must be an object, got %1").arg(jsonTypeName(value)));
        reader.setContext({}, -1);
        return edge;
    }
    const QJsonObject object = value.toObject();
    reader.checkKeys(object, path, {"from", "to", "when"});
    for (const char* key : {"from", "to"}) {
        if (!object.contains(QLatin1String(key)))
            reader.error(path + QLatin1Char('.') + QLatin1String(key),
                         QStringLiteral("missing required key"));
    }
    reader.readString(object, QStringLiteral("from"), path, &edge.from);
    reader.readString(object, QStringLiteral("to"), path, &edge.to);
    reader.readString(object, QStringLiteral("when"), path, &edge.when);
    reader.setContext({}, -1);
    return edge;
}

// Version 0 (before the "format" key existed) kept the flow settings at the top level
// and, like the Python library, called the step condition "handle_condition".
QJsonObject migrateV0ToV1(QJsonObject object) {
    static const char* const kFlowKeys[] = {"queue_priorities",
                                            "default_timeout_ms",
                                            "start_timeout_ms",
                                            "start_method",
                                            "priority_aging_ms",
                                            "shared_memory",
                                            "max_task_bytes",
                                            "restart",
                                            "metrics"};
    QJsonObject flow = object.value(QLatin1String("flow")).toObject();
    for (const char* key : kFlowKeys) {
        const QString name = QLatin1String(key);
        if (object.contains(name)) {
            if (!flow.contains(name))
                flow.insert(name, object.value(name));
            object.remove(name);
        }
    }
    if (object.contains(QLatin1String("metrics_enabled"))) {
        QJsonObject metrics = flow.value(QLatin1String("metrics")).toObject();
        if (!metrics.contains(QLatin1String("enabled")))
            metrics.insert(QStringLiteral("enabled"),
                           object.value(QLatin1String("metrics_enabled")));
        flow.insert(QStringLiteral("metrics"), metrics);
        object.remove(QStringLiteral("metrics_enabled"));
    }
    if (!flow.isEmpty())
        object.insert(QStringLiteral("flow"), flow);
    const QJsonValue stepsValue = object.value(QLatin1String("steps"));
    if (stepsValue.isArray()) {
        QJsonArray steps = stepsValue.toArray();
        for (qsizetype i = 0; i < steps.size(); ++i) {
            if (!steps.at(i).isObject())
                continue;
            QJsonObject step = steps.at(i).toObject();
            if (step.contains(QLatin1String("handle_condition"))) {
                if (!step.contains(QLatin1String("condition")))
                    step.insert(QStringLiteral("condition"),
                                step.value(QLatin1String("handle_condition")));
                step.remove(QStringLiteral("handle_condition"));
                steps.replace(i, step);
            }
        }
        object.insert(QStringLiteral("steps"), steps);
    }
    object.insert(QStringLiteral("format"), QLatin1String(kPipelineFormatName));
    object.insert(QStringLiteral("version"), 1);
    return object;
}

/// Brings an object of any older version up to the current one, one step at a time.
QJsonObject migrateToCurrent(QJsonObject object, int fromVersion) {
    using Migration = QJsonObject (*)(QJsonObject);
    static constexpr Migration kMigrations[] = {migrateV0ToV1}; // index = from version
    for (int version = fromVersion; version < kPipelineFormatVersion; ++version)
        object = kMigrations[version](std::move(object));
    return object;
}

} // namespace

PipelineDocument PipelineDocument::fromJsonObject(const QJsonObject& input,
                                                  QList<Problem>* problems) {
    PipelineFieldReader reader(problems);
    PipelineDocument document;

    // Format and version decide how (and whether) to read the rest.
    const QJsonValue formatValue = input.value(QLatin1String("format"));
    const QJsonValue versionValue = input.value(QLatin1String("version"));
    if (!formatValue.isUndefined()) {
        if (!formatValue.isString() ||
            formatValue.toString() != QLatin1String(kPipelineFormatName)) {
            reader.error(
                QStringLiteral("$.format"),
                QStringLiteral("must be \"%1\", got %2; this is not an Aqueduct pipeline file")
                    .arg(QLatin1String(kPipelineFormatName),
                         formatValue.isString()
                             ? QStringLiteral("\"%1\"").arg(formatValue.toString())
                             : jsonTypeName(formatValue)));
            return document;
        }
    }
    int version = 0;
    if (versionValue.isUndefined()) {
        if (!formatValue.isUndefined()) {
            reader.error(QStringLiteral("$.version"), QStringLiteral("missing required key"));
            return document;
        }
        if (!input.value(QLatin1String("steps")).isArray()) {
            reader.error(
                QStringLiteral("$.format"),
                QStringLiteral("missing required key; this is not an Aqueduct pipeline file"));
            return document;
        }
        version = 0; // legacy file: no format, no version
    } else {
        const double number = versionValue.toDouble(-1);
        if (!versionValue.isDouble() || !std::isfinite(number) || std::floor(number) != number) {
            reader.error(
                QStringLiteral("$.version"),
                versionValue.isDouble()
                    ? QStringLiteral("must be an integer, got %1").arg(numberText(number))
                    : QStringLiteral("must be an integer, got %1").arg(jsonTypeName(versionValue)));
            return document;
        }
        if (number > kPipelineFormatVersion) {
            reader.error(
                QStringLiteral("$.version"),
                QStringLiteral(
                    "version %1 is newer than this Aqueduct understands (%2); upgrade Aqueduct")
                    .arg(numberText(number))
                    .arg(kPipelineFormatVersion));
            return document;
        }
        if (number < 0) {
            reader.error(QStringLiteral("$.version"),
                         QStringLiteral("must be between 0 and %1, got %2")
                             .arg(kPipelineFormatVersion)
                             .arg(numberText(number)));
            return document;
        }
        version = static_cast<int>(number);
        if (version >= 1 && formatValue.isUndefined())
            reader.error(QStringLiteral("$.format"), QStringLiteral("missing required key"));
    }

    QJsonObject object = input;
    if (version < kPipelineFormatVersion) {
        object = migrateToCurrent(object, version);
        reader.warning(QStringLiteral("$.version"),
                       QStringLiteral("migrated from version %1; saving writes version %2")
                           .arg(version)
                           .arg(kPipelineFormatVersion));
    }

    const QString root = QStringLiteral("$");
    reader.checkKeys(
        object, root,
        {"format", "version", "name", "description", "flow", "steps", "edges", "app_load"});
    reader.readString(object, QStringLiteral("name"), root, &document.name);
    reader.readString(object, QStringLiteral("description"), root, &document.description);
    if (const auto flow = reader.readObject(object, QStringLiteral("flow"), root))
        readFlow(reader, *flow, &document.flow);
    if (const auto steps = reader.readArray(object, QStringLiteral("steps"), root)) {
        for (qsizetype i = 0; i < steps->size(); ++i)
            document.steps.append(readStep(reader, steps->at(i), int(i)));
    }
    if (const auto edges = reader.readArray(object, QStringLiteral("edges"), root)) {
        for (qsizetype i = 0; i < edges->size(); ++i)
            document.edges.append(readEdge(reader, edges->at(i), int(i)));
    }
    if (const auto appLoad = reader.readObject(object, QStringLiteral("app_load"), root))
        document.appLoad = *appLoad;
    return document;
}

} // namespace Aqueduct
