#pragma once

#include <aqueduct/HandlerSchema.h>

#include <QJsonValue>
#include <QWidget>

class QLabel;
class QPushButton;
class QToolButton;

namespace Aqueduct::Ui {

/// The editor for one handler parameter, generated from its schema: a spin box with the
/// range (Int/Double), a line edit (String), a combo box (Choice) or a check box (Bool),
/// the description as tooltip, the default shown in italics while the value is unset, and a
/// reset-to-default button. A file-path parameter (ParamSpec::filePath) gets a line edit and
/// a Browse… button; the chosen file is written relative to the pipeline's folder when it
/// is inside it, absolute otherwise.
class ParamEditor final : public QWidget {
    Q_OBJECT
public:
    explicit ParamEditor(ParamSpec spec, QWidget* parent = nullptr);

    const ParamSpec& spec() const { return m_spec; }
    /// Shows the step's value (undefined = unset: the default applies). No signal.
    void setValue(const QJsonValue& value);
    QWidget* editor() const { return m_editor; }
    QToolButton* resetButton() const { return m_reset; }
    /// File-path parameters only; null otherwise.
    QPushButton* browseButton() const { return m_browse; }
    /// Beside Browse…: "✓ file found" or "✗ no such file"; null for other parameters.
    QLabel* pathStatus() const { return m_pathStatus; }

    /// The folder relative file paths mean paths in (PipelineModel::baseDirectory; empty
    /// for a document never saved: the current directory applies).
    void setBaseDirectory(const QString& folder);
    /// Opens the file dialog (what Browse… does); edits the value when a file is chosen.
    void browse();

Q_SIGNALS:
    /// The person changed the value (undefined = reset to default).
    void edited(const QJsonValue& value);

private:
    void emitEdited(const QJsonValue& value);
    void setExplicit(bool isExplicit);
    void updatePathHint();

    ParamSpec m_spec;
    QWidget* m_editor = nullptr;
    QToolButton* m_reset = nullptr;
    QPushButton* m_browse = nullptr;
    QLabel* m_pathStatus = nullptr; ///< file found or not, beside Browse…
    QString m_baseDirectory;
    QString m_tip; ///< the schema tooltip, without the path hint
    QJsonValue m_value;
    bool m_updating = false;
};

} // namespace Aqueduct::Ui
