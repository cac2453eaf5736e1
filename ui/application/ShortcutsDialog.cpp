#include "application/ShortcutsDialog.h"

#include <QAction>
#include <QDialogButtonBox>
#include <QHeaderView>
#include <QMenu>
#include <QMenuBar>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace Aqueduct::Ui {

namespace {

void addMenu(QTreeWidget* tree, QMenu* menu, const QString& prefix) {
    QTreeWidgetItem* group = nullptr;
    const QString title =
        prefix.isEmpty() ? menu->title().remove(QLatin1Char('&'))
                         : prefix + QStringLiteral(" › ") + menu->title().remove(QLatin1Char('&'));
    for (QAction* action : menu->actions()) {
        if (action->menu()) {
            addMenu(tree, action->menu(), title);
            continue;
        }
        const QList<QKeySequence> shortcuts = action->shortcuts();
        if (shortcuts.isEmpty())
            continue;
        if (!group) {
            group = new QTreeWidgetItem(tree, {title});
            QFont font = group->font(0);
            font.setWeight(QFont::DemiBold);
            group->setFont(0, font);
            group->setFirstColumnSpanned(true);
        }
        QStringList keys;
        for (const QKeySequence& shortcut : shortcuts)
            keys << shortcut.toString(QKeySequence::NativeText);
        new QTreeWidgetItem(group,
                            {action->text().remove(QLatin1Char('&')).remove(QStringLiteral("…")),
                             keys.join(QStringLiteral("   or   "))});
    }
}

} // namespace

ShortcutsDialog::ShortcutsDialog(QMenuBar* menuBar, QWidget* parent)
    : QDialog(parent) {
    setWindowTitle(tr("Keyboard shortcuts"));
    setObjectName(QStringLiteral("shortcutsDialog"));
    m_tree = new QTreeWidget(this);
    m_tree->setColumnCount(2);
    m_tree->setHeaderLabels({tr("Action"), tr("Shortcut")});
    m_tree->setRootIsDecorated(false);
    m_tree->setItemsExpandable(false);
    m_tree->header()->setSectionResizeMode(0, QHeaderView::Stretch);
    m_tree->header()->setSectionResizeMode(1, QHeaderView::ResizeToContents);
    m_tree->header()->setStretchLastSection(false);

    for (QAction* action : menuBar->actions()) {
        if (action->menu())
            addMenu(m_tree, action->menu(), QString());
    }
    auto* canvas = new QTreeWidgetItem(m_tree, {tr("Canvas")});
    QFont font = canvas->font(0);
    font.setWeight(QFont::DemiBold);
    canvas->setFont(0, font);
    canvas->setFirstColumnSpanned(true);
    const QList<QPair<QString, QString>> gestures = {
        {tr("Add a step at the cursor (quick add)"), tr("Tab, or double-click empty canvas")},
        {tr("Connect steps"), tr("Drag from an output port to an input port")},
        {tr("Add a connected step"), tr("Drag from a port to empty canvas")},
        {tr("Move selected steps"), tr("Drag, or arrow keys (Shift: larger steps)")},
        {tr("Select several"), tr("Drag a rectangle on empty canvas, or Ctrl+click")},
        {tr("Pan"), tr("Middle-drag, or hold Space and drag")},
        {tr("Zoom around the cursor"), tr("Mouse wheel")},
        {tr("Cancel a connection being dragged"), tr("Esc")},
        {tr("Edit a step"), tr("Double-click it (focuses the inspector)")},
    };
    for (const auto& [action, keys] : gestures)
        new QTreeWidgetItem(canvas, {action, keys});
    m_tree->expandAll();

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_tree);
    layout->addWidget(buttons);
    resize(560, 620);
}

} // namespace Aqueduct::Ui
