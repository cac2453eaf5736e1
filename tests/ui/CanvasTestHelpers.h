#pragma once

#include <canvas/CanvasView.h>

#include <QApplication>
#include <QMouseEvent>
#include <QWheelEvent>

namespace UiTest {

/// Sends a mouse event to the view's viewport with an explicit button state (QTest's
/// mouseMove does not carry held buttons everywhere, and QGraphicsView needs them).
inline void sendMouse(QGraphicsView* view, QEvent::Type type, const QPoint& pos,
                      Qt::MouseButton button, Qt::MouseButtons buttons,
                      Qt::KeyboardModifiers modifiers = Qt::NoModifier) {
    QWidget* viewport = view->viewport();
    QMouseEvent event(type, QPointF(pos), QPointF(viewport->mapToGlobal(pos)), button, buttons,
                      modifiers);
    QApplication::sendEvent(viewport, &event);
}

/// Press at `from`, move there in `steps` steps, release at `to`.
inline void dragMouse(QGraphicsView* view, const QPoint& from, const QPoint& to, int steps = 6,
                      Qt::MouseButton button = Qt::LeftButton) {
    sendMouse(view, QEvent::MouseButtonPress, from, button, button);
    for (int i = 1; i <= steps; ++i) {
        const QPoint pos = from + (to - from) * i / steps;
        sendMouse(view, QEvent::MouseMove, pos, Qt::NoButton, button);
    }
    sendMouse(view, QEvent::MouseButtonRelease, to, button, Qt::NoButton);
}

} // namespace UiTest
