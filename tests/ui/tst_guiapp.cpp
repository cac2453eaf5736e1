// The `aqueduct` program's desktop entry: --screenshot renders the window to a PNG and
// exits (offscreen here), bad files do not crash it, --run-for needs --screenshot.
#include "UiTestMain.h"

#include <QImage>
#include <QProcess>
#include <QTemporaryDir>

class TestGuiApp : public QObject {
    Q_OBJECT

    struct Run {
        int exitCode = -1;
        QByteArray stdErr;
    };

    static Run runApp(const QStringList& arguments, const QByteArray& dark = {}) {
        QProcess process;
        QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
        environment.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
        if (!dark.isEmpty())
            environment.insert(QStringLiteral("AQUEDUCT_DARK"), QString::fromLatin1(dark));
        process.setProcessEnvironment(environment);
        process.start(QStringLiteral(AQUEDUCT_APP_PATH), arguments);
        if (!process.waitForFinished(60000)) {
            process.kill();
            process.waitForFinished();
            return {};
        }
        return {process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1,
                process.readAllStandardError()};
    }

    /// Distinct colours in a coarse sample: a blank or failed render has one or two.
    static int colourCount(const QImage& image) {
        QSet<QRgb> colours;
        for (int y = 0; y < image.height(); y += 7) {
            for (int x = 0; x < image.width(); x += 7)
                colours.insert(image.pixel(x, y));
        }
        return int(colours.size());
    }

    QTemporaryDir m_dir;

private Q_SLOTS:
    void screenshotOfAnExample_data() {
        QTest::addColumn<QByteArray>("dark");
        QTest::newRow("light") << QByteArray();
        QTest::newRow("dark") << QByteArray("1");
    }

    void screenshotOfAnExample() {
        QFETCH(QByteArray, dark);
        const QString out =
            m_dir.filePath(QStringLiteral("shot-%1.png").arg(QString::fromLatin1(dark)));
        const Run run = runApp(
            {QStringLiteral("--screenshot"), out, UiTest::examplePath("branching.json")}, dark);
        QVERIFY2(run.exitCode == 0, run.stdErr.constData());
        const QImage image(out);
        QCOMPARE(image.size(), QSize(1400, 900));
        QVERIFY(colourCount(image) > 20);
        // Dark mode is dark: the window background at the status bar's far left.
        const QColor corner = image.pixelColor(4, image.height() - 4);
        QCOMPARE(corner.lightnessF() < 0.5, !dark.isEmpty());
    }

    void screenshotOfABrokenFileDoesNotCrash() {
        const QString broken = m_dir.filePath(QStringLiteral("broken.json"));
        QFile file(broken);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("{\"format\": \"aqueduct-pipeline\", \"version\": 1, \"steps\": [{\"id\": 3");
        file.close();
        const QString out = m_dir.filePath(QStringLiteral("broken.png"));
        const Run run = runApp({QStringLiteral("--screenshot"), out, broken});
        QVERIFY2(run.exitCode == 0, run.stdErr.constData());
        QVERIFY(run.stdErr.contains("broken.json")); // the problems, reported
        QCOMPARE(QImage(out).size(), QSize(1400, 900));
    }

    void runForGoesWithScreenshot() {
        // --run-for itself is tested with the monitor (tst_monitorapp).
        const Run run = runApp({QStringLiteral("--run-for"), QStringLiteral("5"),
                                UiTest::examplePath("three-step.json")});
        QCOMPARE(run.exitCode, 2);
        QVERIFY(run.stdErr.contains("--run-for goes with --screenshot"));
    }

    void badArguments() {
        QCOMPARE(runApp({QStringLiteral("--screenshot")}).exitCode, 2);
        QCOMPARE(runApp({QStringLiteral("--screenshot"), m_dir.filePath(QStringLiteral("y.png")),
                         QStringLiteral("a.json"), QStringLiteral("b.json")})
                     .exitCode,
                 2);
    }
};

AQUEDUCT_UI_TEST_MAIN(TestGuiApp)
#include "tst_guiapp.moc"
