#pragma once

#include <aqueduct/MetricsSnapshot.h>

#include <QHash>
#include <QObject>

namespace Aqueduct::Ui {

class CanvasScene;
struct MetricsSample;

/// Live status on the canvas while a flow runs: each edge into a step shows that step's
/// queue fill (fullest lane against capacity; the edge colours it green/yellow/red), each
/// step its workers alive of wanted, busy share and errors.
class CanvasOverlay final : public QObject {
    Q_OBJECT
public:
    explicit CanvasOverlay(CanvasScene* scene, QObject* parent = nullptr);

    /// `sample` (the history's newest) gives the busy share; without it the snapshot's
    /// instantaneous busy workers are used.
    void update(const MetricsSnapshot& snapshot, const MetricsSample* sample);
    /// Removes every overlay (the run ended).
    void clear();
    bool isActive() const { return m_active; }

private:
    struct Shown {
        int alive = -1;
        int wanted = -1;
        int busyPercent = -1;
        qint64 errors = -1;
        int batchTenths = -1; ///< mean tasks per batch, in tenths (as drawn)
    };

    CanvasScene* m_scene;
    bool m_active = false;
    /// What each step shows now: items repaint only when a visible figure changes.
    QHash<QString, Shown> m_shown;
};

} // namespace Aqueduct::Ui
