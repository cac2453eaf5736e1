#include "aqueduct/PipelineValidator.h"

#include "aqueduct/HandlerRegistry.h"

#include <QDir>
#include <QFileInfo>

namespace Aqueduct {

namespace {

bool isRelativeFilePath(const ParamSpec& spec, const QJsonValue& value) {
    return spec.filePath && value.isString() && !value.toString().isEmpty() &&
           QFileInfo(value.toString()).isRelative();
}

} // namespace

QString resolveFilePath(const QString& value, const QString& folder) {
    if (value.isEmpty() || !QFileInfo(value).isRelative())
        return value;
    return QDir(folder.isEmpty() ? QDir::currentPath() : folder).absoluteFilePath(value);
}

void resolveFilePathParams(PipelineDocument& document, const HandlerRegistry& registry,
                           const QString& folder) {
    for (StepSpec& step : document.steps) {
        const HandlerInfo* info = registry.find(step.handler);
        if (!info)
            continue;
        for (const ParamSpec& spec : info->params) {
            const QJsonValue value = step.params.value(spec.name);
            if (isRelativeFilePath(spec, value))
                step.params.insert(spec.name, resolveFilePath(value.toString(), folder));
        }
    }
}

bool hasRelativeFilePathParams(const PipelineDocument& document, const HandlerRegistry& registry) {
    for (const StepSpec& step : document.steps) {
        const HandlerInfo* info = registry.find(step.handler);
        if (!info)
            continue;
        for (const ParamSpec& spec : info->params) {
            if (isRelativeFilePath(spec, step.params.value(spec.name)))
                return true;
        }
    }
    return false;
}

} // namespace Aqueduct
