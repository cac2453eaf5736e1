// The classify scenario's result check (aqueduct-bench --scenario classify): a right
// answer passes; every kind of wrong answer fails and says why; the committed answers
// file loads and covers every sample image.
#include "ClassifyCheck.h"

#include <aqueduct/Task.h>

#include <QDir>
#include <QTemporaryDir>
#include <QTest>

#include <cstring>

using namespace Aqueduct;
using namespace AqueductBench;

namespace {

ClassifyAnswer answer() {
    ClassifyAnswer a;
    a.label = QStringLiteral("yellow");
    a.score = 0.5;
    a.probabilities = {0.1, 0.2, 0.5, 0.2};
    return a;
}

Value probabilities(std::vector<float> values) {
    std::string bytes(values.size() * sizeof(float), '\0');
    std::memcpy(bytes.data(), values.data(), bytes.size());
    return Value::fromTensor(TensorInfo(TensorDType::Float32, {std::int64_t(values.size())}),
                             bytes);
}

Task rightTask() {
    Task task;
    task.set("label", Value("yellow"));
    task.set("score", Value(0.50004));
    task.set("probabilities", probabilities({0.1f, 0.2f, 0.50004f, 0.2f}));
    return task;
}

} // namespace

class TestClassifyCheck : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void rightAnswerPasses() {
        QString why;
        QVERIFY2(checkClassification(rightTask(), answer(), &why), qPrintable(why));
    }

    void wrongAnswersFail_data() {
        QTest::addColumn<int>("mutation");
        QTest::addColumn<QString>("reason");
        QTest::newRow("other label") << 0 << QStringLiteral("label 'red'");
        QTest::newRow("no label") << 1 << QStringLiteral("no string field 'label'");
        QTest::newRow("label not a string") << 2 << QStringLiteral("no string field 'label'");
        QTest::newRow("score off by 2e-4") << 3 << QStringLiteral("score");
        QTest::newRow("score missing") << 4 << QStringLiteral("no number field 'score'");
        QTest::newRow("score NaN") << 5 << QStringLiteral("score");
        QTest::newRow("one probability off") << 6 << QStringLiteral("probability 3");
        QTest::newRow("too few probabilities") << 7 << QStringLiteral("4 values");
        QTest::newRow("no probabilities") << 8 << QStringLiteral("4 values");
    }

    void wrongAnswersFail() {
        QFETCH(int, mutation);
        QFETCH(QString, reason);
        Task task = rightTask();
        switch (mutation) {
        case 0:
            task.set("label", Value("red"));
            break;
        case 1:
            task.remove("label");
            break;
        case 2:
            task.set("label", Value(3));
            break;
        case 3:
            task.set("score", Value(0.5002));
            break;
        case 4:
            task.remove("score");
            break;
        case 5:
            task.set("score", Value(std::nan("")));
            break;
        case 6:
            task.set("probabilities", probabilities({0.1f, 0.2f, 0.5f, 0.21f}));
            break;
        case 7:
            task.set("probabilities", probabilities({0.1f, 0.2f, 0.5f}));
            break;
        case 8:
            task.remove("probabilities");
            break;
        default:
            QFAIL("unknown mutation");
        }
        QString why;
        QVERIFY(!checkClassification(task, answer(), &why));
        QVERIFY2(why.contains(reason), qPrintable(why));
    }

    void committedAnswersCoverTheSampleImages() {
        QString error;
        const ClassifyAnswers answers = loadClassifyAnswers(
            QStringLiteral(AQUEDUCT_SOURCE_DIR "/tests/bench/classify_expected.json"), &error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        const QStringList images =
            QDir(QStringLiteral(AQUEDUCT_SOURCE_DIR "/resources/images")).entryList(QDir::Files);
        QVERIFY(!images.isEmpty());
        for (const QString& image : images) {
            QVERIFY2(answers.contains(image), qPrintable(image));
            QCOMPARE(answers[image].probabilities.size(), std::size_t(10));
        }
    }

    void malformedAnswersFileIsAnError() {
        QTemporaryDir folder;
        QVERIFY(folder.isValid());
        const QString path = folder.filePath(QStringLiteral("answers.json"));
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(R"({"a.png": {"label": "x", "score": 0.5}})");
        file.close();
        QString error;
        QVERIFY(loadClassifyAnswers(path, &error).isEmpty());
        QVERIFY2(error.contains(QStringLiteral("a.png")), qPrintable(error));
        error.clear();
        QVERIFY(
            loadClassifyAnswers(folder.filePath(QStringLiteral("missing.json")), &error).isEmpty());
        QVERIFY2(error.contains(QStringLiteral("cannot read")), qPrintable(error));
    }
};

QTEST_GUILESS_MAIN(TestClassifyCheck)
#include "tst_classify_check.moc"
