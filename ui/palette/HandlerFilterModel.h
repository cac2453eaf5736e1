#pragma once

#include <QSortFilterProxyModel>

namespace Aqueduct::Ui {

/// Filters handlers by every word of the search text (name, category or description),
/// keeping categories that still hold a match; best matches (name prefix) first.
class HandlerFilterModel final : public QSortFilterProxyModel {
    Q_OBJECT
public:
    explicit HandlerFilterModel(QObject* parent = nullptr);
    void setSearchText(const QString& text);

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const override;
    bool lessThan(const QModelIndex& left, const QModelIndex& right) const override;

private:
    QStringList m_words;
};

} // namespace Aqueduct::Ui
