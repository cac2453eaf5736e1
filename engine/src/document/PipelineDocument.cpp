// The names of the document's enums and the queries over a loaded document. Reading,
// writing and loading files live in PipelineReading.cpp, PipelineWriting.cpp and
// PipelineLoading.cpp.
#include "aqueduct/PipelineDocument.h"

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
