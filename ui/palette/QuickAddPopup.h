#pragma once

#include <QFrame>

class QLineEdit;
class QListView;

namespace Aqueduct::Ui {

class HandlerFilterModel;
class HandlerListModel;

/// A popup at the cursor to add a step by typing part of a handler's name
/// (Tab or double-click on empty canvas). Up/Down pick, Enter adds, Escape closes.
class QuickAddPopup final : public QFrame {
    Q_OBJECT
public:
    explicit QuickAddPopup(QWidget* parent = nullptr);

    void popup(const QPoint& globalPos);
    QLineEdit* searchEdit() const { return m_search; }
    QListView* listView() const { return m_list; }
    /// The handler Enter would add now (empty when nothing matches).
    QString currentHandler() const;

Q_SIGNALS:
    void handlerChosen(const QString& handler);

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    void choose();
    void selectFirst();

    HandlerListModel* m_model;
    HandlerFilterModel* m_filter;
    QLineEdit* m_search;
    QListView* m_list;
};

} // namespace Aqueduct::Ui
