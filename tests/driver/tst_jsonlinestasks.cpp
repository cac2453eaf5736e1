// JSON-lines task input: the one parser `aqueduct run --input`, `serve` and the monitor's
// load file share (TaskJson::parseTask behind JsonLinesTaskSource). Every error text here
// is what `aqueduct run` writes in a bad_input record.
#include "TestMain.h"

#include <aqueduct/driver/JsonLinesTaskSource.h>
#include <aqueduct/driver/TaskJson.h>

#include <QElapsedTimer>
#include <QTemporaryDir>

#include <limits>
#include <vector>

using namespace Aqueduct;
using namespace Aqueduct::Driver;

namespace {

struct ReadLine {
    std::uint64_t line = 0;
    Task task;
    std::int64_t timeoutMs = 0;
    QString error;
};

} // namespace

class TestJsonLinesTasks : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_dir;

    /// Reads `text` through a JsonLinesTaskSource to the end (as the driver would).
    enum class Repeat { No, Yes };
    struct Reading {
        std::vector<ReadLine> lines;
        bool exhausted = false; ///< the source ended by itself
    };

    std::vector<ReadLine> readAll(const QByteArray& text, std::size_t maxLineBytes = 0) {
        Reading reading = read(text, Repeat::No, std::size_t(-1), maxLineBytes);
        if (!reading.exhausted)
            qFatal("the reader did not finish");
        return std::move(reading.lines);
    }

    /// Up to `maxItems` items of `text` through a JsonLinesTaskSource (as the driver would).
    Reading read(const QByteArray& text, Repeat repeat, std::size_t maxItems,
                 std::size_t maxLineBytes = 0) {
        const QString path = m_dir.filePath(QStringLiteral("tasks.jsonl"));
        QFile file(path);
        if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate) ||
            file.write(text) != text.size())
            qFatal("cannot write %s", qPrintable(path));
        file.close();
        JsonLinesTaskSource source;
        QString error;
        if (!source.open(path, &error))
            qFatal("cannot open: %s", qPrintable(error));
        if (maxLineBytes > 0)
            source.reader().setMaxLineBytes(maxLineBytes);
        source.reader().setRepeat(repeat == Repeat::Yes);
        source.start();
        std::vector<ReadLine> lines;
        QElapsedTimer elapsed;
        elapsed.start();
        while (!source.exhausted() && lines.size() < maxItems && elapsed.elapsed() < 20000) {
            if (!source.ready()) {
                QCoreApplication::processEvents(QEventLoop::AllEvents, 10);
                continue;
            }
            DriveItem item;
            source.take(item);
            lines.push_back({item.line, std::move(item.task), item.timeoutMs, item.error});
        }
        Reading reading;
        reading.exhausted = source.exhausted();
        source.stop();
        reading.lines = std::move(lines);
        return reading;
    }

    ReadLine readOne(const QByteArray& line) {
        std::vector<ReadLine> lines = readAll(line + '\n');
        if (lines.size() != 1)
            qFatal("expected one item, got %zu", lines.size());
        return std::move(lines.front());
    }

private Q_SLOTS:
    void validLinesBecomeTasksInOrder() {
        const auto lines = readAll("{\"value\": 1, \"name\": \"a\"}\n"
                                   "\n"
                                   "   \t\n"
                                   "{\"value\": 2}\r\n"
                                   "  {\"value\": 3, \"ok\": true, \"x\": 0.5, \"n\": null}");
        QCOMPARE(lines.size(), std::size_t(3));
        QCOMPARE(lines[0].line, std::uint64_t(1));
        QCOMPARE(lines[0].task.intField("value"), 1);
        QCOMPARE(lines[0].task.viewField("name"), std::string_view("a"));
        QCOMPARE(lines[1].line, std::uint64_t(4)); // blank lines are counted, not tasks
        QCOMPARE(lines[1].task.intField("value"), 2);
        QCOMPARE(lines[2].line, std::uint64_t(5)); // the last line needs no newline
        QVERIFY(lines[2].error.isEmpty());
        QCOMPARE(lines[2].task.fieldCount(), std::size_t(4));
        QCOMPARE(lines[2].task.find("x")->toDouble(), 0.5);
        QVERIFY(lines[2].task.find("ok")->toBool());
    }

    void bytesAndTensors() {
        const ReadLine bytes = readOne("{\"b\": {\"$bytes\": \"aGVsbG8=\"}}");
        QVERIFY2(bytes.error.isEmpty(), qPrintable(bytes.error));
        QCOMPARE(bytes.task.find("b")->type(), ValueType::Bytes);
        QCOMPARE(bytes.task.find("b")->view(), std::string_view("hello"));
        QCOMPARE(readOne("{\"b\": {\"$bytes\": \"a$$\"}}").error,
                 QStringLiteral("field 'b': \"$bytes\" is not valid base64"));

        // float32 [1.5, 2.5], little-endian
        const ReadLine tensor =
            readOne("{\"t\": {\"$tensor\": {\"dtype\": \"float32\", \"shape\": [2], \"data\": "
                    "\"AADAPwAAIEA=\"}}}");
        QVERIFY2(tensor.error.isEmpty(), qPrintable(tensor.error));
        QCOMPARE(tensor.task.find("t")->type(), ValueType::Tensor);
        QCOMPARE(tensor.task.find("t")->tensorInfo().rank, 1);
        QCOMPARE(tensor.task.find("t")->tensorData().size(), std::size_t(8));
        QCOMPARE(readOne("{\"t\": {\"$tensor\": {\"dtype\": \"float32\", \"shape\": [3], "
                         "\"data\": \"AADAPwAAIEA=\"}}}")
                     .error,
                 QStringLiteral(
                     "field 't': \"$tensor\": tensor float32[3] needs 12 bytes of data, got 8"));
    }

    void priorityMustBeANonNegativeInteger() {
        const ReadLine one = readOne("{\"value\": 2, \"_priority\": 1}");
        QVERIFY(one.error.isEmpty());
        QCOMPARE(one.task.priority(), 1);
        QVERIFY(!one.task.has("_priority"));
        // 1.5 is refused, not truncated to 1 (the monitor used to truncate).
        for (const char* bad : {"1.5", "-1", "\"1\"", "true", "1e7"})
            QCOMPARE(readOne(QByteArray("{\"value\": 3, \"_priority\": ") + bad + "}").error,
                     QStringLiteral("_priority must be a non-negative integer"));
    }

    void timeoutIsTakenFromTheLine() {
        QCOMPARE(readOne("{\"value\": 9, \"_timeout_ms\": 250}").timeoutMs, std::int64_t(250));
        QCOMPARE(readOne("{\"value\": 9}").timeoutMs, std::int64_t(0));
        for (const char* bad : {"0", "2.5", "-4", "\"9\""})
            QCOMPARE(readOne(QByteArray("{\"value\": 9, \"_timeout_ms\": ") + bad + "}").error,
                     QStringLiteral("_timeout_ms must be a positive integer"));
    }

    void otherUnderscoreKeysAreDropped() {
        // A result record fed back as input: the reserved keys do not become fields.
        const ReadLine line = readOne("{\"value\": 6, \"_status\": \"ok\", \"_latency_ms\": 0.5, "
                                      "\"_line\": 3, \"_error\": \"x\"}");
        QVERIFY(line.error.isEmpty());
        QCOMPARE(line.task.fieldCount(), std::size_t(1));
        QCOMPARE(line.task.intField("value"), 6);
    }

    void malformedLinesSayWhy() {
        QCOMPARE(readOne("{not json").error,
                 QStringLiteral("invalid JSON at column 3: unterminated object"));
        QCOMPARE(readOne("[1, 2]").error,
                 QStringLiteral("expected a JSON object with the task's fields"));
        QCOMPARE(readOne("\"text\"").error,
                 QStringLiteral("invalid JSON at column 2: illegal value"));
        QCOMPARE(readOne("{\"a\": {\"b\": 1}}").error,
                 QStringLiteral("field 'a': nested objects are not supported"));
        QCOMPARE(readOne("{\"a\": [1, 2]}").error,
                 QStringLiteral("field 'a': nested arrays are not supported"));
        // One bad line does not stop the rest, and keeps its line number.
        const auto lines = readAll("{\"value\": 1}\n{oops\n{\"value\": 3}\n");
        QCOMPARE(lines.size(), std::size_t(3));
        QCOMPARE(lines[1].line, std::uint64_t(2));
        QVERIFY(!lines[1].error.isEmpty());
        QVERIFY(lines[2].error.isEmpty());
    }

    void deepNestingIsRefused() {
        const QByteArray deep = "{\"a\": " + QByteArray(2000, '[') + QByteArray(2000, ']') + "}";
        QCOMPARE(readOne(deep).error,
                 QStringLiteral("invalid JSON at column 1031: too deeply nested document"));
    }

    void hugeNumbers() {
        QCOMPARE(readOne("{\"v\": 1e400}").error,
                 QStringLiteral("invalid JSON at column 12: illegal number"));
        const ReadLine big = readOne("{\"v\": 123456789012345678901234567890}");
        QVERIFY(big.error.isEmpty());
        QCOMPARE(big.task.find("v")->type(), ValueType::Double);
        QCOMPARE(readOne("{\"v\": 9223372036854775807}").task.intField("v"),
                 std::numeric_limits<std::int64_t>::max());
        QCOMPARE(readOne("{\"v\": -9223372036854775808}").task.intField("v"),
                 std::numeric_limits<std::int64_t>::min());
        QCOMPARE(readOne("{\"v\": 9007199254740993}").task.intField("v"),
                 std::int64_t(9007199254740993));
    }

    void overLongLinesAreBadInputAndSkipped() {
        const std::size_t limit = std::size_t(1) << 20;
        QByteArray text =
            "{\"value\": 1}\n{\"s\": \"" + QByteArray(qsizetype(limit), 'x') + "\"}\n";
        text += "{\"value\": 3}\n";
        const auto lines = readAll(text, limit);
        QCOMPARE(lines.size(), std::size_t(3));
        QCOMPARE(lines[1].line, std::uint64_t(2));
        QCOMPARE(lines[1].error, QStringLiteral("line is longer than 1 MiB"));
        QCOMPARE(lines[2].line, std::uint64_t(3));
        QCOMPARE(lines[2].task.intField("value"), 3);
    }

    void parseTaskDirectly() {
        // serve parses request bodies with the same function.
        TaskJson::ParsedTask parsed;
        QString error;
        QVERIFY(TaskJson::parseTask("{\"value\": 5, \"_priority\": 2, \"_timeout_ms\": 9}", parsed,
                                    &error));
        QCOMPARE(parsed.task.intField("value"), 5);
        QCOMPARE(parsed.priority, 2);
        QCOMPARE(parsed.task.priority(), 2);
        QCOMPARE(parsed.timeoutMs, std::int64_t(9));
        QVERIFY(!TaskJson::parseTask("{\"_priority\": 1.5}", parsed, &error));
        QCOMPARE(error, QStringLiteral("_priority must be a non-negative integer"));
    }

    void repeatReadsTheFileAgain() {
        // The app's looped load: line numbers start again with each pass.
        const Reading reading =
            read("{\"value\": 1}\n\n{\"value\": 2}\nnot json\n{\"value\": 3}", Repeat::Yes, 40);
        QVERIFY(!reading.exhausted);
        QCOMPARE(reading.lines.size(), std::size_t(40));
        const std::uint64_t lineOf[] = {1, 3, 4, 5};
        for (std::size_t i = 0; i < reading.lines.size(); ++i) {
            const ReadLine& line = reading.lines[i];
            QCOMPARE(line.line, lineOf[i % 4]);
            if (i % 4 == 2) {
                QVERIFY(!line.error.isEmpty());
            } else {
                QVERIFY2(line.error.isEmpty(), qPrintable(line.error));
                QCOMPARE(line.task.intField("value"), i % 4 == 3 ? 3 : int(i % 4) + 1);
            }
        }
    }

    void repeatEndsWithoutValidTasks() {
        // Nothing valid in a pass: reported once, not forever; an empty file simply ends.
        const Reading bad = read("nope\n[1]\n", Repeat::Yes, 1000);
        QVERIFY(bad.exhausted);
        QCOMPARE(bad.lines.size(), std::size_t(2));
        const Reading empty = read("", Repeat::Yes, 1000);
        QVERIFY(empty.exhausted);
        QCOMPARE(empty.lines.size(), std::size_t(0));
    }

    void missingFilesAndDirectories() {
        JsonLinesTaskSource source;
        QString error;
        QVERIFY(!source.open(m_dir.filePath(QStringLiteral("absent.jsonl")), &error));
        QVERIFY2(error.startsWith(QStringLiteral("cannot open ")), qPrintable(error));
        JsonLinesTaskSource directory;
        QVERIFY(!directory.open(m_dir.path(), &error));
        QCOMPARE(error, m_dir.path() + QStringLiteral(" is a directory"));
    }
};

AQUEDUCT_TEST_MAIN(TestJsonLinesTasks)
#include "tst_jsonlinestasks.moc"
