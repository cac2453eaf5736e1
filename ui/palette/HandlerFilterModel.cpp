#include "palette/HandlerFilterModel.h"

#include "palette/HandlerListModel.h"

namespace Aqueduct::Ui {

HandlerFilterModel::HandlerFilterModel(QObject* parent)
    : QSortFilterProxyModel(parent) {
    setRecursiveFilteringEnabled(true);
    setAutoAcceptChildRows(false);
}

void HandlerFilterModel::setSearchText(const QString& text) {
    m_words = text.simplified().split(QLatin1Char(' '), Qt::SkipEmptyParts);
    invalidate();
    if (!m_words.isEmpty())
        sort(0);
    else
        sort(-1);
}

bool HandlerFilterModel::filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const {
    const QModelIndex index = sourceModel()->index(sourceRow, 0, sourceParent);
    if (index.data(HandlerListModel::HandlerNameRole).toString().isEmpty())
        return m_words.isEmpty(); // categories: shown when a child matches (recursive)
    const QString haystack = index.data(HandlerListModel::SearchTextRole).toString();
    for (const QString& word : m_words) {
        if (!haystack.contains(word, Qt::CaseInsensitive))
            return false;
    }
    return true;
}

bool HandlerFilterModel::lessThan(const QModelIndex& left, const QModelIndex& right) const {
    const QString leftName = left.data(HandlerListModel::HandlerNameRole).toString();
    const QString rightName = right.data(HandlerListModel::HandlerNameRole).toString();
    if (leftName.isEmpty() || rightName.isEmpty())
        return left.row() < right.row();
    const QString first = m_words.value(0);
    const bool leftPrefix = leftName.startsWith(first, Qt::CaseInsensitive);
    const bool rightPrefix = rightName.startsWith(first, Qt::CaseInsensitive);
    if (leftPrefix != rightPrefix)
        return leftPrefix;
    return left.row() < right.row();
}

} // namespace Aqueduct::Ui
