#include "SignalWatcher.h"

#include <QSocketNotifier>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

namespace Aqueduct::App {

namespace {

// Read by the signal handler: plain ints, set before the handler is installed.
volatile int g_writeFd = -1;
volatile pid_t g_ownerPid = 0;

} // namespace

SignalWatcher::SignalWatcher(QObject* parent)
    : QObject(parent) {}

SignalWatcher::~SignalWatcher() {
    for (const auto& [signalNumber, previous] : m_previous)
        sigaction(signalNumber, &previous, nullptr);
    g_writeFd = -1;
    m_notifier.reset();
    if (m_readFd >= 0)
        close(m_readFd);
    if (m_writeFd >= 0)
        close(m_writeFd);
}

bool SignalWatcher::watch(const std::vector<int>& signalNumbers, QString* error) {
    if (m_readFd < 0) {
        int fds[2];
        if (pipe2(fds, O_NONBLOCK | O_CLOEXEC) != 0) {
            if (error)
                *error = QStringLiteral("cannot create a pipe: %1")
                             .arg(QString::fromLocal8Bit(std::strerror(errno)));
            return false;
        }
        m_readFd = fds[0];
        m_writeFd = fds[1];
        m_notifier = std::make_unique<QSocketNotifier>(m_readFd, QSocketNotifier::Read);
        connect(m_notifier.get(), &QSocketNotifier::activated, this, &SignalWatcher::onReadable);
        g_ownerPid = getpid();
        g_writeFd = m_writeFd;
    }
    for (const int signalNumber : signalNumbers) {
        struct sigaction action {};
        action.sa_handler = &SignalWatcher::handleSignal;
        sigemptyset(&action.sa_mask);
        action.sa_flags = SA_RESTART;
        struct sigaction previous {};
        if (sigaction(signalNumber, &action, &previous) != 0) {
            if (error)
                *error = QStringLiteral("cannot watch signal %1: %2")
                             .arg(signalNumber)
                             .arg(QString::fromLocal8Bit(std::strerror(errno)));
            return false;
        }
        m_previous.emplace_back(signalNumber, previous);
    }
    return true;
}

void SignalWatcher::handleSignal(int signalNumber) {
    const int savedErrno = errno;
    if (getpid() != g_ownerPid) {
        // A child forked by the engine (fork start method) before it reset its handlers:
        // act as if we were never installed there.
        signal(signalNumber, SIG_DFL);
        raise(signalNumber);
        errno = savedErrno;
        return;
    }
    const int fd = g_writeFd;
    if (fd >= 0) {
        const auto byte = static_cast<unsigned char>(signalNumber);
        [[maybe_unused]] const ssize_t written = write(fd, &byte, 1);
    }
    errno = savedErrno;
}

void SignalWatcher::onReadable() {
    unsigned char buffer[64];
    for (;;) {
        const ssize_t got = read(m_readFd, buffer, sizeof buffer);
        if (got <= 0)
            break;
        for (ssize_t i = 0; i < got; ++i) {
            ++m_receivedCount;
            Q_EMIT signalReceived(int(buffer[i]));
        }
    }
}

} // namespace Aqueduct::App
