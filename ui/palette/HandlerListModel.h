#pragma once

#include <QStandardItemModel>

namespace Aqueduct::Ui {

/// The registry's handlers for the palette: categories with their handlers as children
/// (Tree) or handlers only (Flat, for the quick-add popup). Dragging a handler yields the
/// canvas' handler MIME type.
class HandlerListModel final : public QStandardItemModel {
    Q_OBJECT
public:
    enum class Shape { Tree, Flat };
    enum Role {
        HandlerNameRole = Qt::UserRole + 1, ///< empty for category rows
        CategoryRole,
        DescriptionRole,
        SearchTextRole, ///< name, category and description, for filtering
    };

    explicit HandlerListModel(Shape shape, QObject* parent = nullptr);

    /// Re-reads HandlerRegistry::global() (after plugins load).
    void reload();

    QStringList mimeTypes() const override;
    QMimeData* mimeData(const QModelIndexList& indexes) const override;
    Qt::ItemFlags flags(const QModelIndex& index) const override;

private:
    Shape m_shape;
};

} // namespace Aqueduct::Ui
