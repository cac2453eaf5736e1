// The inspector edits through the model: typed editors generated from the handler schema,
// live expression errors, flow settings, and every edit undoable.
#include "UiTestMain.h"

#include <document/PipelineModel.h>
#include <inspector/EdgeEditor.h>
#include <inspector/ExpressionEdit.h>
#include <inspector/FlowEditor.h>
#include <inspector/InspectorWidget.h>
#include <inspector/ParamEditor.h>
#include <inspector/StepEditor.h>

#include <aqueduct/HandlerRegistry.h>

#include <QAbstractItemView>
#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFile>
#include <QFileDialog>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QTimer>
#include <QToolButton>
#include <QUndoStack>

#include <memory>

using namespace Aqueduct;
using namespace Aqueduct::Ui;

class TestInspector : public QObject {
    Q_OBJECT

    struct Fixture {
        PipelineModel model;
        std::unique_ptr<InspectorWidget> inspector;

        explicit Fixture(const PipelineDocument& document) {
            model.resetDocument(document);
            inspector = std::make_unique<InspectorWidget>(&model);
            inspector->resize(360, 900);
            inspector->show();
            QVERIFY(QTest::qWaitForWindowExposed(inspector.get()));
        }
    };

    /// Types into a line edit the way a person does and finishes with Enter.
    static void typeInto(QLineEdit* edit, const QString& text) {
        edit->setFocus();
        edit->selectAll();
        QTest::keyClick(edit, Qt::Key_Backspace);
        QTest::keyClicks(edit, text);
        QTest::keyClick(edit, Qt::Key_Return);
    }

    static void typeInto(QAbstractSpinBox* spin, const QString& text) {
        spin->setFocus();
        spin->selectAll();
        QTest::keyClicks(spin, text);
        QTest::keyClick(spin, Qt::Key_Return);
    }

    /// Answers the next file dialog with `file` (as a person picking it would), and
    /// reports the folder the dialog opened in.
    struct FileDialogAnswer {
        QString openedIn;
        bool answered = false;
    };
    static std::shared_ptr<FileDialogAnswer> answerFileDialog(const QString& file) {
        auto answer = std::make_shared<FileDialogAnswer>();
        auto* timer = new QTimer(qApp);
        timer->setInterval(20);
        auto tries = std::make_shared<int>(0);
        const QString wanted = QFileInfo(file).absoluteFilePath();
        QObject::connect(timer, &QTimer::timeout, [timer, answer, wanted, tries] {
            auto* dialog = qobject_cast<QFileDialog*>(QApplication::activeModalWidget());
            auto* name =
                dialog ? dialog->findChild<QLineEdit*>(QStringLiteral("fileNameEdit")) : nullptr;
            if (dialog && name) {
                if (answer->openedIn.isEmpty())
                    answer->openedIn = dialog->directory().absolutePath();
                // Typed as a full path into the file name field. The folder listing loads
                // in the background and may select the preselected file in the view (which
                // wins over the typed name), so clear that and check before pressing OK.
                for (auto* view : dialog->findChildren<QAbstractItemView*>())
                    view->clearSelection();
                name->setText(wanted);
                if (dialog->selectedFiles() == QStringList{wanted}) {
                    timer->stop();
                    timer->deleteLater();
                    // Should OK refuse (a "file not found" box), close it: a failure, not
                    // a hang.
                    QTimer::singleShot(3000, [] {
                        if (QWidget* modal = QApplication::activeModalWidget())
                            modal->close();
                    });
                    static_cast<QDialog*>(dialog)->accept(); // QFileDialog::accept, as OK does
                    answer->answered = !dialog->isVisible();
                    if (!answer->answered)
                        dialog->reject();
                    return;
                }
            }
            if (++*tries < 250)
                return;
            timer->stop();
            timer->deleteLater();
            if (dialog)
                dialog->reject(); // a failure, not a hang
        });
        timer->start();
        return answer;
    }

    static HandlerInfo fileParamHandler() {
        HandlerInfo info;
        info.name = QStringLiteral("test_file_params");
        info.category = QStringLiteral("Testing");
        info.description = QStringLiteral("A model and a labels file, like onnx_infer and top_k");
        info.params = {
            ParamSpec{.name = QStringLiteral("model"),
                      .type = ParamType::String,
                      .required = true,
                      .filePath = true},
            ParamSpec{.name = QStringLiteral("field"),
                      .type = ParamType::String,
                      .defaultValue = QStringLiteral("tensor")},
        };
        return info;
    }

private Q_SLOTS:
    void pagesFollowTheSelection() {
        Fixture f(UiTest::loadExample("branching.json"));
        QCOMPARE(f.inspector->currentPage(), InspectorWidget::Page::Flow);
        f.inspector->setSelection({QStringLiteral("heavy")}, {});
        QCOMPARE(f.inspector->currentPage(), InspectorWidget::Page::Step);
        QCOMPARE(f.inspector->stepEditor()->idEdit()->text(), QStringLiteral("heavy"));
        f.inspector->setSelection({}, {1});
        QCOMPARE(f.inspector->currentPage(), InspectorWidget::Page::Edge);
        f.inspector->setSelection({QStringLiteral("heavy"), QStringLiteral("light")}, {});
        QCOMPARE(f.inspector->currentPage(), InspectorWidget::Page::Multiple);
        f.inspector->setSelection({}, {});
        QCOMPARE(f.inspector->currentPage(), InspectorWidget::Page::Flow);
    }

    void intParamEditThenUndo() {
        Fixture f(UiTest::loadExample("three-step.json"));
        f.inspector->setSelection({QStringLiteral("count")}, {});
        ParamEditor* by = f.inspector->stepEditor()->paramEditor(QStringLiteral("by"));
        QVERIFY(by);
        auto* spin = qobject_cast<QSpinBox*>(by->editor());
        QVERIFY(spin);
        QCOMPARE(spin->value(), 1);
        QVERIFY(!spin->toolTip().isEmpty());

        typeInto(spin, QStringLiteral("5"));
        QCOMPARE(f.model.step(QStringLiteral("count"))->params.value(QStringLiteral("by")).toInt(),
                 5);
        QCOMPARE(f.model.undoStack()->count(), 1);

        f.model.undoStack()->undo();
        QCOMPARE(f.model.step(QStringLiteral("count"))->params.value(QStringLiteral("by")).toInt(),
                 1);
        QCOMPARE(spin->value(), 1); // the editor follows the model
        QVERIFY(!f.model.isModified());
    }

    void resetToDefault() {
        Fixture f(UiTest::loadExample("three-step.json"));
        f.inspector->setSelection({QStringLiteral("work")}, {});
        ParamEditor* us = f.inspector->stepEditor()->paramEditor(QStringLiteral("us"));
        QVERIFY(us);
        QVERIFY(us->resetButton()->isEnabled());      // set explicitly in the file
        QTRY_VERIFY(us->resetButton()->height() > 0); // laid out, so it can be clicked
        QTest::mouseClick(us->resetButton(), Qt::LeftButton);
        QVERIFY(!f.model.step(QStringLiteral("work"))->params.contains(QStringLiteral("us")));
        QVERIFY(!us->resetButton()->isEnabled());
        QVERIFY(us->editor()->font().italic()); // showing the default
        f.model.undoStack()->undo();
        QCOMPARE(f.model.step(QStringLiteral("work"))->params.value(QStringLiteral("us")).toInt(),
                 20);
        QVERIFY(!us->editor()->font().italic());
    }

    void choiceStringAndDoubleParams() {
        PipelineDocument document = UiTest::chainDocument(1);
        document.steps[0].handler = QStringLiteral("fail");
        Fixture f(document);
        f.inspector->setSelection({QStringLiteral("a")}, {});
        StepEditor* editor = f.inspector->stepEditor();

        auto* mode =
            qobject_cast<QComboBox*>(editor->paramEditor(QStringLiteral("mode"))->editor());
        QVERIFY(mode);
        const int batch = mode->findText(QStringLiteral("batch"));
        QVERIFY(batch >= 0);
        mode->setFocus();
        mode->setCurrentIndex(batch);
        Q_EMIT mode->activated(batch); // what a click on the popup's item emits
        QCOMPARE(f.model.step(QStringLiteral("a"))->params.value(QStringLiteral("mode")).toString(),
                 QStringLiteral("batch"));

        auto* probability = qobject_cast<QDoubleSpinBox*>(
            editor->paramEditor(QStringLiteral("probability"))->editor());
        QVERIFY(probability);
        QCOMPARE(probability->maximum(), 1.0); // range from the schema
        typeInto(probability, QStringLiteral("0.25"));
        QCOMPARE(f.model.step(QStringLiteral("a"))
                     ->params.value(QStringLiteral("probability"))
                     .toDouble(),
                 0.25);

        auto* message =
            qobject_cast<QLineEdit*>(editor->paramEditor(QStringLiteral("message"))->editor());
        QVERIFY(message);
        typeInto(message, QStringLiteral("boom"));
        QCOMPARE(
            f.model.step(QStringLiteral("a"))->params.value(QStringLiteral("message")).toString(),
            QStringLiteral("boom"));

        QCOMPARE(f.model.undoStack()->count(), 3);
        while (f.model.undoStack()->canUndo())
            f.model.undoStack()->undo();
        QVERIFY(f.model.step(QStringLiteral("a"))->params.isEmpty());
    }

    void executionSettings() {
        Fixture f(UiTest::loadExample("three-step.json"));
        f.inspector->setSelection({QStringLiteral("count")}, {});
        StepEditor* editor = f.inspector->stepEditor();
        typeInto(editor->nprocsSpin(), QStringLiteral("3"));
        QCOMPARE(f.model.step(QStringLiteral("count"))->nprocs, 3);
        // Queue size 0 shows the default it stands for.
        QCOMPARE(editor->queueSizeSpin()->value(), 0);
        QCOMPARE(editor->queueSizeSpin()->text(), QStringLiteral("auto (48)")); // 3 x batch 16
        typeInto(editor->batchSizeSpin(), QStringLiteral("10"));
        QCOMPARE(f.model.step(QStringLiteral("count"))->batchSize, 10);
        QCOMPARE(editor->queueSizeSpin()->text(), QStringLiteral("auto (30)"));
        QCOMPARE(editor->batchTimeoutSpin()->text(), QStringLiteral("dynamic"));
        typeInto(editor->batchTimeoutSpin(), QStringLiteral("25"));
        QCOMPARE(f.model.step(QStringLiteral("count"))->batchTimeoutMs, 25);
        QCOMPARE(f.model.undoStack()->count(), 3);
    }

    void renameThroughTheIdField() {
        Fixture f(UiTest::loadExample("branching.json"));
        f.inspector->setSelection({QStringLiteral("parse")}, {});
        QLineEdit* id = f.inspector->stepEditor()->idEdit();
        typeInto(id, QStringLiteral("heavy")); // taken
        QVERIFY(f.model.step(QStringLiteral("parse")));
        QCOMPARE(f.model.undoStack()->count(), 0);
        typeInto(id, QStringLiteral("ingest"));
        QVERIFY(f.model.step(QStringLiteral("ingest")));
        QCOMPARE(f.inspector->stepEditor()->stepId(), QStringLiteral("ingest"));
        QCOMPARE(f.model.document().edges.first().to, QStringLiteral("ingest"));
        f.model.undoStack()->undo();
        QCOMPARE(f.inspector->stepEditor()->stepId(), QStringLiteral("parse"));
        QCOMPARE(id->text(), QStringLiteral("parse"));
    }

    void conditionShowsLiveParseErrors() {
        Fixture f(UiTest::loadExample("three-step.json"));
        f.inspector->setSelection({QStringLiteral("work")}, {});
        ExpressionEdit* condition = f.inspector->stepEditor()->conditionEdit();
        condition->lineEdit()->setFocus();
        QTest::keyClicks(condition->lineEdit(), QStringLiteral("value > "));
        // While typing: an error with its column, nothing committed yet.
        QVERIFY(condition->errorText().contains(QStringLiteral("Column")));
        QCOMPARE(f.model.undoStack()->count(), 0);
        QTest::keyClicks(condition->lineEdit(), QStringLiteral("3"));
        QVERIFY(condition->errorText().isEmpty());
        QTest::keyClick(condition->lineEdit(), Qt::Key_Return);
        QCOMPARE(f.model.step(QStringLiteral("work"))->condition, QStringLiteral("value > 3"));
        f.model.undoStack()->undo();
        QVERIFY(f.model.step(QStringLiteral("work"))->condition.isEmpty());
        QCOMPARE(condition->expression(), QString());
    }

    void edgeWhenMaterializesTheImplicitChain() {
        Fixture f(UiTest::loadExample("three-step.json"));
        QVERIFY(f.model.usesImplicitChain());
        f.inspector->setSelection({}, {1}); // count -> work
        ExpressionEdit* when = f.inspector->edgeEditor()->whenEdit();
        when->lineEdit()->setFocus();
        QTest::keyClicks(when->lineEdit(), QStringLiteral("value in [1, 2"));
        QVERIFY(!when->errorText().isEmpty());
        QTest::keyClicks(when->lineEdit(), QStringLiteral("]"));
        QVERIFY(when->errorText().isEmpty());
        QTest::keyClick(when->lineEdit(), Qt::Key_Return);
        QCOMPARE(f.model.document().edges.size(), 4);
        QCOMPARE(f.model.document().edges[1].when, QStringLiteral("value in [1, 2]"));
        f.model.undoStack()->undo();
        QVERIFY(f.model.usesImplicitChain());
    }

    void flowSettingsEdit() {
        Fixture f(UiTest::loadExample("three-step.json"));
        FlowEditor* flow = f.inspector->flowEditor();
        auto* lanes = flow->findChild<QSpinBox*>(QStringLiteral("queuePriorities"));
        QVERIFY(lanes);
        QCOMPARE(lanes->value(), 2);
        typeInto(lanes, QStringLiteral("4"));
        QCOMPARE(f.model.document().flow.queuePriorities, 4);
        auto* name = flow->findChild<QLineEdit*>(QStringLiteral("flowName"));
        typeInto(name, QStringLiteral("Renamed"));
        QCOMPARE(f.model.document().name, QStringLiteral("Renamed"));
        auto* metrics = flow->findChild<QCheckBox*>(QStringLiteral("metricsEnabled"));
        QVERIFY(metrics->isChecked());
        QTest::mouseClick(metrics, Qt::LeftButton);
        QVERIFY(!f.model.document().flow.metrics.enabled);
        auto* method = flow->findChild<QComboBox*>(QStringLiteral("startMethod"));
        const int spawn = method->findText(QStringLiteral("spawn"));
        method->setCurrentIndex(spawn);
        Q_EMIT method->activated(spawn);
        QCOMPARE(f.model.document().flow.startMethod, StartMethod::Spawn);
        QCOMPARE(f.model.undoStack()->count(), 4);
        while (f.model.undoStack()->canUndo())
            f.model.undoStack()->undo();
        QCOMPARE(lanes->value(), 2);
        QVERIFY(metrics->isChecked());
        QCOMPARE(f.model.document(), UiTest::loadExample("three-step.json"));
    }

    void unknownHandlerIsShownNotHidden() {
        PipelineDocument document = UiTest::chainDocument(1);
        document.steps[0].handler = QStringLiteral("from_a_missing_plugin");
        document.steps[0].params.insert(QStringLiteral("threshold"), 3);
        Fixture f(document);
        f.inspector->setSelection({QStringLiteral("a")}, {});
        QComboBox* handler = f.inspector->stepEditor()->handlerCombo();
        QVERIFY(handler->currentText().contains(QStringLiteral("from_a_missing_plugin")));
        bool shown = false;
        for (QLabel* label : f.inspector->stepEditor()->findChildren<QLabel*>())
            shown = shown || label->text() == QLatin1String("threshold");
        QVERIFY(shown);
    }

    void filePathParamHasAPickerWritingRelativePaths() {
        HandlerRegistry::global().add(fileParamHandler(), [] { return nullptr; });
        QTemporaryDir pipelineDir;
        QTemporaryDir elsewhere;
        QVERIFY(pipelineDir.isValid() && elsewhere.isValid());
        QVERIFY(QDir(pipelineDir.path()).mkpath(QStringLiteral("models")));
        const QString inside = pipelineDir.filePath(QStringLiteral("models/net.onnx"));
        const QString outside = elsewhere.filePath(QStringLiteral("other.onnx"));
        for (const QString& path : {inside, outside}) {
            QFile file(path);
            QVERIFY(file.open(QIODevice::WriteOnly));
            file.write("onnx");
        }

        PipelineDocument document = UiTest::chainDocument(1);
        document.steps[0].handler = QStringLiteral("test_file_params");
        Fixture f(document);
        f.model.setBaseDirectory(pipelineDir.path()); // as if opened from pipelineDir
        f.inspector->setSelection({QStringLiteral("a")}, {});
        StepEditor* editor = f.inspector->stepEditor();
        ParamEditor* model = editor->paramEditor(QStringLiteral("model"));
        QVERIFY(model);
        QVERIFY(model->browseButton());
        QVERIFY(model->browseButton()->isVisible());
        QCOMPARE(model->browseButton()->text(), QStringLiteral("Browse…"));
        QVERIFY(qobject_cast<QLineEdit*>(model->editor()));
        // Only file paths get a picker.
        QVERIFY(editor->paramEditor(QStringLiteral("field"))->browseButton() == nullptr);

        // A file inside the pipeline's folder is written relative to it.
        auto answer = answerFileDialog(inside);
        QTest::mouseClick(model->browseButton(), Qt::LeftButton);
        QTRY_VERIFY(answer->answered);
        QCOMPARE(QDir(answer->openedIn).canonicalPath(), QDir(pipelineDir.path()).canonicalPath());
        const QString relative = QStringLiteral("models/net.onnx");
        QCOMPARE(f.model.step(QStringLiteral("a"))->params.value("model").toString(), relative);
        QCOMPARE(qobject_cast<QLineEdit*>(model->editor())->text(), relative);
        QVERIFY(model->editor()->toolTip().contains(QStringLiteral("Resolves to")));
        QVERIFY(!model->editor()->toolTip().contains(QStringLiteral("no such file")));
        QCOMPARE(model->pathStatus()->text(), QStringLiteral("✓ file found"));

        // Undoable like any other edit.
        f.model.undoStack()->undo();
        QVERIFY(!f.model.step(QStringLiteral("a"))->params.contains(QStringLiteral("model")));
        QCOMPARE(qobject_cast<QLineEdit*>(model->editor())->text(), QString());
        f.model.undoStack()->redo();
        QCOMPARE(f.model.step(QStringLiteral("a"))->params.value("model").toString(), relative);

        // Picking the file already named keeps its spelling (and adds no edit).
        f.model.setParam(QStringLiteral("a"), QStringLiteral("model"),
                         QStringLiteral("models/./net.onnx"));
        const int edits = f.model.undoStack()->count();
        answer = answerFileDialog(inside);
        model->browse();
        QTRY_VERIFY(answer->answered);
        QCOMPARE(f.model.step(QStringLiteral("a"))->params.value("model").toString(),
                 QStringLiteral("models/./net.onnx"));
        QCOMPARE(f.model.undoStack()->count(), edits);

        // A file elsewhere is written absolute; the dialog starts at the current file.
        answer = answerFileDialog(outside);
        model->browse();
        QTRY_VERIFY(answer->answered);
        QCOMPARE(QDir(answer->openedIn).canonicalPath(),
                 QDir(pipelineDir.filePath(QStringLiteral("models"))).canonicalPath());
        QCOMPARE(QFileInfo(f.model.step(QStringLiteral("a"))->params.value("model").toString())
                     .canonicalFilePath(),
                 QFileInfo(outside).canonicalFilePath());
        QVERIFY(QDir::isAbsolutePath(
            f.model.step(QStringLiteral("a"))->params.value("model").toString()));

        // A pipeline never saved: relative paths mean the current directory, and it says so.
        f.model.setParam(QStringLiteral("a"), QStringLiteral("model"),
                         QStringLiteral("missing.onnx"));
        f.model.setBaseDirectory(QString());
        const QString tip = model->editor()->toolTip();
        QVERIFY2(tip.contains(QStringLiteral("current directory")), qPrintable(tip));
        QVERIFY2(tip.contains(QStringLiteral("no such file")), qPrintable(tip));
        QCOMPARE(model->pathStatus()->text(), QStringLiteral("✗ no such file"));
    }
};

AQUEDUCT_UI_TEST_MAIN(TestInspector)
#include "tst_inspector.moc"
