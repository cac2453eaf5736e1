// The `aqueduct` program's monitor entry: `--screenshot OUT.png --run-for S PIPELINE` runs
// the pipeline with the generator, renders the window with live charts, stops the flow and
// exits, leaving no process and no shared-memory segment behind.
#include "ProcessLeakGuard.h"
#include "UiTestMain.h"

#include <QDir>
#include <QElapsedTimer>
#include <QImage>
#include <QProcess>
#include <QTemporaryDir>
#include <QThread>

#include <sys/prctl.h>
#include <sys/wait.h>

class TestMonitorApp : public QObject {
    Q_OBJECT

    struct Run {
        int exitCode = -1;
        QByteArray stdErr;
        qint64 pid = 0;
    };

    static Run runApp(const QStringList& arguments) {
        QProcess process;
        QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
        environment.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
        process.setProcessEnvironment(environment);
        process.start(QStringLiteral(AQUEDUCT_APP_PATH), arguments);
        Run run;
        if (!process.waitForStarted(10000))
            return run;
        run.pid = process.processId();
        if (!process.waitForFinished(120000)) {
            process.kill();
            process.waitForFinished();
            return run;
        }
        run.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
        run.stdErr = process.readAllStandardError();
        return run;
    }

    static QStringList segmentsOf(qint64 pid) {
        return QDir(QStringLiteral("/dev/shm"))
            .entryList({QStringLiteral("aqueduct-%1-*").arg(pid)}, QDir::Files | QDir::System);
    }

    /// As a subreaper we inherit the app's orphans (its fork server ends after the app):
    /// reaping them is our job, and a zombie left unreaped would count as a leak.
    static bool waitCleanReaping(const Aqueduct::Test::ProcessLeakGuard& leaks, int timeoutMs) {
        QElapsedTimer elapsed;
        elapsed.start();
        for (;;) {
            while (waitpid(-1, nullptr, WNOHANG) > 0) {
            }
            if (leaks.waitClean(0))
                return true;
            if (elapsed.elapsed() > timeoutMs)
                return false;
            QThread::msleep(20);
        }
    }

    QTemporaryDir m_dir;

private Q_SLOTS:
    void initTestCase() {
        // Orphans of the app (workers, the fork server) would be re-parented to us, so a
        // leak shows up as a descendant instead of vanishing under init.
        QCOMPARE(prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0), 0);
    }

    void screenshotOfALiveRunLeavesNothingBehind() {
        Aqueduct::Test::ProcessLeakGuard leaks;
        const QString out = m_dir.filePath(QStringLiteral("monitor.png"));
        const Run run = runApp({QStringLiteral("--screenshot"), out, QStringLiteral("--run-for"),
                                QStringLiteral("2"), UiTest::examplePath("three-step.json")});
        QVERIFY2(run.exitCode == 0, run.stdErr.constData());
        QVERIFY(run.stdErr.contains("screenshot written"));
        const QImage image(out);
        QCOMPARE(image.size(), QSize(1400, 900));
        QVERIFY2(waitCleanReaping(leaks, 5000), qPrintable(leaks.describe()));
        QVERIFY(run.pid > 0);
        QVERIFY2(segmentsOf(run.pid).isEmpty(), qPrintable(segmentsOf(run.pid).join(' ')));
        if (!leaks.waitClean(0))
            leaks.cleanUp();
    }

    void aPipelineThatCannotStartStillRendersAndSaysSo() {
        Aqueduct::Test::ProcessLeakGuard leaks;
        // A parameter of the wrong type: the run is refused with the reason on screen, and
        // the exit code says the flow did not run.
        QFile broken(m_dir.filePath(QStringLiteral("broken.json")));
        QVERIFY(broken.open(QIODevice::WriteOnly));
        PipelineWriter::write(broken);
        broken.close();
        const QString out = m_dir.filePath(QStringLiteral("broken.png"));
        const Run run = runApp({QStringLiteral("--screenshot"), out, QStringLiteral("--run-for"),
                                QStringLiteral("1"), broken.fileName()});
        QCOMPARE(run.exitCode, 3);
        QVERIFY(QFile::exists(out));
        QVERIFY2(waitCleanReaping(leaks, 5000), qPrintable(leaks.describe()));
        QVERIFY(segmentsOf(run.pid).isEmpty());
    }

    void runForGoesWithScreenshot() {
        const Run noScreenshot = runApp({QStringLiteral("--run-for"), QStringLiteral("5")});
        QCOMPARE(noScreenshot.exitCode, 2);
        QVERIFY(noScreenshot.stdErr.contains("--screenshot"));
        const Run badValue =
            runApp({QStringLiteral("--screenshot"), m_dir.filePath(QStringLiteral("x.png")),
                    QStringLiteral("--run-for"), QStringLiteral("soon")});
        QCOMPARE(badValue.exitCode, 2);
    }

private:
    struct PipelineWriter {
        static void write(QFile& file) {
            file.write(R"({
  "format": "aqueduct-pipeline",
  "version": 1,
  "name": "broken",
  "steps": [ { "id": "a", "handler": "increment", "params": { "by": "one" } } ]
})");
        }
    };
};

AQUEDUCT_UI_TEST_MAIN(TestMonitorApp)
#include "tst_monitorapp.moc"
