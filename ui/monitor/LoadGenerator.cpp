#include "monitor/LoadGenerator.h"

#include <aqueduct/Flow.h>
#include <aqueduct/driver/JsonLinesTaskSource.h>
#include <aqueduct/driver/SyntheticTaskSource.h>

namespace Aqueduct::Ui {

namespace {

/// The run log names at most this many bad lines (a broken file must not flood it).
constexpr std::uint64_t kBadLinesLogged = 20;

} // namespace

LoadGenerator::LoadGenerator(Flow* flow, LoadSettings settings, QObject* parent)
    : QObject(parent)
    , m_settings(std::move(settings)) {
    Driver::DriveSettings drive;
    drive.concurrency = m_settings.concurrency;
    drive.durationS = m_settings.durationS;
    drive.timeoutMs = m_settings.timeoutMs;
    switch (m_settings.source) {
    case LoadSource::None:
        m_source = std::make_unique<Driver::IdleTaskSource>();
        drive.concurrency = 1; // one lane that waits for the duration or a stop
        break;
    case LoadSource::Synthetic: {
        Driver::SyntheticTaskSource::PriorityFor priorityFor;
        if (!m_settings.priorityWeights.isEmpty())
            priorityFor = [weights = m_settings](std::uint64_t index) {
                return weights.priorityFor(qint64(index));
            };
        m_source = std::make_unique<Driver::SyntheticTaskSource>(m_settings.payloadBytes,
                                                                 std::move(priorityFor));
        drive.ratePerS = m_settings.ratePerS;
        drive.maxItems = m_settings.count > 0 ? std::uint64_t(m_settings.count) : 0;
        break;
    }
    case LoadSource::File: {
        auto file = std::make_unique<Driver::JsonLinesTaskSource>();
        QString error;
        if (!file->open(m_settings.filePath, &error))
            m_openError = error;
        file->reader().setRepeat(m_settings.repeat);
        m_source = std::move(file);
        break;
    }
    }
    m_driver = std::make_unique<Driver::FlowDriver>(*flow, *m_source, drive);
    m_driver->setSink(this);
    connect(m_driver.get(), &Driver::FlowDriver::intakeClosedWith, this,
            &LoadGenerator::onIntakeClosed);
}

LoadGenerator::~LoadGenerator() = default;

QCoro::Task<void> LoadGenerator::run() {
    if (!m_openError.isEmpty()) {
        Q_EMIT message(tr("cannot read the load file: %1").arg(m_openError));
        endLoad(QStringLiteral("cannot read the load file"));
        m_driver->closeIntake(Driver::StopReason::ReadError);
    }
    co_await m_driver->run();
}

void LoadGenerator::closeIntake() {
    m_driver->closeIntake(Driver::StopReason::Stopped);
}

void LoadGenerator::badInput(const Driver::DriveItem& item) {
    if (m_driver->counters().badInput <= kBadLinesLogged)
        Q_EMIT message(tr("load file line %1 skipped: %2").arg(item.line).arg(item.error));
}

void LoadGenerator::onIntakeClosed(Driver::StopReason reason) {
    switch (reason) {
    case Driver::StopReason::Count:
        endLoad(QStringLiteral("count reached"));
        break;
    case Driver::StopReason::Duration:
        endLoad(QStringLiteral("duration reached"));
        break;
    case Driver::StopReason::EndOfInput:
        endLoad(QStringLiteral("end of file"));
        break;
    case Driver::StopReason::ReadError:
        if (auto* file = dynamic_cast<Driver::JsonLinesTaskSource*>(m_source.get());
            file && !file->reader().readError().isEmpty())
            Q_EMIT message(tr("reading the load file failed: %1").arg(file->reader().readError()));
        endLoad(QStringLiteral("reading the load file failed"));
        break;
    default:
        break; // the owner closed it (stop, a failed flow): it knows why
    }
}

void LoadGenerator::endLoad(const QString& reason) {
    if (!m_endReason.isEmpty())
        return;
    m_endReason = reason;
    Q_EMIT exhausted(reason);
}

} // namespace Aqueduct::Ui
