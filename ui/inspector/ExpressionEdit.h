#pragma once

#include <QWidget>

class QLabel;
class QLineEdit;

namespace Aqueduct::Ui {

/// A line edit for a `condition` / `when` expression with a live parse check: the error
/// and its column show under the field while typing; the value is committed (signal) when
/// editing finishes.
class ExpressionEdit final : public QWidget {
    Q_OBJECT
public:
    explicit ExpressionEdit(QWidget* parent = nullptr);

    /// Shows `text` without emitting committed().
    void setExpression(const QString& text);
    QString expression() const;
    QLineEdit* lineEdit() const { return m_edit; }
    /// The current parse error ("column 7: ..."), empty when the text parses.
    QString errorText() const;
    void setPlaceholderText(const QString& text);

Q_SIGNALS:
    void committed(const QString& text);

protected:
    void changeEvent(QEvent* event) override;

private:
    void check();

    QLineEdit* m_edit;
    QLabel* m_error;
    QString m_committed;
    QString m_placeholder;
};

} // namespace Aqueduct::Ui
