#include "palette/PaletteWidget.h"

#include "palette/HandlerFilterModel.h"
#include "palette/HandlerItemDelegate.h"
#include "palette/HandlerListModel.h"

#include <aqueduct/HandlerRegistry.h>

#include <QAction>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QTreeView>
#include <QVBoxLayout>

namespace Aqueduct::Ui {

namespace {

/// Enter in the tree adds the current handler (double-click does too).
class PaletteTreeView final : public QTreeView {
public:
    using QTreeView::QTreeView;
    std::function<void(const QModelIndex&)> onActivate;

protected:
    void keyPressEvent(QKeyEvent* event) override {
        if ((event->key() == Qt::Key_Return || event->key() == Qt::Key_Enter) && onActivate) {
            onActivate(currentIndex());
            event->accept();
            return;
        }
        QTreeView::keyPressEvent(event);
    }
};

} // namespace

PaletteWidget::PaletteWidget(QWidget* parent)
    : QWidget(parent)
    , m_model(new HandlerListModel(HandlerListModel::Shape::Tree, this))
    , m_filter(new HandlerFilterModel(this)) {
    setObjectName(QStringLiteral("palette"));
    m_filter->setSourceModel(m_model);

    m_search = new QLineEdit(this);
    m_search->setObjectName(QStringLiteral("paletteSearch"));
    m_search->setPlaceholderText(tr("Search handlers…"));
    m_search->setClearButtonEnabled(true);

    auto* tree = new PaletteTreeView(this);
    tree->onActivate = [this](const QModelIndex& index) { activate(index); };
    m_tree = tree;
    m_tree->setObjectName(QStringLiteral("paletteTree"));
    m_tree->setModel(m_filter);
    m_tree->setItemDelegate(new HandlerItemDelegate(m_tree));
    m_tree->setHeaderHidden(true);
    m_tree->setRootIsDecorated(false);
    m_tree->setIndentation(0);
    m_tree->setUniformRowHeights(false);
    m_tree->setDragEnabled(true);
    m_tree->setDragDropMode(QAbstractItemView::DragOnly);
    m_tree->setSelectionMode(QAbstractItemView::SingleSelection);
    m_tree->setMouseTracking(true);
    m_tree->setFrameShape(QFrame::NoFrame);
    m_tree->setItemsExpandable(false);
    m_tree->expandAll();

    m_problems = new QLabel(this);
    m_problems->setWordWrap(true);
    m_problems->setObjectName(QStringLiteral("paletteLoadProblems"));
    m_problems->setTextFormat(Qt::RichText);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(8, 8, 8, 8);
    layout->setSpacing(6);
    layout->addWidget(m_search);
    layout->addWidget(m_tree, 1);
    layout->addWidget(m_problems);

    connect(m_search, &QLineEdit::textChanged, this, [this](const QString& text) {
        m_filter->setSearchText(text);
        m_tree->expandAll();
        // Keep a match current so Enter in the search box adds it.
        for (int row = 0; row < m_filter->rowCount(); ++row) {
            const QModelIndex category = m_filter->index(row, 0);
            const QModelIndex first =
                m_filter->rowCount(category) > 0 ? m_filter->index(0, 0, category) : category;
            if (!first.data(HandlerListModel::HandlerNameRole).toString().isEmpty()) {
                m_tree->setCurrentIndex(first);
                break;
            }
        }
    });
    connect(m_search, &QLineEdit::returnPressed, this,
            [this] { activate(m_tree->currentIndex()); });
    connect(m_tree, &QTreeView::doubleClicked, this, &PaletteWidget::activate);
    updateLoadProblems();
}

void PaletteWidget::reload() {
    m_model->reload();
    m_tree->expandAll();
    updateLoadProblems();
}

void PaletteWidget::activate(const QModelIndex& index) {
    const QString name = index.data(HandlerListModel::HandlerNameRole).toString();
    if (!name.isEmpty())
        Q_EMIT handlerActivated(name);
}

void PaletteWidget::updateLoadProblems() {
    const QList<Problem>& problems = HandlerRegistry::global().loadProblems();
    if (problems.isEmpty()) {
        m_problems->hide();
        return;
    }
    QString html = tr("<b>%n plugin(s) failed to load:</b>", nullptr, int(problems.size()));
    for (const Problem& problem : problems)
        html += QStringLiteral("<br>%1").arg(problem.toString().toHtmlEscaped());
    m_problems->setText(html);
    m_problems->setToolTip(html);
    m_problems->show();
}

} // namespace Aqueduct::Ui
