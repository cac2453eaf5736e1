#pragma once

#include "aqueduct/Problem.h"

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QPointF>
#include <QString>

#include <optional>

namespace Aqueduct {

inline constexpr const char* kPipelineFormatName = "aqueduct-pipeline";
inline constexpr int kPipelineFormatVersion = 1;
/// Pseudo-node ids for edges: where tasks enter and leave the flow.
inline constexpr const char* kInputNodeId = "input";
inline constexpr const char* kOutputNodeId = "output";
/// Most worker processes one step may have (nprocs); the validator and the inspector use it.
inline constexpr int kMaxStepProcesses = 256;

/// The one rule for step ids, used by the validator and the designer: letters, digits, '_'
/// and '-', starting with a letter or '_', and not "input" or "output". On false, `reason`
/// (when given) says why in a sentence fragment, e.g. "'2a' must start with a letter or '_'".
bool isValidStepId(QStringView id, QString* reason = nullptr);

enum class StartMethod { ForkServer, Spawn, Fork };
QString startMethodName(StartMethod method);
std::optional<StartMethod> startMethodFromName(const QString& name);

enum class RestartPolicy { OnCrash, Never };
QString restartPolicyName(RestartPolicy policy);
std::optional<RestartPolicy> restartPolicyFromName(const QString& name);

struct RestartSettings {
    RestartPolicy policy = RestartPolicy::OnCrash;
    int maxRestarts = 10; ///< within windowS; past it the step fails
    int windowS = 60;
    int backoffInitialMs = 50; ///< doubles per restart within the window
    int backoffMaxMs = 5000;
    bool operator==(const RestartSettings&) const = default;
};

struct MetricsSettings {
    bool enabled = true;
    int intervalMs = 100;
    // Exporters (all off by default)
    bool prometheusEnabled = false;
    QString prometheusHost = QStringLiteral("127.0.0.1");
    int prometheusPort = 9464;
    bool statsdEnabled = false;
    QString statsdHost = QStringLiteral("127.0.0.1");
    int statsdPort = 8125;
    QString statsdPrefix = QStringLiteral("aqueduct");
    QString jsonlPath; ///< empty = off
    bool operator==(const MetricsSettings&) const = default;
};

/// Resource ceilings a pipeline may raise ("flow.limits"); the validator refuses a file
/// that needs more (see docs/pipeline-format.md, "Resource limits").
struct LimitSettings {
    qint64 maxSharedMemoryBytes = 1ll << 30; ///< control segment + arena, 1 MiB..1 TiB
    int maxWorkers = 1024;                   ///< worker processes of all steps, 1..65536
    bool operator==(const LimitSettings&) const = default;
};

/// Flow-wide settings ("flow" object in the file).
struct FlowSettings {
    int queuePriorities = 1;     ///< lanes per queue, 1..16
    int defaultTimeoutMs = 5000; ///< process() deadline when none is given
    int startTimeoutMs = 30000;  ///< start() fails past this
    StartMethod startMethod = StartMethod::ForkServer;
    int priorityAgingMs = 0; ///< 0 = strict lanes; >0 = a task waiting longer is served
    /// Shared-memory arena for blobs (pre-faulted in the background). 32 MiB so a default
    /// flow fits a default container's 64 MiB /dev/shm.
    qint64 arenaBytes = 32ll << 20;
    qint64 autoShareBytes = 0; ///< bytes fields at least this large travel as blobs; 0 = off
    int maxTaskBytes = 0;      ///< inline task size limit; 0 = engine default
    RestartSettings restart;
    MetricsSettings metrics;
    LimitSettings limits;
    bool operator==(const FlowSettings&) const = default;
};

struct StepSpec {
    QString id;
    QString handler;
    QJsonObject params;
    int nprocs = 1;
    int batchSize = 1;
    int batchTimeoutMs = 0;  ///< 0 = dynamic batching
    int queueSize = 0;       ///< 0 = default: max(3 x batchSize, 20)
    QString condition;       ///< expression; empty = always handled
    int onStartWaitMs = 0;   ///< extra time allowed for onStart beyond the flow's start timeout
    int handleTimeoutMs = 0; ///< 0 = none; past it the worker is killed and restarted
    std::optional<RestartSettings> restart; ///< overrides the flow's
    QPointF position;                       ///< canvas position (GUI only)
    QString label;                          ///< display name (GUI only); empty = id

    int effectiveQueueSize() const { return queueSize > 0 ? queueSize : qMax(3 * batchSize, 20); }
    bool operator==(const StepSpec&) const = default;
};

struct EdgeSpec {
    QString from; ///< step id or "input"
    QString to;   ///< step id or "output"
    QString when; ///< expression; empty = always
    bool operator==(const EdgeSpec&) const = default;
};

/// A pipeline file in memory. Loading never throws; problems come back with JSON paths.
/// With no edges the steps form a chain in order (input -> s1 -> ... -> output).
class PipelineDocument {
public:
    QString name;
    QString description;
    FlowSettings flow;
    QList<StepSpec> steps;
    QList<EdgeSpec> edges;
    /// What the desktop app's Run feeds the flow with ("app_load": source, file, rate, ...);
    /// kept as written, read by the app only (like step positions). Empty = its default.
    QJsonObject appLoad;

    struct LoadResult;
    /// Parses JSON and reads the document. Structural problems (bad JSON, wrong types,
    /// newer version) are reported here; graph/handler checks are PipelineValidator's.
    static LoadResult fromJson(const QByteArray& json);
    static LoadResult fromFile(const QString& path);
    static PipelineDocument fromJsonObject(const QJsonObject& object, QList<Problem>* problems);

    QJsonObject toJsonObject() const;
    /// Indented, stable key order; saving then loading gives an equal document.
    QByteArray toJson() const;
    bool saveToFile(const QString& path, QString* error = nullptr) const;

    int stepIndex(const QString& id) const;
    const StepSpec* step(const QString& id) const;
    /// The edges in force: the given ones, or the implicit chain when there are none.
    QList<EdgeSpec> effectiveEdges() const;
    bool operator==(const PipelineDocument&) const = default;
};

struct PipelineDocument::LoadResult {
    PipelineDocument document;
    QList<Problem> problems;
    bool ok() const { return !hasErrors(problems); }
};

} // namespace Aqueduct
