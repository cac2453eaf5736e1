#include "aqueduct/PipelineDocument.h"

#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>
#include <QSaveFile>

#include <algorithm>
#include <cmath>
#include <limits>

namespace Aqueduct {

QString startMethodName(StartMethod method) {
    switch (method) {
    case StartMethod::ForkServer:
        return QStringLiteral("forkserver");
    case StartMethod::Spawn:
        return QStringLiteral("spawn");
    case StartMethod::Fork:
        return QStringLiteral("fork");
    }
    return QStringLiteral("forkserver");
}

std::optional<StartMethod> startMethodFromName(const QString& name) {
    for (StartMethod method : {StartMethod::ForkServer, StartMethod::Spawn, StartMethod::Fork}) {
        if (startMethodName(method) == name)
            return method;
    }
    return std::nullopt;
}

QString restartPolicyName(RestartPolicy policy) {
    switch (policy) {
    case RestartPolicy::OnCrash:
        return QStringLiteral("on-crash");
    case RestartPolicy::Never:
        return QStringLiteral("never");
    }
    return QStringLiteral("on-crash");
}

std::optional<RestartPolicy> restartPolicyFromName(const QString& name) {
    for (RestartPolicy policy : {RestartPolicy::OnCrash, RestartPolicy::Never}) {
        if (restartPolicyName(policy) == name)
            return policy;
    }
    return std::nullopt;
}

namespace {

constexpr qint64 kMaxFileBytes = 64ll << 20;
// Largest integer a JSON number (an IEEE double) carries exactly.
constexpr double kMaxExactInteger = 9007199254740992.0;

QString jsonTypeName(const QJsonValue& value) {
    switch (value.type()) {
    case QJsonValue::Null:
        return QStringLiteral("null");
    case QJsonValue::Bool:
        return QStringLiteral("boolean");
    case QJsonValue::Double:
        return QStringLiteral("number");
    case QJsonValue::String:
        return QStringLiteral("string");
    case QJsonValue::Array:
        return QStringLiteral("array");
    case QJsonValue::Object:
        return QStringLiteral("object");
    case QJsonValue::Undefined:
        break;
    }
    return QStringLiteral("nothing");
}

QString numberText(double value) {
    return QString::number(value, 'g', QLocale::FloatingPointShortest);
}

// Reads typed fields out of JSON objects and records a Problem (path + reason) for each
// one that is missing or has the wrong type. A bad field keeps its default value.
class Reader {
public:
    explicit Reader(QList<Problem>* problems)
        : m_problems(problems) {}

    void error(const QString& path, const QString& message, const QString& stepId = {},
               int edgeIndex = -1) {
        add(path, message, Problem::Severity::Error, stepId, edgeIndex);
    }
    void warning(const QString& path, const QString& message, const QString& stepId = {},
                 int edgeIndex = -1) {
        add(path, message, Problem::Severity::Warning, stepId, edgeIndex);
    }

    void setContext(const QString& stepId, int edgeIndex) {
        m_stepId = stepId;
        m_edgeIndex = edgeIndex;
    }

    bool readInt64(const QJsonObject& object, const QString& key, const QString& path, qint64 min,
                   qint64 max, qint64* out) {
        const QJsonValue value = object.value(key);
        if (value.isUndefined())
            return false;
        const QString fieldPath = path + QLatin1Char('.') + key;
        if (!value.isDouble()) {
            error(fieldPath, QStringLiteral("must be an integer, got %1").arg(jsonTypeName(value)));
            return false;
        }
        const double number = value.toDouble();
        if (!std::isfinite(number) || std::floor(number) != number) {
            error(fieldPath, QStringLiteral("must be an integer, got %1").arg(numberText(number)));
            return false;
        }
        if (std::fabs(number) > kMaxExactInteger || number < double(min) || number > double(max)) {
            error(fieldPath, QStringLiteral("is out of range: %1 (must be between %2 and %3)")
                                 .arg(numberText(number))
                                 .arg(min)
                                 .arg(max));
            return false;
        }
        *out = static_cast<qint64>(number);
        return true;
    }

    void readInt(const QJsonObject& object, const QString& key, const QString& path, int* out) {
        qint64 value = 0;
        if (readInt64(object, key, path, std::numeric_limits<int>::min(),
                      std::numeric_limits<int>::max(), &value))
            *out = static_cast<int>(value);
    }

    void readInt64(const QJsonObject& object, const QString& key, const QString& path,
                   qint64* out) {
        qint64 value = 0;
        if (readInt64(object, key, path, -qint64(kMaxExactInteger), qint64(kMaxExactInteger),
                      &value))
            *out = value;
    }

    void readDouble(const QJsonObject& object, const QString& key, const QString& path,
                    double* out) {
        const QJsonValue value = object.value(key);
        if (value.isUndefined())
            return;
        if (!value.isDouble()) {
            error(path + QLatin1Char('.') + key,
                  QStringLiteral("must be a number, got %1").arg(jsonTypeName(value)));
            return;
        }
        *out = value.toDouble();
    }

    void readBool(const QJsonObject& object, const QString& key, const QString& path, bool* out) {
        const QJsonValue value = object.value(key);
        if (value.isUndefined())
            return;
        if (!value.isBool()) {
            error(path + QLatin1Char('.') + key,
                  QStringLiteral("must be true or false, got %1").arg(jsonTypeName(value)));
            return;
        }
        *out = value.toBool();
    }

    bool readString(const QJsonObject& object, const QString& key, const QString& path,
                    QString* out) {
        const QJsonValue value = object.value(key);
        if (value.isUndefined())
            return false;
        if (!value.isString()) {
            error(path + QLatin1Char('.') + key,
                  QStringLiteral("must be a string, got %1").arg(jsonTypeName(value)));
            return false;
        }
        *out = value.toString();
        return true;
    }

    /// The sub-object at `key`; nullopt when absent or not an object (the latter reported).
    std::optional<QJsonObject> readObject(const QJsonObject& object, const QString& key,
                                          const QString& path) {
        const QJsonValue value = object.value(key);
        if (value.isUndefined())
            return std::nullopt;
        if (!value.isObject()) {
            error(path + QLatin1Char('.') + key,
                  QStringLiteral("must be an object, got %1").arg(jsonTypeName(value)));
            return std::nullopt;
        }
        return value.toObject();
    }

    std::optional<QJsonArray> readArray(const QJsonObject& object, const QString& key,
                                        const QString& path) {
        const QJsonValue value = object.value(key);
        if (value.isUndefined())
            return std::nullopt;
        if (!value.isArray()) {
            error(path + QLatin1Char('.') + key,
                  QStringLiteral("must be an array, got %1").arg(jsonTypeName(value)));
            return std::nullopt;
        }
        return value.toArray();
    }

    void checkKeys(const QJsonObject& object, const QString& path,
                   std::initializer_list<const char*> known) {
        for (auto it = object.constBegin(); it != object.constEnd(); ++it) {
            const bool isKnown = std::any_of(known.begin(), known.end(), [&](const char* name) {
                return it.key() == QLatin1String(name);
            });
            if (!isKnown)
                warning(path + QLatin1Char('.') + it.key(),
                        QStringLiteral("unknown key (ignored)"));
        }
    }

    void readRestart(const QJsonObject& object, const QString& path, RestartSettings* restart) {
        checkKeys(object, path,
                  {"policy", "max_restarts", "window_s", "backoff_initial_ms", "backoff_max_ms"});
        QString policyName;
        if (readString(object, QStringLiteral("policy"), path, &policyName)) {
            if (const auto policy = restartPolicyFromName(policyName))
                restart->policy = *policy;
            else
                error(path + QStringLiteral(".policy"),
                      QStringLiteral("must be one of on-crash, never; got '%1'").arg(policyName));
        }
        readInt(object, QStringLiteral("max_restarts"), path, &restart->maxRestarts);
        readInt(object, QStringLiteral("window_s"), path, &restart->windowS);
        readInt(object, QStringLiteral("backoff_initial_ms"), path, &restart->backoffInitialMs);
        readInt(object, QStringLiteral("backoff_max_ms"), path, &restart->backoffMaxMs);
    }

private:
    void add(const QString& path, const QString& message, Problem::Severity severity,
             const QString& stepId, int edgeIndex) {
        if (!m_problems)
            return;
        Problem problem;
        problem.path = path;
        problem.message = message;
        problem.severity = severity;
        problem.stepId = stepId.isEmpty() ? m_stepId : stepId;
        problem.edgeIndex = edgeIndex >= 0 ? edgeIndex : m_edgeIndex;
        m_problems->append(problem);
    }

    QList<Problem>* m_problems;
    QString m_stepId;
    int m_edgeIndex = -1;
};

void readFlow(Reader& reader, const QJsonObject& object, FlowSettings* flow) {
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

StepSpec readStep(Reader& reader, const QJsonValue& value, int index) {
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

EdgeSpec readEdge(Reader& reader, const QJsonValue& value, int index) {
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

// --- Writing --------------------------------------------------------------------------

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
        return {L("format"), L("version"), L("name"), L("description"),
                L("flow"),   L("steps"),   L("edges")};
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

// QJsonParseError::offset points one past the offending character for the "expected a
// separator" errors (the parser consumed it); step back so the column names it.
qsizetype syntaxErrorOffset(const QJsonParseError& error) {
    switch (error.error) {
    case QJsonParseError::UnterminatedObject:
    case QJsonParseError::MissingNameSeparator:
    case QJsonParseError::UnterminatedArray:
    case QJsonParseError::MissingValueSeparator:
        return qMax<qsizetype>(0, error.offset - 1);
    default:
        return error.offset;
    }
}

QString syntaxErrorText(const QJsonParseError& error) {
    switch (error.error) {
    case QJsonParseError::UnterminatedObject:
        return QStringLiteral("expected ',' or '}' after an object member");
    case QJsonParseError::MissingNameSeparator:
        return QStringLiteral("expected ':' after the key");
    case QJsonParseError::UnterminatedArray:
        return QStringLiteral("expected ',' or ']' after an array element");
    case QJsonParseError::MissingValueSeparator:
        return QStringLiteral("expected ',' between array elements");
    case QJsonParseError::IllegalValue:
        return QStringLiteral(
            "expected a value (string, number, object, array, true, false or null)");
    case QJsonParseError::TerminationByNumber:
        return QStringLiteral("the document ends inside a number");
    case QJsonParseError::IllegalNumber:
        return QStringLiteral("invalid number");
    case QJsonParseError::IllegalEscapeSequence:
        return QStringLiteral("invalid escape sequence in a string");
    case QJsonParseError::IllegalUTF8String:
        return QStringLiteral("invalid UTF-8 in a string");
    case QJsonParseError::UnterminatedString:
        return QStringLiteral("unterminated string");
    case QJsonParseError::MissingObject:
        return QStringLiteral("expected an object member after ','");
    case QJsonParseError::DeepNesting:
        return QStringLiteral("nested too deeply");
    case QJsonParseError::GarbageAtEnd:
        return QStringLiteral("unexpected text after the end of the document");
    default:
        return error.errorString();
    }
}

int lineOfOffset(const QByteArray& json, qsizetype offset, int* column) {
    offset = std::clamp<qsizetype>(offset, 0, json.size());
    int line = 1;
    qsizetype lineStart = 0;
    for (qsizetype i = 0; i < offset; ++i) {
        if (json.at(i) == '\n') {
            ++line;
            lineStart = i + 1;
        }
    }
    // Columns count characters, not bytes: skip UTF-8 continuation bytes.
    int col = 1;
    for (qsizetype i = lineStart; i < offset; ++i) {
        if ((static_cast<unsigned char>(json.at(i)) & 0xC0) != 0x80)
            ++col;
    }
    *column = col;
    return line;
}

} // namespace

PipelineDocument PipelineDocument::fromJsonObject(const QJsonObject& input,
                                                  QList<Problem>* problems) {
    Reader reader(problems);
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
    reader.checkKeys(object, root,
                     {"format", "version", "name", "description", "flow", "steps", "edges"});
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
    return document;
}

PipelineDocument::LoadResult PipelineDocument::fromJson(const QByteArray& json) {
    LoadResult result;
    if (json.trimmed().isEmpty()) {
        Problem problem;
        problem.message = QStringLiteral("file is empty; expected a JSON object");
        problem.line = 1;
        problem.column = 1;
        result.problems.append(problem);
        return result;
    }
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(json, &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        Problem problem;
        problem.line = lineOfOffset(json, syntaxErrorOffset(parseError), &problem.column);
        problem.message = QStringLiteral("invalid JSON: %1").arg(syntaxErrorText(parseError));
        result.problems.append(problem);
        return result;
    }
    if (!document.isObject()) {
        Problem problem;
        problem.path = QStringLiteral("$");
        problem.message =
            QStringLiteral("must be a JSON object, got %1")
                .arg(document.isArray() ? QStringLiteral("array") : QStringLiteral("a scalar"));
        result.problems.append(problem);
        return result;
    }
    result.document = fromJsonObject(document.object(), &result.problems);
    return result;
}

PipelineDocument::LoadResult PipelineDocument::fromFile(const QString& path) {
    LoadResult result;
    const QFileInfo info(path);
    Problem problem;
    if (!info.exists()) {
        problem.message = QStringLiteral("cannot read: no such file");
    } else if (info.isDir()) {
        problem.message = QStringLiteral("cannot read: is a directory");
    } else if (info.size() > kMaxFileBytes) {
        problem.message =
            QStringLiteral("cannot read: file is too large (%1 bytes; the limit is %2 MiB)")
                .arg(info.size())
                .arg(kMaxFileBytes >> 20);
    } else {
        QFile file(path);
        if (!file.open(QIODevice::ReadOnly)) {
            problem.message = QStringLiteral("cannot read: %1").arg(file.errorString());
        } else {
            // size() may be 0 for special files; read at most the limit plus one byte.
            const QByteArray json = file.read(kMaxFileBytes + 1);
            if (json.size() > kMaxFileBytes) {
                problem.message =
                    QStringLiteral("cannot read: file is too large (the limit is %1 MiB)")
                        .arg(kMaxFileBytes >> 20);
            } else {
                return fromJson(json);
            }
        }
    }
    result.problems.append(problem);
    return result;
}

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

int PipelineDocument::stepIndex(const QString& id) const {
    for (qsizetype i = 0; i < steps.size(); ++i) {
        if (steps.at(i).id == id)
            return int(i);
    }
    return -1;
}

const StepSpec* PipelineDocument::step(const QString& id) const {
    const int index = stepIndex(id);
    return index >= 0 ? &steps.at(index) : nullptr;
}

QList<EdgeSpec> PipelineDocument::effectiveEdges() const {
    if (!edges.isEmpty() || steps.isEmpty())
        return edges;
    QList<EdgeSpec> chain;
    QString previous = QLatin1String(kInputNodeId);
    for (const StepSpec& step : steps) {
        chain.append(EdgeSpec{previous, step.id, {}});
        previous = step.id;
    }
    chain.append(EdgeSpec{previous, QLatin1String(kOutputNodeId), {}});
    return chain;
}

} // namespace Aqueduct
