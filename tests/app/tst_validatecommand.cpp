// `aqueduct validate` as users run it: the real program via QProcess. Valid examples exit
// 0, each invalid file exits 2 with FILE:PATH: lines, and no input (missing, directory,
// empty, garbage, deep nesting, 200 random mutations of the examples) makes it crash.
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QTest>

namespace {

constexpr int kRunTimeoutMs = 30'000;

struct Run {
    bool finished = false;
    QProcess::ExitStatus status = QProcess::CrashExit;
    int exitCode = -1;
    QString out;
    QString err;

    QString describe() const {
        return QStringLiteral("exit %1 (%2)\n--- stdout\n%3\n--- stderr\n%4")
            .arg(exitCode)
            .arg(!finished                        ? QStringLiteral("did not finish")
                 : status == QProcess::NormalExit ? QStringLiteral("normal")
                                                  : QStringLiteral("CRASHED"))
            .arg(out.left(4000), err.left(4000));
    }
};

Run runValidate(const QStringList& arguments) {
    QProcess process;
    process.start(QStringLiteral(AQUEDUCT_APP_PATH),
                  QStringList{QStringLiteral("validate")} + arguments);
    Run run;
    if (!process.waitForStarted(kRunTimeoutMs))
        return run;
    process.closeWriteChannel();
    run.finished = process.waitForFinished(kRunTimeoutMs);
    if (!run.finished) {
        process.kill();
        process.waitForFinished();
    }
    run.status = process.exitStatus();
    run.exitCode = process.exitCode();
    run.out = QString::fromUtf8(process.readAllStandardOutput());
    run.err = QString::fromUtf8(process.readAllStandardError());
    return run;
}

QStringList exampleFiles() {
    const QDir dir(QStringLiteral(AQUEDUCT_SOURCE_DIR "/resources/pipelines"));
    QStringList files;
    for (const QString& name : dir.entryList({QStringLiteral("*.json")}, QDir::Files, QDir::Name))
        files << dir.filePath(name);
    return files;
}

QStringList invalidFiles() {
    const QDir dir(QStringLiteral(AQUEDUCT_SOURCE_DIR "/tests/engine/data/invalid"));
    QStringList files;
    for (const QString& name : dir.entryList({QStringLiteral("*.json")}, QDir::Files, QDir::Name))
        files << dir.filePath(name);
    return files;
}

QByteArray readFile(const QString& path) {
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

bool writeFile(const QString& path, const QByteArray& data) {
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(data) == data.size();
}

// ---- Mutations for the robustness run -------------------------------------------------

QJsonValue randomValue(QRandomGenerator& random) {
    switch (random.bounded(9)) {
    case 0:
        return QJsonValue(QJsonValue::Null);
    case 1:
        return QStringLiteral("\u00e9\"\\x");
    case 2:
        return 1e308;
    case 3:
        return -1e300;
    case 4:
        return QJsonArray{1, QStringLiteral("two"), QJsonObject{}};
    case 5:
        return QJsonObject{{QStringLiteral("nested"), QJsonArray{}}};
    case 6:
        return random.bounded(2) == 0;
    case 7:
        return 2.5;
    default:
        return -1;
    }
}

// Applies `edit` to one randomly chosen object or array somewhere inside `value`.
QJsonValue mutateTree(const QJsonValue& value, QRandomGenerator& random, int depth = 0) {
    if (value.isObject()) {
        QJsonObject object = value.toObject();
        const QStringList keys = object.keys();
        if (keys.isEmpty() || (depth > 0 && random.bounded(3) == 0)) {
            object.insert(QStringLiteral("extra"), randomValue(random));
            return object;
        }
        const QString key = keys.at(random.bounded(int(keys.size())));
        switch (random.bounded(4)) {
        case 0:
            object.remove(key); // deleted key
            break;
        case 1:
            object.insert(key, randomValue(random)); // wrong type
            break;
        default:
            object.insert(key, mutateTree(object.value(key), random, depth + 1)); // go deeper
            break;
        }
        return object;
    }
    if (value.isArray()) {
        QJsonArray array = value.toArray();
        if (array.isEmpty()) {
            array.append(randomValue(random));
            return array;
        }
        const int index = random.bounded(int(array.size()));
        switch (random.bounded(4)) {
        case 0:
            array.removeAt(index);
            break;
        case 1:
            array.replace(index, randomValue(random));
            break;
        default:
            array.replace(index, mutateTree(array.at(index), random, depth + 1));
            break;
        }
        return array;
    }
    return randomValue(random);
}

QByteArray mutate(const QByteArray& original, QRandomGenerator& random) {
    QByteArray data = original;
    switch (random.bounded(7)) {
    case 0: // truncated
        data.truncate(random.bounded(int(data.size())));
        break;
    case 1: { // garbage bytes at random places
        const int count = 1 + random.bounded(16);
        for (int i = 0; i < count && !data.isEmpty(); ++i)
            data[random.bounded(int(data.size()))] = char(random.bounded(256));
        break;
    }
    case 2: // a random block of binary garbage inserted
    {
        QByteArray garbage(1 + random.bounded(256), Qt::Uninitialized);
        for (char& c : garbage)
            c = char(random.bounded(256));
        data.insert(random.bounded(int(data.size()) + 1), garbage);
        break;
    }
    case 3: // deep nesting in the middle of the document
        data.insert(data.indexOf('{', 1) < 0 ? 0 : data.indexOf('{', 1),
                    QByteArray(100 + random.bounded(5000), '['));
        break;
    default: { // structural: deleted keys, wrong types, several edits
        QJsonValue value = QJsonDocument::fromJson(original).object();
        const int edits = 1 + random.bounded(4);
        for (int i = 0; i < edits; ++i)
            value = mutateTree(value, random);
        data = QJsonDocument(value.toObject()).toJson();
        break;
    }
    }
    return data;
}

} // namespace

class TestValidateCommand : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() {
        QVERIFY2(QFile::exists(QStringLiteral(AQUEDUCT_APP_PATH)), AQUEDUCT_APP_PATH);
    }

    void validExamplesExitZero() {
        const QStringList files = exampleFiles();
        QVERIFY(files.size() >= 4);
        const Run run = runValidate(files);
        QVERIFY2(run.finished && run.status == QProcess::NormalExit, qPrintable(run.describe()));
        QVERIFY2(run.exitCode == 0, qPrintable(run.describe()));
        for (const QString& file : files)
            QVERIFY2(run.out.contains(file + QStringLiteral(": ok\n")), qPrintable(run.describe()));
        QVERIFY(!run.out.contains(QStringLiteral("warning")));
    }

    void quietPrintsNothingForValidFiles() {
        const Run run = runValidate(QStringList{QStringLiteral("--quiet")} + exampleFiles());
        QCOMPARE(run.exitCode, 0);
        QVERIFY2(run.out.isEmpty(), qPrintable(run.describe()));
    }

    void invalidFilesExitTwo_data() {
        QTest::addColumn<QString>("file");
        for (const QString& file : invalidFiles())
            QTest::newRow(qPrintable(QFileInfo(file).fileName())) << file;
    }

    void invalidFilesExitTwo() {
        QFETCH(QString, file);
        const Run run = runValidate({file});
        QVERIFY2(run.finished && run.status == QProcess::NormalExit, qPrintable(run.describe()));
        QVERIFY2(run.exitCode == 2, qPrintable(run.describe()));
        QVERIFY(!run.out.contains(QStringLiteral(": ok")));
        const QStringList lines = run.out.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        QVERIFY(!lines.isEmpty());
        // Every line is FILE:$.PATH: reason, or FILE:LINE:COL: reason for JSON syntax errors.
        const QRegularExpression shape(QStringLiteral("^%1:(\\$[^ ]*|\\d+:\\d+): \\S.*$")
                                           .arg(QRegularExpression::escape(file)));
        for (const QString& line : lines)
            QVERIFY2(shape.match(line).hasMatch(), qPrintable(line));
    }

    void linesNameThePathAndReason() {
        const QString dir = QStringLiteral(AQUEDUCT_SOURCE_DIR "/tests/engine/data/invalid/");
        Run run = runValidate({dir + QStringLiteral("wrong-type.json")});
        QCOMPARE(run.out,
                 dir + QStringLiteral(
                           "wrong-type.json:$.steps[0].nprocs: must be an integer, got string\n"));
        run = runValidate({dir + QStringLiteral("malformed-json.json")});
        QVERIFY2(
            run.out.startsWith(dir + QStringLiteral("malformed-json.json:4:3: invalid JSON: ")),
            qPrintable(run.describe()));
        run = runValidate({dir + QStringLiteral("cycle.json")});
        QVERIFY2(run.out.contains(QStringLiteral("cycle.json:$.edges[3]: cycle: a -> b -> c -> a")),
                 qPrintable(run.describe()));
        run = runValidate({dir + QStringLiteral("condition-parse.json")});
        QVERIFY2(run.out.contains(
                     QStringLiteral("condition-parse.json:$.steps[0].condition: column 15: ")),
                 qPrintable(run.describe()));
    }

    void mixedFilesReportEach() {
        const QString good = exampleFiles().first();
        const QString bad = invalidFiles().first();
        const Run run = runValidate({good, bad});
        QCOMPARE(run.exitCode, 2);
        QVERIFY(run.out.contains(good + QStringLiteral(": ok")));
        QVERIFY(run.out.contains(bad + QLatin1Char(':')));
    }

    void warningsDoNotFail() {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("legacy.json"));
        QVERIFY(writeFile(
            path,
            R"({"queue_priorities": 2, "steps": [{"id": "a", "handler": "passthrough", "colour": 1}]})"));
        const Run run = runValidate({path});
        QVERIFY2(run.exitCode == 0, qPrintable(run.describe()));
        QVERIFY(run.out.contains(path +
                                 QStringLiteral(":$.version: warning: migrated from version 0")));
        QVERIFY(
            run.out.contains(path + QStringLiteral(":$.steps[0].colour: warning: unknown key")));
        QVERIFY(run.out.contains(path + QStringLiteral(": ok")));
    }

    void usage() {
        Run run = runValidate({});
        QCOMPARE(run.exitCode, 2);
        QVERIFY(run.err.contains(QStringLiteral("Usage: aqueduct validate")));
        run = runValidate({QStringLiteral("--help")});
        QCOMPARE(run.exitCode, 0);
        QVERIFY(run.out.contains(QStringLiteral("Usage: aqueduct validate")));
        QVERIFY(run.out.contains(QStringLiteral("Exit status")));
        run = runValidate({QStringLiteral("--bogus")});
        QCOMPARE(run.exitCode, 2);
        QVERIFY(run.err.contains(QStringLiteral("unknown option '--bogus'")));
    }

    void hostileInputs_data() {
        QTest::addColumn<QByteArray>("content"); // written to a file unless the row says otherwise
        QTest::addColumn<QString>("special");
        QTest::addColumn<int>("exitCode");
        QTest::newRow("missing file") << QByteArray() << "missing" << 2;
        QTest::newRow("directory") << QByteArray() << "directory" << 2;
        // Invalid even where permissions do not apply (root), so exit 2 either way.
        QTest::newRow("unreadable") << QByteArray("{}") << "unreadable" << 2;
        QTest::newRow("empty") << QByteArray() << "" << 2;
        QTest::newRow("whitespace") << QByteArray(" \n\t ") << "" << 2;
        QTest::newRow("null byte") << QByteArray("\0\0\0", 3) << "" << 2;
        QByteArray garbage;
        QRandomGenerator random(42);
        for (int i = 0; i < 65536; ++i)
            garbage += char(random.bounded(256));
        QTest::newRow("binary garbage") << garbage << "" << 2;
        QTest::newRow("huge numbers")
            << QByteArray(R"({"format": "aqueduct-pipeline", "version": 1e999, "steps": []})") << ""
            << 2;
        QTest::newRow("huge fields") << QByteArray(R"({"format": "aqueduct-pipeline", "version": 1,
            "flow": {"queue_priorities": 1e308, "shared_memory": {"arena_bytes": -1e308}},
            "steps": [{"id": "a", "handler": "sleep", "nprocs": 123456789012345678901234567890,
                       "params": {"ms": 1e308}, "position": {"x": 1e308, "y": -1e308}}]})")
                                     << "" << 2;
        QTest::newRow("deep nesting arrays") << QByteArray(200000, '[') << "" << 2;
        QTest::newRow("deep nesting objects") << QByteArray(R"({"a":)").repeated(100000) << "" << 2;
        QTest::newRow("deep nesting in params")
            << (QByteArray(
                    R"({"format": "aqueduct-pipeline", "version": 1, "steps": [{"id": "a", "handler": "x", "params": )") +
                QByteArray(1000, '[') + QByteArray(1000, ']') + "}]}")
            << "" << 2;
        QTest::newRow("deep expression")
            << (QByteArray(
                    R"({"format": "aqueduct-pipeline", "version": 1, "steps": [{"id": "a", "handler": "passthrough", "condition": ")") +
                QByteArray(100000, '(') + "\"}]}")
            << "" << 2;
        QTest::newRow("long and chain")
            << (QByteArray(
                    R"({"format": "aqueduct-pipeline", "version": 1, "steps": [{"id": "a", "handler": "passthrough", "condition": ")") +
                QByteArray("a && ").repeated(50000) + "a\"}]}")
            << "" << 0; // long, but valid
        QTest::newRow("invalid utf-8")
            << QByteArray("{\"format\": \"\xff\xfe\", \"version\": 1}") << "" << 2;
        QTest::newRow("top-level string") << QByteArray("\"aqueduct\"") << "" << 2;
        QTest::newRow("many steps") << [] {
            QJsonArray steps;
            QJsonArray edges;
            for (int i = 0; i < 5000; ++i) {
                steps.append(
                    QJsonObject{{QStringLiteral("id"), QStringLiteral("s%1").arg(i)},
                                {QStringLiteral("handler"), QStringLiteral("passthrough")}});
                edges.append(QJsonObject{
                    {QStringLiteral("from"), QStringLiteral("s%1").arg(i)},
                    {QStringLiteral("to"), QStringLiteral("s%1").arg((i * 7 + 1) % 5000)}});
            }
            return QJsonDocument(
                       QJsonObject{{QStringLiteral("format"), QStringLiteral("aqueduct-pipeline")},
                                   {QStringLiteral("version"), 1},
                                   {QStringLiteral("steps"), steps},
                                   {QStringLiteral("edges"), edges}})
                .toJson();
        }() << "" << 2;
    }

    void hostileInputs() {
        QFETCH(QByteArray, content);
        QFETCH(QString, special);
        QFETCH(int, exitCode);
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        QString path = dir.filePath(QStringLiteral("input.json"));
        if (special == QLatin1String("missing")) {
            path = dir.filePath(QStringLiteral("does-not-exist.json"));
        } else if (special == QLatin1String("directory")) {
            path = dir.path();
        } else {
            QVERIFY(writeFile(path, content));
            if (special == QLatin1String("unreadable"))
                QFile::setPermissions(path, QFileDevice::Permissions());
        }
        const Run run = runValidate({path});
        QVERIFY2(run.finished && run.status == QProcess::NormalExit, qPrintable(run.describe()));
        QVERIFY2(run.exitCode == exitCode, qPrintable(run.describe()));
        QVERIFY2(run.out.startsWith(path + QLatin1Char(':')), qPrintable(run.describe()));
    }

    void randomMutationsNeverCrash() {
        // Seeded so a failure reproduces: the message names the seed, the index and the file.
        constexpr quint32 kSeed = 20240601;
        constexpr int kMutations = 200;
        QRandomGenerator random(kSeed);
        const QStringList examples = exampleFiles();
        QList<QByteArray> originals;
        for (const QString& file : examples)
            originals << readFile(file);
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        int invalid = 0;
        for (int i = 0; i < kMutations; ++i) {
            const QByteArray mutated = mutate(originals.at(i % originals.size()), random);
            const QString path =
                dir.filePath(QStringLiteral("mutation-%1.json").arg(i, 3, 10, QLatin1Char('0')));
            QVERIFY(writeFile(path, mutated));
            const Run run = runValidate({path});
            const QString context =
                QStringLiteral("seed %1, mutation %2 of %3:\n%4\n--- input (first 2000 bytes)\n%5")
                    .arg(kSeed)
                    .arg(i)
                    .arg(QFileInfo(examples.at(i % examples.size())).fileName(), run.describe(),
                         QString::fromUtf8(mutated.left(2000)));
            QVERIFY2(run.finished, qPrintable(context));
            QVERIFY2(run.status == QProcess::NormalExit, qPrintable(context));
            QVERIFY2(run.exitCode == 0 || run.exitCode == 2, qPrintable(context));
            QVERIFY2(run.exitCode == 0 ? run.out.contains(QStringLiteral(": ok"))
                                       : !run.out.isEmpty(),
                     qPrintable(context));
            if (run.exitCode == 2)
                ++invalid;
        }
        // The mutations really do break files (most of them, not necessarily all).
        QVERIFY2(invalid > kMutations / 2, qPrintable(QString::number(invalid)));
    }

    // Issue 16: a file validate called valid asked for 68.8 GB of shared memory; 5,000
    // unknown 10 KB handler names took 72 s; ids with escape sequences reached the terminal.
    void budgetAndHostileNames() {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const auto pipeline = [](const QJsonArray& steps) {
            QJsonObject root;
            root.insert(QStringLiteral("format"), QStringLiteral("aqueduct-pipeline"));
            root.insert(QStringLiteral("version"), 1);
            root.insert(QStringLiteral("steps"), steps);
            return QJsonDocument(root).toJson();
        };
        const auto stepObject = [](const QString& id, const QString& handler) {
            QJsonObject step;
            step.insert(QStringLiteral("id"), id);
            step.insert(QStringLiteral("handler"), handler);
            return step;
        };

        QJsonObject big = stepObject(QStringLiteral("a"), QStringLiteral("passthrough"));
        big.insert(QStringLiteral("queue_size"), 1048576);
        const QString bigFile = dir.filePath(QStringLiteral("big.json"));
        QVERIFY(writeFile(bigFile, pipeline(QJsonArray{big})));
        const Run bigRun = runValidate({bigFile});
        QVERIFY2(bigRun.finished && bigRun.exitCode == 2, qPrintable(bigRun.describe()));
        QVERIFY2(bigRun.out.contains(bigFile + QStringLiteral(":$.steps[0].queue_size: must be 0 "
                                                              "(automatic) or between 1 and 65536, "
                                                              "got 1048576; this flow needs at "
                                                              "least 64.1 GiB of shared memory")),
                 qPrintable(bigRun.describe()));

        QJsonArray steps;
        steps.append(stepObject(QStringLiteral("bad\u001b]0;owned\u0007\u001b[2J"),
                                QStringLiteral("passthrough")));
        for (int i = 0; i < 5000; ++i)
            steps.append(stepObject(QStringLiteral("s%1").arg(i),
                                    QString(10000, QLatin1Char('a' + i % 26))));
        const QString hostileFile = dir.filePath(QStringLiteral("hostile.json"));
        QVERIFY(writeFile(hostileFile, pipeline(steps)));
        const Run hostile = runValidate({hostileFile});
        QVERIFY2(hostile.finished && hostile.exitCode == 2, qPrintable(hostile.describe()));
        QVERIFY2(!hostile.out.contains(QChar(0x1b)) && !hostile.out.contains(QChar(0x07)),
                 qPrintable(hostile.describe()));
        QVERIFY2(hostile.out.contains(QStringLiteral("'bad\\x1b]0;owned\\x07\\x1b[2J'")),
                 qPrintable(hostile.describe()));
        QCOMPARE(hostile.out.count(QStringLiteral("(10000 characters)")), 5000);
        // Names are shortened: 5,000 problems stay well under 10 KB each.
        QVERIFY2(hostile.out.size() < 5000 * 400, qPrintable(QString::number(hostile.out.size())));
    }
};

QTEST_GUILESS_MAIN(TestValidateCommand)
#include "tst_validatecommand.moc"
