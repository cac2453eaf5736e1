#pragma once

#include <QObject>
#include <QPointer>
#include <QTimer>

#include <chrono>
#include <coroutine>
#include <memory>

namespace Aqueduct::App {

/// `co_await signalOrTimeout(sender, &Sender::signal, 100ms)`: resumes the coroutine from the
/// event loop once the signal is emitted or the time is up; true if the signal came.
///
/// Why not QCoro 0.8's `qCoro(sender, &signal, timeout)`: its queued slot captures the
/// awaiter itself, and a disconnect does not withdraw a call already queued. When the signal
/// is emitted in the same event-loop turn as the timeout fires, the timeout resumes the
/// coroutine (the awaiter is gone) and the queued call then resumes a dead coroutine frame:
/// `aqueduct serve` crashed in its drain loop about once in 30 SIGTERMs under load
/// (qcoro/qcoro#167, fixed in QCoro 0.9). Here both callbacks share a small state that
/// outlives the awaiter, and only the first of them resumes.
template <typename Sender, typename Signal> class SignalOrTimeout {
public:
    SignalOrTimeout(Sender* sender, Signal signal, std::chrono::milliseconds timeout)
        : m_sender(sender)
        , m_signal(signal)
        , m_timeout(timeout)
        , m_state(std::make_shared<State>()) {}
    SignalOrTimeout(SignalOrTimeout&&) noexcept = default; // before await_suspend only
    SignalOrTimeout& operator=(SignalOrTimeout&&) = delete;
    ~SignalOrTimeout() {
        QObject::disconnect(m_connection);
        if (m_state)
            m_state->finished = true; // a call still queued finds nothing to resume
    }

    bool await_ready() const noexcept { return m_sender.isNull(); }
    void await_suspend(std::coroutine_handle<> waiting) {
        m_state->waiting = waiting;
        const std::shared_ptr<State> state = m_state;
        // Queued: the coroutine never runs inside the code that emitted the signal.
        m_connection = QObject::connect(
            m_sender.data(), m_signal, m_sender.data(),
            [state](auto&&...) { resumeOnce(state, Outcome::Signalled); }, Qt::QueuedConnection);
        QTimer::singleShot(m_timeout, [state] { resumeOnce(state, Outcome::TimedOut); });
    }
    bool await_resume() const noexcept { return m_state->outcome == Outcome::Signalled; }

private:
    enum class Outcome { Pending, Signalled, TimedOut };
    struct State {
        std::coroutine_handle<> waiting;
        Outcome outcome = Outcome::Pending;
        bool finished = false;
    };

    static void resumeOnce(const std::shared_ptr<State>& state, Outcome outcome) {
        if (state->finished)
            return;
        state->finished = true;
        state->outcome = outcome;
        state->waiting.resume();
    }

    QPointer<Sender> m_sender;
    Signal m_signal;
    std::chrono::milliseconds m_timeout;
    std::shared_ptr<State> m_state;
    QMetaObject::Connection m_connection;
};

template <typename Sender, typename Signal>
SignalOrTimeout<Sender, Signal> signalOrTimeout(Sender* sender, Signal signal,
                                                std::chrono::milliseconds timeout) {
    return SignalOrTimeout<Sender, Signal>(sender, signal, timeout);
}

} // namespace Aqueduct::App
