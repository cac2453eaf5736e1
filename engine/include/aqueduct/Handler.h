#pragma once

#include "aqueduct/Task.h"

#include <QJsonObject>
#include <QString>

#include <span>

namespace Aqueduct {

/// Parameters a handler instance starts with: the step's params with schema defaults
/// filled in and types checked, plus where the instance runs.
class HandlerParams {
public:
    HandlerParams() = default;
    HandlerParams(QJsonObject values, QString stepId, int workerIndex)
        : m_values(std::move(values))
        , m_stepId(std::move(stepId))
        , m_workerIndex(workerIndex) {}

    const QJsonObject& values() const { return m_values; }
    bool boolValue(const QString& name) const { return m_values.value(name).toBool(); }
    qint64 intValue(const QString& name) const { return m_values.value(name).toInteger(); }
    double doubleValue(const QString& name) const { return m_values.value(name).toDouble(); }
    QString stringValue(const QString& name) const { return m_values.value(name).toString(); }
    const QString& stepId() const { return m_stepId; }
    int workerIndex() const { return m_workerIndex; }

private:
    QJsonObject m_values;
    QString m_stepId;
    int m_workerIndex = 0;
};

/// A step's work. One instance lives in each worker process of the step.
/// `handle` gets a batch; throwing fails the whole batch with the exception's message
/// (the worker lives on); `Task::fail` fails a single task.
class Handler {
public:
    virtual ~Handler() = default;
    /// Runs in the worker before it reports ready (load models here). Throw to refuse.
    virtual void onStart(const HandlerParams& params) { (void)params; }
    virtual void handle(std::span<Task> batch) = 0;
    virtual void onStop() {}
};

} // namespace Aqueduct
