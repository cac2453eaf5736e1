#include "process/WorkerConfig.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace Aqueduct::Internal {

QByteArray WorkerConfig::toBytes() const {
    QJsonObject object;
    object.insert(QStringLiteral("segment"), QString::fromStdString(segmentName));
    object.insert(QStringLiteral("arena"), QString::fromStdString(arenaName));
    object.insert(QStringLiteral("document"), QString::fromUtf8(documentJson));
    object.insert(QStringLiteral("step"), stepIndex);
    object.insert(QStringLiteral("worker"), workerIndex);
    object.insert(QStringLiteral("global_worker"), globalWorkerIndex);
    object.insert(QStringLiteral("parent_pid"), qint64(parentPid));
    object.insert(QStringLiteral("wake_fd"), wakeFd);
    object.insert(QStringLiteral("plugins"), QJsonArray::fromStringList(pluginFiles));
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

bool WorkerConfig::fromBytes(const QByteArray& bytes, WorkerConfig& config) {
    const QJsonDocument document = QJsonDocument::fromJson(bytes);
    if (!document.isObject())
        return false;
    const QJsonObject object = document.object();
    config.segmentName = object.value(QStringLiteral("segment")).toString().toStdString();
    config.arenaName = object.value(QStringLiteral("arena")).toString().toStdString();
    config.documentJson = object.value(QStringLiteral("document")).toString().toUtf8();
    config.stepIndex = object.value(QStringLiteral("step")).toInt();
    config.workerIndex = object.value(QStringLiteral("worker")).toInt();
    config.globalWorkerIndex = object.value(QStringLiteral("global_worker")).toInt();
    config.parentPid = pid_t(object.value(QStringLiteral("parent_pid")).toInteger());
    config.wakeFd = object.value(QStringLiteral("wake_fd")).toInt(-1);
    config.pluginFiles.clear();
    for (const QJsonValue& value : object.value(QStringLiteral("plugins")).toArray())
        config.pluginFiles.append(value.toString());
    return !config.segmentName.empty();
}

} // namespace Aqueduct::Internal
