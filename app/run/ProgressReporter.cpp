#include "ProgressReporter.h"

#include <cmath>
#include <cstdio>
#include <unistd.h>

namespace Aqueduct::App {

namespace {

QString formatDuration(double seconds) {
    if (seconds < 0 || !std::isfinite(seconds))
        return QStringLiteral("?");
    const auto total = qint64(std::ceil(seconds));
    if (total < 60)
        return QStringLiteral("%1s").arg(total);
    if (total < 3600)
        return QStringLiteral("%1m%2s").arg(total / 60).arg(total % 60, 2, 10, QLatin1Char('0'));
    return QStringLiteral("%1h%2m").arg(total / 3600).arg(total / 60 % 60, 2, 10, QLatin1Char('0'));
}

} // namespace

ProgressReporter::ProgressReporter(Source source, Mode mode, QObject* parent)
    : QObject(parent)
    , m_source(std::move(source))
    , m_mode(mode) {
    m_timer.setInterval(m_mode == Mode::Terminal ? 1000 : 10000);
    connect(&m_timer, &QTimer::timeout, this, &ProgressReporter::tick);
}

ProgressReporter::Mode ProgressReporter::defaultMode(bool quiet) {
    if (quiet)
        return Mode::Off;
    return isatty(STDERR_FILENO) ? Mode::Terminal : Mode::Log;
}

void ProgressReporter::start() {
    m_elapsed.start();
    m_lastMs = 0;
    m_lastDone = 0;
    if (m_mode != Mode::Off)
        m_timer.start();
}

void ProgressReporter::finish() {
    m_timer.stop();
    clearLine();
}

void ProgressReporter::clearLine() {
    if (m_lineShown) {
        std::fputs("\r\x1b[K", stderr);
        m_lineShown = false;
    }
}

void ProgressReporter::message(const QString& text) {
    clearLine();
    std::fprintf(stderr, "%s\n", qPrintable(text));
    std::fflush(stderr);
}

QString ProgressReporter::describe(const Counters& counters, double ratePerS) const {
    QString line = QStringLiteral("done %1").arg(counters.done);
    double fraction = -1;
    if (counters.total > 0) {
        line += QStringLiteral("/%1").arg(counters.total);
        fraction = double(counters.done) / double(counters.total);
    } else if (counters.inputFraction >= 0) {
        fraction = counters.inputFraction;
    }
    if (fraction >= 0)
        line += QStringLiteral(" (%1%)").arg(std::min(100.0, fraction * 100), 0, 'f', 1);
    line += QStringLiteral(" | %1 tasks/s | failed %2 | in flight %3")
                .arg(qRound64(ratePerS))
                .arg(counters.failed)
                .arg(counters.inFlight);
    double etaS = -1;
    if (counters.total > 0 && ratePerS > 0)
        etaS = double(counters.total - std::min(counters.total, counters.done)) / ratePerS;
    else if (fraction > 0 && fraction < 1)
        etaS = double(m_elapsed.elapsed()) / 1000.0 * (1 - fraction) / fraction;
    if (counters.remainingS >= 0 && (etaS < 0 || counters.remainingS < etaS))
        etaS = counters.remainingS;
    if (etaS >= 0)
        line += QStringLiteral(" | ETA %1").arg(formatDuration(etaS));
    line +=
        QStringLiteral(" | elapsed %1").arg(formatDuration(double(m_elapsed.elapsed()) / 1000.0));
    return line;
}

void ProgressReporter::tick() {
    const Counters counters = m_source();
    const qint64 nowMs = m_elapsed.elapsed();
    const double intervalS = double(std::max<qint64>(1, nowMs - m_lastMs)) / 1000.0;
    const double rate = double(counters.done - std::min(counters.done, m_lastDone)) / intervalS;
    m_lastDone = counters.done;
    m_lastMs = nowMs;
    const QString line = describe(counters, rate);
    if (m_mode == Mode::Terminal) {
        std::fprintf(stderr, "\r\x1b[K%s", qPrintable(line));
        m_lineShown = true;
    } else {
        std::fprintf(stderr, "aqueduct run: %s\n", qPrintable(line));
    }
    std::fflush(stderr);
}

} // namespace Aqueduct::App
