// resources/pipelines/classify.json in the GUI: opened as a person opens it, run through
// the monitor's Run path (MonitorController::run, as the Run button), with the built vision
// plugin and the sample images; the model step's file picker and its batch fill.
#include "ProcessLeakGuard.h"
#include "UiTestMain.h"

#include <MainWindow.h>
#include <application/DocumentController.h>
#include <application/UserPrompts.h>
#include <canvas/CanvasScene.h>
#include <canvas/StepItem.h>
#include <document/PipelineModel.h>
#include <inspector/InspectorWidget.h>
#include <inspector/ParamEditor.h>
#include <inspector/StepEditor.h>
#include <monitor/EngineController.h>
#include <monitor/MetricsHistory.h>
#include <monitor/MonitorController.h>
#include <monitor/RunBanner.h>
#include <monitor/RunLogWidget.h>

#include <aqueduct/HandlerRegistry.h>
#include <aqueduct/PluginLoader.h>

#include <QApplication>
#include <QDialog>
#include <QDir>
#include <QDockWidget>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLineEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QToolButton>

#include <memory>

using namespace Aqueduct;
using namespace Aqueduct::Ui;

namespace {

constexpr int kWaitMs = 120000;

class LeakCheck {
public:
    ~LeakCheck() {
        if (!m_guard.waitClean(100))
            m_guard.cleanUp();
    }
    bool clean() const { return m_guard.waitClean(5000); }
    QString describe() const { return m_guard.describe(); }

private:
    Test::ProcessLeakGuard m_guard;
};

struct Fixture {
    Fixture() {
        window = std::make_unique<MainWindow>(std::make_shared<NonInteractivePrompts>(),
                                              MainWindow::Mode::Unattended);
        monitor = new MonitorController(window.get());
        window->resize(1400, 900);
        window->show();
    }
    ~Fixture() {
        window->pipelineModel()->undoStack()->setClean();
        window.reset(); // the monitor (a child) stops any run
    }
    PipelineModel* model() const { return window->pipelineModel(); }

    std::unique_ptr<MainWindow> window;
    MonitorController* monitor = nullptr;
};

QString pipelinesDir() {
    return QDir(QStringLiteral(AQUEDUCT_SOURCE_DIR "/resources/pipelines")).absolutePath();
}

/// JSON lines as `aqueduct run --input` reads them: every sample image `repeat` times in
/// the bytes field `image`, then `corrupt` lines that are not an image.
QString writeImageLines(const QTemporaryDir& dir, int repeat, int corrupt, int* images) {
    const QDir imageDir(QStringLiteral(AQUEDUCT_SOURCE_DIR "/resources/images"));
    QList<QByteArray> encoded;
    for (const QString& name : imageDir.entryList(QDir::Files, QDir::Name)) {
        QFile file(imageDir.filePath(name));
        if (file.open(QIODevice::ReadOnly))
            encoded << file.readAll();
    }
    const QString path = dir.filePath(QStringLiteral("images.jsonl"));
    QFile out(path);
    if (!out.open(QIODevice::WriteOnly))
        return {};
    auto line = [&out](const QByteArray& bytes) {
        const QJsonObject image{{"$bytes", QString::fromLatin1(bytes.toBase64())}};
        out.write(QJsonDocument(QJsonObject{{"image", image}}).toJson(QJsonDocument::Compact));
        out.write("\n");
    };
    *images = 0;
    for (int r = 0; r < repeat; ++r) {
        for (const QByteArray& bytes : std::as_const(encoded)) {
            line(bytes);
            ++*images;
        }
    }
    for (int c = 0; c < corrupt; ++c)
        line(QByteArrayLiteral("\x89PNG\r\n\x1a\n truncated, not an image"));
    return path;
}

LoadSettings fileLoad(const QString& path) {
    LoadSettings load;
    load.source = LoadSource::File;
    load.filePath = path;
    load.concurrency = 64;
    load.onEnd = LoadEndAction::StopFlow;
    return load;
}

/// A last step that fails every task without a non-empty `label` and a `score` in 0..1,
/// so "completed" means "classified" (the GUI does not keep task results).
void addLabelCheck(PipelineModel* model) {
    // classify.json is an implicit chain: a step added last runs after top_k.
    QVERIFY(model->usesImplicitChain());
    const QString check = model->addStep(QStringLiteral("fail"), QPointF(1100, 0));
    model->setParam(check, QStringLiteral("probability"), 1.0);
    model->setParam(check, QStringLiteral("message"), QStringLiteral("no label or score"));
    QVERIFY(
        model->setStepProperty(check, StepProperty::Condition,
                               QStringLiteral("!(len(label) > 0 && score >= 0 && score <= 1)")));
}

/// Answers Save As with a fixed path; everything else as unattended.
class SaveAsPrompts final : public UserPrompts {
public:
    explicit SaveAsPrompts(QString path)
        : m_path(std::move(path)) {}
    SaveChoice askSaveChanges(QWidget*, const QString&) override { return SaveChoice::Discard; }
    SaveChoice askQuitWhileRunning(QWidget*, const QString&, bool) override {
        return SaveChoice::Discard;
    }
    bool askRestoreAutosave(QWidget*, const QString&, const QDateTime&) override { return false; }
    QString openFileName(QWidget*, const QString&) override { return {}; }
    QString saveFileName(QWidget*, const QString&, const QString&) override { return m_path; }
    void showLoadProblems(QWidget*, const QString&, const QList<Problem>&) override {}
    void showError(QWidget*, const QString&, const QString& message) override {
        qWarning("%s", qPrintable(message));
    }

private:
    QString m_path;
};

} // namespace

class TestClassifyGui : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() {
        // The built plugin, as the app in the build tree finds it.
        qputenv("AQUEDUCT_PLUGIN_PATH", AQUEDUCT_BINARY_DIR "/lib/aqueduct/plugins");
        PluginLoader::loadSearchPath(HandlerRegistry::global());
        for (const char* name :
             {"image_decode", "image_resize", "image_normalize", "onnx_infer", "top_k"})
            QVERIFY2(HandlerRegistry::global().contains(QLatin1String(name)), name);
    }

    void modelStepOffersAFilePicker() {
        Fixture f;
        QVERIFY(f.window->openFile(UiTest::examplePath("classify.json")));
        QCOMPARE(f.model()->baseDirectory(), pipelinesDir());
        f.window->canvasScene()->selectSteps({QStringLiteral("model")});
        auto* inspector = f.window->findChild<InspectorWidget*>();
        QVERIFY(inspector);
        QTRY_COMPARE(inspector->currentPage(), InspectorWidget::Page::Step);
        ParamEditor* model = inspector->stepEditor()->paramEditor(QStringLiteral("model"));
        QVERIFY(model);
        QVERIFY(model->browseButton());
        QCOMPARE(qobject_cast<QLineEdit*>(model->editor())->text(),
                 QStringLiteral("../models/classifier.onnx"));
        QVERIFY(model->editor()->toolTip().contains(QStringLiteral("Resolves to")));
        QVERIFY(!model->editor()->toolTip().contains(QStringLiteral("no such file")));
        QVERIFY(!inspector->stepEditor()->paramEditor(QStringLiteral("field"))->browseButton());

        f.window->canvasScene()->selectSteps({QStringLiteral("top_k")});
        QTRY_COMPARE(inspector->stepEditor()->stepId(), QStringLiteral("top_k"));
        QVERIFY(inspector->stepEditor()->paramEditor(QStringLiteral("labels"))->browseButton());

        // An example opened as a copy keeps meaning the files beside the example.
        QVERIFY(f.window->documentController()->openCopy(UiTest::examplePath("classify.json")));
        QVERIFY(f.window->documentController()->filePath().isEmpty());
        QCOMPARE(f.model()->baseDirectory(), pipelinesDir());
    }

    void savingElsewhereKeepsNamingTheSameFiles() {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        QVERIFY(QDir(dir.path()).mkpath(QStringLiteral("models")));
        QFile::copy(QStringLiteral(AQUEDUCT_SOURCE_DIR "/resources/models/classifier-labels.txt"),
                    dir.filePath(QStringLiteral("models/labels.txt")));
        const QString target = dir.filePath(QStringLiteral("mine.json"));
        Fixture f;
        QVERIFY(f.window->documentController()->openCopy(UiTest::examplePath("classify.json")));
        // The labels now point inside the new folder; the model stays beside the example.
        f.model()->setParam(QStringLiteral("top_k"), QStringLiteral("labels"),
                            dir.filePath(QStringLiteral("models/labels.txt")));
        f.window->documentController()->setPrompts(std::make_shared<SaveAsPrompts>(target));
        QVERIFY(f.window->documentController()->saveAs());
        QCOMPARE(f.model()->baseDirectory(), QDir(dir.path()).absolutePath());

        const PipelineDocument saved = PipelineDocument::fromFile(target).document;
        const QString model = saved.step(QStringLiteral("model"))->params.value("model").toString();
        QVERIFY2(QDir::isAbsolutePath(model), qPrintable(model));
        QCOMPARE(QFileInfo(model).canonicalFilePath(),
                 QFileInfo(QStringLiteral(AQUEDUCT_SOURCE_DIR "/resources/models/classifier.onnx"))
                     .canonicalFilePath());
        // Absolute values are the person's choice and stay as they are.
        QCOMPARE(saved.step(QStringLiteral("top_k"))->params.value("labels").toString(),
                 dir.filePath(QStringLiteral("models/labels.txt")));
        // One undo step brings the example's spelling back.
        f.model()->undoStack()->undo();
        QCOMPARE(f.model()->step(QStringLiteral("model"))->params.value("model").toString(),
                 QStringLiteral("../models/classifier.onnx"));
    }

    void classifyRunsThroughTheRunPathWithBatchFill() {
        LeakCheck leaks;
        {
            QTemporaryDir dir;
            QVERIFY(dir.isValid());
            int images = 0;
            const QString input = writeImageLines(dir, 40, 1, &images);
            QVERIFY(!input.isEmpty());
            QCOMPARE(images, 200);

            Fixture f;
            QVERIFY(f.window->openFile(UiTest::examplePath("classify.json")));
            addLabelCheck(f.model());
            const int modelIndex = int(f.model()->document().stepIndex(QStringLiteral("model")));
            QCOMPARE(f.model()->document().steps[modelIndex].batchSize, 8);
            StepItem* modelItem = f.window->canvasScene()->stepItem(QStringLiteral("model"));
            QVERIFY(modelItem);

            // What the model step's node shows while it runs.
            QStringList batchTexts;
            connect(f.monitor->engine(), &EngineController::snapshot, modelItem,
                    [modelItem, &batchTexts] {
                        if (!modelItem->batchFillText().isEmpty())
                            batchTexts << modelItem->batchFillText();
                    });
            double bestTasksPerBatch = 0;
            connect(f.monitor->engine(), &EngineController::snapshot, f.monitor,
                    [&f, modelIndex, &bestTasksPerBatch] {
                        MetricsHistory* history = f.monitor->history();
                        if (history->isEmpty() ||
                            std::size_t(modelIndex) >= history->latest().steps.size())
                            return;
                        const StepSample& step = history->latest().steps[std::size_t(modelIndex)];
                        QCOMPARE(step.batchSize, 8);
                        bestTasksPerBatch =
                            std::max(bestTasksPerBatch, double(step.batchTasksMean));
                    });

            f.monitor->setLoadSettings(fileLoad(input));
            QSignalSpy finished(f.monitor, &MonitorController::runFinished);
            QVERIFY2(f.monitor->run(), qPrintable(f.monitor->banner()->text()));
            QTRY_VERIFY_WITH_TIMEOUT(!finished.isEmpty(), kWaitMs);

            const MonitorRunSummary& summary = *f.monitor->lastSummary();
            QVERIFY2(summary.endReason.contains(QStringLiteral("end of file")) ||
                         summary.endReason.contains(QStringLiteral("load finished")),
                     qPrintable(summary.endReason));
            QCOMPARE(summary.badInputLines, std::uint64_t(0));
            QCOMPARE(summary.submitted, std::uint64_t(images + 1));
            // Every image classified (label and score checked by the last step); the
            // corrupt one fails alone, in its decode step.
            QCOMPARE(summary.completed, std::uint64_t(images));
            QCOMPARE(summary.failed(), std::uint64_t(1));
            QCOMPARE(summary.failedByKind[std::size_t(ErrorKind::HandlerError)], std::uint64_t(1));
            QVERIFY2(!f.monitor->runLog()->text().contains(QStringLiteral("no label or score")),
                     qPrintable(f.monitor->runLog()->text()));

            // Batch fill of the model step (batch_size 8) under this load.
            QVERIFY2(bestTasksPerBatch > 1.0, qPrintable(QString::number(bestTasksPerBatch)));
            bool shownAboveOne = false;
            static const QRegularExpression pattern(QStringLiteral("^batch ([0-9.]+)/8$"));
            for (const QString& text : std::as_const(batchTexts)) {
                const QRegularExpressionMatch match = pattern.match(text);
                QVERIFY2(match.hasMatch() || text == QStringLiteral("batch –/8"), qPrintable(text));
                shownAboveOne = shownAboveOne || match.captured(1).toDouble() > 1.0;
            }
            QVERIFY2(shownAboveOne, qPrintable(batchTexts.join(QStringLiteral(", "))));
            // Steps with batch_size 1 would show no pill; after the run none shows.
            QVERIFY(modelItem->batchFillText().isEmpty());
        }
        QVERIFY2(leaks.clean(), qPrintable(leaks.describe()));
    }

    void exampleRunsOnItsOwnSampleImages() {
        // classify.json names its load (app_load): its sample images, looped, so Run works
        // as shipped (synthetic tasks carry no image and would all fail in decode).
        LeakCheck leaks;
        {
            Fixture f;
            QVERIFY(f.window->openFile(UiTest::examplePath("classify.json")));
            const LoadSettings& load = f.monitor->loadSettings();
            QCOMPARE(load.source, LoadSource::File);
            QVERIFY(load.repeat);
            QCOMPARE(load.concurrency, 32);
            // Shown in the Load Source dialog: a clean absolute path, not ".../pipelines/../".
            QVERIFY2(!load.filePath.contains(QStringLiteral("/..")), qPrintable(load.filePath));
            QCOMPARE(QFileInfo(load.filePath).canonicalFilePath(),
                     QFileInfo(pipelinesDir() + QStringLiteral("/../tasks/classify-images.jsonl"))
                         .canonicalFilePath());
            auto* loadButton =
                f.window->findChild<QToolButton*>(QStringLiteral("loadSourceButton"));
            QVERIFY(loadButton);
            QVERIFY2(
                loadButton->toolTip().contains(QStringLiteral("classify-images.jsonl (looped)")),
                qPrintable(loadButton->toolTip()));

            addLabelCheck(f.model());
            QSignalSpy finished(f.monitor, &MonitorController::runFinished);
            QVERIFY2(f.monitor->run(), qPrintable(f.monitor->banner()->text()));
            // Five images a pass: more than three passes means the file was read again.
            QTRY_VERIFY_WITH_TIMEOUT(!f.monitor->history()->isEmpty() &&
                                         f.monitor->history()->latest().completed > 15,
                                     kWaitMs);
            f.monitor->stop();
            QTRY_VERIFY_WITH_TIMEOUT(!finished.isEmpty(), kWaitMs);
            const MonitorRunSummary& summary = *f.monitor->lastSummary();
            QVERIFY2(summary.completed > 15, qPrintable(QString::number(summary.completed)));
            QCOMPARE(summary.failed(), std::uint64_t(0));
            QCOMPARE(summary.badInputLines, std::uint64_t(0));
        }
        QVERIFY2(leaks.clean(), qPrintable(leaks.describe()));
    }

    void chosenLoadIsSavedWithThePipeline() {
        Fixture f;
        QVERIFY(f.window->openFile(UiTest::examplePath("classify.json")));
        PipelineModel* model = f.model();
        // What the Load Source dialog writes: an undoable change of the document.
        FlowInfo info = model->flowInfo();
        info.appLoad = QJsonObject{{QStringLiteral("source"), QStringLiteral("none")}};
        model->setFlowInfo(info);
        QCOMPARE(f.monitor->loadSettings().source, LoadSource::None);
        model->undoStack()->undo();
        QCOMPARE(f.monitor->loadSettings().source, LoadSource::File);
        QVERIFY(f.monitor->loadSettings().repeat);

        // Saved in another folder: the relative tasks file is rewritten to name the same file.
        QTemporaryDir elsewhere;
        QVERIFY(elsewhere.isValid());
        const QString saved = elsewhere.filePath(QStringLiteral("moved.json"));
        f.window->documentController()->setPrompts(std::make_shared<SaveAsPrompts>(saved));
        QVERIFY(f.window->documentController()->saveAs());
        const PipelineDocument::LoadResult reread = PipelineDocument::fromFile(saved);
        QVERIFY(reread.ok());
        const QString file = reread.document.appLoad.value(QStringLiteral("file")).toString();
        QCOMPARE(QFileInfo(file).canonicalFilePath(),
                 QFileInfo(pipelinesDir() + QStringLiteral("/../tasks/classify-images.jsonl"))
                     .canonicalFilePath());
        QCOMPARE(reread.document.appLoad.value(QStringLiteral("repeat")).toBool(), true);
        QCOMPARE(QFileInfo(f.monitor->loadSettings().filePath).canonicalFilePath(),
                 QFileInfo(file).canonicalFilePath());
    }

    void exampleOpenedAsACopyFindsItsTasksFile() {
        // File › Examples opens a copy (never saved): its relative tasks file still means the
        // one beside the example.
        Fixture f;
        QVERIFY(f.window->documentController()->openCopy(UiTest::examplePath("classify.json")));
        const LoadSettings& load = f.monitor->loadSettings();
        QCOMPARE(load.source, LoadSource::File);
        QCOMPARE(QFileInfo(load.filePath).canonicalFilePath(),
                 QFileInfo(pipelinesDir() + QStringLiteral("/../tasks/classify-images.jsonl"))
                     .canonicalFilePath());
    }

    void loadSourceDialogWritesTheDocument() {
        Fixture f;
        QVERIFY(f.window->openFile(UiTest::examplePath("classify.json")));
        PipelineModel* model = f.model();
        const QJsonObject shipped = model->document().appLoad;
        // OK without a change: the document stays as it was (the example's spelling too).
        QTimer::singleShot(0, f.window.get(), [] {
            if (auto* dialog = qobject_cast<QDialog*>(QApplication::activeModalWidget()))
                dialog->accept();
        });
        f.monitor->chooseLoadSource();
        QCOMPARE(model->document().appLoad, shipped);
        QVERIFY(!model->isModified());
        // A change is written into app_load, one undo step.
        QTimer::singleShot(0, f.window.get(), [] {
            auto* dialog = qobject_cast<QDialog*>(QApplication::activeModalWidget());
            if (!dialog)
                return;
            for (QSpinBox* box : dialog->findChildren<QSpinBox*>())
                if (box->value() == 32) // the in-flight bound
                    box->setValue(12);
            dialog->accept();
        });
        f.monitor->chooseLoadSource();
        QCOMPARE(f.monitor->loadSettings().concurrency, 12);
        QCOMPARE(model->document().appLoad.value(QStringLiteral("concurrency")).toInt(), 12);
        QCOMPARE(model->document().appLoad.value(QStringLiteral("file")).toString(),
                 shipped.value(QStringLiteral("file")).toString());
        QVERIFY(model->isModified());
        model->undoStack()->undo();
        QCOMPARE(model->document().appLoad, shipped);
        QCOMPARE(f.monitor->loadSettings().concurrency, 32);
    }

    void missingModelFailsTheStartNamingTheStep() {
        LeakCheck leaks;
        {
            Fixture f;
            QVERIFY(f.window->openFile(UiTest::examplePath("classify.json")));
            f.model()->setParam(QStringLiteral("model"), QStringLiteral("model"),
                                QStringLiteral("../models/no-such-model.onnx"));
            QSignalSpy finished(f.monitor, &MonitorController::runFinished);
            QVERIFY(f.monitor->run());
            QTRY_VERIFY_WITH_TIMEOUT(!finished.isEmpty(), kWaitMs);
            QCOMPARE(f.monitor->banner()->tone(), RunBanner::Tone::Error);
            const QString banner = f.monitor->banner()->text();
            QVERIFY2(banner.contains(QStringLiteral("'model'")), qPrintable(banner));
            // Resolved against the pipeline's folder, as `aqueduct run` does.
            QVERIFY2(
                banner.contains(pipelinesDir() + QStringLiteral("/../models/no-such-model.onnx")),
                qPrintable(banner));
            QVERIFY2(banner.contains(QStringLiteral("does not exist")), qPrintable(banner));
            bool marked = false;
            for (const Problem& problem :
                 f.window->canvasScene()->stepItem(QStringLiteral("model"))->problems())
                marked = marked || problem.message.contains(QStringLiteral("no-such-model"));
            QVERIFY(marked);
        }
        QVERIFY2(leaks.clean(), qPrintable(leaks.describe()));
    }

    void unsavedPipelineResolvesAgainstTheCurrentDirectory() {
        LeakCheck leaks;
        const QString previous = QDir::currentPath();
        {
            QTemporaryDir dir;
            int images = 0;
            const QString input = writeImageLines(dir, 2, 0, &images);
            Fixture f;
            // The same document, never saved: no folder of its own.
            f.model()->resetDocument(UiTest::loadExample("classify.json"));
            QVERIFY(f.model()->baseDirectory().isEmpty());
            QVERIFY(QDir::setCurrent(pipelinesDir()));
            f.monitor->setLoadSettings(fileLoad(input));
            QSignalSpy finished(f.monitor, &MonitorController::runFinished);
            QVERIFY(f.monitor->run());
            QTRY_VERIFY_WITH_TIMEOUT(!finished.isEmpty(), kWaitMs);
            QVERIFY(QDir::setCurrent(previous));
            QVERIFY2(f.monitor->runLog()->text().contains(QStringLiteral("current directory")),
                     qPrintable(f.monitor->runLog()->text()));
            QCOMPARE(f.monitor->lastSummary()->completed, std::uint64_t(images));
        }
        QDir::setCurrent(previous);
        QVERIFY2(leaks.clean(), qPrintable(leaks.describe()));
    }
};

AQUEDUCT_UI_TEST_MAIN(TestClassifyGui)
#include "tst_classifygui.moc"
