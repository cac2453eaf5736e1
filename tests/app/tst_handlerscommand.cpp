// `aqueduct handlers [--json]` lists every registered handler with its parameter schema.
#include "BuiltinHandlers.h"

#include <aqueduct/HandlerRegistry.h>

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTest>

namespace {

struct Run {
    bool finished = false;
    QProcess::ExitStatus status = QProcess::CrashExit;
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
};

Run runHandlers(const QStringList& arguments) {
    QProcess process;
    process.start(QStringLiteral(AQUEDUCT_APP_PATH),
                  QStringList{QStringLiteral("handlers")} + arguments);
    Run run;
    if (!process.waitForStarted(30'000))
        return run;
    run.finished = process.waitForFinished(30'000);
    if (!run.finished) {
        process.kill();
        process.waitForFinished();
    }
    run.status = process.exitStatus();
    run.exitCode = process.exitCode();
    run.out = process.readAllStandardOutput();
    run.err = process.readAllStandardError();
    return run;
}

} // namespace

class TestHandlersCommand : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { Aqueduct::registerBuiltinHandlers(Aqueduct::HandlerRegistry::global()); }

    void textListsEveryHandlerWithItsParams() {
        const Run run = runHandlers({});
        QVERIFY(run.finished && run.status == QProcess::NormalExit);
        QCOMPARE(run.exitCode, 0);
        const QString out = QString::fromUtf8(run.out);
        for (const Aqueduct::HandlerInfo& info : Aqueduct::HandlerRegistry::global().handlers()) {
            QVERIFY2(out.contains(QStringLiteral("\n  %1 - ").arg(info.name)) ||
                         out.contains(QStringLiteral("\n  %1\n").arg(info.name)),
                     qPrintable(info.name));
            QVERIFY2(out.contains(info.category + QLatin1Char('\n')), qPrintable(info.category));
            for (const Aqueduct::ParamSpec& spec : info.params)
                QVERIFY2(out.contains(QStringLiteral("      %1 ").arg(spec.name)),
                         qPrintable(info.name + QLatin1Char('.') + spec.name));
        }
        // Type, default, range and choices are shown.
        const QRegularExpression sleepMs(
            QStringLiteral("\\n      ms +int, default 10, 0\\.\\.600000\\n"));
        QVERIFY2(sleepMs.match(out).hasMatch(), qPrintable(out));
        QVERIFY(out.contains(
            QStringLiteral("choice, default \"abort\", one of abort, segfault, exit")));
        QVERIFY(out.contains(QStringLiteral("int, default 100, 0..10000000"))); // cpu_burn us
        QVERIFY(out.contains(QStringLiteral("string, required")));
        QVERIFY(out.contains(QStringLiteral("(no parameters)"))); // passthrough
    }

    void jsonMatchesTheRegistry() {
        const Run run = runHandlers({QStringLiteral("--json")});
        QCOMPARE(run.exitCode, 0);
        QJsonParseError error;
        const QJsonDocument document = QJsonDocument::fromJson(run.out, &error);
        QVERIFY2(error.error == QJsonParseError::NoError, qPrintable(error.errorString()));
        QVERIFY(document.isArray());
        QStringList names;
        for (const QJsonValue& value : document.array()) {
            const QJsonObject object = value.toObject();
            names << object.value(QLatin1String("name")).toString();
            QVERIFY(object.contains(QLatin1String("params")));
            QVERIFY(object.contains(QLatin1String("category")));
        }
        for (const Aqueduct::HandlerInfo& info : Aqueduct::HandlerRegistry::global().handlers()) {
            QVERIFY2(names.contains(info.name), qPrintable(info.name));
            const qsizetype index = names.indexOf(info.name);
            const QJsonObject expected = info.toJson();
            QCOMPARE(document.array().at(index).toObject().value(QLatin1String("params")),
                     expected.value(QLatin1String("params")));
        }
        for (const char* builtin : {"passthrough", "increment", "sleep", "cpu_burn", "sha256",
                                    "checksum", "set_field", "fail", "crash", "image_grayscale"})
            QVERIFY2(names.contains(QLatin1String(builtin)), builtin);
    }

    void usage() {
        Run run = runHandlers({QStringLiteral("--help")});
        QCOMPARE(run.exitCode, 0);
        QVERIFY(run.out.contains("Usage: aqueduct handlers"));
        run = runHandlers({QStringLiteral("--bogus")});
        QCOMPARE(run.exitCode, 2);
        QVERIFY(run.err.contains("unexpected argument '--bogus'"));
    }
};

QTEST_GUILESS_MAIN(TestHandlersCommand)
#include "tst_handlerscommand.moc"
