// Packaging files (issue 10): the desktop file and AppStream metainfo pass their
// validators and agree on the app id; the man page documents every command and every
// option the program's --help prints; versions agree; icons are rendered at every size.
#include <aqueduct/Version.h>

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QSet>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

namespace {

const QString kAppId = QStringLiteral("io.github.aqueduct.Aqueduct");

QString sourcePath(const QString& relative) {
    return QStringLiteral(AQUEDUCT_SOURCE_DIR) + QLatin1Char('/') + relative;
}

QByteArray readFile(const QString& path) {
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

struct Output {
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
};

Output run(const QString& program, const QStringList& arguments) {
    QProcess process;
    process.start(program, arguments);
    Output output;
    if (!process.waitForStarted(30'000)) {
        output.err = process.errorString().toUtf8();
        return output;
    }
    if (!process.waitForFinished(60'000))
        process.kill();
    process.waitForFinished(5'000);
    output.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    output.out = process.readAllStandardOutput();
    output.err = process.readAllStandardError();
    return output;
}

QString requireTool(const QString& name) {
    return QStandardPaths::findExecutable(name);
}

/// The man page as plain text: roff escapes for '-' undone.
QString manPageText() {
    return QString::fromUtf8(readFile(sourcePath(QStringLiteral("docs/man/aqueduct.1"))))
        .replace(QStringLiteral("\\-"), QStringLiteral("-"))
        .replace(QStringLiteral("\\e"), QStringLiteral("\\"));
}

QSet<QString> longOptions(const QString& text) {
    static const QRegularExpression option(QStringLiteral("(?<![\\w-])--[a-z][a-z0-9-]*"));
    QSet<QString> options;
    for (const QRegularExpressionMatch& match : option.globalMatch(text))
        options.insert(match.captured());
    return options;
}

} // namespace

class TestPackaging : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void desktopFileValidates();
    void metainfoValidates();
    void desktopFileAndMetainfoAgreeOnTheAppId();
    void versionIsTheSameEverywhere();
    void everyCommandHasHelp_data();
    void everyCommandHasHelp();
    void manPageDocumentsEveryCommand();
    void iconsAreRenderedAtEverySize();
};

void TestPackaging::desktopFileValidates() {
    const QString validator = requireTool(QStringLiteral("desktop-file-validate"));
    QVERIFY2(!validator.isEmpty(), "desktop-file-validate missing: run packaging/install-deps.sh");
    // Validate under the installed name (the validator checks the id against the name).
    QTemporaryDir temp;
    const QString installed = temp.filePath(kAppId + QStringLiteral(".desktop"));
    QVERIFY(QFile::copy(sourcePath(QStringLiteral("resources/aqueduct.desktop")), installed));
    const Output output = run(validator, {installed});
    QVERIFY2(output.exitCode == 0 && output.out.isEmpty() && output.err.isEmpty(),
             qPrintable(QString::fromUtf8(output.out + output.err)));
}

void TestPackaging::metainfoValidates() {
    const QString validator = requireTool(QStringLiteral("appstreamcli"));
    QVERIFY2(!validator.isEmpty(), "appstreamcli missing: run packaging/install-deps.sh");
    const Output output =
        run(validator,
            {QStringLiteral("validate"), QStringLiteral("--no-net"),
             sourcePath(QStringLiteral("resources/") + kAppId + QStringLiteral(".metainfo.xml"))});
    QVERIFY2(output.exitCode == 0, qPrintable(QString::fromUtf8(output.out + output.err)));
}

void TestPackaging::desktopFileAndMetainfoAgreeOnTheAppId() {
    const QString metainfo = QString::fromUtf8(readFile(
        sourcePath(QStringLiteral("resources/") + kAppId + QStringLiteral(".metainfo.xml"))));
    QVERIFY(metainfo.contains(QStringLiteral("<id>%1</id>").arg(kAppId)));
    QVERIFY(metainfo.contains(
        QStringLiteral("<launchable type=\"desktop-id\">%1.desktop</launchable>").arg(kAppId)));
    QVERIFY(metainfo.contains(QStringLiteral("<binary>aqueduct</binary>")));
    const QString desktop =
        QString::fromUtf8(readFile(sourcePath(QStringLiteral("resources/aqueduct.desktop"))));
    QVERIFY(desktop.contains(QStringLiteral("\nIcon=%1\n").arg(kAppId)));
    QVERIFY(desktop.contains(QStringLiteral("\nExec=aqueduct %f\n")));
}

void TestPackaging::versionIsTheSameEverywhere() {
    const Output output = run(QStringLiteral(AQUEDUCT_APP_PATH), {QStringLiteral("--version")});
    QCOMPARE(output.exitCode, 0);
    QCOMPARE(QString::fromUtf8(output.out).trimmed(),
             QStringLiteral("aqueduct " AQUEDUCT_VERSION_STRING));
    QVERIFY2(manPageText().contains(QStringLiteral("\"Aqueduct " AQUEDUCT_VERSION_STRING "\"")),
             "docs/man/aqueduct.1 .TH line names another version");
    const QString metainfo = QString::fromUtf8(readFile(
        sourcePath(QStringLiteral("resources/") + kAppId + QStringLiteral(".metainfo.xml"))));
    QVERIFY2(metainfo.contains(QStringLiteral("<release version=\"" AQUEDUCT_VERSION_STRING "\"")),
             "the metainfo has no <release> entry for this version");
}

void TestPackaging::everyCommandHasHelp_data() {
    QTest::addColumn<QStringList>("arguments");
    QTest::newRow("aqueduct") << QStringList{QStringLiteral("--help")};
    for (const char* command : {"run", "serve", "validate", "handlers"})
        QTest::newRow(command) << QStringList{QString::fromLatin1(command),
                                              QStringLiteral("--help")};
}

void TestPackaging::everyCommandHasHelp() {
    QFETCH(QStringList, arguments);
    const Output output = run(QStringLiteral(AQUEDUCT_APP_PATH), arguments);
    QVERIFY2(output.exitCode == 0, qPrintable(QString::fromUtf8(output.out + output.err)));
    const QString help = QString::fromUtf8(output.out);
    QVERIFY2(help.contains(QStringLiteral("Usage"), Qt::CaseInsensitive), qPrintable(help));

    // Every option the program offers is documented in the man page.
    const QString manPage = manPageText();
    QStringList undocumented;
    for (const QString& option : longOptions(help)) {
        if (!manPage.contains(option))
            undocumented << option;
    }
    undocumented.sort();
    QVERIFY2(undocumented.isEmpty(),
             qPrintable(QStringLiteral("missing from docs/man/aqueduct.1: ") +
                        undocumented.join(QStringLiteral(", "))));
}

void TestPackaging::manPageDocumentsEveryCommand() {
    const QString manPage = manPageText();
    for (const char* section : {"NAME", "SYNOPSIS", "DESCRIPTION", "COMMANDS", "PLUGINS",
                                "ENVIRONMENT", "EXIT STATUS", "FILES"})
        QVERIFY2(manPage.contains(QStringLiteral(".SH %1").arg(QLatin1String(section))), section);
    for (const char* command : {"run", "serve", "validate", "handlers"})
        QVERIFY2(manPage.contains(QStringLiteral(".SS \"aqueduct %1").arg(QLatin1String(command))),
                 command);
    QVERIFY(manPage.contains(QStringLiteral("AQUEDUCT_PLUGIN_PATH")));
}

void TestPackaging::iconsAreRenderedAtEverySize() {
    QVERIFY2(QFile::exists(sourcePath(QStringLiteral("resources/icons/aqueduct.svg"))),
             "resources/icons/aqueduct.svg is missing");
    QVERIFY2(!requireTool(QStringLiteral("rsvg-convert")).isEmpty(),
             "rsvg-convert missing (librsvg2-bin): run packaging/install-deps.sh and re-configure");
    for (const int size : {16, 22, 24, 32, 48, 64, 128, 256}) {
        const QString png = QStringLiteral(AQUEDUCT_BINARY_DIR "/packaging/icons/%1x%1/%2.png")
                                .arg(size)
                                .arg(kAppId);
        const QByteArray bytes = readFile(png);
        QVERIFY2(bytes.startsWith("\x89PNG\r\n\x1a\n") && bytes.size() > 24, qPrintable(png));
        // IHDR: width and height, big-endian, right after the signature and chunk header.
        auto bigEndian = [&bytes](int offset) {
            return (quint8(bytes[offset]) << 24) | (quint8(bytes[offset + 1]) << 16) |
                   (quint8(bytes[offset + 2]) << 8) | quint8(bytes[offset + 3]);
        };
        QCOMPARE(bigEndian(16), size);
        QCOMPARE(bigEndian(20), size);
    }
}

QTEST_GUILESS_MAIN(TestPackaging)
#include "tst_packaging.moc"
