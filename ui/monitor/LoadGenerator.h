#pragma once

#include "monitor/LatencyRecorder.h"
#include "monitor/LoadSettings.h"

#include <aqueduct/Task.h>
#include <aqueduct/TaskResult.h>

#include <QElapsedTimer>
#include <QFile>
#include <QObject>
#include <QTimer>

#include <qcoro/qcorotask.h>

#include <array>
#include <coroutine>
#include <deque>
#include <string>

namespace Aqueduct {
class Flow;
}

namespace Aqueduct::Ui {

/// Feeds a running Flow from the engine thread: `concurrency` lanes, each a coroutine that
/// takes the next task (synthetic or read from a JSON-lines file), paced to the rate, and
/// co_awaits Flow::process. Counts every outcome, so the run summary adds up.
class LoadGenerator final : public QObject {
    Q_OBJECT
public:
    struct Counters {
        std::uint64_t submitted = 0;
        std::uint64_t completed = 0;
        std::array<std::uint64_t, kErrorKindCount> failedByKind{};
        std::uint64_t badInputLines = 0;
    };

    LoadGenerator(Flow* flow, LoadSettings settings, QObject* parent = nullptr);
    ~LoadGenerator() override;

    /// Runs until the source is exhausted or closeIntake(); completes when every task sent
    /// has its outcome. Call once.
    QCoro::Task<void> run();
    /// Stops taking new tasks (tasks in flight still finish). Safe to call any time.
    void closeIntake(const QString& reason = {});
    bool intakeClosed() const { return m_intakeClosed; }
    /// Why the intake closed: "count reached", "duration reached", "end of file", ...
    const QString& endReason() const { return m_endReason; }

    const Counters& counters() const { return m_counters; }
    const LatencyRecorder& latency() const { return m_latency; }
    double elapsedS() const;

Q_SIGNALS:
    /// Something worth a line in the run log (a malformed input line, a file error).
    void message(const QString& text);
    /// The source has nothing more to send (count, duration or end of file).
    void exhausted(const QString& reason);

private:
    class NextTask;
    struct Pending {
        Task task;
        int timeoutMs = 0;
    };

    QCoro::Task<void> lane();
    bool tryTake(Pending& pending);
    bool itemReady();
    void fillSynthetic(Task& task);
    bool readFileTask(Pending& pending);
    void armRateTimer();
    void scheduleWake();
    void wakeWaiters();
    std::int64_t dueNs(std::uint64_t index) const;
    void record(const TaskResult& result, std::int64_t latencyNs);

    Flow* m_flow;
    LoadSettings m_settings;
    QByteArray m_payload;
    QFile m_file;
    bool m_fileAtEnd = false;
    qint64 m_fileLine = 0;
    std::uint64_t m_generated = 0;
    std::int64_t m_startNs = 0;
    QElapsedTimer m_clock;
    bool m_intakeClosed = false;
    QString m_endReason;
    std::deque<std::coroutine_handle<>> m_waiters;
    bool m_waking = false;
    bool m_wakeScheduled = false;
    QTimer m_rateTimer;
    QTimer m_durationTimer;
    Counters m_counters;
    LatencyRecorder m_latency;
};

} // namespace Aqueduct::Ui
