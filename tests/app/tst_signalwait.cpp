// signalOrTimeout (app/shared/SignalWait.h), what `aqueduct serve` waits on while it drains.
// The case that matters: the signal is emitted in the same event-loop turn as the timeout
// fires. QCoro 0.8's qCoro(sender, &signal, timeout) then resumes a coroutine that already
// finished (qcoro/qcoro#167): `serve` crashed after SIGTERM about once in 30 drains under
// load. Here the first of the two resumes and the other finds nothing to do.
#include "SignalWait.h"

#include <QCoreApplication>
#include <QTest>
#include <QThread>
#include <QTimer>

#include <qcoro/qcorotask.h>

#include <chrono>
#include <memory>
#include <vector>

using namespace std::chrono_literals;
using Aqueduct::App::signalOrTimeout;

namespace {

class Emitter : public QObject {
    Q_OBJECT
Q_SIGNALS:
    void fired();
};

struct Outcome {
    int resumed = 0;
    bool signalled = false;
};

// Detached: the frame lives on the heap until the coroutine returns, as serve's run() does.
QCoro::Task<void> waitOnce(Emitter* emitter, std::chrono::milliseconds timeout,
                           std::shared_ptr<Outcome> outcome) {
    outcome->signalled = co_await signalOrTimeout(emitter, &Emitter::fired, timeout);
    ++outcome->resumed;
}

void drainEvents() {
    for (int turn = 0; turn < 5; ++turn)
        QCoreApplication::processEvents(QEventLoop::AllEvents);
}

} // namespace

class TestSignalWait : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void signalResumesFromTheEventLoop();
    void timeoutResumesWithoutTheSignal();
    void signalAndTimeoutInOneTurnResumeOnce();
    void senderDestroyedWhileWaiting();
};

void TestSignalWait::signalResumesFromTheEventLoop() {
    Emitter emitter;
    auto outcome = std::make_shared<Outcome>();
    waitOnce(&emitter, 10s, outcome);
    Q_EMIT emitter.fired();
    QCOMPARE(outcome->resumed, 0); // never inside the code that emitted
    drainEvents();
    QCOMPARE(outcome->resumed, 1);
    QVERIFY(outcome->signalled);
    Q_EMIT emitter.fired(); // disconnected: nothing to resume
    drainEvents();
    QCOMPARE(outcome->resumed, 1);
}

void TestSignalWait::timeoutResumesWithoutTheSignal() {
    Emitter emitter;
    auto outcome = std::make_shared<Outcome>();
    waitOnce(&emitter, 20ms, outcome);
    QTRY_COMPARE_WITH_TIMEOUT(outcome->resumed, 1, 5000);
    QVERIFY(!outcome->signalled);
}

void TestSignalWait::signalAndTimeoutInOneTurnResumeOnce() {
    // As in serve: in one pass over the due timers, one timer's work emits the signal (its
    // call is queued) and the next is the wait's timeout, which resumes the coroutine; it
    // returns and its frame is freed before the queued call runs. Odd rounds use a 0 ms
    // timeout, queued ahead of the signal's call. Many rounds, with allocations between
    // them, so freed frames get reused.
    Emitter emitter;
    std::vector<std::shared_ptr<Outcome>> outcomes;
    std::vector<std::unique_ptr<char[]>> churn;
    for (int round = 0; round < 400; ++round) {
        auto outcome = std::make_shared<Outcome>();
        outcomes.push_back(outcome);
        if (round % 2 == 0) {
            QTimer::singleShot(1ms, Qt::PreciseTimer, &emitter,
                               [&emitter] { Q_EMIT emitter.fired(); });
            waitOnce(&emitter, 2ms, outcome);
            QThread::msleep(4); // both timers are due when the loop next looks
        } else {
            waitOnce(&emitter, 0ms, outcome);
            Q_EMIT emitter.fired();
        }
        QCoreApplication::processEvents(QEventLoop::AllEvents);
        churn.push_back(std::make_unique<char[]>(256 + round % 512));
        if (churn.size() > 64)
            churn.erase(churn.begin());
    }
    drainEvents();
    for (const std::shared_ptr<Outcome>& outcome : outcomes)
        QCOMPARE(outcome->resumed, 1);
}

void TestSignalWait::senderDestroyedWhileWaiting() {
    auto emitter = std::make_unique<Emitter>();
    auto outcome = std::make_shared<Outcome>();
    waitOnce(emitter.get(), 50ms, outcome);
    emitter.reset();
    QTRY_COMPARE_WITH_TIMEOUT(outcome->resumed, 1, 5000);
    QVERIFY(!outcome->signalled);
}

QTEST_GUILESS_MAIN(TestSignalWait)
#include "tst_signalwait.moc"
