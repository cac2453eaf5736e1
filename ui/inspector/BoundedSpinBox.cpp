#include "inspector/BoundedSpinBox.h"

#include <QLocale>

namespace Aqueduct::Ui {

BoundedSpinBox::BoundedSpinBox(QWidget* parent)
    : QSpinBox(parent) {}

std::optional<qint64> BoundedSpinBox::typedNumber(const QString& input) const {
    QString text = input;
    if (!prefix().isEmpty() && text.startsWith(prefix()))
        text.remove(0, prefix().size());
    if (!suffix().isEmpty() && text.endsWith(suffix()))
        text.chop(suffix().size());
    text = text.trimmed();
    text.remove(locale().groupSeparator());
    bool ok = false;
    const qint64 number = text.toLongLong(&ok);
    return ok ? std::optional<qint64>(number) : std::nullopt;
}

QValidator::State BoundedSpinBox::validate(QString& input, int& pos) const {
    const QValidator::State state = QSpinBox::validate(input, pos);
    const std::optional<qint64> number = typedNumber(input);
    if (number && (*number > maximum() || *number < minimum())) {
        Q_EMIT limitMessage(
            tr("%1 is out of range: %2 to %3%4")
                .arg(*number)
                .arg(minimum())
                .arg(maximum())
                .arg(m_reason.isEmpty() ? QString() : QStringLiteral(" (%1)").arg(m_reason)));
        return QValidator::Intermediate; // shown as typed, clamped when editing ends
    }
    // The clamped text itself keeps the "set to" note; anything typed after clears it.
    if (state != QValidator::Invalid && input != m_clampedText)
        Q_EMIT limitMessage(QString());
    return state;
}

void BoundedSpinBox::fixup(QString& input) const {
    const std::optional<qint64> number = typedNumber(input);
    if (number && (*number > maximum() || *number < minimum())) {
        const int clamped = *number > maximum() ? maximum() : minimum();
        input = prefix() + locale().toString(clamped) + suffix();
        m_clampedText = input;
        Q_EMIT limitMessage(
            tr("%1 is out of range: set to %2%3")
                .arg(*number)
                .arg(clamped)
                .arg(m_reason.isEmpty() ? QString() : QStringLiteral(" (%1)").arg(m_reason)));
        return;
    }
    QSpinBox::fixup(input);
}

} // namespace Aqueduct::Ui
