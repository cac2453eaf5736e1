#include "CrashHandler.h"

#include "TaskSampling.h"

#include <cstdint>
#include <cstdlib>

namespace Aqueduct {

HandlerInfo CrashHandler::info() {
    HandlerInfo info;
    info.name = QStringLiteral("crash");
    info.category = QStringLiteral("Testing");
    info.description = QStringLiteral(
        "Kills its worker process on a chosen share of tasks, to test crash recovery.");
    info.params = {
        ParamSpec{.name = QStringLiteral("probability"),
                  .type = ParamType::Double,
                  .defaultValue = 0.01,
                  .minimum = 0.0,
                  .maximum = 1.0,
                  .description = QStringLiteral(
                      "Share of tasks that crash the worker, 0 to 1. Decided by the task's id, "
                      "so the same task always crashes or always passes.")},
        ParamSpec{.name = QStringLiteral("mode"),
                  .type = ParamType::Choice,
                  .defaultValue = QStringLiteral("abort"),
                  .choices = {QStringLiteral("abort"), QStringLiteral("segfault"),
                              QStringLiteral("exit")},
                  .description = QStringLiteral(
                      "How the worker dies: abort (SIGABRT), segfault (a real invalid memory "
                      "access, SIGSEGV) or exit (exit status 86, no cleanup).")},
        ParamSpec{.name = QStringLiteral("field"),
                  .type = ParamType::String,
                  .defaultValue = QStringLiteral(""),
                  .description = QStringLiteral(
                      "Optional \"poison\" field: a task whose bool field of this name is true "
                      "always crashes the worker, whatever the probability.")},
    };
    return info;
}

void CrashHandler::onStart(const HandlerParams& params) {
    m_probability = params.doubleValue(QStringLiteral("probability"));
    const QString mode = params.stringValue(QStringLiteral("mode"));
    if (mode == QLatin1String("segfault"))
        m_mode = Mode::Segfault;
    else if (mode == QLatin1String("exit"))
        m_mode = Mode::Exit;
    else
        m_mode = Mode::Abort;
    m_poisonField = params.stringValue(QStringLiteral("field")).toStdString();
}

void CrashHandler::handle(std::span<Task> batch) {
    for (const Task& task : batch) {
        bool poisoned = false;
        if (!m_poisonField.empty()) {
            const Value* value = task.find(m_poisonField);
            poisoned = value != nullptr && value->type() == ValueType::Bool && value->toBool();
        }
        if (poisoned || TaskSampling::selects(task, {}, kSalt, m_probability))
            crash();
    }
}

void CrashHandler::crash() const {
    switch (m_mode) {
    case Mode::Segfault: {
        // The address comes through a volatile so the compiler cannot see the null
        // access and replace it with a trap instruction: this is a genuine SIGSEGV.
        volatile std::uintptr_t address = 0;
        *reinterpret_cast<volatile int*>(address) = 1;
        std::abort(); // not reached unless page 0 is mapped
    }
    case Mode::Exit:
        std::_Exit(kExitCode);
    case Mode::Abort:
        break;
    }
    std::abort();
}

} // namespace Aqueduct
