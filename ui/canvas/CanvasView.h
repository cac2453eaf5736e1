#pragma once

#include <QGraphicsView>

namespace Aqueduct::Ui {

class CanvasScene;
class MinimapWidget;

/// The canvas viewport: wheel zoom around the cursor, keyboard zoom, middle-drag and
/// space-drag panning, rubber-band selection, fit all / fit selection, a dotted grid and
/// a minimap overlay for graphs larger than the view.
class CanvasView : public QGraphicsView {
    Q_OBJECT
public:
    explicit CanvasView(CanvasScene* scene, QWidget* parent = nullptr);

    CanvasScene* canvasScene() const { return m_scene; }
    double zoom() const;
    void setZoom(double zoom);

    bool isMinimapEnabled() const { return m_minimapEnabled; }
    MinimapWidget* minimap() const { return m_minimap; }

    static constexpr double kMinZoom = 0.1;
    static constexpr double kMaxZoom = 4.0;

public Q_SLOTS:
    void zoomIn();
    void zoomOut();
    void resetZoom();
    void fitAll();
    void fitSelection();
    void setMinimapEnabled(bool enabled);
    /// Centres the view on a scene rectangle without changing the zoom.
    void centerOnRect(const QRectF& rect);

Q_SIGNALS:
    void zoomChanged(double zoom);
    /// Tab or double-click on empty canvas: offer the quick-add popup at `scenePos`.
    void quickAddRequested(const QPointF& scenePos, const QPoint& globalPos);

protected:
    void drawBackground(QPainter* painter, const QRectF& rect) override;
    void wheelEvent(QWheelEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    void keyPressEvent(QKeyEvent* event) override;
    void keyReleaseEvent(QKeyEvent* event) override;
    bool focusNextPrevChild(bool next) override;
    void resizeEvent(QResizeEvent* event) override;
    void scrollContentsBy(int dx, int dy) override;
    void focusOutEvent(QFocusEvent* event) override;

private:
    void scaleBy(double factor, const QPointF& viewportAnchor);
    void fitRect(const QRectF& rect);
    void updateMinimap();
    void positionMinimap();
    void requestQuickAdd();

    CanvasScene* m_scene;
    MinimapWidget* m_minimap;
    bool m_minimapEnabled = true;
    bool m_spaceHeld = false;
    bool m_panning = false;
    QPoint m_lastPanPos;
};

} // namespace Aqueduct::Ui
