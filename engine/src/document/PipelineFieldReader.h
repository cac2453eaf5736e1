#pragma once

#include "aqueduct/PipelineDocument.h"
#include "aqueduct/Problem.h"
#include "model/JsonText.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QJsonValue>
#include <QList>
#include <QString>

#include <initializer_list>
#include <optional>

namespace Aqueduct::Internal {

// Reads typed fields out of JSON objects and records a Problem (path + reason) for each
// one that is missing or has the wrong type. A bad field keeps its default value.
class PipelineFieldReader {
public:
    explicit PipelineFieldReader(QList<Problem>* problems);

    void error(const QString& path, const QString& message, const QString& stepId = {},
               int edgeIndex = -1);
    void warning(const QString& path, const QString& message, const QString& stepId = {},
                 int edgeIndex = -1);

    /// The step id and edge index later problems carry when the call gives none.
    void setContext(const QString& stepId, int edgeIndex);

    /// False when `key` is absent or bad (the latter reported); `out` set only on true.
    bool readInt64(const QJsonObject& object, const QString& key, const QString& path, qint64 min,
                   qint64 max, qint64* out);
    void readInt(const QJsonObject& object, const QString& key, const QString& path, int* out);
    void readInt64(const QJsonObject& object, const QString& key, const QString& path, qint64* out);
    void readDouble(const QJsonObject& object, const QString& key, const QString& path,
                    double* out);
    void readBool(const QJsonObject& object, const QString& key, const QString& path, bool* out);
    bool readString(const QJsonObject& object, const QString& key, const QString& path,
                    QString* out);

    /// The sub-object at `key`; nullopt when absent or not an object (the latter reported).
    std::optional<QJsonObject> readObject(const QJsonObject& object, const QString& key,
                                          const QString& path);
    std::optional<QJsonArray> readArray(const QJsonObject& object, const QString& key,
                                        const QString& path);

    /// Warns about every key of `object` not in `known` (unknown keys are ignored).
    void checkKeys(const QJsonObject& object, const QString& path,
                   std::initializer_list<const char*> known);

    void readRestart(const QJsonObject& object, const QString& path, RestartSettings* restart);

private:
    void add(const QString& path, const QString& message, Problem::Severity severity,
             const QString& stepId, int edgeIndex);

    QList<Problem>* m_problems;
    QString m_stepId;
    int m_edgeIndex = -1;
};

} // namespace Aqueduct::Internal
