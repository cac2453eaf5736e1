#include "monitor/EditLock.h"

#include "MainWindow.h"
#include "canvas/CanvasScene.h"
#include "canvas/CanvasView.h"
#include "canvas/NodeItem.h"
#include "canvas/StepItem.h"
#include "document/PipelineModel.h"
#include "inspector/InspectorWidget.h"
#include "palette/PaletteWidget.h"

#include <QAction>
#include <QGraphicsSceneMouseEvent>
#include <QKeyEvent>
#include <QMenu>
#include <QSet>
#include <QUndoStack>

namespace Aqueduct::Ui {

EditLock::EditLock(MainWindow* window, QObject* parent)
    : QObject(parent)
    , m_window(window) {
    connect(window->pipelineModel()->undoStack(), &QUndoStack::indexChanged, this, [this] {
        if (!m_locked || m_edited)
            return;
        m_edited = true;
        Q_EMIT documentEditedWhileLocked();
    });
}

// No unlock here: the lock dies with the window, whose parts may already be gone.
EditLock::~EditLock() = default;

QStringList EditLock::lockedActionNames() {
    return {QStringLiteral("new"),       QStringLiteral("open"),   QStringLiteral("undo"),
            QStringLiteral("redo"),      QStringLiteral("cut"),    QStringLiteral("paste"),
            QStringLiteral("duplicate"), QStringLiteral("delete"), QStringLiteral("quickAdd"),
            QStringLiteral("autoLayout")};
}

void EditLock::holdAction(QAction* action) {
    if (!action)
        return;
    m_wanted.insert(action, action->isEnabled());
    m_settingEnabled = true;
    action->setEnabled(false);
    m_settingEnabled = false;
    // The window (and the undo stack) re-enable actions as selection and clipboard change;
    // remember what they want and keep the action disabled until unlock().
    m_connections << connect(action, &QAction::changed, this, [this, action] {
        if (m_settingEnabled || !m_locked || !action->isEnabled())
            return;
        m_wanted.insert(action, true);
        m_settingEnabled = true;
        action->setEnabled(false);
        m_settingEnabled = false;
    });
}

void EditLock::lock() {
    if (m_locked)
        return;
    m_locked = true;
    m_edited = false;
    for (const QString& name : lockedActionNames())
        holdAction(m_window->action(name));
    if (QMenu* recent = m_window->menu(QStringLiteral("recent")))
        holdAction(recent->menuAction());

    for (QWidget* widget : {static_cast<QWidget*>(m_window->inspector()),
                            static_cast<QWidget*>(m_window->palette())}) {
        if (widget && widget->isEnabled()) {
            widget->setEnabled(false);
            m_disabledWidgets << widget;
        }
    }
    for (StepItem* item : m_window->canvasScene()->stepItems()) {
        if (item->flags() & QGraphicsItem::ItemIsMovable) {
            item->setFlag(QGraphicsItem::ItemIsMovable, false);
            m_immobilized << item;
        }
    }
    m_window->canvasScene()->installEventFilter(this);
    m_window->canvasView()->installEventFilter(this);
    m_window->canvasView()->viewport()->installEventFilter(this);
    m_window->canvasView()->setAcceptDrops(false);
}

void EditLock::unlock() {
    if (!m_locked)
        return;
    m_locked = false;
    for (const QMetaObject::Connection& connection : std::as_const(m_connections))
        disconnect(connection);
    m_connections.clear();
    m_settingEnabled = true;
    for (auto it = m_wanted.cbegin(); it != m_wanted.cend(); ++it)
        it.key()->setEnabled(it.value());
    m_settingEnabled = false;
    m_wanted.clear();
    // The undo stack knows best whether undo/redo apply.
    QUndoStack* stack = m_window->pipelineModel()->undoStack();
    if (QAction* undo = m_window->action(QStringLiteral("undo")))
        undo->setEnabled(stack->canUndo());
    if (QAction* redo = m_window->action(QStringLiteral("redo")))
        redo->setEnabled(stack->canRedo());

    for (const QPointer<QWidget>& widget : std::as_const(m_disabledWidgets)) {
        if (widget)
            widget->setEnabled(true);
    }
    m_disabledWidgets.clear();
    // Items may have been replaced meanwhile (they were not, unless the document changed):
    // restore only the ones still on the canvas.
    QSet<QGraphicsItem*> current;
    for (StepItem* item : m_window->canvasScene()->stepItems())
        current.insert(item);
    for (QGraphicsItem* item : std::as_const(m_immobilized)) {
        if (current.contains(item))
            item->setFlag(QGraphicsItem::ItemIsMovable, true);
    }
    m_immobilized.clear();
    m_window->canvasScene()->removeEventFilter(this);
    m_window->canvasView()->removeEventFilter(this);
    m_window->canvasView()->viewport()->removeEventFilter(this);
    m_window->canvasView()->setAcceptDrops(true);
}

bool EditLock::isPortPress(const QPointF& scenePos) const {
    const QRectF area(scenePos - QPointF(12, 12), QSizeF(24, 24));
    for (QGraphicsItem* item : m_window->canvasScene()->items(area)) {
        if (auto* node = dynamic_cast<NodeItem*>(item);
            node && node->portAt(scenePos) != PortKind::None)
            return true;
    }
    return false;
}

bool EditLock::eventFilter(QObject* watched, QEvent* event) {
    if (!m_locked)
        return QObject::eventFilter(watched, event);
    switch (event->type()) {
    case QEvent::GraphicsSceneMousePress: {
        // A press on a port would start a connection: refuse it; plain clicks select.
        auto* mouse = static_cast<QGraphicsSceneMouseEvent*>(event);
        if (mouse->button() == Qt::LeftButton && isPortPress(mouse->scenePos()))
            return true;
        break;
    }
    case QEvent::GraphicsSceneMouseDoubleClick:
    case QEvent::MouseButtonDblClick: // quick-add on empty canvas
    case QEvent::GraphicsSceneDragEnter:
    case QEvent::GraphicsSceneDragMove:
    case QEvent::GraphicsSceneDrop:
    case QEvent::DragEnter:
    case QEvent::Drop:
        return true;
    case QEvent::KeyPress: {
        // Arrow keys nudge, Tab quick-adds, Delete removes: none while running.
        const int key = static_cast<QKeyEvent*>(event)->key();
        if (key == Qt::Key_Left || key == Qt::Key_Right || key == Qt::Key_Up ||
            key == Qt::Key_Down || key == Qt::Key_Tab || key == Qt::Key_Delete ||
            key == Qt::Key_Backspace)
            return true;
        break;
    }
    default:
        break;
    }
    return QObject::eventFilter(watched, event);
}

} // namespace Aqueduct::Ui
