#pragma once

#include <QTimer>
#include <QWidget>

namespace Aqueduct::Ui {

class CanvasView;

/// A small overview in the view's corner: node blocks, edges as lines, and the visible
/// area; click or drag to move the view. Paints simplified shapes (not a scene render),
/// so it costs little even with hundreds of steps.
class MinimapWidget final : public QWidget {
    Q_OBJECT
public:
    explicit MinimapWidget(CanvasView* view);

    /// Coalesces redraw requests (scene changes arrive in bursts).
    void scheduleUpdate();
    /// The scene area the minimap shows.
    QRectF sceneArea() const;

protected:
    void paintEvent(QPaintEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;

private:
    QTransform sceneToMap() const;
    void centerViewAt(const QPoint& pos);

    CanvasView* m_view;
    QTimer m_updateTimer;
};

} // namespace Aqueduct::Ui
