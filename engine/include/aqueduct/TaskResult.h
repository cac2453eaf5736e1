#pragma once

#include "aqueduct/Task.h"

#include <QString>

namespace Aqueduct {

/// How a task ended when it did not come back handled (DESIGN.md, "Task").
enum class ErrorKind {
    None,
    Timeout,       ///< deadline passed; expired tasks are dropped by workers unhandled
    HandlerError,  ///< the handler threw or failed the task; message kept
    WorkerCrashed, ///< the worker process died while holding the task
    NotRunning,    ///< the flow was not running, or stopped without draining
    Rejected,      ///< bad task: negative priority, too large, unknown field type
    HandleTimeout, ///< the step's handle_timeout passed; the worker was restarted
};

/// Stable lower-case names used in JSON output, metrics labels and the GUI:
/// "ok", "timeout", "handler_error", "worker_crashed", "not_running", "rejected",
/// "handle_timeout".
QString errorKindName(ErrorKind kind);
constexpr int kErrorKindCount = 7;

/// The outcome of Flow::process: the task with its fields updated, or a typed error.
class TaskResult {
public:
    TaskResult() = default;
    explicit TaskResult(Task task)
        : m_task(std::move(task)) {}
    TaskResult(ErrorKind error, QString message, Task task = {})
        : m_task(std::move(task))
        , m_error(error)
        , m_message(std::move(message)) {}

    bool ok() const { return m_error == ErrorKind::None; }
    ErrorKind error() const { return m_error; }
    const QString& message() const { return m_message; }
    const Task& task() const { return m_task; }
    Task& task() { return m_task; }
    Task takeTask() { return std::move(m_task); }

private:
    Task m_task;
    ErrorKind m_error = ErrorKind::None;
    QString m_message;
};

} // namespace Aqueduct
