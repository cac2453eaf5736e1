#pragma once

#include <QDialog>

class QMenuBar;
class QTreeWidget;

namespace Aqueduct::Ui {

/// Help > Keyboard shortcuts: every menu action with a shortcut (read from the menus, so
/// it cannot fall out of date) plus the canvas gestures.
class ShortcutsDialog final : public QDialog {
    Q_OBJECT
public:
    explicit ShortcutsDialog(QMenuBar* menuBar, QWidget* parent = nullptr);
    QTreeWidget* treeWidget() const { return m_tree; }

private:
    QTreeWidget* m_tree;
};

} // namespace Aqueduct::Ui
