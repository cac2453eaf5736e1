// The designer's document model: every edit is an undo command, moves merge, the implicit
// chain is materialised by the first edge edit, refusals are typed, validation is live.
#include "UiTestMain.h"

#include <document/AutoLayout.h>
#include <document/PipelineModel.h>

#include <QSignalSpy>

using namespace Aqueduct;
using namespace Aqueduct::Ui;

class TestPipelineModel : public QObject {
    Q_OBJECT

private:
    /// Undoes everything and checks the document is back to `original`, then redoes
    /// everything and checks it equals `edited`.
    static void checkUndoRedo(PipelineModel& model, const PipelineDocument& original) {
        const PipelineDocument edited = model.document();
        QUndoStack* stack = model.undoStack();
        while (stack->canUndo())
            stack->undo();
        QCOMPARE(model.document(), original);
        QVERIFY(!model.isModified());
        while (stack->canRedo())
            stack->redo();
        QCOMPARE(model.document(), edited);
        QVERIFY(model.isModified());
    }

private Q_SLOTS:
    void addStep() {
        PipelineModel model;
        model.resetDocument(UiTest::chainDocument());
        const PipelineDocument original = model.document();
        QSignalSpy added(&model, &PipelineModel::stepAdded);
        const QString id = model.addStep(QStringLiteral("sleep"), QPointF(100, 200));
        QCOMPARE(id, QStringLiteral("sleep"));
        QCOMPARE(added.count(), 1);
        QCOMPARE(model.document().steps.size(), 4);
        QCOMPARE(model.step(id)->position, QPointF(100, 200));
        QVERIFY(model.isModified());
        // A second one gets a unique id.
        QCOMPARE(model.addStep(QStringLiteral("sleep"), QPointF()), QStringLiteral("sleep_2"));
        QCOMPARE(model.undoStack()->count(), 2);
        checkUndoRedo(model, original);
    }

    void addConnectedStep() {
        PipelineModel model;
        model.resetDocument(UiTest::chainDocument());
        const PipelineDocument original = model.document();
        const QString id = model.addConnectedStep(QStringLiteral("sleep"), QPointF(300, 200),
                                                  QStringLiteral("a"), QString());
        // The chain was written out before the step was added, so it is not in it.
        QCOMPARE(model.document().edges.size(), 5);
        QCOMPARE(model.document().edges.last(), (EdgeSpec{QStringLiteral("a"), id, {}}));
        QCOMPARE(model.undoStack()->count(), 1);
        checkUndoRedo(model, original);
    }

    void removeStepsRestoresStepsAndEdges() {
        PipelineModel model;
        model.resetDocument(UiTest::loadExample("branching.json"));
        const PipelineDocument original = model.document();
        model.removeSteps({QStringLiteral("heavy"), QStringLiteral("light")});
        QCOMPARE(model.document().steps.size(), original.steps.size() - 2);
        for (const EdgeSpec& edge : model.document().edges) {
            QVERIFY(edge.from != QLatin1String("heavy") && edge.to != QLatin1String("heavy"));
            QVERIFY(edge.from != QLatin1String("light") && edge.to != QLatin1String("light"));
        }
        QCOMPARE(model.undoStack()->count(), 1);
        checkUndoRedo(model, original);
    }

    void successiveMovesMerge() {
        PipelineModel model;
        model.resetDocument(UiTest::chainDocument());
        const PipelineDocument original = model.document();
        model.moveSteps({{QStringLiteral("a"), QPointF(20, 0)}});
        model.moveSteps({{QStringLiteral("a"), QPointF(40, 0)}});
        model.moveSteps({{QStringLiteral("a"), QPointF(60, 20)}});
        QCOMPARE(model.undoStack()->count(), 1);
        QCOMPARE(model.step(QStringLiteral("a"))->position, QPointF(60, 20));
        // Another selection is another undo step.
        model.moveSteps(
            {{QStringLiteral("a"), QPointF(0, 0)}, {QStringLiteral("b"), QPointF(300, 40)}});
        QCOMPARE(model.undoStack()->count(), 2);
        model.undoStack()->undo();
        QCOMPARE(model.step(QStringLiteral("a"))->position, QPointF(60, 20));
        model.undoStack()->undo();
        QCOMPARE(model.step(QStringLiteral("a"))->position, QPointF(0, 0));
        QCOMPARE(model.document(), original);
        QVERIFY(!model.isModified());
    }

    void moveBackToStartIsNoEdit() {
        PipelineModel model;
        model.resetDocument(UiTest::chainDocument());
        model.moveSteps({{QStringLiteral("a"), QPointF(20, 0)}});
        model.moveSteps({{QStringLiteral("a"), QPointF(0, 0)}});
        // The merged command is a no-op and drops out of the stack.
        QCOMPARE(model.undoStack()->count(), 0);
        QVERIFY(!model.isModified());
    }

    void changeEveryStepProperty_data() {
        QTest::addColumn<int>("property");
        QTest::addColumn<QVariant>("value");
        QTest::newRow("label") << int(StepProperty::Label)
                               << QVariant(QStringLiteral("Count things"));
        QTest::newRow("handler") << int(StepProperty::Handler) << QVariant(QStringLiteral("sleep"));
        QTest::newRow("nprocs") << int(StepProperty::Nprocs) << QVariant(4);
        QTest::newRow("batch_size") << int(StepProperty::BatchSize) << QVariant(32);
        QTest::newRow("batch_timeout_ms") << int(StepProperty::BatchTimeoutMs) << QVariant(15);
        QTest::newRow("queue_size") << int(StepProperty::QueueSize) << QVariant(100);
        QTest::newRow("condition")
            << int(StepProperty::Condition) << QVariant(QStringLiteral("value > 3"));
        QTest::newRow("on_start_wait_ms") << int(StepProperty::OnStartWaitMs) << QVariant(500);
        QTest::newRow("handle_timeout_ms") << int(StepProperty::HandleTimeoutMs) << QVariant(2000);
    }

    void changeEveryStepProperty() {
        QFETCH(int, property);
        QFETCH(QVariant, value);
        PipelineModel model;
        model.resetDocument(UiTest::loadExample("three-step.json"));
        const PipelineDocument original = model.document();
        QSignalSpy changed(&model, &PipelineModel::stepChanged);
        QVERIFY(model.setStepProperty(QStringLiteral("count"), StepProperty(property), value));
        QCOMPARE(changed.count(), 1);
        QVERIFY(model.document() != original);
        QCOMPARE(model.undoStack()->count(), 1);
        // Setting the same value again is not an edit.
        QVERIFY(model.setStepProperty(QStringLiteral("count"), StepProperty(property), value));
        QCOMPARE(model.undoStack()->count(), 1);
        checkUndoRedo(model, original);
    }

    void handlerChangeKeepsOnlyKnownParams() {
        PipelineModel model;
        model.resetDocument(UiTest::loadExample("three-step.json"));
        // increment {by, field} -> sleep {ms}: neither is a sleep parameter.
        QVERIFY(model.setStepProperty(QStringLiteral("count"), StepProperty::Handler,
                                      QStringLiteral("sleep")));
        QCOMPARE(model.step(QStringLiteral("count"))->handler, QStringLiteral("sleep"));
        QVERIFY(model.step(QStringLiteral("count"))->params.isEmpty());
        model.undoStack()->undo();
        QCOMPARE(model.step(QStringLiteral("count"))->params.value(QStringLiteral("by")).toInt(),
                 1);
    }

    void renameFollowsEdges() {
        PipelineModel model;
        model.resetDocument(UiTest::loadExample("branching.json"));
        const PipelineDocument original = model.document();
        QSignalSpy renamed(&model, &PipelineModel::stepRenamed);
        QVERIFY(model.setStepProperty(QStringLiteral("parse"), StepProperty::Id,
                                      QStringLiteral("ingest")));
        QCOMPARE(renamed.count(), 1);
        QVERIFY(model.step(QStringLiteral("ingest")));
        QVERIFY(!model.step(QStringLiteral("parse")));
        int touching = 0;
        for (const EdgeSpec& edge : model.document().edges) {
            QVERIFY(edge.from != QLatin1String("parse") && edge.to != QLatin1String("parse"));
            touching += edge.from == QLatin1String("ingest") || edge.to == QLatin1String("ingest");
        }
        QCOMPARE(touching, 3);
        checkUndoRedo(model, original);
    }

    void invalidIdsAreRefused_data() {
        QTest::addColumn<QString>("id");
        QTest::newRow("empty") << QString();
        QTest::newRow("duplicate") << QStringLiteral("heavy");
        QTest::newRow("reserved input") << QStringLiteral("input");
        QTest::newRow("reserved output") << QStringLiteral("output");
        QTest::newRow("spaces") << QStringLiteral("two words");
    }

    void invalidIdsAreRefused() {
        QFETCH(QString, id);
        PipelineModel model;
        model.resetDocument(UiTest::loadExample("branching.json"));
        QString error;
        QVERIFY(!model.setStepProperty(QStringLiteral("parse"), StepProperty::Id, id, &error));
        QVERIFY(!error.isEmpty());
        QCOMPARE(model.undoStack()->count(), 0);
    }

    void changeAndResetParam() {
        PipelineModel model;
        model.resetDocument(UiTest::loadExample("three-step.json"));
        const PipelineDocument original = model.document();
        model.setParam(QStringLiteral("count"), QStringLiteral("by"), QJsonValue(7));
        QCOMPARE(model.step(QStringLiteral("count"))->params.value(QStringLiteral("by")).toInt(),
                 7);
        model.setParam(QStringLiteral("count"), QStringLiteral("by"),
                       QJsonValue(QJsonValue::Undefined));
        QVERIFY(!model.step(QStringLiteral("count"))->params.contains(QStringLiteral("by")));
        QCOMPARE(model.undoStack()->count(), 2);
        model.undoStack()->undo();
        QCOMPARE(model.step(QStringLiteral("count"))->params.value(QStringLiteral("by")).toInt(),
                 7);
        model.undoStack()->redo();
        checkUndoRedo(model, original);
    }

    void firstEdgeMaterializesImplicitChain() {
        PipelineModel model;
        model.resetDocument(UiTest::chainDocument());
        const PipelineDocument original = model.document();
        QVERIFY(model.usesImplicitChain());
        const QList<EdgeSpec> chain = model.effectiveEdges();
        QCOMPARE(chain.size(), 4);
        QCOMPARE(model.addEdge(QStringLiteral("a"), QStringLiteral("c")), ConnectionRefusal::None);
        QVERIFY(!model.usesImplicitChain());
        // The chain is still there, now explicit, plus the new edge; one undo step.
        QCOMPARE(model.document().edges.size(), 5);
        QCOMPARE(model.document().edges.mid(0, 4), chain);
        QCOMPARE(model.document().edges.last(),
                 (EdgeSpec{QStringLiteral("a"), QStringLiteral("c"), {}}));
        QCOMPARE(model.undoStack()->count(), 1);
        checkUndoRedo(model, original);
        model.undoStack()->undo();
        QCOMPARE(model.effectiveEdges(), chain);
    }

    void refusals_data() {
        QTest::addColumn<QString>("from");
        QTest::addColumn<QString>("to");
        QTest::addColumn<int>("refusal");
        QTest::newRow("self loop") << "a"
                                   << "a" << int(ConnectionRefusal::SelfLoop);
        QTest::newRow("duplicate of an implicit edge") << "a"
                                                       << "b" << int(ConnectionRefusal::Duplicate);
        QTest::newRow("cycle") << "c"
                               << "a" << int(ConnectionRefusal::Cycle);
        QTest::newRow("into input") << "a"
                                    << "input" << int(ConnectionRefusal::IntoInput);
        QTest::newRow("from output") << "output"
                                     << "a" << int(ConnectionRefusal::FromOutput);
        QTest::newRow("unknown") << "a"
                                 << "nope" << int(ConnectionRefusal::UnknownEndpoint);
        QTest::newRow("fine") << "a"
                              << "c" << int(ConnectionRefusal::None);
    }

    void refusals() {
        QFETCH(QString, from);
        QFETCH(QString, to);
        QFETCH(int, refusal);
        PipelineModel model;
        model.resetDocument(UiTest::chainDocument());
        QCOMPARE(int(model.canConnect(from, to)), refusal);
        if (refusal != int(ConnectionRefusal::None)) {
            QVERIFY(!refusalReason(ConnectionRefusal(refusal)).isEmpty());
            QCOMPARE(int(model.addEdge(from, to)), refusal);
            QCOMPARE(model.undoStack()->count(), 0);
            QVERIFY(model.usesImplicitChain());
        }
    }

    void removeEdgeAndChangeWhen() {
        PipelineModel model;
        model.resetDocument(UiTest::loadExample("branching.json"));
        const PipelineDocument original = model.document();
        QSignalSpy removed(&model, &PipelineModel::edgeRemoved);
        model.removeEdge(2);
        QCOMPARE(removed.count(), 1);
        QCOMPARE(model.document().edges.size(), original.edges.size() - 1);
        model.setEdgeWhen(1, QStringLiteral("value > 5"));
        QCOMPARE(model.document().edges[1].when, QStringLiteral("value > 5"));
        QCOMPARE(model.undoStack()->count(), 2);
        checkUndoRedo(model, original);
    }

    void editingAnImplicitEdgeMaterializes() {
        PipelineModel model;
        model.resetDocument(UiTest::chainDocument());
        const PipelineDocument original = model.document();
        model.setEdgeWhen(1, QStringLiteral("value < 10"));
        QCOMPARE(model.document().edges.size(), 4);
        QCOMPARE(model.document().edges[1].when, QStringLiteral("value < 10"));
        model.removeEdge(2); // b -> c
        QCOMPARE(model.document().edges.size(), 3);
        QCOMPARE(model.undoStack()->count(), 2);
        checkUndoRedo(model, original);
    }

    void flowSettings() {
        PipelineModel model;
        model.resetDocument(UiTest::loadExample("three-step.json"));
        const PipelineDocument original = model.document();
        QSignalSpy changed(&model, &PipelineModel::flowSettingsChanged);
        FlowInfo info = model.flowInfo();
        info.name = QStringLiteral("Renamed");
        info.flow.queuePriorities = 4;
        info.flow.metrics.intervalMs = 250;
        model.setFlowInfo(info);
        QCOMPARE(changed.count(), 1);
        QCOMPARE(model.document().flow.queuePriorities, 4);
        QCOMPARE(model.document().name, QStringLiteral("Renamed"));
        model.setFlowInfo(info); // unchanged: no command
        QCOMPARE(model.undoStack()->count(), 1);
        checkUndoRedo(model, original);
    }

    void pasteMakesIdsUniqueAndOffsets() {
        PipelineModel model;
        model.resetDocument(UiTest::loadExample("branching.json"));
        const PipelineDocument original = model.document();
        PipelineDocument fragment;
        fragment.steps = {*model.step(QStringLiteral("heavy")),
                          *model.step(QStringLiteral("digest"))};
        fragment.edges = {EdgeSpec{QStringLiteral("heavy"), QStringLiteral("digest"),
                                   QStringLiteral("value > 1")}};
        const QStringList ids = model.paste(fragment, QPointF(40, 40));
        QCOMPARE(ids, (QStringList{QStringLiteral("heavy_2"), QStringLiteral("digest_2")}));
        QCOMPARE(model.step(QStringLiteral("heavy_2"))->position,
                 model.step(QStringLiteral("heavy"))->position + QPointF(40, 40));
        QCOMPARE(model.document().edges.last(),
                 (EdgeSpec{QStringLiteral("heavy_2"), QStringLiteral("digest_2"),
                           QStringLiteral("value > 1")}));
        // Pasting again continues the numbering.
        const QStringList again = model.paste(fragment, QPointF(80, 80));
        QCOMPARE(again.first(), QStringLiteral("heavy_3"));
        QCOMPARE(model.undoStack()->count(), 2);
        checkUndoRedo(model, original);
    }

    void pasteWithEdgesIntoImplicitChainKeepsMeaning() {
        PipelineModel model;
        model.resetDocument(UiTest::chainDocument());
        const PipelineDocument original = model.document();
        const QList<EdgeSpec> chain = model.effectiveEdges();
        PipelineDocument fragment = UiTest::chainDocument(2);
        fragment.edges = {EdgeSpec{QStringLiteral("a"), QStringLiteral("b"), {}}};
        model.paste(fragment, QPointF(0, 200));
        // The existing chain became explicit first, so it still means what it did.
        QCOMPARE(model.document().edges.mid(0, chain.size()), chain);
        QCOMPARE(model.document().edges.last(),
                 (EdgeSpec{QStringLiteral("a_2"), QStringLiteral("b_2"), {}}));
        QCOMPARE(model.undoStack()->count(), 1);
        checkUndoRedo(model, original);
    }

    void autoLayoutLayersAndKeepsVerticalOrder() {
        PipelineModel model;
        PipelineDocument document = UiTest::loadExample("branching.json");
        // Scramble: swap heavy and light vertically and put everything on a diagonal.
        for (int i = 0; i < document.steps.size(); ++i)
            document.steps[i].position = QPointF(37 * i, 53 * i);
        document.steps[document.stepIndex(QStringLiteral("light"))].position.setY(-500);
        model.resetDocument(document);
        const PipelineDocument original = model.document();
        model.autoLayout();
        const auto pos = [&](const char* id) {
            return model.step(QString::fromLatin1(id))->position;
        };
        QVERIFY(pos("parse").x() < pos("heavy").x());
        QCOMPARE(pos("heavy").x(), pos("light").x());
        QVERIFY(pos("heavy").x() < pos("digest").x());
        // light was above heavy before, so it stays above.
        QVERIFY(pos("light").y() < pos("heavy").y());
        QCOMPARE(model.undoStack()->count(), 1);
        QCOMPARE(model.undoStack()->text(0), QStringLiteral("Auto layout"));
        checkUndoRedo(model, original);
    }

    void replaceDocumentIsUndoable() {
        PipelineModel model;
        model.resetDocument(UiTest::chainDocument());
        const PipelineDocument original = model.document();
        QSignalSpy reset(&model, &PipelineModel::documentReset);
        model.replaceDocumentUndoable(UiTest::loadExample("branching.json"),
                                      QStringLiteral("Restore"));
        QCOMPARE(reset.count(), 1);
        QCOMPARE(model.document(), UiTest::loadExample("branching.json"));
        checkUndoRedo(model, original);
    }

    void cleanStateFollowsTheStack() {
        PipelineModel model;
        model.resetDocument(UiTest::chainDocument());
        QVERIFY(!model.isModified());
        model.addStep(QStringLiteral("sleep"), QPointF());
        QVERIFY(model.isModified());
        model.undoStack()->setClean(); // saved
        QVERIFY(!model.isModified());
        model.undoStack()->undo();
        QVERIFY(model.isModified()); // undoing past the save is a change too
        model.undoStack()->redo();
        QVERIFY(!model.isModified());
    }

    void validationIsLiveAndCoalesced() {
        PipelineModel model;
        model.resetDocument(UiTest::chainDocument());
        QVERIFY(model.problems().isEmpty());
        QSignalSpy problems(&model, &PipelineModel::problemsChanged);
        model.addStep(QStringLiteral("no_such_handler"), QPointF());
        model.setStepProperty(QStringLiteral("a"), StepProperty::Condition,
                              QStringLiteral("value >"));
        QCOMPARE(problems.count(), 0); // coalesced into one run on the next event loop pass
        QTRY_COMPARE(problems.count(), 1);
        QVERIFY(!model.stepProblems(QStringLiteral("no_such_handler")).isEmpty());
        const QList<Problem> conditionProblems = model.stepProblems(QStringLiteral("a"));
        QVERIFY(!conditionProblems.isEmpty());
        QVERIFY(conditionProblems.first().column > 0);
        model.undoStack()->undo();
        model.undoStack()->undo();
        QTRY_VERIFY(model.problems().isEmpty());
    }

    void edgeProblemsCarryTheirIndex() {
        PipelineModel model;
        model.resetDocument(UiTest::loadExample("branching.json"));
        model.setEdgeWhen(1, QStringLiteral("value >= ("));
        model.validateNow();
        QVERIFY(!model.edgeProblems(1).isEmpty());
        QVERIFY(model.edgeProblems(0).isEmpty());
    }

    void tidyLayoutIsDeterministic() {
        const PipelineDocument document = UiTest::loadExample("branching.json");
        QCOMPARE(tidyLayout(document), tidyLayout(document));
        QCOMPARE(tidyLayout(document).size(), document.steps.size());
    }
};

AQUEDUCT_UI_TEST_MAIN(TestPipelineModel)
#include "tst_pipelinemodel.moc"
