#pragma once

#include "canvas/NodeItem.h"

#include <aqueduct/PipelineDocument.h>
#include <aqueduct/Problem.h>

#include <QColor>
#include <QPixmap>

class QFontMetricsF;

namespace Aqueduct::Ui {

struct CanvasColors;

/// A step on the canvas: title, handler, category icon and colour, ports, a problem marker
/// (tooltip lists the problems) and, while a flow runs, a live status overlay.
class StepItem final : public NodeItem {
    Q_OBJECT
public:
    enum { Type = UserType + 1 };

    explicit StepItem(const StepSpec& step, QGraphicsItem* parent = nullptr);

    int type() const override { return Type; }
    QSizeF size() const override;
    void paint(QPainter* painter, const QStyleOptionGraphicsItem* option, QWidget* widget) override;

    /// Refreshes title, handler and badges from the model's spec.
    void updateFromSpec(const StepSpec& step);
    void setProblems(const QList<Problem>& problems);
    const QList<Problem>& problems() const { return m_problems; }

    /// Live overlay for the monitor: workers alive of wanted, share of time busy (0..1) and
    /// errors so far. Drawn until clearLiveStatus().
    void setLiveStatus(int workersAlive, int workersWanted, double busyShare, qint64 errors);
    void clearLiveStatus();
    bool hasLiveStatus() const { return m_live.active; }
    /// Batch fill for a step with batch_size > 1: mean tasks per batch (0 = none ran
    /// lately) of `batchSize`, drawn as a pill on the live overlay, e.g. "batch 5.2/8".
    void setBatchFill(double tasksPerBatch, int batchSize);
    /// The batch pill's text; empty when none is drawn.
    QString batchFillText() const;

private:
    void updateToolTip();
    void paintLiveStatus(QPainter* painter, const QRectF& card, const CanvasColors& colors) const;

    QString fittedSubtitle(const QFontMetricsF& metrics, double width) const;

    QString m_title;
    QStringList m_subtitleParts; ///< handler, procs, batch: the tail is dropped to fit
    QString m_category;
    QColor m_accent;
    bool m_unknownHandler = false;
    bool m_hasCondition = false;
    QString m_condition;
    QString m_description;
    QList<Problem> m_problems;
    struct LiveStatus {
        bool active = false;
        int workersAlive = 0;
        int workersWanted = 0;
        double busyShare = 0;
        qint64 errors = 0;
        double tasksPerBatch = 0;
        int batchSize = 1;
    } m_live;
};

} // namespace Aqueduct::Ui
