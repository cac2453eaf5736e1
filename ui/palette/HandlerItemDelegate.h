#pragma once

#include <QStyledItemDelegate>

namespace Aqueduct::Ui {

/// Draws a handler as icon + name + one line of description, and a category as a small
/// section header.
class HandlerItemDelegate final : public QStyledItemDelegate {
    Q_OBJECT
public:
    using QStyledItemDelegate::QStyledItemDelegate;
    void paint(QPainter* painter, const QStyleOptionViewItem& option,
               const QModelIndex& index) const override;
    QSize sizeHint(const QStyleOptionViewItem& option, const QModelIndex& index) const override;
};

} // namespace Aqueduct::Ui
