// PipelineDocument::toJson and saveToFile: the canonical file layout (keys in a fixed
// order, defaults left out, edges and positions on one line) so saved files diff well.
#include "aqueduct/PipelineDocument.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QSaveFile>

#include <algorithm>

namespace Aqueduct {

namespace {

enum class Context {
    Generic,
    Root,
    Flow,
    SharedMemory,
    Limits,
    Restart,
    Metrics,
    Prometheus,
    Statsd,
    Jsonl,
    Step,
    Edge,
    Position
};

QList<QLatin1String> keyOrder(Context context) {
    using L = QLatin1String;
    switch (context) {
    case Context::Root:
        return {L("format"), L("version"), L("name"),  L("description"),
                L("flow"),   L("steps"),   L("edges"), L("app_load")};
    case Context::Flow:
        return {L("queue_priorities"),  L("default_timeout_ms"),
                L("start_timeout_ms"),  L("start_method"),
                L("priority_aging_ms"), L("shared_memory"),
                L("max_task_bytes"),    L("restart"),
                L("metrics"),           L("limits")};
    case Context::SharedMemory:
        return {L("arena_bytes"), L("auto_share_bytes")};
    case Context::Limits:
        return {L("max_shared_memory_bytes"), L("max_workers")};
    case Context::Restart:
        return {L("policy"), L("max_restarts"), L("window_s"), L("backoff_initial_ms"),
                L("backoff_max_ms")};
    case Context::Metrics:
        return {L("enabled"), L("interval_ms"), L("prometheus"), L("statsd"), L("jsonl")};
    case Context::Prometheus:
        return {L("enabled"), L("host"), L("port")};
    case Context::Statsd:
        return {L("enabled"), L("host"), L("port"), L("prefix")};
    case Context::Jsonl:
        return {L("path")};
    case Context::Step:
        return {L("id"),
                L("label"),
                L("handler"),
                L("params"),
                L("nprocs"),
                L("batch_size"),
                L("batch_timeout_ms"),
                L("queue_size"),
                L("condition"),
                L("on_start_wait_ms"),
                L("handle_timeout_ms"),
                L("restart"),
                L("position")};
    case Context::Edge:
        return {L("from"), L("to"), L("when")};
    case Context::Position:
        return {L("x"), L("y")};
    case Context::Generic:
        break;
    }
    return {};
}

Context childContext(Context parent, const QString& key) {
    switch (parent) {
    case Context::Root:
        if (key == QLatin1String("flow"))
            return Context::Flow;
        if (key == QLatin1String("steps"))
            return Context::Step;
        if (key == QLatin1String("edges"))
            return Context::Edge;
        break;
    case Context::Flow:
        if (key == QLatin1String("shared_memory"))
            return Context::SharedMemory;
        if (key == QLatin1String("limits"))
            return Context::Limits;
        if (key == QLatin1String("restart"))
            return Context::Restart;
        if (key == QLatin1String("metrics"))
            return Context::Metrics;
        break;
    case Context::Metrics:
        if (key == QLatin1String("prometheus"))
            return Context::Prometheus;
        if (key == QLatin1String("statsd"))
            return Context::Statsd;
        if (key == QLatin1String("jsonl"))
            return Context::Jsonl;
        break;
    case Context::Step:
        if (key == QLatin1String("restart"))
            return Context::Restart;
        if (key == QLatin1String("position"))
            return Context::Position;
        break;
    default:
        break;
    }
    return Context::Generic;
}

QStringList orderedKeys(const QJsonObject& object, Context context) {
    QStringList keys;
    for (const QLatin1String& key : keyOrder(context)) {
        if (object.contains(key))
            keys.append(key);
    }
    // Anything else (handler params, unknown keys) follows in alphabetical order.
    const QStringList all = object.keys(); // sorted
    for (const QString& key : all) {
        if (!keys.contains(key))
            keys.append(key);
    }
    return keys;
}

QByteArray scalarJson(const QJsonValue& value) {
    // Let Qt escape strings and format numbers exactly as its parser reads them back.
    QByteArray wrapped = QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact);
    return wrapped.mid(1, wrapped.size() - 2);
}

bool isInline(Context context, const QJsonValue& value) {
    if (context != Context::Edge && context != Context::Position)
        return false;
    if (!value.isObject())
        return false;
    const QJsonObject object = value.toObject();
    return std::none_of(object.begin(), object.end(), [](const QJsonValue& child) {
        return child.isObject() || child.isArray();
    });
}

void writeValue(QByteArray& out, const QJsonValue& value, Context context, int depth) {
    const QByteArray indent(2 * (depth + 1), ' ');
    const QByteArray closingIndent(2 * depth, ' ');
    if (value.isObject()) {
        const QJsonObject object = value.toObject();
        if (object.isEmpty()) {
            out += "{}";
            return;
        }
        const QStringList keys = orderedKeys(object, context);
        if (isInline(context, value)) {
            out += '{';
            for (qsizetype i = 0; i < keys.size(); ++i) {
                if (i > 0)
                    out += ", ";
                out += scalarJson(keys[i]) + ": " + scalarJson(object.value(keys[i]));
            }
            out += '}';
            return;
        }
        out += "{\n";
        for (qsizetype i = 0; i < keys.size(); ++i) {
            out += indent + scalarJson(keys[i]) + ": ";
            writeValue(out, object.value(keys[i]), childContext(context, keys[i]), depth + 1);
            out += i + 1 < keys.size() ? ",\n" : "\n";
        }
        out += closingIndent + '}';
        return;
    }
    if (value.isArray()) {
        const QJsonArray array = value.toArray();
        if (array.isEmpty()) {
            out += "[]";
            return;
        }
        out += "[\n";
        for (qsizetype i = 0; i < array.size(); ++i) {
            out += indent;
            writeValue(out, array.at(i), context, depth + 1);
            out += i + 1 < array.size() ? ",\n" : "\n";
        }
        out += closingIndent + ']';
        return;
    }
    out += scalarJson(value);
}

QJsonObject restartToJson(const RestartSettings& restart) {
    const RestartSettings defaults;
    QJsonObject object;
    if (restart.policy != defaults.policy)
        object.insert(QStringLiteral("policy"), restartPolicyName(restart.policy));
    if (restart.maxRestarts != defaults.maxRestarts)
        object.insert(QStringLiteral("max_restarts"), restart.maxRestarts);
    if (restart.windowS != defaults.windowS)
        object.insert(QStringLiteral("window_s"), restart.windowS);
    if (restart.backoffInitialMs != defaults.backoffInitialMs)
        object.insert(QStringLiteral("backoff_initial_ms"), restart.backoffInitialMs);
    if (restart.backoffMaxMs != defaults.backoffMaxMs)
        object.insert(QStringLiteral("backoff_max_ms"), restart.backoffMaxMs);
    return object;
}

QJsonObject metricsToJson(const MetricsSettings& metrics) {
    const MetricsSettings defaults;
    QJsonObject object;
    if (metrics.enabled != defaults.enabled)
        object.insert(QStringLiteral("enabled"), metrics.enabled);
    if (metrics.intervalMs != defaults.intervalMs)
        object.insert(QStringLiteral("interval_ms"), metrics.intervalMs);
    QJsonObject prometheus;
    if (metrics.prometheusEnabled != defaults.prometheusEnabled)
        prometheus.insert(QStringLiteral("enabled"), metrics.prometheusEnabled);
    if (metrics.prometheusHost != defaults.prometheusHost)
        prometheus.insert(QStringLiteral("host"), metrics.prometheusHost);
    if (metrics.prometheusPort != defaults.prometheusPort)
        prometheus.insert(QStringLiteral("port"), metrics.prometheusPort);
    if (!prometheus.isEmpty())
        object.insert(QStringLiteral("prometheus"), prometheus);
    QJsonObject statsd;
    if (metrics.statsdEnabled != defaults.statsdEnabled)
        statsd.insert(QStringLiteral("enabled"), metrics.statsdEnabled);
    if (metrics.statsdHost != defaults.statsdHost)
        statsd.insert(QStringLiteral("host"), metrics.statsdHost);
    if (metrics.statsdPort != defaults.statsdPort)
        statsd.insert(QStringLiteral("port"), metrics.statsdPort);
    if (metrics.statsdPrefix != defaults.statsdPrefix)
        statsd.insert(QStringLiteral("prefix"), metrics.statsdPrefix);
    if (!statsd.isEmpty())
        object.insert(QStringLiteral("statsd"), statsd);
    if (!metrics.jsonlPath.isEmpty())
        object.insert(QStringLiteral("jsonl"),
                      QJsonObject{{QStringLiteral("path"), metrics.jsonlPath}});
    return object;
}

} // namespace

QJsonObject PipelineDocument::toJsonObject() const {
    QJsonObject root;
    root.insert(QStringLiteral("format"), QLatin1String(kPipelineFormatName));
    root.insert(QStringLiteral("version"), kPipelineFormatVersion);
    if (!name.isEmpty())
        root.insert(QStringLiteral("name"), name);
    if (!description.isEmpty())
        root.insert(QStringLiteral("description"), description);

    // The main flow knobs are always written so a reader sees them; the rest only when set.
    const FlowSettings defaults;
    QJsonObject flowObject;
    flowObject.insert(QStringLiteral("queue_priorities"), flow.queuePriorities);
    flowObject.insert(QStringLiteral("default_timeout_ms"), flow.defaultTimeoutMs);
    flowObject.insert(QStringLiteral("start_timeout_ms"), flow.startTimeoutMs);
    flowObject.insert(QStringLiteral("start_method"), startMethodName(flow.startMethod));
    if (flow.priorityAgingMs != defaults.priorityAgingMs)
        flowObject.insert(QStringLiteral("priority_aging_ms"), flow.priorityAgingMs);
    QJsonObject shared;
    if (flow.arenaBytes != defaults.arenaBytes)
        shared.insert(QStringLiteral("arena_bytes"), flow.arenaBytes);
    if (flow.autoShareBytes != defaults.autoShareBytes)
        shared.insert(QStringLiteral("auto_share_bytes"), flow.autoShareBytes);
    if (!shared.isEmpty())
        flowObject.insert(QStringLiteral("shared_memory"), shared);
    if (flow.maxTaskBytes != defaults.maxTaskBytes)
        flowObject.insert(QStringLiteral("max_task_bytes"), flow.maxTaskBytes);
    if (const QJsonObject restart = restartToJson(flow.restart); !restart.isEmpty())
        flowObject.insert(QStringLiteral("restart"), restart);
    if (const QJsonObject metrics = metricsToJson(flow.metrics); !metrics.isEmpty())
        flowObject.insert(QStringLiteral("metrics"), metrics);
    QJsonObject limits;
    if (flow.limits.maxSharedMemoryBytes != defaults.limits.maxSharedMemoryBytes)
        limits.insert(QStringLiteral("max_shared_memory_bytes"), flow.limits.maxSharedMemoryBytes);
    if (flow.limits.maxWorkers != defaults.limits.maxWorkers)
        limits.insert(QStringLiteral("max_workers"), flow.limits.maxWorkers);
    if (!limits.isEmpty())
        flowObject.insert(QStringLiteral("limits"), limits);
    root.insert(QStringLiteral("flow"), flowObject);

    const StepSpec stepDefaults;
    QJsonArray stepArray;
    for (const StepSpec& step : steps) {
        QJsonObject object;
        object.insert(QStringLiteral("id"), step.id);
        if (!step.label.isEmpty())
            object.insert(QStringLiteral("label"), step.label);
        object.insert(QStringLiteral("handler"), step.handler);
        if (!step.params.isEmpty())
            object.insert(QStringLiteral("params"), step.params);
        object.insert(QStringLiteral("nprocs"), step.nprocs);
        object.insert(QStringLiteral("batch_size"), step.batchSize);
        if (step.batchTimeoutMs != stepDefaults.batchTimeoutMs)
            object.insert(QStringLiteral("batch_timeout_ms"), step.batchTimeoutMs);
        if (step.queueSize != stepDefaults.queueSize)
            object.insert(QStringLiteral("queue_size"), step.queueSize);
        if (!step.condition.isEmpty())
            object.insert(QStringLiteral("condition"), step.condition);
        if (step.onStartWaitMs != stepDefaults.onStartWaitMs)
            object.insert(QStringLiteral("on_start_wait_ms"), step.onStartWaitMs);
        if (step.handleTimeoutMs != stepDefaults.handleTimeoutMs)
            object.insert(QStringLiteral("handle_timeout_ms"), step.handleTimeoutMs);
        if (step.restart)
            object.insert(QStringLiteral("restart"), restartToJson(*step.restart));
        // Always written: every step the GUI saves has a place on the canvas.
        object.insert(QStringLiteral("position"),
                      QJsonObject{{QStringLiteral("x"), step.position.x()},
                                  {QStringLiteral("y"), step.position.y()}});
        stepArray.append(object);
    }
    root.insert(QStringLiteral("steps"), stepArray);

    if (!edges.isEmpty()) {
        QJsonArray edgeArray;
        for (const EdgeSpec& edge : edges) {
            QJsonObject object{{QStringLiteral("from"), edge.from},
                               {QStringLiteral("to"), edge.to}};
            if (!edge.when.isEmpty())
                object.insert(QStringLiteral("when"), edge.when);
            edgeArray.append(object);
        }
        root.insert(QStringLiteral("edges"), edgeArray);
    }
    if (!appLoad.isEmpty())
        root.insert(QStringLiteral("app_load"), appLoad);
    return root;
}

QByteArray PipelineDocument::toJson() const {
    QByteArray out;
    writeValue(out, toJsonObject(), Context::Root, 0);
    out += '\n';
    return out;
}

bool PipelineDocument::saveToFile(const QString& path, QString* error) const {
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly)) {
        if (error)
            *error = file.errorString();
        return false;
    }
    const QByteArray json = toJson();
    if (file.write(json) != json.size() || !file.commit()) {
        if (error)
            *error = file.errorString();
        return false;
    }
    return true;
}

} // namespace Aqueduct
