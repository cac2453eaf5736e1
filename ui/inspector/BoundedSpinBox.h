#pragma once

#include <QSpinBox>

#include <optional>

namespace Aqueduct::Ui {

/// A spin box that lets a person type a number beyond its range and says so, instead of
/// refusing the keystroke (typing 999 into a 1..256 box used to leave 99 without a word).
/// Out of range while typing: limitMessage() explains; when editing ends the value is
/// clamped and limitMessage() says to what.
class BoundedSpinBox final : public QSpinBox {
    Q_OBJECT
public:
    explicit BoundedSpinBox(QWidget* parent = nullptr);

    /// Why the limit exists, appended to the messages ("the engine's limit").
    void setLimitReason(const QString& reason) { m_reason = reason; }

Q_SIGNALS:
    /// A message for the person; empty when the typed value is within range again.
    void limitMessage(const QString& message) const;

protected:
    QValidator::State validate(QString& input, int& pos) const override;
    void fixup(QString& input) const override;

private:
    /// The typed number without prefix, suffix and group separators; nullopt when none.
    std::optional<qint64> typedNumber(const QString& input) const;

    QString m_reason;
    mutable QString m_clampedText; ///< what fixup() last clamped to
};

} // namespace Aqueduct::Ui
