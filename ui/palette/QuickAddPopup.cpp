#include "palette/QuickAddPopup.h"

#include "palette/HandlerFilterModel.h"
#include "palette/HandlerItemDelegate.h"
#include "palette/HandlerListModel.h"

#include <QApplication>
#include <QKeyEvent>
#include <QLineEdit>
#include <QListView>
#include <QScreen>
#include <QVBoxLayout>

namespace Aqueduct::Ui {

QuickAddPopup::QuickAddPopup(QWidget* parent)
    : QFrame(parent, Qt::Popup)
    , m_model(new HandlerListModel(HandlerListModel::Shape::Flat, this))
    , m_filter(new HandlerFilterModel(this)) {
    setObjectName(QStringLiteral("quickAddPopup"));
    setAttribute(Qt::WA_DeleteOnClose);
    setFrameShape(QFrame::StyledPanel);
    m_filter->setSourceModel(m_model);

    m_search = new QLineEdit(this);
    m_search->setPlaceholderText(tr("Add step: type a handler name…"));
    m_search->installEventFilter(this);
    m_list = new QListView(this);
    m_list->setModel(m_filter);
    m_list->setItemDelegate(new HandlerItemDelegate(m_list));
    m_list->setFrameShape(QFrame::NoFrame);
    m_list->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_list->setMouseTracking(true);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 6, 6, 6);
    layout->setSpacing(4);
    layout->addWidget(m_search);
    layout->addWidget(m_list);
    resize(320, 340);

    connect(m_search, &QLineEdit::textChanged, this, [this](const QString& text) {
        m_filter->setSearchText(text);
        selectFirst();
    });
    connect(m_list, &QListView::clicked, this, [this](const QModelIndex& index) {
        m_list->setCurrentIndex(index);
        choose();
    });
    selectFirst();
}

void QuickAddPopup::popup(const QPoint& globalPos) {
    QRect geometry(globalPos, size());
    if (const QScreen* screen = QApplication::screenAt(globalPos)) {
        const QRect available = screen->availableGeometry();
        if (geometry.right() > available.right())
            geometry.moveRight(available.right());
        if (geometry.bottom() > available.bottom())
            geometry.moveBottom(available.bottom());
    }
    move(geometry.topLeft());
    show();
    m_search->setFocus();
}

QString QuickAddPopup::currentHandler() const {
    return m_list->currentIndex().data(HandlerListModel::HandlerNameRole).toString();
}

void QuickAddPopup::selectFirst() {
    if (m_filter->rowCount() > 0)
        m_list->setCurrentIndex(m_filter->index(0, 0));
}

void QuickAddPopup::choose() {
    const QString handler = currentHandler();
    if (handler.isEmpty())
        return;
    close();
    Q_EMIT handlerChosen(handler);
}

bool QuickAddPopup::eventFilter(QObject* watched, QEvent* event) {
    if (watched == m_search && event->type() == QEvent::KeyPress) {
        auto* key = static_cast<QKeyEvent*>(event);
        switch (key->key()) {
        case Qt::Key_Up:
        case Qt::Key_Down:
        case Qt::Key_PageUp:
        case Qt::Key_PageDown:
            QApplication::sendEvent(m_list, event);
            return true;
        case Qt::Key_Return:
        case Qt::Key_Enter:
        case Qt::Key_Tab:
            choose();
            return true;
        case Qt::Key_Escape:
            close();
            return true;
        default:
            break;
        }
    }
    return QFrame::eventFilter(watched, event);
}

} // namespace Aqueduct::Ui
