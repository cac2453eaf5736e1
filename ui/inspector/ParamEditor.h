#pragma once

#include <aqueduct/HandlerSchema.h>

#include <QJsonValue>
#include <QWidget>

class QToolButton;

namespace Aqueduct::Ui {

/// The editor for one handler parameter, generated from its schema: a spin box with the
/// range (Int/Double), a line edit (String), a combo box (Choice) or a check box (Bool),
/// the description as tooltip, the default shown in italics while the value is unset, and a
/// reset-to-default button.
class ParamEditor final : public QWidget {
    Q_OBJECT
public:
    explicit ParamEditor(ParamSpec spec, QWidget* parent = nullptr);

    const ParamSpec& spec() const { return m_spec; }
    /// Shows the step's value (undefined = unset: the default applies). No signal.
    void setValue(const QJsonValue& value);
    QWidget* editor() const { return m_editor; }
    QToolButton* resetButton() const { return m_reset; }

Q_SIGNALS:
    /// The person changed the value (undefined = reset to default).
    void edited(const QJsonValue& value);

private:
    void emitEdited(const QJsonValue& value);
    void setExplicit(bool isExplicit);

    ParamSpec m_spec;
    QWidget* m_editor = nullptr;
    QToolButton* m_reset = nullptr;
    QJsonValue m_value;
    bool m_updating = false;
};

} // namespace Aqueduct::Ui
