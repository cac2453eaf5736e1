#pragma once

#include <aqueduct/Flow.h>
#include <aqueduct/PipelineDocument.h>

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QJsonObject>
#include <QTest>

#include <qcoro/qcorotask.h>

#include <optional>

namespace Aqueduct::Test {

/// Runs a coroutine to completion in a nested event loop; gives up after `timeoutMs` so
/// a hung coroutine fails the test instead of hanging CI.
template <typename T> std::optional<T> runFor(QCoro::Task<T>&& task, int timeoutMs = 30000) {
    std::optional<T> result;
    bool done = false;
    auto wrapper = [&](QCoro::Task<T> inner) -> QCoro::Task<void> {
        result.emplace(co_await inner);
        done = true;
    };
    auto running = wrapper(std::move(task));
    QElapsedTimer elapsed;
    elapsed.start();
    while (!done && elapsed.elapsed() < timeoutMs)
        QCoreApplication::processEvents(QEventLoop::AllEvents | QEventLoop::WaitForMoreEvents, 10);
    return result;
}

inline bool runFor(QCoro::Task<void>&& task, int timeoutMs = 30000) {
    bool done = false;
    auto wrapper = [&](QCoro::Task<void> inner) -> QCoro::Task<void> {
        co_await inner;
        done = true;
    };
    auto running = wrapper(std::move(task));
    QElapsedTimer elapsed;
    elapsed.start();
    while (!done && elapsed.elapsed() < timeoutMs)
        QCoreApplication::processEvents(QEventLoop::AllEvents | QEventLoop::WaitForMoreEvents, 10);
    return done;
}

inline StepSpec step(const QString& id, const QString& handler, QJsonObject params = {},
                     int nprocs = 1, int batchSize = 1) {
    StepSpec spec;
    spec.id = id;
    spec.handler = handler;
    spec.params = std::move(params);
    spec.nprocs = nprocs;
    spec.batchSize = batchSize;
    return spec;
}

/// Handler params from a literal list: params({{"ms", 20}, {"mode", "task"}}).
inline QJsonObject params(std::initializer_list<std::pair<const char*, QJsonValue>> values) {
    QJsonObject object;
    for (const auto& [key, value] : values)
        object.insert(QLatin1String(key), value);
    return object;
}

inline Task intTask(qint64 value, int priority = 0) {
    Task task;
    task.set("value", Value(std::int64_t(value)));
    task.setPriority(priority);
    return task;
}

} // namespace Aqueduct::Test

/// Starts a flow and fails the test (with the engine's reason) if it does not start.
#define AQUEDUCT_START_OR_FAIL(flow)                                                               \
    do {                                                                                           \
        auto started_ = Aqueduct::Test::runFor((flow).start());                                    \
        QVERIFY2(started_.has_value(), "start() hung");                                            \
        QVERIFY2(started_->ok, qPrintable(started_->error));                                       \
    } while (false)

#define AQUEDUCT_STOP_OR_FAIL(flow, mode)                                                          \
    QVERIFY2(Aqueduct::Test::runFor((flow).stop(mode)), "stop() hung")
