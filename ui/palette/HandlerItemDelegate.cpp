#include "palette/HandlerItemDelegate.h"

#include "palette/HandlerListModel.h"
#include "style/Theme.h"

#include <QApplication>
#include <QPainter>

namespace Aqueduct::Ui {

namespace {

QFont smallFont(const QFont& base) {
    QFont font = base;
    font.setPointSizeF(base.pointSizeF() * 0.88);
    return font;
}

} // namespace

QSize HandlerItemDelegate::sizeHint(const QStyleOptionViewItem& option,
                                    const QModelIndex& index) const {
    const QFontMetrics metrics(option.font);
    if (index.data(HandlerListModel::HandlerNameRole).toString().isEmpty())
        return QSize(100, metrics.height() + 12);
    const QFontMetrics small(smallFont(option.font));
    return QSize(100, metrics.height() + small.height() + 12);
}

void HandlerItemDelegate::paint(QPainter* painter, const QStyleOptionViewItem& option,
                                const QModelIndex& index) const {
    QStyleOptionViewItem opt = option;
    initStyleOption(&opt, index);
    const QPalette& palette = opt.palette;
    const bool isHandler = !index.data(HandlerListModel::HandlerNameRole).toString().isEmpty();
    painter->save();
    painter->setRenderHint(QPainter::Antialiasing);

    if (!isHandler) {
        QFont font = smallFont(opt.font);
        font.setWeight(QFont::DemiBold);
        font.setCapitalization(QFont::AllUppercase);
        font.setLetterSpacing(QFont::PercentageSpacing, 106);
        painter->setFont(font);
        painter->setPen(
            Theme::mix(palette.color(QPalette::Text), palette.color(QPalette::Base), 0.4));
        painter->drawText(opt.rect.adjusted(4, 0, -4, 0), Qt::AlignLeft | Qt::AlignVCenter,
                          index.data(Qt::DisplayRole).toString());
        painter->restore();
        return;
    }

    const QRect rect = opt.rect.adjusted(2, 1, -4, -1);
    const bool selected = opt.state & QStyle::State_Selected;
    const bool hovered = opt.state & QStyle::State_MouseOver;
    if (selected || hovered) {
        QColor fill = palette.color(QPalette::Highlight);
        fill.setAlpha(selected ? (opt.state & QStyle::State_HasFocus ? 60 : 40) : 18);
        painter->setPen(Qt::NoPen);
        painter->setBrush(fill);
        painter->drawRoundedRect(rect, 5, 5);
    }
    const int iconSize = 20;
    const QRect iconRect(rect.left() + 6, rect.center().y() - iconSize / 2, iconSize, iconSize);
    opt.icon.paint(painter, iconRect);

    const int textLeft = iconRect.right() + 9;
    const QRect textRect(textLeft, rect.top() + 5, rect.right() - textLeft - 4, rect.height() - 10);
    const QFontMetrics metrics(opt.font);
    painter->setFont(opt.font);
    painter->setPen(palette.color(QPalette::Text));
    painter->drawText(QRect(textRect.left(), textRect.top(), textRect.width(), metrics.height()),
                      Qt::AlignLeft | Qt::AlignVCenter,
                      metrics.elidedText(index.data(Qt::DisplayRole).toString(), Qt::ElideRight,
                                         textRect.width()));
    const QFont small = smallFont(opt.font);
    const QFontMetrics smallMetrics(small);
    painter->setFont(small);
    painter->setPen(Theme::mix(palette.color(QPalette::Text), palette.color(QPalette::Base), 0.42));
    painter->drawText(
        QRect(textRect.left(), textRect.top() + metrics.height(), textRect.width(),
              smallMetrics.height()),
        Qt::AlignLeft | Qt::AlignVCenter,
        smallMetrics.elidedText(index.data(HandlerListModel::DescriptionRole).toString(),
                                Qt::ElideRight, textRect.width()));
    painter->restore();
}

} // namespace Aqueduct::Ui
