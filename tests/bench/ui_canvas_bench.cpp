// Designer canvas benchmark (issue 8): how a 200-step graph behaves under the operations a
// person does all the time: repaint, zoom, pan and dragging a selection. Not a unit test;
// run it by hand (offscreen or under Xvfb) and put the numbers in the notes.
//
//   aqueduct-ui-bench [--json] [--steps N] [--frames N]
//
// Each operation is followed by a synchronous repaint of the viewport, so the figures are
// whole frames (scene update + painting), not just model work.
#include "BuiltinHandlers.h"

#include <MainWindow.h>
#include <application/UserPrompts.h>
#include <canvas/CanvasScene.h>
#include <canvas/CanvasView.h>
#include <canvas/StepItem.h>
#include <document/PipelineModel.h>

#include <aqueduct/HandlerRegistry.h>

#include <QApplication>
#include <QElapsedTimer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMouseEvent>
#include <QScrollBar>

#include <algorithm>
#include <cstdio>
#include <functional>
#include <vector>

using namespace Aqueduct;
using namespace Aqueduct::Ui;

namespace {

struct Stats {
    QString name;
    std::vector<double> samplesMs;

    double percentile(double p) const {
        std::vector<double> sorted = samplesMs;
        std::sort(sorted.begin(), sorted.end());
        if (sorted.empty())
            return 0;
        const size_t index =
            std::min(sorted.size() - 1, size_t(p * double(sorted.size() - 1) + 0.5));
        return sorted[index];
    }
    double mean() const {
        double sum = 0;
        for (double sample : samplesMs)
            sum += sample;
        return samplesMs.empty() ? 0 : sum / double(samplesMs.size());
    }
};

PipelineDocument bigDocument(int steps) {
    // A grid of steps, 20 per row; each row a chain, every fifth step also feeds the row
    // below (explicit edges, as a real large pipeline would have).
    static const char* handlers[] = {"increment", "cpu_burn",    "sha256",
                                     "set_field", "passthrough", "sleep"};
    PipelineDocument document;
    document.name = QStringLiteral("bench");
    const int perRow = 20;
    for (int i = 0; i < steps; ++i) {
        StepSpec step;
        step.id = QStringLiteral("s%1").arg(i);
        step.label = QStringLiteral("Step %1").arg(i);
        step.handler = QString::fromLatin1(handlers[i % 6]);
        if (step.handler == QLatin1String("set_field"))
            step.params.insert(QStringLiteral("field"), QStringLiteral("f"));
        if (step.handler == QLatin1String("sha256"))
            step.params.insert(QStringLiteral("field"), QStringLiteral("payload"));
        step.position = QPointF((i % perRow) * 280, (i / perRow) * 120);
        document.steps.append(step);
    }
    for (int i = 0; i < steps; ++i) {
        const QString id = document.steps[i].id;
        if (i % perRow == 0)
            document.edges.append({QString::fromLatin1(kInputNodeId), id, {}});
        if (i % perRow != perRow - 1 && i + 1 < steps)
            document.edges.append({id, document.steps[i + 1].id, {}});
        else
            document.edges.append({id, QString::fromLatin1(kOutputNodeId), {}});
        if (i % 5 == 2 && i + perRow + 1 < steps)
            document.edges.append(
                {id, document.steps[i + perRow + 1].id, QStringLiteral("value > 10")});
    }
    return document;
}

void sendMouse(QWidget* viewport, QEvent::Type type, const QPoint& pos, Qt::MouseButton button,
               Qt::MouseButtons buttons) {
    QMouseEvent event(type, QPointF(pos), QPointF(viewport->mapToGlobal(pos)), button, buttons,
                      Qt::NoModifier);
    QApplication::sendEvent(viewport, &event);
}

Stats measure(const QString& name, int frames, const std::function<void(int)>& operation) {
    Stats stats{name, {}};
    stats.samplesMs.reserve(size_t(frames));
    QElapsedTimer timer;
    for (int i = 0; i < frames; ++i) {
        timer.start();
        operation(i);
        stats.samplesMs.push_back(double(timer.nsecsElapsed()) / 1e6);
    }
    return stats;
}

} // namespace

int main(int argc, char** argv) {
    registerBuiltinHandlers(HandlerRegistry::global());
    QApplication::setOrganizationName(QStringLiteral("AqueductBench"));
    QApplication::setApplicationName(QStringLiteral("aqueduct-ui-bench"));
    qputenv("AQUEDUCT_TEST", "1"); // default window layout, no saved geometry
    QApplication app(argc, argv);

    bool json = false;
    int stepCount = 200;
    int frames = 60;
    const QStringList arguments = app.arguments();
    for (int i = 1; i < arguments.size(); ++i) {
        if (arguments[i] == QLatin1String("--json"))
            json = true;
        else if (arguments[i] == QLatin1String("--steps") && i + 1 < arguments.size())
            stepCount = arguments[++i].toInt();
        else if (arguments[i] == QLatin1String("--frames") && i + 1 < arguments.size())
            frames = arguments[++i].toInt();
    }

    MainWindow window(std::make_shared<NonInteractivePrompts>(), MainWindow::Mode::Unattended);
    window.resize(1400, 900);
    window.show();
    QApplication::processEvents();
    PipelineModel* model = window.pipelineModel();
    CanvasView* view = window.canvasView();
    CanvasScene* scene = window.canvasScene();
    QWidget* viewport = view->viewport();

    const PipelineDocument document = bigDocument(stepCount);
    QList<Stats> results;
    results << measure(QStringLiteral("load (build items)"), 5, [&](int) {
        model->resetDocument(document);
        QApplication::processEvents();
    });
    results << measure(QStringLiteral("validate"), 10, [&](int) { model->validateNow(); });

    view->fitAll(); // every step visible: the most painting per frame
    QApplication::processEvents();
    const double fitZoom = view->zoom();
    results << measure(QStringLiteral("repaint (all visible)"), frames,
                       [&](int) { viewport->repaint(); });

    view->resetZoom();
    view->centerOn(scene->stepItem(QStringLiteral("s0"))->sceneBoundingRect().center() +
                   QPointF(500, 300));
    QApplication::processEvents();
    results << measure(QStringLiteral("repaint (100%)"), frames, [&](int) { viewport->repaint(); });

    results << measure(QStringLiteral("zoom step + repaint"), frames, [&](int i) {
        if (i % 2 == 0)
            view->zoomIn();
        else
            view->zoomOut();
        viewport->repaint();
    });

    view->setZoom(fitZoom * 1.6);
    QApplication::processEvents();
    results << measure(QStringLiteral("pan 40px + repaint"), frames, [&](int i) {
        QScrollBar* bar =
            (i / 10) % 2 == 0 ? view->horizontalScrollBar() : view->verticalScrollBar();
        bar->setValue(bar->value() + ((i / 20) % 2 == 0 ? 40 : -40));
        viewport->repaint();
    });

    // Drag 20 selected steps with the mouse, one frame per move event.
    view->resetZoom();
    view->centerOn(scene->stepItem(QStringLiteral("s45"))->sceneBoundingRect().center());
    QApplication::processEvents();
    QStringList selection;
    for (int i = 40; i < 60; ++i)
        selection << QStringLiteral("s%1").arg(i);
    scene->selectSteps(selection);
    const QPoint grab =
        view->mapFromScene(scene->stepItem(QStringLiteral("s45"))->sceneBoundingRect().center());
    const int undoBefore = model->undoStack()->count();
    sendMouse(viewport, QEvent::MouseButtonPress, grab, Qt::LeftButton, Qt::LeftButton);
    results << measure(QStringLiteral("drag 20 steps (per move)"), frames, [&](int i) {
        const QPoint offset((i % 30) * 4, (i % 30) * 2);
        sendMouse(viewport, QEvent::MouseMove, grab + offset, Qt::NoButton, Qt::LeftButton);
        viewport->repaint();
    });
    results << measure(QStringLiteral("drop (commit move)"), 1, [&](int) {
        sendMouse(viewport, QEvent::MouseButtonRelease, grab + QPoint(40, 20), Qt::LeftButton,
                  Qt::NoButton);
        QApplication::processEvents();
    });
    const bool dragCommitted = model->undoStack()->count() == undoBefore + 1;

    results << measure(QStringLiteral("auto layout + repaint"), 5, [&](int i) {
        if (i % 2 == 0)
            model->autoLayout();
        else
            model->undoStack()->undo();
        viewport->repaint();
    });
    results << measure(QStringLiteral("undo/redo move + repaint"), 20, [&](int i) {
        if (i % 2 == 0)
            model->undoStack()->undo();
        else
            model->undoStack()->redo();
        viewport->repaint();
    });

    const QString platform = QGuiApplication::platformName();
    if (json) {
        for (const Stats& stats : results) {
            const QJsonObject line{
                {QStringLiteral("benchmark"), QStringLiteral("ui-canvas")},
                {QStringLiteral("operation"), stats.name},
                {QStringLiteral("steps"), stepCount},
                {QStringLiteral("platform"), platform},
                {QStringLiteral("samples"), int(stats.samplesMs.size())},
                {QStringLiteral("mean_ms"), stats.mean()},
                {QStringLiteral("p50_ms"), stats.percentile(0.5)},
                {QStringLiteral("p95_ms"), stats.percentile(0.95)},
            };
            std::printf("%s\n", QJsonDocument(line).toJson(QJsonDocument::Compact).constData());
        }
    } else {
        std::printf("Canvas with %d steps, %lld edges, platform %s, viewport %dx%d\n", stepCount,
                    qlonglong(scene->edgeItems().size()), qPrintable(platform), viewport->width(),
                    viewport->height());
        std::printf("%-28s %8s %8s %8s %8s\n", "operation", "samples", "mean ms", "p50 ms",
                    "p95 ms");
        for (const Stats& stats : results)
            std::printf("%-28s %8d %8.2f %8.2f %8.2f\n", qPrintable(stats.name),
                        int(stats.samplesMs.size()), stats.mean(), stats.percentile(0.5),
                        stats.percentile(0.95));
        std::printf("drag committed as one undo step: %s\n", dragCommitted ? "yes" : "NO");
    }
    return dragCommitted ? 0 : 1;
}
