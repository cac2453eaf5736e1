// Worker processes (issue 15, item 6): workers start with only the fds they need, the
// fork server comes back when it dies, and plain fork is refused from a threaded process.
#include "BuiltinHandlers.h"
#include "FlowTestSupport.h"
#include "ProcessLeakGuard.h"
#include "TestMain.h"
#include "process/ForkServer.h"

#include <aqueduct/Flow.h>

#include <QDir>
#include <QFileInfo>
#include <QTcpServer>

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <thread>

using namespace Aqueduct;
using namespace Aqueduct::Test;
using namespace std::chrono_literals;

namespace {

PipelineDocument incrementDocument(StartMethod method) {
    PipelineDocument doc;
    doc.name = QStringLiteral("processes");
    doc.steps = {step(QStringLiteral("inc"), QStringLiteral("increment"), {}, 2)};
    doc.flow.startMethod = method;
    return doc;
}

/// Targets of a process's fds 3 and up ("socket:[123]", "/dev/null", ...).
QStringList extraFds(qint64 pid) {
    QStringList targets;
    const QDir fds(QStringLiteral("/proc/%1/fd").arg(pid));
    for (const QString& name : fds.entryList(QDir::Files | QDir::System | QDir::NoDotAndDotDot)) {
        if (name.toInt() >= 3)
            targets << name + QStringLiteral(" -> ") +
                           QFileInfo(fds.filePath(name)).symLinkTarget();
    }
    return targets;
}

} // namespace

class TestWorkerProcess : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void init() { m_guard = std::make_unique<ProcessLeakGuard>(); }
    void cleanup() {
        const bool clean = m_guard->waitClean(3000);
        const QString leaks = m_guard->describe();
        m_guard->cleanUp();
        QVERIFY2(clean, qPrintable(leaks));
    }
    void workersInheritNoFds_data();
    void workersInheritNoFds();
    void forkServerRestartsWhenItDies();
    void forkRefusedFromThreadedProcess();

private:
    std::unique_ptr<ProcessLeakGuard> m_guard;
};

void TestWorkerProcess::workersInheritNoFds_data() {
    QTest::addColumn<int>("method");
    QTest::newRow("forkserver") << int(StartMethod::ForkServer);
    QTest::newRow("spawn") << int(StartMethod::Spawn);
}

void TestWorkerProcess::workersInheritNoFds() {
    QFETCH(int, method);
    // What a server has open when it starts a flow: a listening socket and a plain fd
    // without close-on-exec.
    QTcpServer listener;
    QVERIFY(listener.listen(QHostAddress::LocalHost, 0));
    const int plainFd = ::open("/dev/null", O_RDONLY);
    QVERIFY(plainFd >= 0);
    Flow flow(incrementDocument(StartMethod(method)));
    AQUEDUCT_START_OR_FAIL(flow);
    for (const WorkerInfo& worker : flow.workers()) {
        const QStringList targets = extraFds(worker.pid);
        for (const QString& target : targets) {
            // Only the parent's eventfd may be there (the shared memory is mapped, its fd closed or
            // kept).
            QVERIFY2(target.contains(QLatin1String("anon_inode:[eventfd]")) ||
                         target.contains(QLatin1String("/dev/shm/aqueduct-")),
                     qPrintable(QStringLiteral("worker %1 has %2")
                                    .arg(worker.pid)
                                    .arg(targets.join(QLatin1String(", ")))));
        }
    }
    const auto result = runFor(flow.process(intTask(1)));
    QVERIFY(result && result->ok());
    AQUEDUCT_STOP_OR_FAIL(flow, StopMode::Graceful);
    ::close(plainFd);
}

void TestWorkerProcess::forkServerRestartsWhenItDies() {
    Flow flow(incrementDocument(StartMethod::ForkServer));
    QStringList events;
    QObject::connect(&flow, &Flow::engineEvent,
                     [&events](const QString& message) { events << message; });
    AQUEDUCT_START_OR_FAIL(flow);
    const pid_t zygote = Internal::ForkServer::zygotePid();
    QVERIFY(zygote > 0);
    // Its workers die with it (PR_SET_PDEATHSIG); they must come back through a new one.
    QCOMPARE(::kill(zygote, SIGKILL), 0);
    QTRY_VERIFY_WITH_TIMEOUT(
        events.join(QLatin1Char('\n')).contains(QLatin1String("fork server had died")), 10000);
    QVERIFY(Internal::ForkServer::zygotePid() != zygote);
    QTRY_VERIFY_WITH_TIMEOUT(
        [&flow] {
            for (const WorkerInfo& worker : flow.workers()) {
                if (worker.state != WorkerState::Idle && worker.state != WorkerState::Ready &&
                    worker.state != WorkerState::Busy)
                    return false;
            }
            return true;
        }(),
        10000);
    const auto result = runFor(flow.process(intTask(41)));
    QVERIFY(result && result->ok());
    QCOMPARE(result->task().intField("value"), 42);
    QCOMPARE(flow.state(), FlowState::Running);
    AQUEDUCT_STOP_OR_FAIL(flow, StopMode::Graceful);
    // The new zygote stays for later flows, as the first one did; nothing else may.
    const pid_t newZygote = Internal::ForkServer::zygotePid();
    QTRY_VERIFY_WITH_TIMEOUT(ProcessLeakGuard::descendants(getpid()).size() == 1, 3000);
    QCOMPARE(ProcessLeakGuard::descendants(getpid()).value(0), newZygote);
    m_guard = std::make_unique<ProcessLeakGuard>(); // the baseline now includes it
}

void TestWorkerProcess::forkRefusedFromThreadedProcess() {
    std::atomic<bool> done{false};
    std::thread other([&done] {
        while (!done.load())
            std::this_thread::sleep_for(1ms);
    });
    Flow flow(incrementDocument(StartMethod::Fork));
    const auto started = runFor(flow.start());
    done = true;
    other.join();
    QVERIFY(started);
    QVERIFY(!started->ok);
    QVERIFY2(started->error.contains(QLatin1String("single-threaded")), qPrintable(started->error));
    QCOMPARE(flow.state(), FlowState::Stopped);
}

AQUEDUCT_TEST_MAIN(TestWorkerProcess)
#include "tst_workerprocess.moc"
