#include "palette/HandlerListModel.h"

#include "canvas/CanvasScene.h"
#include "style/Icons.h"
#include "style/Theme.h"

#include <aqueduct/HandlerRegistry.h>

#include <QMimeData>

namespace Aqueduct::Ui {

HandlerListModel::HandlerListModel(Shape shape, QObject* parent)
    : QStandardItemModel(parent)
    , m_shape(shape) {
    reload();
}

void HandlerListModel::reload() {
    clear();
    QHash<QString, QStandardItem*> categories;
    for (const HandlerInfo& info : HandlerRegistry::global().handlers()) {
        const QString category = info.category.isEmpty() ? tr("Other") : info.category;
        auto* item = new QStandardItem(info.name);
        item->setData(info.name, HandlerNameRole);
        item->setData(category, CategoryRole);
        item->setData(info.description, DescriptionRole);
        item->setData(QStringList{info.name, category, info.description}.join(QLatin1Char(' ')),
                      SearchTextRole);
        item->setIcon(
            Icons::icon(Theme::categoryIconName(category), Theme::categoryColor(category)));
        QString tip = QStringLiteral("<b>%1</b><br>%2")
                          .arg(info.name.toHtmlEscaped(), info.description.toHtmlEscaped());
        if (info.origin != QLatin1String("builtin") && !info.origin.isEmpty())
            tip += tr("<br><i>from %1</i>").arg(info.origin.toHtmlEscaped());
        item->setToolTip(tip);
        item->setEditable(false);
        if (m_shape == Shape::Flat) {
            appendRow(item);
            continue;
        }
        QStandardItem*& parent = categories[category];
        if (!parent) {
            parent = new QStandardItem(category);
            parent->setData(category, CategoryRole);
            parent->setData(category, SearchTextRole);
            parent->setEditable(false);
            parent->setDragEnabled(false);
            parent->setSelectable(false);
            QFont font = parent->font();
            font.setWeight(QFont::DemiBold);
            parent->setFont(font);
            appendRow(parent);
        }
        parent->appendRow(item);
    }
}

Qt::ItemFlags HandlerListModel::flags(const QModelIndex& index) const {
    Qt::ItemFlags result = QStandardItemModel::flags(index);
    if (index.data(HandlerNameRole).toString().isEmpty())
        result &= ~Qt::ItemIsDragEnabled;
    return result;
}

QStringList HandlerListModel::mimeTypes() const {
    return {QString::fromLatin1(kHandlerMimeType)};
}

QMimeData* HandlerListModel::mimeData(const QModelIndexList& indexes) const {
    for (const QModelIndex& index : indexes) {
        const QString name = index.data(HandlerNameRole).toString();
        if (name.isEmpty())
            continue;
        auto* data = new QMimeData;
        data->setData(QString::fromLatin1(kHandlerMimeType), name.toUtf8());
        data->setText(name);
        return data;
    }
    return nullptr;
}

} // namespace Aqueduct::Ui
