#pragma once

#include <QElapsedTimer>
#include <QObject>
#include <QTimer>

#include <cstdint>
#include <functional>

namespace Aqueduct::App {

/// Progress of `aqueduct run` on stderr: a line rewritten about once a second when stderr
/// is a terminal, one plain line every 10 s otherwise. Other messages (engine events) go
/// through message() so they do not tangle with the progress line.
class ProgressReporter : public QObject {
    Q_OBJECT
public:
    struct Counters {
        std::uint64_t done = 0; ///< tasks finished (ok or failed)
        std::uint64_t failed = 0;
        std::uint64_t inFlight = 0;
        std::uint64_t total = 0;   ///< 0 = unknown
        double inputFraction = -1; ///< share of the input read (files), -1 = unknown
        double remainingS = -1;    ///< time left of --duration, -1 = none
    };
    using Source = std::function<Counters()>;

    enum class Mode { Off, Terminal, Log };

    ProgressReporter(Source source, Mode mode, QObject* parent = nullptr);
    static Mode defaultMode(bool quiet);

    void start();
    /// Stops and clears the live line (terminal mode).
    void finish();
    /// Prints one line on stderr above the progress line.
    void message(const QString& text);

private:
    void tick();
    QString describe(const Counters& counters, double ratePerS) const;
    void clearLine();

    Source m_source;
    Mode m_mode;
    QTimer m_timer;
    QElapsedTimer m_elapsed;
    std::uint64_t m_lastDone = 0;
    qint64 m_lastMs = 0;
    bool m_lineShown = false;
};

} // namespace Aqueduct::App
