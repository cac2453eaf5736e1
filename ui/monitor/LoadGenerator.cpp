#include "monitor/LoadGenerator.h"

#include <aqueduct/Flow.h>

#include <QJsonDocument>
#include <QJsonObject>

#include <chrono>

namespace Aqueduct::Ui {

namespace {

std::int64_t nowNs() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

} // namespace

/// co_await NextTask: the next task for a lane, or false once the intake is closed.
class LoadGenerator::NextTask {
public:
    NextTask(LoadGenerator* generator, Pending* pending)
        : m_generator(generator)
        , m_pending(pending) {}
    bool await_ready() {
        m_got = m_generator->tryTake(*m_pending);
        return m_got || m_generator->m_intakeClosed;
    }
    void await_suspend(std::coroutine_handle<> waiter) { m_generator->m_waiters.push_back(waiter); }
    bool await_resume() {
        if (!m_got)
            m_got = m_generator->tryTake(*m_pending);
        return m_got;
    }

private:
    LoadGenerator* m_generator;
    Pending* m_pending;
    bool m_got = false;
};

LoadGenerator::LoadGenerator(Flow* flow, LoadSettings settings, QObject* parent)
    : QObject(parent)
    , m_flow(flow)
    , m_settings(std::move(settings)) {
    m_settings.concurrency = qBound(1, m_settings.concurrency, 65536);
    m_rateTimer.setSingleShot(true);
    m_rateTimer.setTimerType(Qt::PreciseTimer);
    connect(&m_rateTimer, &QTimer::timeout, this, &LoadGenerator::wakeWaiters);
    m_durationTimer.setSingleShot(true);
    connect(&m_durationTimer, &QTimer::timeout, this,
            [this] { closeIntake(QStringLiteral("duration reached")); });
    if (m_settings.payloadBytes > 0) {
        m_payload.resize(m_settings.payloadBytes);
        for (qsizetype i = 0; i < m_payload.size(); ++i)
            m_payload[i] = char(i * 131 + 7);
    }
}

LoadGenerator::~LoadGenerator() = default;

double LoadGenerator::elapsedS() const {
    return m_clock.isValid() ? double(m_clock.nsecsElapsed()) / 1e9 : 0;
}

QCoro::Task<void> LoadGenerator::run() {
    m_clock.start();
    m_startNs = nowNs();
    if (m_settings.source == LoadSource::None)
        m_settings.concurrency = 1; // one lane that waits for the duration or a stop
    if (m_settings.source == LoadSource::File) {
        m_file.setFileName(m_settings.filePath);
        if (!m_file.open(QIODevice::ReadOnly)) {
            Q_EMIT message(tr("cannot read the load file %1: %2")
                               .arg(m_settings.filePath, m_file.errorString()));
            closeIntake(QStringLiteral("cannot read the load file"));
            co_return;
        }
    }
    if (m_settings.durationS > 0)
        m_durationTimer.start(std::chrono::milliseconds(qint64(m_settings.durationS * 1000)));

    std::vector<QCoro::Task<void>> lanes;
    lanes.reserve(std::size_t(m_settings.concurrency));
    for (int i = 0; i < m_settings.concurrency; ++i)
        lanes.push_back(lane());
    for (QCoro::Task<void>& running : lanes)
        co_await running;
    m_rateTimer.stop();
    m_durationTimer.stop();
    m_file.close();
}

QCoro::Task<void> LoadGenerator::lane() {
    Pending pending;
    for (;;) {
        if (!co_await NextTask(this, &pending))
            co_return;
        const std::int64_t startNs = nowNs();
        TaskResult result = co_await m_flow->process(std::move(pending.task),
                                                     std::chrono::milliseconds(pending.timeoutMs));
        record(result, nowNs() - startNs);
        pending.task = result.takeTask(); // its storage serves the next task
    }
}

void LoadGenerator::record(const TaskResult& result, std::int64_t latencyNs) {
    if (result.ok())
        ++m_counters.completed;
    else
        ++m_counters.failedByKind[std::size_t(result.error())];
    m_latency.record(latencyNs);
}

std::int64_t LoadGenerator::dueNs(std::uint64_t index) const {
    return m_startNs + std::int64_t(double(index) * 1e9 / m_settings.ratePerS);
}

bool LoadGenerator::itemReady() {
    if (m_intakeClosed || m_settings.source == LoadSource::None)
        return false;
    if (m_settings.source == LoadSource::File)
        return !m_fileAtEnd;
    if (m_settings.count > 0 && m_generated >= std::uint64_t(m_settings.count))
        return false;
    if (m_settings.ratePerS > 0 && nowNs() < dueNs(m_generated)) {
        armRateTimer();
        return false;
    }
    return true;
}

void LoadGenerator::armRateTimer() {
    if (m_rateTimer.isActive())
        return;
    const std::int64_t waitNs = std::max<std::int64_t>(0, dueNs(m_generated) - nowNs());
    m_rateTimer.start(int((waitNs + 999'999) / 1'000'000));
}

bool LoadGenerator::tryTake(Pending& pending) {
    for (;;) {
        if (!itemReady()) {
            if (!m_intakeClosed && m_settings.source == LoadSource::Synthetic &&
                m_settings.count > 0 && m_generated >= std::uint64_t(m_settings.count))
                closeIntake(QStringLiteral("count reached"));
            else if (!m_intakeClosed && m_settings.source == LoadSource::File && m_fileAtEnd)
                closeIntake(QStringLiteral("end of file"));
            return false;
        }
        pending.timeoutMs = m_settings.timeoutMs;
        if (m_settings.source == LoadSource::File) {
            if (!readFileTask(pending))
                continue; // a bad or blank line: try the next one
        } else {
            pending.task.reset(); // keeps the field storage of the previous task
            fillSynthetic(pending.task);
        }
        ++m_counters.submitted;
        return true;
    }
}

void LoadGenerator::fillSynthetic(Task& task) {
    task.appendField("value").setInt(std::int64_t(m_generated));
    if (!m_payload.isEmpty())
        task.appendField("payload").setBytes(
            std::string_view(m_payload.constData(), std::size_t(m_payload.size())));
    task.setPriority(m_settings.priorityFor(qint64(m_generated)));
    ++m_generated;
}

bool LoadGenerator::readFileTask(Pending& pending) {
    if (m_file.atEnd()) {
        m_fileAtEnd = true;
        return false;
    }
    const QByteArray line = m_file.readLine().trimmed();
    ++m_fileLine;
    if (line.isEmpty())
        return false;
    QJsonParseError parseError;
    const QJsonDocument json = QJsonDocument::fromJson(line, &parseError);
    QString error;
    if (parseError.error != QJsonParseError::NoError)
        error = parseError.errorString();
    else if (!json.isObject())
        error = tr("not a JSON object");
    QJsonObject object = json.object();
    int priority = 0;
    if (error.isEmpty() && object.contains(QStringLiteral("_priority"))) {
        const QJsonValue value = object.take(QStringLiteral("_priority"));
        if (!value.isDouble() || value.toDouble() < 0)
            error = tr("_priority must be a non-negative integer");
        priority = value.toInt();
    }
    if (error.isEmpty() && object.contains(QStringLiteral("_timeout_ms"))) {
        const QJsonValue value = object.take(QStringLiteral("_timeout_ms"));
        if (!value.isDouble() || value.toDouble() <= 0)
            error = tr("_timeout_ms must be a positive integer");
        pending.timeoutMs = value.toInt();
    }
    if (error.isEmpty()) {
        pending.task = Task::fromJson(object, &error);
        pending.task.setPriority(priority);
    }
    if (!error.isEmpty()) {
        ++m_counters.badInputLines;
        if (m_counters.badInputLines <= 20)
            Q_EMIT message(tr("load file line %1 skipped: %2").arg(m_fileLine).arg(error));
        return false;
    }
    return true;
}

void LoadGenerator::closeIntake(const QString& reason) {
    if (m_intakeClosed)
        return;
    m_intakeClosed = true;
    m_endReason = reason;
    m_rateTimer.stop();
    m_durationTimer.stop();
    if (!reason.isEmpty())
        Q_EMIT exhausted(reason);
    // Release waiting lanes from the event loop, not from whatever call stack closed the
    // intake (it may be a lane in the middle of taking a task).
    scheduleWake();
}

void LoadGenerator::scheduleWake() {
    if (m_wakeScheduled)
        return;
    m_wakeScheduled = true;
    QMetaObject::invokeMethod(
        this,
        [this] {
            m_wakeScheduled = false;
            wakeWaiters();
        },
        Qt::QueuedConnection);
}

void LoadGenerator::wakeWaiters() {
    if (m_waking)
        return;
    m_waking = true;
    while (!m_waiters.empty() && (m_intakeClosed || itemReady())) {
        const std::coroutine_handle<> waiter = m_waiters.front();
        m_waiters.pop_front();
        waiter.resume();
    }
    m_waking = false;
}

} // namespace Aqueduct::Ui
