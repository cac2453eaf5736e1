// crash: kills the process for chosen tasks and poison tasks. Each case runs the handler in
// a forked child and checks how the child ended.
#include "CrashHandler.h"
#include "HandlerTestHelpers.h"
#include "TaskSampling.h"

#include <QTest>

#include <cerrno>
#include <csignal>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace Aqueduct;

namespace {

constexpr int kChildSurvived = 0;
constexpr int kChildThrew = 99;

// How a child ended: a signal number, or an exit status.
struct ChildEnd {
    bool signaled = false;
    int signal = 0;
    int exitStatus = -1;
};

ChildEnd runInChild(const QJsonObject& params, std::vector<Task> batch) {
    const pid_t pid = fork();
    if (pid == 0) {
        // The test framework catches fatal signals to print a report; the child must die the
        // plain way so the parent sees the signal; and it leaves no core file behind.
        std::signal(SIGABRT, SIG_DFL);
        std::signal(SIGSEGV, SIG_DFL);
        const rlimit noCoreFiles{0, 0};
        setrlimit(RLIMIT_CORE, &noCoreFiles);
        try {
            auto handler = Testing::startHandler<CrashHandler>(params);
            handler->handle(batch);
        } catch (...) {
            _exit(kChildThrew);
        }
        _exit(kChildSurvived);
    }
    ChildEnd end;
    if (pid < 0)
        return end;
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (WIFSIGNALED(status)) {
        end.signaled = true;
        end.signal = WTERMSIG(status);
    } else if (WIFEXITED(status)) {
        end.exitStatus = WEXITSTATUS(status);
    }
    return end;
}

Task taskWithId(std::uint64_t id) {
    Task task;
    task.setId(id);
    return task;
}

// The first id in [1, 10000] that the crash handler picks (or spares) at this probability.
std::uint64_t findId(double probability, bool picked) {
    for (std::uint64_t id = 1; id <= 10000; ++id) {
        if (TaskSampling::selects(taskWithId(id), {}, CrashHandler::kSalt, probability) == picked)
            return id;
    }
    return 0;
}

} // namespace

class TestCrash : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void schema();
    void abortMode();
    void segfaultMode();
    void exitMode();
    void sparedTasksDoNotCrash();
    void poisonTaskCrashes();
    void poisonFieldFalseOrNotBoolDoesNotCrash();
    void shareIsCloseToProbability();
};

void TestCrash::schema() {
    const HandlerInfo info = CrashHandler::info();
    QCOMPARE(info.name, QStringLiteral("crash"));
    QCOMPARE(info.category, QStringLiteral("Testing"));
    QCOMPARE(info.param("probability")->defaultValue.toDouble(), 0.01);
    QCOMPARE(info.param("mode")->choices, QStringList({"abort", "segfault", "exit"}));
    QCOMPARE(info.param("mode")->defaultValue.toString(), QStringLiteral("abort"));
    QCOMPARE(info.param("field")->defaultValue.toString(), QString());
}

void TestCrash::abortMode() {
    const std::uint64_t id = findId(0.5, true);
    QVERIFY(id != 0);
    const ChildEnd end = runInChild(QJsonObject{{"probability", 0.5}},
                                    {taskWithId(findId(0.5, false)), taskWithId(id)});
    QVERIFY(end.signaled);
    QCOMPARE(end.signal, SIGABRT);
}

void TestCrash::segfaultMode() {
    const ChildEnd end =
        runInChild(QJsonObject{{"probability", 1}, {"mode", "segfault"}}, {taskWithId(1)});
    QVERIFY(end.signaled);
    QCOMPARE(end.signal, SIGSEGV);
}

void TestCrash::exitMode() {
    const ChildEnd end =
        runInChild(QJsonObject{{"probability", 1}, {"mode", "exit"}}, {taskWithId(1)});
    QVERIFY(!end.signaled);
    QCOMPARE(end.exitStatus, CrashHandler::kExitCode);
}

void TestCrash::sparedTasksDoNotCrash() {
    std::vector<Task> batch;
    for (std::uint64_t id = 1; batch.size() < 50 && id <= 10000; ++id) {
        if (!TaskSampling::selects(taskWithId(id), {}, CrashHandler::kSalt, 0.5))
            batch.push_back(taskWithId(id));
    }
    const ChildEnd end = runInChild(QJsonObject{{"probability", 0.5}}, batch);
    QVERIFY(!end.signaled);
    QCOMPARE(end.exitStatus, kChildSurvived);

    // Probability 0 never crashes, default probability handles most tasks fine.
    const ChildEnd none = runInChild(QJsonObject{{"probability", 0}}, Testing::tasksWithIds(1000));
    QCOMPARE(none.exitStatus, kChildSurvived);
}

void TestCrash::poisonTaskCrashes() {
    std::vector<Task> batch = Testing::tasksWithIds(3);
    batch[2].set("poison", Value(true));
    const ChildEnd end =
        runInChild(QJsonObject{{"probability", 0}, {"field", "poison"}, {"mode", "exit"}}, batch);
    QVERIFY(!end.signaled);
    QCOMPARE(end.exitStatus, CrashHandler::kExitCode);
}

void TestCrash::poisonFieldFalseOrNotBoolDoesNotCrash() {
    std::vector<Task> batch = Testing::tasksWithIds(3);
    batch[0].set("poison", Value(false));
    batch[1].set("poison", Value(1));
    batch[2].set("poison", Value("true"));
    const ChildEnd end = runInChild(QJsonObject{{"probability", 0}, {"field", "poison"}}, batch);
    QVERIFY(!end.signaled);
    QCOMPARE(end.exitStatus, kChildSurvived);
}

void TestCrash::shareIsCloseToProbability() {
    // The choice is TaskSampling's draw over the task id (checked in a child above); its
    // share over many ids follows the probability.
    std::size_t picked = 0;
    for (std::uint64_t id = 1; id <= 10000; ++id)
        picked += TaskSampling::selects(taskWithId(id), {}, CrashHandler::kSalt, 0.01) ? 1 : 0;
    QVERIFY2(picked >= 70 && picked <= 130, qPrintable(QString::number(picked)));
}

QTEST_GUILESS_MAIN(TestCrash)
#include "tst_crash.moc"
