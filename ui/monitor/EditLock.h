#pragma once

#include <QHash>
#include <QList>
#include <QObject>
#include <QPointer>

class QAction;
class QGraphicsItem;
class QWidget;

namespace Aqueduct::Ui {

class MainWindow;

/// Makes the designer read-only while a flow runs, so the graph on screen is the graph
/// that runs: edit actions, the palette and the inspector are disabled; on the canvas,
/// steps cannot be moved or connected and nothing can be dropped or quick-added, while
/// selecting (to pick the step the charts show), zooming and panning still work. Edits
/// that still reach the document (none should) are kept and reported — they apply on
/// the next run; nothing is lost.
class EditLock final : public QObject {
    Q_OBJECT
public:
    explicit EditLock(MainWindow* window, QObject* parent = nullptr);
    ~EditLock() override;

    void lock();
    void unlock();
    bool isLocked() const { return m_locked; }
    /// True when the document changed while locked (since the last lock()).
    bool editedWhileLocked() const { return m_edited; }

    /// Names of the window's actions the lock disables.
    static QStringList lockedActionNames();

Q_SIGNALS:
    /// The document changed while locked (the change applies on the next run).
    void documentEditedWhileLocked();

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    void holdAction(QAction* action);
    bool isPortPress(const QPointF& scenePos) const;

    MainWindow* m_window;
    bool m_locked = false;
    bool m_edited = false;
    bool m_settingEnabled = false;
    /// Enabled state the window wants for each held action (restored on unlock).
    QHash<QAction*, bool> m_wanted;
    QList<QPointer<QWidget>> m_disabledWidgets;
    QList<QGraphicsItem*> m_immobilized;
    QList<QMetaObject::Connection> m_connections;
};

} // namespace Aqueduct::Ui
