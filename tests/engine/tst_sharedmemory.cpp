// Issue 16, items 1 and 2: a running flow's segments are private (mode 0600), carry
// unpredictable names that still start "aqueduct-<pid>-", are created exclusively, and
// are reserved up front; the budget sizes match what start() creates.
#include "FlowTestSupport.h"
#include "ProcessLeakGuard.h"
#include "TestMain.h"

#include "payload/SharedArena.h"
#include "shm/FlowLayout.h"
#include "shm/ResourceBudget.h"
#include "shm/ShmSegment.h"

#include <QDir>
#include <QRegularExpression>

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <stdexcept>

using namespace Aqueduct;
using namespace Aqueduct::Test;
using Aqueduct::Internal::ShmSegment;

class TestSharedMemory : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void runningFlowSegmentsArePrivate();
    void namesAreUnpredictable();
    void createIsExclusive();
    void staleSegmentsOfDeadOwnersAreReclaimed();
    void budgetMatchesTheLayout();
    void defaultFlowFitsADefaultContainer();
};

void TestSharedMemory::runningFlowSegmentsArePrivate() {
    ProcessLeakGuard guard;
    {
        Flow flow;
        flow.addStep(step(QStringLiteral("inc"), QStringLiteral("increment")));
        AQUEDUCT_START_OR_FAIL(flow);
        const QStringList names = ShmSegment::listSegments();
        QStringList purposes;
        for (const QString& name : names) {
            struct stat status {};
            QVERIFY2(::stat(QFile::encodeName(QStringLiteral("/dev/shm/") + name).constData(),
                            &status) == 0,
                     qPrintable(name));
            QCOMPARE(status.st_mode & 07777, mode_t(0600));
            QCOMPARE(status.st_uid, geteuid());
            purposes << name.section(QLatin1Char('-'), 3);
        }
        QVERIFY2(purposes.contains(QStringLiteral("ctl")),
                 qPrintable(names.join(QLatin1Char(' '))));
        QVERIFY2(purposes.contains(QStringLiteral("arena")),
                 qPrintable(names.join(QLatin1Char(' '))));
        auto result = runFor(flow.process(intTask(41)));
        QVERIFY(result);
        QVERIFY2(result->ok(), qPrintable(result->message()));
        QCOMPARE(result->task().intField("value"), 42);
        AQUEDUCT_STOP_OR_FAIL(flow, StopMode::Graceful);
    }
    QVERIFY(ShmSegment::listSegments().isEmpty());
    QVERIFY2(guard.waitClean(), qPrintable(guard.describe()));
}

void TestSharedMemory::namesAreUnpredictable() {
    const QRegularExpression pattern(
        QStringLiteral("^aqueduct-%1-[0-9a-f]{16}-ctl$").arg(getpid()));
    QSet<QString> seen;
    for (int i = 0; i < 100; ++i) {
        const QString name = QString::fromStdString(ShmSegment::makeName("ctl"));
        QVERIFY2(pattern.match(name).hasMatch(), qPrintable(name));
        seen.insert(name);
    }
    QCOMPARE(seen.size(), 100); // no serial numbers: 64 random bits each
}

void TestSharedMemory::createIsExclusive() {
    // Someone (another user, in real life) prepared the name: create() must not adopt it.
    const std::string name = ShmSegment::makeName("test");
    ShmSegment first = ShmSegment::create(name, 4096, ShmSegment::Prefault::No);
    QVERIFY(first.isValid());
    bool refused = false;
    try {
        ShmSegment second = ShmSegment::create(name, 4096, ShmSegment::Prefault::No);
    } catch (const std::exception& error) {
        refused = QString::fromLocal8Bit(error.what()).contains(QStringLiteral("already exists"));
    }
    QVERIFY(refused);
    // The failed attempt did not remove the first owner's segment.
    QVERIFY(ShmSegment::listSegments().contains(QString::fromStdString(name)));
    first.reset();
    QVERIFY(!ShmSegment::listSegments().contains(QString::fromStdString(name)));
}

void TestSharedMemory::staleSegmentsOfDeadOwnersAreReclaimed() {
    // A child creates a segment under its own pid and dies without removing it (SIGKILL
    // in real life): reclaimStale() must recognise the random-suffix name.
    int pipeFds[2];
    QCOMPARE(::pipe(pipeFds), 0);
    const pid_t child = ::fork();
    QVERIFY(child >= 0);
    if (child == 0) {
        ::close(pipeFds[0]);
        try {
            ShmSegment segment = ShmSegment::createUnique("stale", 4096, ShmSegment::Prefault::No);
            const std::string& name = segment.name();
            if (::write(pipeFds[1], name.data(), name.size()) < 0)
                ::_exit(2);
            ::_exit(0); // no destructors: the segment stays behind
        } catch (...) {
            ::_exit(1);
        }
    }
    ::close(pipeFds[1]);
    char buffer[256] = {};
    const ssize_t got = ::read(pipeFds[0], buffer, sizeof(buffer) - 1);
    ::close(pipeFds[0]);
    int status = 0;
    QCOMPARE(::waitpid(child, &status, 0), child);
    QVERIFY(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    QVERIFY(got > 0);
    const QString name = QString::fromLatin1(buffer, int(got));
    QVERIFY2(ShmSegment::listSegments(child).contains(name), qPrintable(name));
    QVERIFY(ShmSegment::reclaimStale() >= 1);
    QVERIFY(ShmSegment::listSegments(child).isEmpty());
}

void TestSharedMemory::budgetMatchesTheLayout() {
    PipelineDocument document;
    document.steps << step(QStringLiteral("a"), QStringLiteral("increment"), {}, 2, 4)
                   << step(QStringLiteral("b"), QStringLiteral("increment"), {}, 3, 1);
    document.flow.queuePriorities = 3;
    const Internal::ResourceBudget budget = Internal::ResourceBudget::compute(document);
    QVERIFY(budget.exact);
    QCOMPARE(budget.workers, std::uint64_t(5));
    Internal::FlowLayout layout;
    layout.create(document);
    QCOMPARE(budget.controlBytes, std::uint64_t(layout.header().totalBytes));
    QCOMPARE(std::uint64_t(layout.slotCount()), budget.taskSlots);
    QCOMPARE(budget.arenaBytes,
             Internal::SharedArena::requiredBytes(std::uint64_t(document.flow.arenaBytes)));
}

void TestSharedMemory::defaultFlowFitsADefaultContainer() {
    // A container's /dev/shm is 64 MiB by default: the one-step default flow must fit.
    PipelineDocument document;
    document.steps << step(QStringLiteral("a"), QStringLiteral("increment"));
    const Internal::ResourceBudget budget = Internal::ResourceBudget::compute(document);
    QCOMPARE(document.flow.arenaBytes, qint64(32) << 20);
    QVERIFY2(budget.sharedMemoryBytes() < (std::uint64_t(48) << 20),
             qPrintable(Internal::formatBytes(budget.sharedMemoryBytes())));
}

AQUEDUCT_TEST_MAIN(TestSharedMemory)
#include "tst_sharedmemory.moc"
