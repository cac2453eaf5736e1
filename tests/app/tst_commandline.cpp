// The command lines of `aqueduct run`, `serve`, `validate`, `handlers` and the desktop app
// (`aqueduct [options] [FILE]`, offscreen here) as contracts seen from outside (issue 14):
// --help lists exactly the flags each one has, --version, unknown options and missing
// values exit 2 naming the option as written, values outside a flag's range exit 2 naming
// the flag and the range, the range's ends are accepted, and --name=value, "--" and
// --metrics-host work. The real program runs via QProcess.
#include <aqueduct/Version.h>

#include <QDeadlineTimer>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QScopeGuard>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>

namespace {

constexpr int kTimeoutMs = 50'000;

struct Run {
    bool finished = false;
    int exitCode = -1;
    QByteArray out;
    QByteArray err;

    QString describe() const {
        return QStringLiteral("exit %1%2\n--- stdout\n%3\n--- stderr\n%4")
            .arg(exitCode)
            .arg(finished ? QString() : QStringLiteral(" (did not finish or crashed)"))
            .arg(QString::fromUtf8(out.left(3000)), QString::fromUtf8(err.right(3000)));
    }
};

Run runApp(const QStringList& arguments) {
    QProcess process;
    process.start(QStringLiteral(AQUEDUCT_APP_PATH), arguments);
    Run run;
    if (!process.waitForStarted(kTimeoutMs))
        return run;
    process.closeWriteChannel();
    run.finished =
        process.waitForFinished(kTimeoutMs) && process.exitStatus() == QProcess::NormalExit;
    if (process.state() != QProcess::NotRunning) {
        process.kill();
        process.waitForFinished();
    }
    run.exitCode = process.exitCode();
    run.out = process.readAllStandardOutput();
    run.err = process.readAllStandardError();
    return run;
}

/// Whether `err` has a line starting with `text` (the desktop app's Qt may print its own
/// lines, e.g. about XDG_RUNTIME_DIR, before ours).
bool hasLineStartingWith(const QByteArray& err, const QString& text) {
    const QByteArray bytes = text.toUtf8();
    return err.startsWith(bytes) || err.contains("\n" + bytes);
}

/// Long options listed in the "Options:" part of a --help text, in order.
QStringList listedOptions(const QString& help) {
    const qsizetype start = help.indexOf(QLatin1String("\nOptions:\n"));
    const qsizetype end = help.indexOf(QLatin1String("\n\n"), start + 1);
    if (start < 0)
        return {};
    static const QRegularExpression option(QStringLiteral("^  (?:-[A-Za-z], )?(--[a-z][a-z0-9-]*)"),
                                           QRegularExpression::MultilineOption);
    QStringList options;
    for (const QRegularExpressionMatch& match :
         option.globalMatch(help.mid(start, end < 0 ? -1 : end - start)))
        options << match.captured(1);
    return options;
}

const QStringList kRunFlags = {
    QStringLiteral("--input"),        QStringLiteral("--generate"),
    QStringLiteral("--rate"),         QStringLiteral("--payload-bytes"),
    QStringLiteral("--concurrency"),  QStringLiteral("--timeout-ms"),
    QStringLiteral("--duration"),     QStringLiteral("--output"),
    QStringLiteral("--ordered"),      QStringLiteral("--reorder-window"),
    QStringLiteral("--summary"),      QStringLiteral("--metrics-port"),
    QStringLiteral("--metrics-host"), QStringLiteral("--plugins-from-pipeline-dir"),
    QStringLiteral("--quiet"),        QStringLiteral("--help"),
    QStringLiteral("--version")};
const QStringList kRunValued = {
    QStringLiteral("--input"),          QStringLiteral("--generate"),
    QStringLiteral("--rate"),           QStringLiteral("--payload-bytes"),
    QStringLiteral("--concurrency"),    QStringLiteral("--timeout-ms"),
    QStringLiteral("--duration"),       QStringLiteral("--output"),
    QStringLiteral("--reorder-window"), QStringLiteral("--summary"),
    QStringLiteral("--metrics-port"),   QStringLiteral("--metrics-host")};
const QStringList kServeFlags = {QStringLiteral("--listen"),
                                 QStringLiteral("--max-in-flight"),
                                 QStringLiteral("--max-queued"),
                                 QStringLiteral("--max-body-bytes"),
                                 QStringLiteral("--max-body-budget-bytes"),
                                 QStringLiteral("--timeout-ms"),
                                 QStringLiteral("--max-timeout-ms"),
                                 QStringLiteral("--read-timeout-ms"),
                                 QStringLiteral("--idle-timeout-ms"),
                                 QStringLiteral("--max-connections"),
                                 QStringLiteral("--drain-timeout-s"),
                                 QStringLiteral("--allow-host"),
                                 QStringLiteral("--allow-origin"),
                                 QStringLiteral("--expose-pipeline"),
                                 QStringLiteral("--expose-pids"),
                                 QStringLiteral("--plugins-from-pipeline-dir"),
                                 QStringLiteral("--quiet"),
                                 QStringLiteral("--help"),
                                 QStringLiteral("--version")};
const QStringList kServeValued = kServeFlags.mid(0, 13);

} // namespace

class TestCommandLine : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void helpListsEveryFlag_data();
    void helpListsEveryFlag();
    void versionPrintsTheVersion_data();
    void versionPrintsTheVersion();
    void unknownOptionExits2_data();
    void unknownOptionExits2();
    void missingValueExits2_data();
    void missingValueExits2();
    void outOfRangeExits2_data();
    void outOfRangeExits2();
    void runAcceptsTheEndsOfEachRange_data();
    void runAcceptsTheEndsOfEachRange();
    void serveAcceptsTheEndsOfEachRange_data();
    void serveAcceptsTheEndsOfEachRange();
    void equalsSignShortFlagAndDoubleDash();
    void metricsHostIsUsed();

private:
    QTemporaryDir m_dir;
    QString m_pipeline;
};

void TestCommandLine::initTestCase() {
    QVERIFY(m_dir.isValid());
    m_pipeline = m_dir.filePath(QStringLiteral("increment.json"));
    QFile file(m_pipeline);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(R"({"format": "aqueduct-pipeline", "version": 1, "name": "cli",
                  "steps": [{"id": "inc", "handler": "increment"}]})");
}

void TestCommandLine::helpListsEveryFlag_data() {
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QStringList>("flags");
    const QStringList desktopFlags{QStringLiteral("--screenshot"), QStringLiteral("--run-for"),
                                   QStringLiteral("--size"),       QStringLiteral("--select"),
                                   QStringLiteral("--dark"),       QStringLiteral("--help"),
                                   QStringLiteral("--version")};
    QTest::newRow("aqueduct --help") << QStringList{QStringLiteral("--help")} << desktopFlags;
    QTest::newRow("aqueduct FILE --help")
        << QStringList{QStringLiteral("PIPELINE"), QStringLiteral("--help")} << desktopFlags;
    QTest::newRow("run --help") << QStringList{QStringLiteral("run"), QStringLiteral("--help")}
                                << kRunFlags;
    QTest::newRow("run -h") << QStringList{QStringLiteral("run"), QStringLiteral("-h")}
                            << kRunFlags;
    // Asking for help wins over mistakes elsewhere on the line.
    QTest::newRow("run --bogus --help")
        << QStringList{QStringLiteral("run"), QStringLiteral("--bogus"), QStringLiteral("--help")}
        << kRunFlags;
    QTest::newRow("serve --help") << QStringList{QStringLiteral("serve"), QStringLiteral("--help")}
                                  << kServeFlags;
    QTest::newRow("validate --help")
        << QStringList{QStringLiteral("validate"), QStringLiteral("--help")}
        << QStringList{QStringLiteral("--quiet"), QStringLiteral("--plugins-from-pipeline-dir"),
                       QStringLiteral("--help"), QStringLiteral("--version")};
    QTest::newRow("handlers --help")
        << QStringList{QStringLiteral("handlers"), QStringLiteral("--help")}
        << QStringList{QStringLiteral("--json"), QStringLiteral("--help"),
                       QStringLiteral("--version")};
}

void TestCommandLine::helpListsEveryFlag() {
    QFETCH(QStringList, arguments);
    QFETCH(QStringList, flags);
    // The desktop app's help has no command name, and reads the same after a file name.
    const bool desktop = flags.contains(QStringLiteral("--screenshot"));
    const QString usage = desktop ? QStringLiteral("Usage: aqueduct [options] [FILE] ")
                                  : QStringLiteral("Usage: aqueduct %1 ").arg(arguments.first());
    arguments.replaceInStrings(QStringLiteral("PIPELINE"), m_pipeline);
    const Run run = runApp(arguments);
    QVERIFY2(run.finished && run.exitCode == 0, qPrintable(run.describe()));
    const QString help = QString::fromUtf8(run.out);
    QVERIFY2(help.startsWith(usage), qPrintable(help));
    // Exactly these flags: a new flag must be added here (and to the man page).
    QStringList listed = listedOptions(help);
    QStringList expected = flags;
    listed.sort();
    expected.sort();
    QCOMPARE(listed, expected);
    QVERIFY2(help.contains(QStringLiteral("-h, --help")), qPrintable(help));
    QVERIFY2(help.contains(QStringLiteral("-V, --version")), qPrintable(help));
}

void TestCommandLine::versionPrintsTheVersion_data() {
    QTest::addColumn<QStringList>("arguments");
    QTest::newRow("aqueduct --version") << QStringList{QStringLiteral("--version")};
    QTest::newRow("aqueduct -V") << QStringList{QStringLiteral("-V")};
    for (const char* command : {"run", "serve", "validate", "handlers"}) {
        QTest::addRow("%s --version", command)
            << QStringList{QString::fromLatin1(command), QStringLiteral("--version")};
        QTest::addRow("%s -V", command)
            << QStringList{QString::fromLatin1(command), QStringLiteral("-V")};
    }
    QTest::newRow("run with other options") << QStringList{
        QStringLiteral("run"), QStringLiteral("PIPELINE"), QStringLiteral("--generate"),
        QStringLiteral("5"), QStringLiteral("--version")};
}

void TestCommandLine::versionPrintsTheVersion() {
    QFETCH(QStringList, arguments);
    arguments.replaceInStrings(QStringLiteral("PIPELINE"), m_pipeline);
    const Run run = runApp(arguments);
    QVERIFY2(run.finished && run.exitCode == 0, qPrintable(run.describe()));
    QCOMPARE(run.out, QByteArray("aqueduct " AQUEDUCT_VERSION_STRING "\n"));
    QVERIFY2(run.err.isEmpty(), qPrintable(run.describe()));
}

void TestCommandLine::unknownOptionExits2_data() {
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QString>("message"); // expected on stderr
    const QString pipeline = QStringLiteral("PIPELINE");
    const auto row = [&](const char* name, const QStringList& arguments, const char* message) {
        QTest::newRow(name) << arguments << QString::fromUtf8(message);
    };
    row("run --frobnicate",
        {QStringLiteral("run"), pipeline, QStringLiteral("--generate"), QStringLiteral("5"),
         QStringLiteral("--frobnicate")},
        "aqueduct run: unknown option '--frobnicate'\n");
    row("run --frob=1",
        {QStringLiteral("run"), pipeline, QStringLiteral("--frob=1"), QStringLiteral("--generate"),
         QStringLiteral("5")},
        "aqueduct run: unknown option '--frob'\n");
    row("run -x", {QStringLiteral("run"), pipeline, QStringLiteral("-x")},
        "aqueduct run: unknown option '-x'\n");
    row("run -quiet (one dash)", {QStringLiteral("run"), pipeline, QStringLiteral("-quiet")},
        "aqueduct run: unknown option '-quiet'\n");
    row("run two unknown",
        {QStringLiteral("run"), pipeline, QStringLiteral("--aa"), QStringLiteral("--bb")},
        "aqueduct run: unknown options '--aa', '--bb'\n");
    row("serve --frobnicate", {QStringLiteral("serve"), pipeline, QStringLiteral("--frobnicate")},
        "aqueduct serve: unknown option '--frobnicate'\n");
    row("validate --frobnicate",
        {QStringLiteral("validate"), QStringLiteral("--frobnicate"), pipeline},
        "aqueduct validate: unknown option '--frobnicate'\n");
    row("handlers --frobnicate", {QStringLiteral("handlers"), QStringLiteral("--frobnicate")},
        "aqueduct handlers: unexpected argument '--frobnicate'\n");
    row("aqueduct --frobnicate", {QStringLiteral("--frobnicate")},
        "aqueduct: unknown option '--frobnicate'\n");
    // Echoed arguments cannot drive the terminal: control characters come out escaped.
    row("run escape sequence in an option",
        {QStringLiteral("run"), pipeline, QStringLiteral("--\x1b[2Jclear")},
        "aqueduct run: unknown option '--\\x1b[2Jclear'\n");
    row("run escape sequence in a value",
        {QStringLiteral("run"), pipeline, QStringLiteral("--generate"), QStringLiteral("\x1b[2J")},
        "aqueduct run: --generate: '\\x1b[2J' is not a whole number from 0 to 9007199254740992\n");
    row("handlers escape sequence", {QStringLiteral("handlers"), QStringLiteral("\x1b[2J")},
        "aqueduct handlers: unexpected argument '\\x1b[2J'\n");
    // A flag given a value it does not take.
    row("run --quiet=yes",
        {QStringLiteral("run"), pipeline, QStringLiteral("--generate"), QStringLiteral("5"),
         QStringLiteral("--quiet=yes")},
        "aqueduct run: unexpected value after '--quiet'\n");
}

void TestCommandLine::unknownOptionExits2() {
    QFETCH(QStringList, arguments);
    QFETCH(QString, message);
    arguments.replaceInStrings(QStringLiteral("PIPELINE"), m_pipeline);
    const Run run = runApp(arguments);
    QVERIFY2(run.finished && run.exitCode == 2, qPrintable(run.describe()));
    QVERIFY2(run.out.isEmpty(), qPrintable(run.describe()));
    QVERIFY2(hasLineStartingWith(run.err, message), qPrintable(run.describe()));
    QVERIFY2(!run.err.contains('\x1b'), qPrintable(run.describe()));
}

void TestCommandLine::missingValueExits2_data() {
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QString>("flag");
    for (const QString& flag : kRunValued) {
        QStringList arguments{QStringLiteral("run"), QStringLiteral("PIPELINE")};
        if (flag != QLatin1String("--generate") && flag != QLatin1String("--input"))
            arguments << QStringLiteral("--generate") << QStringLiteral("5");
        QTest::addRow("run %s", qPrintable(flag)) << (arguments << flag) << flag;
    }
    for (const QString& flag : kServeValued)
        QTest::addRow("serve %s", qPrintable(flag))
            << QStringList{QStringLiteral("serve"), QStringLiteral("PIPELINE"), flag} << flag;
    for (const char* flag : {"--screenshot", "--run-for", "--size", "--select"})
        QTest::addRow("aqueduct %s", flag)
            << QStringList{QStringLiteral("PIPELINE"), QString::fromLatin1(flag)}
            << QString::fromLatin1(flag);
}

void TestCommandLine::missingValueExits2() {
    QFETCH(QStringList, arguments);
    QFETCH(QString, flag);
    arguments.replaceInStrings(QStringLiteral("PIPELINE"), m_pipeline);
    const Run run = runApp(arguments);
    QVERIFY2(run.finished && run.exitCode == 2, qPrintable(run.describe()));
    QVERIFY2(run.out.isEmpty(), qPrintable(run.describe()));
    const QString command = arguments.first() == m_pipeline ? QString() : arguments.first();
    const QString expected =
        QStringLiteral("aqueduct%1: %2 needs a value (%2 ")
            .arg(command.isEmpty() ? QString() : QLatin1Char(' ') + command, flag);
    QVERIFY2(hasLineStartingWith(run.err, expected), qPrintable(run.describe()));
    QVERIFY2(run.err.contains("(see aqueduct "), qPrintable(run.describe()));
}

void TestCommandLine::outOfRangeExits2_data() {
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QString>("message"); // the line on stderr after "aqueduct COMMAND: "
    const auto run = [](const char* flag, const char* value, const char* why) {
        QStringList arguments{QStringLiteral("run"), QStringLiteral("PIPELINE")};
        if (qstrcmp(flag, "--generate") != 0)
            arguments << QStringLiteral("--generate") << QStringLiteral("5");
        if (qstrcmp(flag, "--reorder-window") == 0)
            arguments << QStringLiteral("--ordered");
        QTest::addRow("run %s %s", flag, value)
            << (arguments << QString::fromLatin1(flag) << QString::fromLatin1(value))
            << QStringLiteral("%1: '%2' is not %3")
                   .arg(QLatin1String(flag), QLatin1String(value), QLatin1String(why));
    };
    run("--generate", "-1", "a whole number from 0 to 9007199254740992");
    run("--generate", "many", "a whole number from 0 to 9007199254740992");
    run("--rate", "-1", "a number from 0 to 1000000000");
    run("--rate", "inf", "a number from 0 to 1000000000");
    run("--rate", "2e9", "a number from 0 to 1000000000");
    run("--payload-bytes", "1073741825", "a whole number from 0 to 1073741824");
    run("--concurrency", "0", "a whole number from 1 to 65536");
    run("--concurrency", "65537", "a whole number from 1 to 65536");
    run("--concurrency", "1.5", "a whole number from 1 to 65536");
    run("--timeout-ms", "0", "a whole number from 1 to 31536000000");
    run("--duration", "0", "a number above 0, up to 10000000");
    run("--duration", "nan", "a number above 0, up to 10000000");
    run("--reorder-window", "0", "a whole number from 1 to 16777216");
    run("--reorder-window", "16777217", "a whole number from 1 to 16777216");
    run("--metrics-port", "65536", "a whole number from 0 to 65535");
    run("--metrics-port", "-1", "a whole number from 0 to 65535");
    run("--input", "", "a file name or -");
    run("--output", "", "a file name or -");
    run("--summary", "", "a file name");
    run("--metrics-host", "", "an address");

    const auto serve = [](const char* flag, const char* value, const char* why) {
        QTest::addRow("serve %s %s", flag, value)
            << QStringList{QStringLiteral("serve"), QStringLiteral("PIPELINE"),
                           QString::fromLatin1(flag), QString::fromLatin1(value)}
            << QStringLiteral("%1: '%2' is not %3")
                   .arg(QLatin1String(flag), QLatin1String(value), QLatin1String(why));
    };
    serve("--listen", "127.0.0.1:65536", "HOST:PORT (e.g. 127.0.0.1:8080)");
    serve("--listen", "no-such-host:80", "HOST:PORT (e.g. 127.0.0.1:8080)");
    serve("--max-in-flight", "0", "a whole number from 1 to 1048576");
    serve("--max-in-flight", "1048577", "a whole number from 1 to 1048576");
    serve("--max-queued", "-1", "a whole number from 0 to 1048576");
    serve("--max-body-bytes", "0", "a whole number from 1 to 1099511627776");
    serve("--max-body-budget-bytes", "1099511627777", "a whole number from 1 to 1099511627776");
    serve("--timeout-ms", "0", "a whole number from 1 to 31536000000");
    serve("--max-timeout-ms", "31536000001", "a whole number from 1 to 31536000000");
    serve("--read-timeout-ms", "3600001", "a whole number from 1 to 3600000");
    serve("--idle-timeout-ms", "0", "a whole number from 1 to 86400000");
    serve("--max-connections", "1048577", "a whole number from 1 to 1048576");
    serve("--drain-timeout-s", "86401", "a whole number from 0 to 86400");
    serve("--drain-timeout-s", "-1", "a whole number from 0 to 86400");
    serve("--allow-host", "a b", "a host name (or '*')");
    serve("--allow-origin", "localhost:3000", "an origin like http://localhost:3000");

    const auto desktop = [](const char* flag, const char* value, const char* why) {
        QTest::addRow("aqueduct %s %s", flag, value)
            << QStringList{QStringLiteral("--screenshot"), QStringLiteral("OUT"),
                           QString::fromLatin1(flag), QString::fromLatin1(value)}
            << QStringLiteral("%1: '%2' is not %3")
                   .arg(QLatin1String(flag), QLatin1String(value), QLatin1String(why));
    };
    desktop("--run-for", "0", "a number above 0, up to 86400");
    desktop("--size", "319x240", "WIDTHxHEIGHT from 320x240 to 8192x8192 (e.g. 1280x720)");
    desktop("--size", "800x8193", "WIDTHxHEIGHT from 320x240 to 8192x8192 (e.g. 1280x720)");
}

void TestCommandLine::outOfRangeExits2() {
    QFETCH(QStringList, arguments);
    QFETCH(QString, message);
    arguments.replaceInStrings(QStringLiteral("PIPELINE"), m_pipeline);
    const bool desktop = arguments.first() == QLatin1String("--screenshot");
    arguments.replaceInStrings(QStringLiteral("OUT"), m_dir.filePath(QStringLiteral("out.png")));
    const Run run = runApp(arguments);
    QVERIFY2(run.finished && run.exitCode == 2, qPrintable(run.describe()));
    QVERIFY2(run.out.isEmpty(), qPrintable(run.describe()));
    const QString command = desktop ? QString() : QLatin1Char(' ') + arguments.first();
    const QString expected =
        QStringLiteral("aqueduct%1: %2\n(see aqueduct%1 --help)\n").arg(command, message);
    // The desktop app's Qt may add its own lines (e.g. about XDG_RUNTIME_DIR) first.
    QVERIFY2(QString::fromUtf8(run.err).endsWith(expected), qPrintable(run.describe()));
}

void TestCommandLine::runAcceptsTheEndsOfEachRange_data() {
    QTest::addColumn<QStringList>("options");
    QTest::newRow("lower ends") << QStringList{
        QStringLiteral("--generate=3"),      QStringLiteral("--rate=0"),
        QStringLiteral("--payload-bytes=0"), QStringLiteral("--concurrency=1"),
        QStringLiteral("--timeout-ms=1000"), QStringLiteral("--duration=0.001"),
        QStringLiteral("--ordered"),         QStringLiteral("--reorder-window=1")};
    QTest::newRow("upper ends") << QStringList{QStringLiteral("--generate"),
                                               QStringLiteral("3"),
                                               QStringLiteral("--rate"),
                                               QStringLiteral("1000000000"),
                                               QStringLiteral("--payload-bytes"),
                                               QStringLiteral("16"),
                                               QStringLiteral("--concurrency"),
                                               QStringLiteral("65536"),
                                               QStringLiteral("--timeout-ms"),
                                               QStringLiteral("31536000000"),
                                               QStringLiteral("--duration"),
                                               QStringLiteral("10000000"),
                                               QStringLiteral("--ordered"),
                                               QStringLiteral("--reorder-window"),
                                               QStringLiteral("16777216"),
                                               QStringLiteral("--metrics-port"),
                                               QStringLiteral("0")};
}

void TestCommandLine::runAcceptsTheEndsOfEachRange() {
    QFETCH(QStringList, options);
    const Run run =
        runApp(QStringList{QStringLiteral("run"), m_pipeline, QStringLiteral("-q")} + options);
    QVERIFY2(run.finished && run.exitCode == 0, qPrintable(run.describe()));
    // --duration=0.001 may stop the generator before all 3; otherwise all 3 ran.
    const qsizetype lines = run.out.count('\n');
    QVERIFY2(lines >= 1 && lines <= 3, qPrintable(run.describe()));
    if (!options.contains(QStringLiteral("--duration=0.001")))
        QCOMPARE(lines, 3);
}

void TestCommandLine::serveAcceptsTheEndsOfEachRange_data() {
    QTest::addColumn<QStringList>("options");
    QTest::newRow("lower ends") << QStringList{
        QStringLiteral("--max-in-flight=1"),   QStringLiteral("--max-queued=0"),
        QStringLiteral("--max-body-bytes=1"),  QStringLiteral("--max-body-budget-bytes=1"),
        QStringLiteral("--timeout-ms=1"),      QStringLiteral("--max-timeout-ms=1"),
        QStringLiteral("--read-timeout-ms=1"), QStringLiteral("--idle-timeout-ms=1"),
        QStringLiteral("--max-connections=1"), QStringLiteral("--drain-timeout-s=0")};
    QTest::newRow("upper ends") << QStringList{
        QStringLiteral("--max-queued=1048576"),
        QStringLiteral("--max-body-bytes=1099511627776"),
        QStringLiteral("--max-body-budget-bytes=1099511627776"),
        QStringLiteral("--timeout-ms=31536000000"),
        QStringLiteral("--max-timeout-ms=31536000000"),
        QStringLiteral("--read-timeout-ms=3600000"),
        QStringLiteral("--idle-timeout-ms=86400000"),
        QStringLiteral("--drain-timeout-s=86400"),
        QStringLiteral("--allow-host=*"),
        QStringLiteral("--allow-origin=http://localhost:3000"),
        QStringLiteral("--expose-pipeline"),
        QStringLiteral("--expose-pids")};
}

void TestCommandLine::serveAcceptsTheEndsOfEachRange() {
    QFETCH(QStringList, options);
    QProcess process;
    process.start(QStringLiteral(AQUEDUCT_APP_PATH),
                  QStringList{QStringLiteral("serve"), m_pipeline,
                              QStringLiteral("--listen=127.0.0.1:0"), QStringLiteral("-q")} +
                      options);
    QVERIFY(process.waitForStarted(kTimeoutMs));
    const auto stop = qScopeGuard([&process] {
        if (process.state() != QProcess::NotRunning) {
            process.kill();
            process.waitForFinished();
        }
    });
    QByteArray err;
    QDeadlineTimer deadline(kTimeoutMs);
    while (!err.contains("listening on http://127.0.0.1:") && !deadline.hasExpired() &&
           process.state() == QProcess::Running) {
        process.waitForReadyRead(100);
        err += process.readAllStandardError();
    }
    QVERIFY2(err.contains("listening on http://127.0.0.1:"), err.constData());
    ::kill(pid_t(process.processId()), SIGTERM);
    QVERIFY(process.waitForFinished(kTimeoutMs));
    err += process.readAllStandardError();
    QCOMPARE(process.exitStatus(), QProcess::NormalExit);
    QVERIFY2(process.exitCode() == 0, err.constData());
}

void TestCommandLine::equalsSignShortFlagAndDoubleDash() {
    // --name=value, -q, and "--" before a pipeline path that looks like an option.
    const QString dashed = m_dir.filePath(QStringLiteral("-dashed.json"));
    QVERIFY(QFile::copy(m_pipeline, dashed));
    // A relative path, so the argument itself starts with a dash.
    QProcess process;
    process.setWorkingDirectory(m_dir.path());
    process.start(QStringLiteral(AQUEDUCT_APP_PATH),
                  {QStringLiteral("run"), QStringLiteral("--generate=4"),
                   QStringLiteral("--output=-"), QStringLiteral("--concurrency=2"),
                   QStringLiteral("-q"), QStringLiteral("--"), QStringLiteral("-dashed.json")});
    QVERIFY(process.waitForFinished(kTimeoutMs));
    const QByteArray out = process.readAllStandardOutput();
    const QByteArray err = process.readAllStandardError();
    QVERIFY2(process.exitCode() == 0, err.constData());
    QCOMPARE(out.count('\n'), 4);
    // -q: stderr holds the summary object only.
    const QJsonDocument summary = QJsonDocument::fromJson(err.trimmed());
    QVERIFY2(summary.isObject(), err.constData());
    QCOMPARE(summary.object().value(QStringLiteral("completed")).toInteger(), 4);
}

void TestCommandLine::metricsHostIsUsed() {
    // 127.0.0.2 is loopback on Linux too, and not the default 127.0.0.1.
    const Run run = runApp(
        {QStringLiteral("run"), m_pipeline, QStringLiteral("--generate"), QStringLiteral("20"),
         QStringLiteral("--metrics-port"), QStringLiteral("0"), QStringLiteral("--metrics-host"),
         QStringLiteral("127.0.0.2"), QStringLiteral("--output"), QStringLiteral("/dev/null")});
    QVERIFY2(run.finished && run.exitCode == 0, qPrintable(run.describe()));
    QVERIFY2(QRegularExpression(QStringLiteral("http://127\\.0\\.0\\.2:[1-9]\\d*/metrics"))
                 .match(QString::fromUtf8(run.err))
                 .hasMatch(),
             qPrintable(run.describe()));
}

QTEST_GUILESS_MAIN(TestCommandLine)
#include "tst_commandline.moc"
