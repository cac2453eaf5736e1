// The canvas drives the model: items observe it, drops add steps, port-to-port drags
// connect (with refusals shown while dragging), drags and arrow keys move steps.
#include "CanvasTestHelpers.h"
#include "UiTestMain.h"

#include <canvas/CanvasMetrics.h>
#include <canvas/CanvasScene.h>
#include <canvas/CanvasView.h>
#include <canvas/DragEdgeItem.h>
#include <canvas/EdgeItem.h>
#include <canvas/MinimapWidget.h>
#include <canvas/StepItem.h>
#include <canvas/TerminalItem.h>
#include <document/PipelineModel.h>
#include <palette/HandlerListModel.h>
#include <palette/PaletteWidget.h>
#include <style/Theme.h>

#include <QMimeData>
#include <QPainter>
#include <QScrollBar>
#include <QSignalSpy>

#include <cmath>

#include <memory>

using namespace Aqueduct;
using namespace Aqueduct::Ui;

class TestCanvas : public QObject {
    Q_OBJECT

    struct Fixture {
        std::unique_ptr<PipelineModel> model = std::make_unique<PipelineModel>();
        std::unique_ptr<CanvasScene> scene;
        std::unique_ptr<CanvasView> view;

        explicit Fixture(const PipelineDocument& document) {
            model->resetDocument(document);
            scene = std::make_unique<CanvasScene>(model.get());
            view = std::make_unique<CanvasView>(scene.get());
            view->resize(1000, 700);
            view->show();
            QVERIFY(QTest::qWaitForWindowExposed(view.get()));
            view->resetZoom();
            view->centerOn(QPointF(300, 30));
        }
        ~Fixture() {
            view.reset();
            scene.reset();
        }
        QPoint viewportPos(const QPointF& scenePos) const { return view->mapFromScene(scenePos); }
        QPoint portPos(const QString& id, PortKind port) const {
            return viewportPos(scene->nodeItem(id)->scenePortPosition(port));
        }
        DragEdgeItem* dragItem() const {
            for (QGraphicsItem* item : scene->items()) {
                if (auto* drag = dynamic_cast<DragEdgeItem*>(item))
                    return drag;
            }
            return nullptr;
        }
    };

private Q_SLOTS:
    void itemsFollowTheModel() {
        Fixture f(UiTest::chainDocument());
        QCOMPARE(f.scene->stepItems().size(), 3);
        QVERIFY(f.scene->inputItem() && f.scene->outputItem());
        // The implicit chain is drawn (dashed) as four edges.
        QCOMPARE(f.scene->edgeItems().size(), 4);
        for (const EdgeItem* edge : f.scene->edgeItems())
            QVERIFY(edge->isImplicit());

        const QString id = f.model->addStep(QStringLiteral("sleep"), QPointF(0, 200));
        QVERIFY(f.scene->stepItem(id));
        QCOMPARE(f.scene->stepItem(id)->pos(), QPointF(0, 200));
        QCOMPARE(f.scene->edgeItems().size(), 5); // the chain grew
        f.model->undoStack()->undo();
        QVERIFY(!f.scene->stepItem(id));
        QCOMPARE(f.scene->edgeItems().size(), 4);

        QVERIFY(f.model->setStepProperty(QStringLiteral("b"), StepProperty::Id,
                                         QStringLiteral("middle")));
        QVERIFY(f.scene->stepItem(QStringLiteral("middle")));
        QVERIFY(!f.scene->stepItem(QStringLiteral("b")));
        QCOMPARE(f.scene->edgeItems().size(), 4);

        f.model->moveSteps({{QStringLiteral("a"), QPointF(-40, 80)}});
        QCOMPARE(f.scene->stepItem(QStringLiteral("a"))->pos(), QPointF(-40, 80));
        f.model->resetDocument(UiTest::loadExample("branching.json"));
        QCOMPARE(f.scene->stepItems().size(), 4);
        QCOMPARE(f.scene->edgeItems().size(), 6);
    }

    void addStepByDroppingFromThePalette() {
        Fixture f(UiTest::chainDocument());
        PaletteWidget palette;
        // The palette's own drag data for "sleep".
        const QModelIndexList matches = palette.handlerModel()->match(
            palette.handlerModel()->index(0, 0), HandlerListModel::HandlerNameRole,
            QStringLiteral("sleep"), 1, Qt::MatchRecursive | Qt::MatchExactly);
        QCOMPARE(matches.size(), 1);
        std::unique_ptr<QMimeData> mime(palette.handlerModel()->mimeData(matches));
        QVERIFY(mime);
        QVERIFY(mime->hasFormat(QString::fromLatin1(kHandlerMimeType)));

        const QPointF target(500, 300);
        const QPoint pos = f.viewportPos(target);
        QWidget* viewport = f.view->viewport();
        QDragEnterEvent enter(pos, Qt::CopyAction, mime.get(), Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(viewport, &enter);
        QVERIFY(enter.isAccepted());
        QDragMoveEvent move(pos, Qt::CopyAction, mime.get(), Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(viewport, &move);
        QVERIFY(move.isAccepted());
        QDropEvent drop(QPointF(pos), Qt::CopyAction, mime.get(), Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(viewport, &drop);

        QCOMPARE(f.model->document().steps.size(), 4);
        const StepSpec& added = f.model->document().steps.last();
        QCOMPARE(added.handler, QStringLiteral("sleep"));
        // Centred under the cursor, on the grid.
        const QPointF center = added.position + QPointF(CanvasMetrics::kStepSize.width() / 2,
                                                        CanvasMetrics::kStepSize.height() / 2);
        QVERIFY(QLineF(center, target).length() <= CanvasMetrics::kGridSize);
        QCOMPARE(std::fmod(added.position.x(), CanvasMetrics::kGridSize), 0.0);
        QCOMPARE(f.scene->selectedStepIds(), QStringList{added.id});

        // Other data is not accepted.
        QMimeData text;
        text.setText(QStringLiteral("hello"));
        QDragEnterEvent refused(pos, Qt::CopyAction, &text, Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(viewport, &refused);
        QVERIFY(!refused.isAccepted());
    }

    void addStepThroughTheModelApi() {
        Fixture f(UiTest::chainDocument());
        const QString id = f.scene->addStepAt(QStringLiteral("fail"), QPointF(100, 300));
        QVERIFY(f.scene->stepItem(id));
        QCOMPARE(f.model->step(id)->handler, QStringLiteral("fail"));
        QCOMPARE(f.scene->selectedStepIds(), QStringList{id});
    }

    void connectByDraggingFromPortToPort() {
        Fixture f(UiTest::chainDocument());
        const QPoint from = f.portPos(QStringLiteral("a"), PortKind::Output);
        const QPoint to = f.portPos(QStringLiteral("c"), PortKind::Input);
        UiTest::sendMouse(f.view.get(), QEvent::MouseButtonPress, from, Qt::LeftButton,
                          Qt::LeftButton);
        QVERIFY(f.scene->isConnecting());
        // Over empty canvas (below b): neutral.
        UiTest::sendMouse(f.view.get(), QEvent::MouseMove, (from + to) / 2 + QPoint(0, 150),
                          Qt::NoButton, Qt::LeftButton);
        QCOMPARE(f.dragItem()->state(), DragEdgeItem::State::Neutral);
        UiTest::sendMouse(f.view.get(), QEvent::MouseMove, to, Qt::NoButton, Qt::LeftButton);
        QCOMPARE(f.dragItem()->state(), DragEdgeItem::State::Accept);
        QCOMPARE(f.scene->dragRefusal(), ConnectionRefusal::None);
        UiTest::sendMouse(f.view.get(), QEvent::MouseButtonRelease, to, Qt::LeftButton,
                          Qt::NoButton);
        QVERIFY(!f.scene->isConnecting());
        QVERIFY(!f.dragItem());

        QVERIFY(f.model->document().edges.contains(
            EdgeSpec{QStringLiteral("a"), QStringLiteral("c"), {}}));
        QCOMPARE(f.model->document().edges.size(), 5); // implicit chain materialised + new edge
        QCOMPARE(f.scene->edgeItems().size(), 5);
        bool drawn = false;
        for (const EdgeItem* edge : f.scene->edgeItems()) {
            QVERIFY(!edge->isImplicit());
            drawn = drawn || (edge->sourceNode()->nodeId() == QLatin1String("a") &&
                              edge->targetNode()->nodeId() == QLatin1String("c"));
        }
        QVERIFY(drawn);
        f.model->undoStack()->undo();
        QVERIFY(f.model->usesImplicitChain());
    }

    void connectByDraggingBackwardsFromAnInputPort() {
        Fixture f(UiTest::chainDocument());
        UiTest::dragMouse(f.view.get(), f.portPos(QStringLiteral("c"), PortKind::Input),
                          f.portPos(QStringLiteral("a"), PortKind::Output));
        QVERIFY(f.model->document().edges.contains(
            EdgeSpec{QStringLiteral("a"), QStringLiteral("c"), {}}));
    }

    void refuseWithTheReasonWhileDragging_data() {
        QTest::addColumn<QString>("from");
        QTest::addColumn<QString>("to");
        QTest::addColumn<int>("refusal");
        QTest::newRow("cycle") << "c"
                               << "a" << int(ConnectionRefusal::Cycle);
        QTest::newRow("self loop") << "b"
                                   << "b" << int(ConnectionRefusal::SelfLoop);
        QTest::newRow("duplicate") << "a"
                                   << "b" << int(ConnectionRefusal::Duplicate);
        QTest::newRow("into input") << "a"
                                    << "input" << int(ConnectionRefusal::IntoInput);
    }

    void refuseWithTheReasonWhileDragging() {
        QFETCH(QString, from);
        QFETCH(QString, to);
        QFETCH(int, refusal);
        Fixture f(UiTest::chainDocument());
        const QPoint start = f.portPos(from, PortKind::Output);
        NodeItem* target = f.scene->nodeItem(to);
        // Aim at the input port, or the middle of a node without one.
        const QPoint end = target->hasInputPort()
                               ? f.portPos(to, PortKind::Input)
                               : f.viewportPos(target->sceneBoundingRect().center());
        UiTest::sendMouse(f.view.get(), QEvent::MouseButtonPress, start, Qt::LeftButton,
                          Qt::LeftButton);
        UiTest::sendMouse(f.view.get(), QEvent::MouseMove, (start + end) / 2 + QPoint(0, 90),
                          Qt::NoButton, Qt::LeftButton);
        UiTest::sendMouse(f.view.get(), QEvent::MouseMove, end, Qt::NoButton, Qt::LeftButton);
        QCOMPARE(int(f.scene->dragRefusal()), refusal);
        DragEdgeItem* drag = f.dragItem();
        QVERIFY(drag);
        QCOMPARE(drag->state(), DragEdgeItem::State::Refuse);
        QCOMPARE(drag->message(), refusalReason(ConnectionRefusal(refusal)));
        UiTest::sendMouse(f.view.get(), QEvent::MouseButtonRelease, end, Qt::LeftButton,
                          Qt::NoButton);
        QCOMPARE(f.model->undoStack()->count(), 0);
        QVERIFY(f.model->usesImplicitChain());
        QVERIFY(!f.dragItem());
    }

    void escapeCancelsAConnection() {
        Fixture f(UiTest::chainDocument());
        const QPoint start = f.portPos(QStringLiteral("a"), PortKind::Output);
        UiTest::sendMouse(f.view.get(), QEvent::MouseButtonPress, start, Qt::LeftButton,
                          Qt::LeftButton);
        QVERIFY(f.scene->isConnecting());
        QTest::keyClick(f.view->viewport(), Qt::Key_Escape);
        QVERIFY(!f.scene->isConnecting());
        UiTest::sendMouse(f.view.get(), QEvent::MouseButtonRelease, start, Qt::LeftButton,
                          Qt::NoButton);
        QCOMPARE(f.model->undoStack()->count(), 0);
    }

    void draggingAStepMovesItOnTheGrid() {
        Fixture f(UiTest::chainDocument());
        StepItem* item = f.scene->stepItem(QStringLiteral("b"));
        const QPointF before = item->pos();
        const QPoint grab = f.viewportPos(item->sceneBoundingRect().center() + QPointF(10, 0));
        UiTest::dragMouse(f.view.get(), grab, grab + QPoint(53, 27));
        QCOMPARE(f.model->step(QStringLiteral("b"))->position, before + QPointF(60, 20));
        QCOMPARE(item->pos(), before + QPointF(60, 20));
        QCOMPARE(f.model->undoStack()->count(), 1);
        f.model->undoStack()->undo();
        QCOMPARE(item->pos(), before);

        // Without snapping the exact offset is kept.
        f.scene->setSnapToGrid(false);
        UiTest::dragMouse(f.view.get(), grab, grab + QPoint(53, 27));
        QCOMPARE(f.model->step(QStringLiteral("b"))->position, before + QPointF(53, 27));
    }

    void arrowKeysNudgeTheSelection() {
        Fixture f(UiTest::chainDocument());
        f.scene->selectSteps({QStringLiteral("a"), QStringLiteral("c")});
        f.view->setFocus();
        QTest::keyClick(f.view->viewport(), Qt::Key_Right);
        QTest::keyClick(f.view->viewport(), Qt::Key_Right);
        QTest::keyClick(f.view->viewport(), Qt::Key_Down, Qt::ShiftModifier);
        QCOMPARE(f.model->step(QStringLiteral("a"))->position, QPointF(40, 100));
        QCOMPARE(f.model->step(QStringLiteral("c"))->position, QPointF(640, 100));
        QCOMPARE(f.model->step(QStringLiteral("b"))->position, QPointF(300, 0));
        QCOMPARE(f.model->undoStack()->count(), 1); // nudges of one selection merge
    }

    void wheelZoomsAroundTheCursor() {
        Fixture f(UiTest::chainDocument());
        const QPoint cursor(700, 200);
        const QPointF sceneBefore = f.view->mapToScene(cursor);
        QWheelEvent wheel(QPointF(cursor), QPointF(f.view->viewport()->mapToGlobal(cursor)),
                          QPoint(), QPoint(0, 240), Qt::NoButton, Qt::NoModifier, Qt::NoScrollPhase,
                          false);
        QApplication::sendEvent(f.view->viewport(), &wheel);
        QVERIFY(f.view->zoom() > 1.3);
        const QPointF sceneAfter = f.view->mapToScene(cursor);
        QVERIFY2(QLineF(sceneBefore, sceneAfter).length() < 2.0,
                 qPrintable(
                     QStringLiteral("moved by %1").arg(QLineF(sceneBefore, sceneAfter).length())));
        f.view->zoomOut();
        f.view->resetZoom();
        QCOMPARE(f.view->zoom(), 1.0);
        for (int i = 0; i < 40; ++i)
            f.view->zoomOut();
        QCOMPARE(f.view->zoom(), CanvasView::kMinZoom);
    }

    void middleDragPans() {
        Fixture f(UiTest::chainDocument());
        const QPointF before = f.view->mapToScene(QPoint(500, 350));
        UiTest::dragMouse(f.view.get(), QPoint(500, 350), QPoint(400, 300), 4, Qt::MiddleButton);
        const QPointF after = f.view->mapToScene(QPoint(500, 350));
        QCOMPARE(after - before, QPointF(100, 50));
        QCOMPARE(f.model->undoStack()->count(), 0);
    }

    void fitAllShowsEveryNode() {
        Fixture f(UiTest::loadExample("branching.json"));
        f.view->zoomIn();
        f.view->zoomIn();
        f.view->fitAll();
        const QRectF visible = f.view->mapToScene(f.view->viewport()->rect()).boundingRect();
        QVERIFY(visible.contains(f.scene->nodesBoundingRect()));
        f.scene->selectSteps({QStringLiteral("digest")});
        f.view->fitSelection();
        const QRectF selectionVisible =
            f.view->mapToScene(f.view->viewport()->rect()).boundingRect();
        QVERIFY(selectionVisible.contains(
            f.scene->stepItem(QStringLiteral("digest"))->sceneBoundingRect()));
    }

    void problemsShowAsMarkers() {
        Fixture f(UiTest::chainDocument());
        const QString id = f.model->addStep(QStringLiteral("no_such_handler"), QPointF(0, 300));
        QTRY_VERIFY(!f.scene->stepItem(id)->problems().isEmpty());
        QVERIFY(f.scene->stepItem(id)->toolTip().contains(
            f.scene->stepItem(id)->problems().first().message.toHtmlEscaped()));
        QVERIFY(f.scene->stepItem(QStringLiteral("a"))->problems().isEmpty());
        f.model->undoStack()->undo();
        QTRY_VERIFY(f.model->problems().isEmpty());
    }

    void monitorOverlaysPaint() {
        Fixture f(UiTest::loadExample("branching.json"));
        QCOMPARE(EdgeItem::queueFillColor(0.3), Theme::okColor());
        QCOMPARE(EdgeItem::queueFillColor(0.7), Theme::warningColor());
        QCOMPARE(EdgeItem::queueFillColor(0.95), Theme::errorColor());
        StepItem* step = f.scene->stepItem(QStringLiteral("heavy"));
        step->setLiveStatus(1, 2, 0.75, 3);
        QVERIFY(step->hasLiveStatus());
        for (EdgeItem* edge : f.scene->edgeItems())
            edge->setQueueFill(0.95);
        QCOMPARE(f.scene->edgeItems().first()->queueFill(), 0.95);

        const QRectF area = f.scene->nodesBoundingRect();
        QImage image(area.size().toSize(), QImage::Format_ARGB32);
        image.fill(Qt::transparent);
        QPainter painter(&image);
        f.scene->render(&painter, QRectF(image.rect()), area);
        painter.end();
        // The red of full queues is on the canvas.
        bool foundRed = false;
        const QRgb red = Theme::errorColor().rgb();
        for (int y = 0; y < image.height() && !foundRed; ++y) {
            const QRgb* line = reinterpret_cast<const QRgb*>(image.constScanLine(y));
            for (int x = 0; x < image.width() && !foundRed; ++x)
                foundRed = (line[x] | 0xff000000u) == red && qAlpha(line[x]) == 255;
        }
        QVERIFY(foundRed);
        step->clearLiveStatus();
        QVERIFY(!step->hasLiveStatus());
    }

    void spaceDragPans() {
        Fixture f(UiTest::chainDocument());
        f.view->setFocus();
        const QPointF before = f.view->mapToScene(QPoint(500, 350));
        QTest::keyPress(f.view->viewport(), Qt::Key_Space);
        UiTest::dragMouse(f.view.get(), QPoint(500, 600), QPoint(440, 560));
        QTest::keyRelease(f.view->viewport(), Qt::Key_Space);
        QCOMPARE(f.view->mapToScene(QPoint(500, 350)) - before, QPointF(60, 40));
        QVERIFY(f.scene->selectedItems().isEmpty()); // a pan, not a rubber band
    }

    void rubberBandSelects() {
        Fixture f(UiTest::chainDocument());
        const QRectF a = f.scene->stepItem(QStringLiteral("a"))->sceneBoundingRect();
        const QRectF b = f.scene->stepItem(QStringLiteral("b"))->sceneBoundingRect();
        UiTest::dragMouse(f.view.get(), f.viewportPos(a.topLeft() - QPointF(30, 40)),
                          f.viewportPos(b.center()));
        QCOMPARE(f.scene->selectedStepIds(),
                 (QStringList{QStringLiteral("a"), QStringLiteral("b")}));
        QCOMPARE(f.model->undoStack()->count(), 0);
    }

    void doubleClickOnEmptyCanvasOffersQuickAdd() {
        Fixture f(UiTest::chainDocument());
        QSignalSpy requested(f.view.get(), &CanvasView::quickAddRequested);
        const QPointF empty(150, 400);
        QTest::mouseDClick(f.view->viewport(), Qt::LeftButton, {}, f.viewportPos(empty));
        QCOMPARE(requested.count(), 1);
        QVERIFY(QLineF(requested.first().first().toPointF(), empty).length() < 2);
        // On a step it does not.
        QTest::mouseDClick(
            f.view->viewport(), Qt::LeftButton, {},
            f.viewportPos(f.scene->stepItem(QStringLiteral("a"))->sceneBoundingRect().center()));
        QCOMPARE(requested.count(), 1);
    }

    void clickSelectsAnEdge() {
        Fixture f(UiTest::loadExample("branching.json"));
        f.view->fitAll();
        EdgeItem* edge = f.scene->edgeItem(1); // parse -> heavy, with a `when` label
        QVERIFY(edge);
        QTest::mouseClick(f.view->viewport(), Qt::LeftButton, {},
                          f.view->mapFromScene(edge->midpoint()));
        QCOMPARE(f.scene->selectedEdgeIndices(), QList<int>{1});
        f.model->removeItems(f.scene->selectedStepIds(), f.scene->selectedEdgeIndices());
        QCOMPARE(f.model->document().edges.size(), 5);
        QVERIFY(!f.scene->edgeItem(5));
    }

    void readableInLightAndDarkPalettes_data() {
        QTest::addColumn<bool>("dark");
        QTest::newRow("light") << false;
        QTest::newRow("dark") << true;
    }

    void readableInLightAndDarkPalettes() {
        QFETCH(bool, dark);
        const QPalette palette = dark ? Theme::darkPalette() : QPalette(QColor(0xef, 0xef, 0xef));
        const CanvasColors colors = CanvasColors::fromPalette(palette);
        QCOMPARE(colors.dark, dark);
        // WCAG contrast ratios: body text 4.5, secondary text and lines 3.
        auto luminance = [](const QColor& color) {
            auto channel = [](double c) {
                return c <= 0.03928 ? c / 12.92 : std::pow((c + 0.055) / 1.055, 2.4);
            };
            return 0.2126 * channel(color.redF()) + 0.7152 * channel(color.greenF()) +
                   0.0722 * channel(color.blueF());
        };
        auto contrast = [&](const QColor& a, const QColor& b) {
            const double la = luminance(a);
            const double lb = luminance(b);
            return (std::max(la, lb) + 0.05) / (std::min(la, lb) + 0.05);
        };
        QVERIFY2(contrast(colors.text, colors.nodeFill) >= 4.5, "title on a step");
        QVERIFY2(contrast(colors.secondaryText, colors.nodeFill) >= 3.0, "handler name on a step");
        QVERIFY2(contrast(colors.edge, colors.background) >= 3.0, "edges on the canvas");
        QVERIFY2(contrast(colors.nodeBorder, colors.background) >= 1.2, "step outline");
        QVERIFY(contrast(colors.gridDot, colors.background) < 1.6); // the grid stays subtle
    }

    void minimapForLargeGraphs() {
        PipelineDocument document;
        for (int i = 0; i < 200; ++i) {
            StepSpec step;
            step.id = QStringLiteral("s%1").arg(i);
            step.handler = QStringLiteral("passthrough");
            step.position = QPointF((i % 20) * 280, (i / 20) * 120);
            document.steps.append(step);
        }
        Fixture f(document);
        QCOMPARE(f.scene->stepItems().size(), 200);
        f.view->resetZoom();
        QTRY_VERIFY(f.view->minimap()->isVisible());
        f.view->setMinimapEnabled(false);
        QVERIFY(!f.view->minimap()->isVisible());
        f.view->setMinimapEnabled(true);
        QVERIFY(f.view->minimap()->isVisible());
        // Clicking the minimap moves the view there.
        const QPointF before = f.view->mapToScene(f.view->viewport()->rect().center());
        QTest::mouseClick(f.view->minimap(), Qt::LeftButton, {}, QPoint(8, 8));
        const QPointF after = f.view->mapToScene(f.view->viewport()->rect().center());
        QVERIFY(QLineF(before, after).length() > 100);
    }

    void anEdgePastAnotherNodeGoesAroundIt() {
        // a -> c with b in between on the same row: the curve must not cross b.
        PipelineDocument document = UiTest::chainDocument(3);
        document.steps[0].position = QPointF(0, 0);
        document.steps[1].position = QPointF(300, 0);
        document.steps[2].position = QPointF(600, 0);
        document.edges = {{QStringLiteral("input"), QStringLiteral("a"), {}},
                          {QStringLiteral("a"), QStringLiteral("b"), {}},
                          {QStringLiteral("b"), QStringLiteral("c"), {}},
                          {QStringLiteral("a"), QStringLiteral("c"), {}},
                          {QStringLiteral("c"), QStringLiteral("output"), {}}};
        Fixture f(document);
        const QRectF middle = f.scene->stepItem(QStringLiteral("b"))->sceneBoundingRect();
        EdgeItem* around = f.scene->edgeItem(3);
        QVERIFY(around);
        QVERIFY(!around->mapToScene(around->shape()).intersects(middle));
        // Direct neighbours keep their short curve.
        EdgeItem* direct = f.scene->edgeItem(1);
        QVERIFY(direct->sceneBoundingRect().height() < 40);
    }
};

AQUEDUCT_UI_TEST_MAIN(TestCanvas)
#include "tst_canvas.moc"
