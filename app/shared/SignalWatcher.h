#pragma once

#include <QObject>

#include <csignal>
#include <memory>
#include <vector>

class QSocketNotifier;

namespace Aqueduct::App {

/// Turns POSIX signals (SIGINT, SIGTERM) into a Qt signal on the event loop. The handler
/// only writes the signal number to a pipe (async-signal-safe); everything else happens in
/// the notifier's slot. Restores the previous handlers when destroyed. One at a time.
class SignalWatcher : public QObject {
    Q_OBJECT
public:
    explicit SignalWatcher(QObject* parent = nullptr);
    ~SignalWatcher() override;

    /// Installs the handler for each signal; false with `error` filled on failure.
    bool watch(const std::vector<int>& signalNumbers, QString* error = nullptr);
    /// Signals received so far (any of the watched ones).
    int receivedCount() const { return m_receivedCount; }

Q_SIGNALS:
    void signalReceived(int signalNumber);

private:
    static void handleSignal(int signalNumber);
    void onReadable();

    int m_readFd = -1;
    int m_writeFd = -1;
    std::unique_ptr<QSocketNotifier> m_notifier;
    std::vector<std::pair<int, struct sigaction>> m_previous;
    int m_receivedCount = 0;
};

} // namespace Aqueduct::App
