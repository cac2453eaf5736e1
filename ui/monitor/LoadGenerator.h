#pragma once

#include "monitor/LoadSettings.h"

#include <aqueduct/driver/FlowDriver.h>
#include <aqueduct/driver/RunSummary.h>
#include <aqueduct/driver/TaskSource.h>

#include <QObject>

#include <qcoro/qcorotask.h>

#include <memory>

namespace Aqueduct {
class Flow;
}

namespace Aqueduct::Ui {

/// Feeds a running Flow from the engine thread with the load of LoadSettings, through the
/// one flow driver (Driver::FlowDriver): synthetic tasks paced to the rate, a JSON-lines
/// file read exactly as `aqueduct run --input` reads it, or nothing. Every task sent ends
/// as completed or failed, so the run summary adds up.
class LoadGenerator final : public QObject, private Driver::DriveSink {
    Q_OBJECT
public:
    LoadGenerator(Flow* flow, LoadSettings settings, QObject* parent = nullptr);
    ~LoadGenerator() override;

    /// Runs until the source is exhausted or closeIntake(); completes when every task sent
    /// has its outcome. Call once.
    QCoro::Task<void> run();
    /// Stops taking new tasks (tasks in flight still finish). Safe to call any time.
    void closeIntake();
    bool intakeClosed() const { return m_driver->intakeClosed(); }
    /// Why the load ended by itself: "count reached", "duration reached", "end of file",
    /// ...; empty when closeIntake() ended it.
    const QString& endReason() const { return m_endReason; }

    /// Counts, caller-side latency quantiles, wall time.
    Driver::RunSummary summary() const { return m_driver->summary(); }

Q_SIGNALS:
    /// Something worth a line in the run log (a malformed input line, a file error).
    void message(const QString& text);
    /// The source has nothing more to send (count, duration or end of file).
    void exhausted(const QString& reason);

private:
    void taskFinished(const Driver::DriveItem&, TaskResult&, std::int64_t, std::int64_t) override {}
    void badInput(const Driver::DriveItem& item) override;
    void onIntakeClosed(Driver::StopReason reason);
    void endLoad(const QString& reason);

    LoadSettings m_settings;
    std::unique_ptr<Driver::TaskSource> m_source;
    std::unique_ptr<Driver::FlowDriver> m_driver;
    QString m_endReason;
    QString m_openError; ///< the load file could not be opened
};

} // namespace Aqueduct::Ui
