#include "inspector/ExpressionEdit.h"

#include <QEvent>

#include "style/Theme.h"

#include <aqueduct/Expression.h>

#include <QLabel>
#include <QLineEdit>
#include <QVBoxLayout>

namespace Aqueduct::Ui {

ExpressionEdit::ExpressionEdit(QWidget* parent)
    : QWidget(parent) {
    m_edit = new QLineEdit(this);
    m_edit->setClearButtonEnabled(true);
    QFont mono = m_edit->font();
    mono.setFamily(QStringLiteral("monospace"));
    mono.setStyleHint(QFont::TypeWriter);
    m_edit->setFont(mono);
    m_error = new QLabel(this);
    m_error->setWordWrap(true);
    m_error->setObjectName(QStringLiteral("expressionError"));
    QPalette palette = m_error->palette();
    palette.setColor(QPalette::WindowText, Theme::errorColor());
    m_error->setPalette(palette);
    m_error->hide();

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(3);
    layout->addWidget(m_edit);
    layout->addWidget(m_error);

    connect(m_edit, &QLineEdit::textChanged, this, &ExpressionEdit::check);
    connect(m_edit, &QLineEdit::editingFinished, this, [this] {
        const QString text = m_edit->text().trimmed();
        if (text == m_committed)
            return;
        m_committed = text;
        Q_EMIT committed(text);
    });
}

void ExpressionEdit::setExpression(const QString& text) {
    m_committed = text;
    if (m_edit->text() != text)
        m_edit->setText(text);
    check();
}

QString ExpressionEdit::expression() const {
    return m_edit->text().trimmed();
}

void ExpressionEdit::setPlaceholderText(const QString& text) {
    m_placeholder = text;
    m_edit->setPlaceholderText(isEnabled() ? text : QString());
}

void ExpressionEdit::changeEvent(QEvent* event) {
    QWidget::changeEvent(event);
    // Greyed out, a placeholder ("always") reads like a value that was typed: hide it.
    if (event->type() == QEvent::EnabledChange)
        m_edit->setPlaceholderText(isEnabled() ? m_placeholder : QString());
}

QString ExpressionEdit::errorText() const {
    return m_error->isHidden() ? QString() : m_error->text();
}

void ExpressionEdit::check() {
    Expression::ParseError error;
    const Expression expression = Expression::parse(m_edit->text().trimmed(), &error);
    if (expression.isValid()) {
        m_error->hide();
        m_error->clear();
        m_edit->setPalette(QPalette());
        m_edit->setToolTip(QString());
        return;
    }
    m_error->setText(tr("Column %1: %2").arg(error.column).arg(error.message));
    m_error->show();
    QPalette palette = m_edit->palette();
    palette.setColor(QPalette::Base,
                     Theme::mix(palette.color(QPalette::Base), Theme::errorColor(), 0.12));
    m_edit->setPalette(palette);
    // Point at the column under the text, like a compiler does.
    const QString text = m_edit->text().trimmed();
    const QString marker = QString(qMax(0, error.column - 1), QLatin1Char(' ')) + QLatin1Char('^');
    m_edit->setToolTip(QStringLiteral("<pre>%1\n%2</pre>%3")
                           .arg(text.toHtmlEscaped(), marker, error.message.toHtmlEscaped()));
}

} // namespace Aqueduct::Ui
