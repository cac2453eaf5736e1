// The window as a person uses it: title and dirty state, palette and quick add, copy and
// paste, save/load byte-identical, broken files, the unsaved-changes prompt, crash recovery.
#include "CanvasTestHelpers.h"
#include "UiTestMain.h"

#include <MainWindow.h>
#include <ProblemsWidget.h>
#include <application/AutosaveManager.h>
#include <application/DocumentController.h>
#include <application/RecentFiles.h>
#include <application/ShortcutsDialog.h>
#include <canvas/CanvasScene.h>
#include <canvas/CanvasView.h>
#include <canvas/StepItem.h>
#include <document/PipelineModel.h>
#include <document/StepFragment.h>
#include <inspector/InspectorWidget.h>
#include <palette/HandlerListModel.h>
#include <palette/PaletteWidget.h>
#include <palette/QuickAddPopup.h>

#include <QAction>
#include <QClipboard>
#include <QDir>
#include <QDockWidget>
#include <QFile>
#include <QLineEdit>
#include <QListView>
#include <QMenuBar>
#include <QMimeData>
#include <QSettings>
#include <QSplitter>
#include <QTemporaryDir>
#include <QTreeView>
#include <QTreeWidget>

#include <memory>

using namespace Aqueduct;
using namespace Aqueduct::Ui;

namespace {

/// Scripted answers instead of dialogs, and a record of what was asked.
class FakePrompts final : public UserPrompts {
public:
    SaveChoice saveChoice = SaveChoice::Cancel;
    bool restore = true;
    QString openPath;
    QString savePath;
    int saveQuestions = 0;
    int restoreQuestions = 0;
    QList<Problem> shownProblems;
    QStringList errors;

    SaveChoice askSaveChanges(QWidget*, const QString&) override {
        ++saveQuestions;
        return saveChoice;
    }
    SaveChoice askQuitWhileRunning(QWidget*, const QString&, bool) override {
        return SaveChoice::Cancel; // no run in these tests
    }
    bool askRestoreAutosave(QWidget*, const QString&, const QDateTime&) override {
        ++restoreQuestions;
        return restore;
    }
    QString openFileName(QWidget*, const QString&) override { return openPath; }
    QString saveFileName(QWidget*, const QString&, const QString&) override { return savePath; }
    void showLoadProblems(QWidget*, const QString&, const QList<Problem>& problems) override {
        shownProblems = problems;
    }
    void showError(QWidget*, const QString&, const QString& message) override { errors << message; }
};

QByteArray readAll(const QString& path) {
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

void writeFile(const QString& path, const QByteArray& data) {
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(data);
}

} // namespace

class TestMainWindow : public QObject {
    Q_OBJECT

    struct Fixture {
        std::shared_ptr<FakePrompts> prompts = std::make_shared<FakePrompts>();
        std::unique_ptr<MainWindow> window;

        Fixture() {
            window = std::make_unique<MainWindow>(prompts);
            window->show();
            QVERIFY(QTest::qWaitForWindowExposed(window.get()));
        }
        PipelineModel* model() const { return window->pipelineModel(); }
        CanvasScene* scene() const { return window->canvasScene(); }
        void trigger(const char* action) const {
            QAction* a = window->action(QString::fromLatin1(action));
            QVERIFY2(a, action);
            a->trigger();
        }
    };

    QTemporaryDir m_dir;

private Q_SLOTS:
    void init() {
        // No autosaves or recent files from an earlier test.
        QDir(AutosaveManager::directory()).removeRecursively();
        QSettings().clear();
    }

    void titleShowsUnsavedStateUntilUndoneToClean() {
        Fixture f;
        QVERIFY(f.window->openFile(UiTest::examplePath("three-step.json")));
        QCOMPARE(f.window->windowTitle(), QStringLiteral("three-step.json[*] — Aqueduct"));
        QVERIFY(!f.window->isWindowModified());
        f.model()->setParam(QStringLiteral("count"), QStringLiteral("by"), 3);
        f.model()->moveSteps({{QStringLiteral("work"), QPointF(260, 80)}});
        QVERIFY(f.window->isWindowModified());
        f.trigger("undo");
        QVERIFY(f.window->isWindowModified());
        f.trigger("undo");
        QVERIFY(!f.window->isWindowModified());
        QVERIFY(!f.window->action(QStringLiteral("undo"))->isEnabled());
        f.trigger("redo");
        QVERIFY(f.window->isWindowModified());
    }

    void addStepsFromThePalette() {
        Fixture f;
        QVERIFY(f.window->openFile(UiTest::examplePath("three-step.json")));
        PaletteWidget* palette = f.window->palette();
        // Search, then Enter adds the best match.
        QTest::keyClicks(palette->searchEdit(), QStringLiteral("sha"));
        QTest::keyClick(palette->searchEdit(), Qt::Key_Return);
        QCOMPARE(f.model()->document().steps.size(), 4);
        QCOMPARE(f.model()->document().steps.last().handler, QStringLiteral("sha256"));
        // Double-click on a row adds that handler.
        palette->searchEdit()->clear();
        QTreeView* tree = palette->treeView();
        const QModelIndexList sleep =
            tree->model()->match(tree->model()->index(0, 0), HandlerListModel::HandlerNameRole,
                                 QStringLiteral("sleep"), 1, Qt::MatchRecursive | Qt::MatchExactly);
        QCOMPARE(sleep.size(), 1);
        tree->scrollTo(sleep.first());
        const QPoint center = tree->visualRect(sleep.first()).center();
        QTest::mouseClick(tree->viewport(), Qt::LeftButton, {}, center);
        QTest::mouseDClick(tree->viewport(), Qt::LeftButton, {}, center);
        QCOMPARE(f.model()->document().steps.size(), 5);
        const StepSpec& added = f.model()->document().steps.last();
        QCOMPARE(added.handler, QStringLiteral("sleep"));
        QCOMPARE(f.scene()->selectedStepIds(), QStringList{added.id});
        // The two new steps do not sit on top of each other.
        QVERIFY(added.position != f.model()->document().steps[3].position);
        QCOMPARE(f.window->inspector()->currentPage(), InspectorWidget::Page::Step);
    }

    void quickAddAtTheCursor() {
        Fixture f;
        QVERIFY(f.window->openFile(UiTest::examplePath("three-step.json")));
        CanvasView* view = f.window->canvasView();
        const QPointF where(300, 400);
        Q_EMIT view->quickAddRequested(where,
                                       view->viewport()->mapToGlobal(view->mapFromScene(where)));
        auto* popup = qobject_cast<QuickAddPopup*>(QApplication::activePopupWidget());
        QVERIFY(popup);
        QTest::keyClicks(popup->searchEdit(), QStringLiteral("cpu"));
        QCOMPARE(popup->currentHandler(), QStringLiteral("cpu_burn"));
        QTest::keyClick(popup->searchEdit(), Qt::Key_Return);
        QTRY_VERIFY(!QApplication::activePopupWidget());
        const StepSpec& added = f.model()->document().steps.last();
        QCOMPARE(added.handler, QStringLiteral("cpu_burn"));
        QVERIFY(QRectF(added.position, QSizeF(216, 64)).adjusted(-20, -20, 20, 20).contains(where));

        // Tab on the canvas opens it too; Escape closes it without adding anything.
        view->setFocus();
        QTest::keyClick(view->viewport(), Qt::Key_Tab);
        QVERIFY(qobject_cast<QuickAddPopup*>(QApplication::activePopupWidget()));
        QTest::keyClick(QApplication::activePopupWidget(), Qt::Key_Escape);
        QTRY_VERIFY(!QApplication::activePopupWidget());
        QCOMPARE(f.model()->document().steps.size(), 4);
    }

    void dropAConnectionOnEmptyCanvasAddsAConnectedStep() {
        Fixture f;
        QVERIFY(f.window->openFile(UiTest::examplePath("three-step.json")));
        CanvasView* view = f.window->canvasView();
        view->resetZoom();
        view->centerOn(f.scene()->stepItem(QStringLiteral("tag"))->sceneBoundingRect().center());
        const QPoint from = view->mapFromScene(
            f.scene()->stepItem(QStringLiteral("tag"))->scenePortPosition(PortKind::Output));
        const QPoint to = from + QPoint(60, 180);
        UiTest::dragMouse(view, from, to);
        auto* popup = qobject_cast<QuickAddPopup*>(QApplication::activePopupWidget());
        QVERIFY(popup);
        QTest::keyClicks(popup->searchEdit(), QStringLiteral("sleep"));
        QTest::keyClick(popup->searchEdit(), Qt::Key_Return);
        QTRY_VERIFY(!QApplication::activePopupWidget());
        const QString id = QStringLiteral("sleep");
        QVERIFY(f.model()->step(id));
        QVERIFY(f.model()->document().edges.contains(EdgeSpec{QStringLiteral("tag"), id, {}}));
        // The implicit chain became explicit first, without the new step in it.
        QVERIFY(f.model()->document().edges.contains(
            EdgeSpec{QStringLiteral("tag"), QStringLiteral("output"), {}}));
        QCOMPARE(f.model()->undoStack()->count(), 1);
        f.trigger("undo");
        QVERIFY(f.model()->usesImplicitChain());
        QVERIFY(!f.model()->step(id));
    }

    void copyPasteAndDuplicate() {
        Fixture f;
        QVERIFY(f.window->openFile(UiTest::examplePath("branching.json")));
        f.scene()->selectSteps({QStringLiteral("heavy"), QStringLiteral("digest")});
        f.trigger("copy");
        const QMimeData* clip = QApplication::clipboard()->mimeData();
        QVERIFY(clip->hasFormat(QString::fromLatin1(kStepsMimeType)));
        QVERIFY(clip->text().contains(QStringLiteral("\"heavy\"")));

        f.trigger("paste");
        QVERIFY(f.model()->step(QStringLiteral("heavy_2")));
        QVERIFY(f.model()->step(QStringLiteral("digest_2")));
        QCOMPARE(f.model()->step(QStringLiteral("heavy_2"))->position,
                 f.model()->step(QStringLiteral("heavy"))->position + QPointF(40, 40));
        // The edge between the copied steps came along, renamed.
        QVERIFY(f.model()->document().edges.contains(
            EdgeSpec{QStringLiteral("heavy_2"), QStringLiteral("digest_2"), {}}));
        QCOMPARE(f.scene()->selectedStepIds(),
                 (QStringList{QStringLiteral("heavy_2"), QStringLiteral("digest_2")}));

        f.trigger("paste");
        QCOMPARE(f.model()->step(QStringLiteral("heavy_3"))->position,
                 f.model()->step(QStringLiteral("heavy"))->position + QPointF(80, 80));

        f.scene()->selectSteps({QStringLiteral("light")});
        f.trigger("duplicate");
        QVERIFY(f.model()->step(QStringLiteral("light_2")));
        f.trigger("cut");
        QVERIFY(!f.model()->step(QStringLiteral("light_2")));
        f.trigger("paste");
        QVERIFY(f.model()->step(QStringLiteral("light_2")));

        f.trigger("selectAll");
        QCOMPARE(f.scene()->selectedStepIds().size(), f.model()->document().steps.size());
        f.trigger("delete");
        QVERIFY(f.model()->document().steps.isEmpty());
        while (f.model()->undoStack()->canUndo())
            f.trigger("undo");
        QCOMPARE(f.model()->document(), UiTest::loadExample("branching.json"));
    }

    void saveLoadRoundTripIsByteIdentical_data() {
        QTest::addColumn<QString>("example");
        for (const char* name :
             {"one-step.json", "three-step.json", "branching.json", "image.json"})
            QTest::newRow(name) << QString::fromLatin1(name);
    }

    void saveLoadRoundTripIsByteIdentical() {
        QFETCH(QString, example);
        Fixture f;
        QVERIFY(f.window->openFile(UiTest::examplePath(example.toLatin1().constData())));
        // An edit of every kind, so the saved file is not just the example.
        f.model()->moveSteps({{f.model()->document().steps.first().id, QPointF(-20, 40)}});
        f.model()->setStepProperty(f.model()->document().steps.first().id, StepProperty::Label,
                                   QStringLiteral("Edited ✓"));
        const QString first = m_dir.filePath(QStringLiteral("first-") + example);
        const QString second = m_dir.filePath(QStringLiteral("second-") + example);
        f.prompts->savePath = first;
        f.trigger("saveAs");
        QVERIFY(!f.window->isWindowModified());
        QCOMPARE(f.window->documentController()->filePath(), first);
        QVERIFY(QFileInfo::exists(first));

        Fixture g;
        QVERIFY(g.window->openFile(first));
        QCOMPARE(g.model()->document(), f.model()->document());
        g.prompts->savePath = second;
        g.trigger("saveAs");
        QCOMPARE(readAll(second), readAll(first));
        QVERIFY(!readAll(first).isEmpty());
        // Saving again in place changes nothing either.
        g.trigger("save");
        QCOMPARE(readAll(second), readAll(first));
        QCOMPARE(QSettings().value(QStringLiteral("recentFiles")).toStringList().first(), second);
    }

    void exportDoesNotTouchTheDocument() {
        Fixture f;
        QVERIFY(f.window->openFile(UiTest::examplePath("branching.json")));
        f.model()->setParam(QStringLiteral("heavy"), QStringLiteral("us"), 300);
        const QString target = m_dir.filePath(QStringLiteral("exported.json"));
        f.prompts->savePath = target;
        f.trigger("export");
        QVERIFY(f.window->isWindowModified());
        QCOMPARE(f.window->documentController()->filePath(), UiTest::examplePath("branching.json"));
        const PipelineDocument::LoadResult exported = PipelineDocument::fromFile(target);
        QVERIFY(exported.ok());
        QCOMPARE(exported.document, f.model()->document());
    }

    void brokenFilesOpenWithProblemsShown_data() {
        QTest::addColumn<QByteArray>("contents");
        QTest::addColumn<bool>("keepsPath");
        QTest::newRow("garbage") << QByteArray("\x01\x02 not json {{{") << false;
        QTest::newRow("truncated")
            << QByteArray("{\"format\": \"aqueduct-pipeline\", \"version\": 1, \"steps\": [")
            << false;
        QTest::newRow("newer version")
            << QByteArray("{\"format\": \"aqueduct-pipeline\", \"version\": 99, \"steps\": []}")
            << false;
        QTest::newRow("wrong types")
            << QByteArray("{\"format\": \"aqueduct-pipeline\", \"version\": 1, \"steps\": "
                          "[{\"id\": \"a\", \"handler\": \"increment\", \"nprocs\": \"many\"}, 7]}")
            << true;
        QTest::newRow("unknown handler and bad edge")
            << QByteArray(
                   "{\"format\": \"aqueduct-pipeline\", \"version\": 1, \"steps\": "
                   "[{\"id\": \"a\", \"handler\": \"nope\"}], \"edges\": "
                   "[{\"from\": \"input\", \"to\": \"a\"}, {\"from\": \"a\", \"to\": \"ghost\"}]}")
            << true;
        QTest::newRow("empty file") << QByteArray() << false;
    }

    void brokenFilesOpenWithProblemsShown() {
        QFETCH(QByteArray, contents);
        QFETCH(bool, keepsPath);
        const QString path = m_dir.filePath(QStringLiteral("broken.json"));
        writeFile(path, contents);
        Fixture f;
        f.prompts->openPath = path;
        f.trigger("open");
        QTRY_VERIFY(f.window->problemsWidget()->problemCount() > 0);
        QCOMPARE(f.window->documentController()->filePath().isEmpty(), !keepsPath);
        if (!keepsPath)
            QVERIFY(!f.prompts->shownProblems.isEmpty()); // structural problems: a dialog
        // Still a working editor.
        f.scene()->addStepAt(QStringLiteral("passthrough"), QPointF(0, 0));
        QVERIFY(f.window->isWindowModified());
        // Clicking a problem that belongs to a step selects it.
        QTreeWidget* tree = f.window->problemsWidget()->treeWidget();
        for (int i = 0; i < tree->topLevelItemCount(); ++i) {
            const QString where = tree->topLevelItem(i)->text(1);
            if (!where.startsWith(QStringLiteral("step a")))
                continue;
            tree->scrollToItem(tree->topLevelItem(i));
            QTest::mouseClick(tree->viewport(), Qt::LeftButton, {},
                              tree->visualItemRect(tree->topLevelItem(i)).center());
            QCOMPARE(f.scene()->selectedStepIds(), QStringList{QStringLiteral("a")});
            break;
        }
    }

    void missingFileIsAnErrorNotACrash() {
        Fixture f;
        QVERIFY(!f.window->openFile(m_dir.filePath(QStringLiteral("does-not-exist.json"))));
        QCOMPARE(f.prompts->errors.size(), 1);
    }

    void dirtyPromptOnClose() {
        Fixture f;
        QVERIFY(f.window->openFile(UiTest::examplePath("three-step.json")));
        // Clean: no question.
        QVERIFY(f.window->close());
        QCOMPARE(f.prompts->saveQuestions, 0);

        f.window->show();
        f.model()->addStep(QStringLiteral("sleep"), QPointF(0, 200));
        f.prompts->saveChoice = UserPrompts::SaveChoice::Cancel;
        QVERIFY(!f.window->close());
        QVERIFY(f.window->isVisible());
        QCOMPARE(f.prompts->saveQuestions, 1);

        // Save goes to the file (here a copy, via Save As on an untitled document).
        f.trigger("new");
        QCOMPARE(f.prompts->saveQuestions, 2); // New asked too (and was cancelled)
        QCOMPARE(f.model()->document().steps.size(), 4);
        f.prompts->saveChoice = UserPrompts::SaveChoice::Discard;
        f.trigger("new");
        QVERIFY(f.model()->document().steps.isEmpty());
        f.model()->addStep(QStringLiteral("sleep"), QPointF());
        f.prompts->saveChoice = UserPrompts::SaveChoice::Save;
        f.prompts->savePath = m_dir.filePath(QStringLiteral("saved-on-close.json"));
        QVERIFY(f.window->close());
        QCOMPARE(PipelineDocument::fromFile(f.prompts->savePath).document.steps.size(), 1);

        // Discard closes without saving.
        Fixture g;
        g.model()->addStep(QStringLiteral("sleep"), QPointF());
        g.prompts->saveChoice = UserPrompts::SaveChoice::Discard;
        QVERIFY(g.window->close());
    }

    void autosaveIsRestoredAfterACrash() {
        const QString source = m_dir.filePath(QStringLiteral("crash.json"));
        QVERIFY(QFile::copy(UiTest::examplePath("three-step.json"), source));
        PipelineDocument edited;
        QString autosavePath;
        {
            Fixture crashed;
            QVERIFY(crashed.window->openFile(source));
            crashed.model()->setParam(QStringLiteral("count"), QStringLiteral("by"), 42);
            crashed.model()->addStep(QStringLiteral("sleep"), QPointF(0, 200));
            crashed.window->documentController()->autosave()->saveNow();
            autosavePath = crashed.window->documentController()->autosave()->autosavePath();
            QVERIFY(QFileInfo::exists(autosavePath));
            edited = crashed.model()->document();
            // The window goes away without a clean exit (no close), like a crash.
        }
        QVERIFY(QFileInfo::exists(autosavePath));

        Fixture declined;
        declined.prompts->restore = false;
        // A live session's autosave is not offered: only the dead one is.
        QCOMPARE(AutosaveManager::orphans().size(), 1);
        QCOMPARE(AutosaveManager::orphans().first().sourcePath, source);

        Fixture restored;
        QVERIFY(restored.window->documentController()->restoreAutosaveIfAny());
        QCOMPARE(restored.prompts->restoreQuestions, 1);
        QCOMPARE(restored.model()->document(), edited);
        QCOMPARE(restored.window->documentController()->filePath(), source);
        QVERIFY(restored.window->isWindowModified());
        QVERIFY(AutosaveManager::orphans().isEmpty());
        // Undo shows the file as it was saved.
        restored.trigger("undo");
        QCOMPARE(restored.model()->document(), PipelineDocument::fromFile(source).document);
        QVERIFY(!restored.window->isWindowModified());
        restored.trigger("redo");

        // A clean exit leaves nothing behind to restore.
        restored.prompts->saveChoice = UserPrompts::SaveChoice::Discard;
        QVERIFY(restored.window->close());
        QVERIFY(AutosaveManager::orphans().isEmpty());
        QVERIFY(!declined.window->documentController()->restoreAutosaveIfAny());
    }

    void declinedAutosaveIsDiscarded() {
        {
            Fixture crashed;
            crashed.model()->addStep(QStringLiteral("sleep"), QPointF());
            crashed.window->documentController()->autosave()->saveNow();
        }
        QCOMPARE(AutosaveManager::orphans().size(), 1);
        Fixture next;
        next.prompts->restore = false;
        QVERIFY(!next.window->documentController()->restoreAutosaveIfAny());
        QCOMPARE(next.prompts->restoreQuestions, 1);
        QVERIFY(AutosaveManager::orphans().isEmpty());
        QVERIFY(next.model()->document().steps.isEmpty());
    }

    void autosaveGoesAwayWhenBackToClean() {
        Fixture f;
        QVERIFY(f.window->openFile(UiTest::examplePath("three-step.json")));
        f.model()->addStep(QStringLiteral("sleep"), QPointF());
        AutosaveManager* autosave = f.window->documentController()->autosave();
        // Written shortly after the change, without calling saveNow().
        QTRY_VERIFY_WITH_TIMEOUT(QFileInfo::exists(autosave->autosavePath()), 5000);
        f.trigger("undo");
        QVERIFY(!QFileInfo::exists(autosave->autosavePath()));
    }

    void viewActions() {
        Fixture f;
        QVERIFY(f.window->openFile(UiTest::examplePath("branching.json")));
        CanvasView* view = f.window->canvasView();
        f.trigger("zoomReset");
        QCOMPARE(view->zoom(), 1.0);
        f.trigger("zoomIn");
        QVERIFY(view->zoom() > 1.0);
        f.trigger("zoomOut");
        f.trigger("zoomOut");
        QVERIFY(view->zoom() < 1.0);
        f.trigger("fitAll");
        QVERIFY(view->mapToScene(view->viewport()->rect())
                    .boundingRect()
                    .contains(f.scene()->nodesBoundingRect()));
        QAction* snap = f.window->action(QStringLiteral("snapToGrid"));
        QVERIFY(snap->isChecked());
        snap->trigger();
        QVERIFY(!f.scene()->snapToGrid());
        f.trigger("autoLayout");
        QCOMPARE(f.model()->undoStack()->undoText(), QStringLiteral("Auto layout"));
        // The keyboard reaches the actions: Ctrl+Z undoes the layout.
        view->setFocus();
        QTest::keyClick(f.window.get(), Qt::Key_Z, Qt::ControlModifier);
        QVERIFY(!f.window->isWindowModified());
    }

    void shortcutsDialogListsEveryShortcut() {
        Fixture f;
        ShortcutsDialog dialog(f.window->menuBar(), f.window.get());
        QTreeWidget* tree = dialog.treeWidget();
        QStringList listed;
        for (int i = 0; i < tree->topLevelItemCount(); ++i) {
            for (int j = 0; j < tree->topLevelItem(i)->childCount(); ++j)
                listed << tree->topLevelItem(i)->child(j)->text(1);
        }
        const QString all = listed.join(QLatin1Char('\n'));
        for (QMenu* menu : f.window->menuBar()->findChildren<QMenu*>()) {
            for (QAction* action : menu->actions()) {
                if (action->shortcut().isEmpty())
                    continue;
                QVERIFY2(all.contains(action->shortcut().toString(QKeySequence::NativeText)),
                         qPrintable(action->text()));
            }
        }
        QVERIFY(all.contains(QKeySequence(QKeySequence::Undo).toString(QKeySequence::NativeText)));
        QVERIFY(all.contains(QStringLiteral("Space")));
    }

    void recentFiles() {
        Fixture f;
        QVERIFY(f.window->openFile(UiTest::examplePath("one-step.json")));
        QVERIFY(f.window->openFile(UiTest::examplePath("branching.json")));
        const QStringList files = f.window->documentController()->recentFiles()->files();
        QCOMPARE(files.size(), 2);
        QCOMPARE(QFileInfo(files.first()).fileName(), QStringLiteral("branching.json"));
        QMenu* recent = f.window->menu(QStringLiteral("recent"));
        Q_EMIT recent->aboutToShow();
        QVERIFY(recent->actions().first()->text().contains(QStringLiteral("branching.json")));
        recent->actions().at(1)->trigger();
        QCOMPARE(QFileInfo(f.window->documentController()->filePath()).fileName(),
                 QStringLiteral("one-step.json"));
    }

    void monitorCanExtendTheWindow() {
        Fixture f;
        QVERIFY(f.window->centralSplitter());
        QCOMPARE(f.window->centralSplitter()->widget(0), f.window->canvasView());
        auto* dock = new QDockWidget(QStringLiteral("Monitor"), f.window.get());
        f.window->addDock(dock, Qt::BottomDockWidgetArea);
        QVERIFY(
            f.window->menu(QStringLiteral("panels"))->actions().contains(dock->toggleViewAction()));
    }
};

AQUEDUCT_UI_TEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
